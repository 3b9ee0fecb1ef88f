//! Readable multi-line rendering.

use std::fmt;

use super::line::value_char;
use crate::grid::Grid;

/// The readable multi-line rendering with box separators (see [`Grid::to_text`]).
impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Grid {
    /// A readable rendering: one line per row, cells separated by spaces, `|` between boxes and
    /// a `-+-` line between bands of boxes; `.` for empty, `A`–`P` above 9. No trailing newline.
    ///
    /// ```
    /// # use solver_core::Grid;
    /// let g = Grid::from_line("1.3.....2...4..1").unwrap();
    /// assert_eq!(g.to_text(), "1 . | 3 .\n. . | . .\n----+----\n2 . | . .\n4 . | . 1");
    /// ```
    pub fn to_text(&self) -> String {
        let shape = self.shape();
        let segment = "-".repeat(2 * shape.box_width() - 1);
        let separator = vec![segment; shape.boxes_per_row()].join("-+-");
        let mut lines = Vec::with_capacity(shape.size() + shape.size() / shape.box_height());
        for (row, values) in self.cells().chunks(shape.size()).enumerate() {
            if row > 0 && row % shape.box_height() == 0 {
                lines.push(separator.clone());
            }
            let boxes: Vec<String> = values
                .chunks(shape.box_width())
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&v| value_char(v).to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            lines.push(boxes.join(" | "));
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use crate::grid::{Grid, Shape};

    #[test]
    fn nine_by_nine_layout() {
        let g = Grid::from_line(
            "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
        )
        .unwrap();
        let text = g.to_text();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[0], "5 3 . | . 7 . | . . .");
        assert_eq!(lines[3], "------+-------+------");
        assert_eq!(lines[10], ". . . | . 8 . | . 7 9");
        assert_eq!(g.to_string(), text);
    }

    #[test]
    fn rectangular_boxes() {
        let text = Grid::empty(Shape::SIX).to_text();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[0], ". . . | . . .");
        assert_eq!(lines[2], "------+------");
        let text = Grid::empty(Shape::TWELVE).to_text();
        assert_eq!(text.lines().nth(3), Some("--------+---------+--------"));
    }
}
