//! Grid geometry: which sizes exist and how their boxes are laid out.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the three kinds of unit (house) every value must appear in exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A horizontal line of cells.
    Row,
    /// A vertical line of cells.
    Column,
    /// A `box_height × box_width` block of cells.
    Box,
}

impl Unit {
    /// All three kinds, in the order conflicts are reported.
    pub const ALL: [Unit; 3] = [Unit::Row, Unit::Column, Unit::Box];
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Row => "row",
            Unit::Column => "column",
            Unit::Box => "box",
        })
    }
}

/// The geometry of a grid: its side length and the height and width of its boxes.
///
/// Only the six shapes of the product exist (4, 6, 9, 12, 16, 25); constructing any other is an
/// error, so code that holds a `Shape` never has to re-check it. Serialised as its size alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "usize", into = "usize")]
pub struct Shape {
    size: u8,
    box_height: u8,
    box_width: u8,
}

/// A size that is not one of the supported shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// The rejected side length.
    pub size: usize,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported grid size {}; supported sizes are 4, 6, 9, 12, 16 and 25",
            self.size
        )
    }
}

impl std::error::Error for ShapeError {}

impl Shape {
    /// 4×4 with 2×2 boxes.
    pub const FOUR: Shape = Shape::raw(4, 2, 2);
    /// 6×6 with boxes 2 rows high and 3 columns wide.
    pub const SIX: Shape = Shape::raw(6, 2, 3);
    /// Classic 9×9 with 3×3 boxes.
    pub const NINE: Shape = Shape::raw(9, 3, 3);
    /// 12×12 with boxes 3 rows high and 4 columns wide.
    pub const TWELVE: Shape = Shape::raw(12, 3, 4);
    /// 16×16 with 4×4 boxes.
    pub const SIXTEEN: Shape = Shape::raw(16, 4, 4);
    /// 25×25 with 5×5 boxes.
    pub const TWENTY_FIVE: Shape = Shape::raw(25, 5, 5);
    /// Every supported shape, smallest first.
    pub const ALL: [Shape; 6] = [
        Shape::FOUR,
        Shape::SIX,
        Shape::NINE,
        Shape::TWELVE,
        Shape::SIXTEEN,
        Shape::TWENTY_FIVE,
    ];
    /// The largest side length of any shape; values and candidate bitsets are sized for it.
    pub const MAX_SIZE: usize = 25;

    const fn raw(size: u8, box_height: u8, box_width: u8) -> Shape {
        Shape {
            size,
            box_height,
            box_width,
        }
    }

    /// The shape with side length `size`.
    ///
    /// # Errors
    /// [`ShapeError`] if `size` is not 4, 6, 9, 12, 16 or 25.
    pub fn new(size: usize) -> Result<Shape, ShapeError> {
        Shape::ALL
            .into_iter()
            .find(|s| s.size() == size)
            .ok_or(ShapeError { size })
    }

    /// The shape whose grid has `cells` cells (81 → 9×9), if any; used to infer the size of a
    /// one-line puzzle from its length.
    pub fn from_cell_count(cells: usize) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.cell_count() == cells)
    }

    /// Side length: number of rows, of columns, of boxes, and the largest value.
    pub const fn size(self) -> usize {
        self.size as usize
    }

    /// Rows per box.
    pub const fn box_height(self) -> usize {
        self.box_height as usize
    }

    /// Columns per box.
    pub const fn box_width(self) -> usize {
        self.box_width as usize
    }

    /// Total number of cells (`size²`).
    pub const fn cell_count(self) -> usize {
        self.size() * self.size()
    }

    /// Number of boxes across one row of boxes (`size / box_width`).
    pub const fn boxes_per_row(self) -> usize {
        self.size() / self.box_width()
    }

    /// Index (0-based, row-major over boxes) of the box containing the cell.
    pub const fn box_index(self, row: usize, col: usize) -> usize {
        (row / self.box_height()) * self.boxes_per_row() + col / self.box_width()
    }

    /// Top-left cell `(row, col)` of box `index`.
    pub const fn box_origin(self, index: usize) -> (usize, usize) {
        (
            (index / self.boxes_per_row()) * self.box_height(),
            (index % self.boxes_per_row()) * self.box_width(),
        )
    }

    /// Row-major index of a cell.
    pub const fn index(self, row: usize, col: usize) -> usize {
        row * self.size() + col
    }

    /// `(row, col)` of a row-major cell index.
    pub const fn position(self, index: usize) -> (usize, usize) {
        (index / self.size(), index % self.size())
    }

    /// Which unit of kind `unit` contains the cell.
    pub const fn unit_index(self, unit: Unit, row: usize, col: usize) -> usize {
        match unit {
            Unit::Row => row,
            Unit::Column => col,
            Unit::Box => self.box_index(row, col),
        }
    }

    /// The cells `(row, col)` of one unit, in reading order.
    pub fn unit_cells(self, unit: Unit, index: usize) -> impl Iterator<Item = (usize, usize)> {
        let (origin_row, origin_col) = self.box_origin(index);
        (0..self.size()).map(move |k| match unit {
            Unit::Row => (index, k),
            Unit::Column => (k, index),
            Unit::Box => (
                origin_row + k / self.box_width(),
                origin_col + k % self.box_width(),
            ),
        })
    }

    /// Every other cell sharing a row, column or box with `(row, col)`, each listed once, in
    /// reading order.
    pub fn peers(self, row: usize, col: usize) -> Vec<(usize, usize)> {
        let b = self.box_index(row, col);
        (0..self.size())
            .flat_map(|r| (0..self.size()).map(move |c| (r, c)))
            .filter(|&(r, c)| {
                (r, c) != (row, col) && (r == row || c == col || self.box_index(r, c) == b)
            })
            .collect()
    }

    /// Number of peers each cell has (`3·size − box_height − box_width − 1`).
    pub const fn peer_count(self) -> usize {
        3 * self.size() - self.box_height() - self.box_width() - 1
    }
}

impl TryFrom<usize> for Shape {
    type Error = ShapeError;

    fn try_from(size: usize) -> Result<Shape, ShapeError> {
        Shape::new(size)
    }
}

impl From<Shape> for usize {
    fn from(shape: Shape) -> usize {
        shape.size()
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{0}x{0}", self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_sizes_and_box_dimensions() {
        let dims: Vec<_> = Shape::ALL
            .iter()
            .map(|s| (s.size(), s.box_height(), s.box_width()))
            .collect();
        assert_eq!(
            dims,
            [
                (4, 2, 2),
                (6, 2, 3),
                (9, 3, 3),
                (12, 3, 4),
                (16, 4, 4),
                (25, 5, 5)
            ]
        );
        for s in Shape::ALL {
            assert_eq!(s.box_height() * s.box_width(), s.size());
            assert_eq!(Shape::new(s.size()), Ok(s));
            assert_eq!(Shape::from_cell_count(s.cell_count()), Some(s));
        }
    }

    #[test]
    fn unsupported_sizes_are_rejected() {
        for n in [0, 1, 2, 3, 5, 8, 10, 36, 81] {
            let err = Shape::new(n).unwrap_err();
            assert_eq!(err.size, n);
            assert!(err.to_string().contains(&n.to_string()));
        }
    }

    #[test]
    fn six_by_six_boxes_are_two_high_three_wide() {
        let s = Shape::SIX;
        assert_eq!(s.box_index(0, 0), 0);
        assert_eq!(s.box_index(0, 3), 1);
        assert_eq!(s.box_index(1, 5), 1);
        assert_eq!(s.box_index(2, 0), 2);
        assert_eq!(s.box_index(5, 5), 5);
        assert_eq!(s.box_origin(3), (2, 3));
        let cells: Vec<_> = s.unit_cells(Unit::Box, 3).collect();
        assert_eq!(cells, [(2, 3), (2, 4), (2, 5), (3, 3), (3, 4), (3, 5)]);
    }

    #[test]
    fn units_partition_the_grid_and_peers_are_consistent() {
        for s in Shape::ALL {
            for unit in Unit::ALL {
                let mut seen = vec![0u8; s.cell_count()];
                for i in 0..s.size() {
                    for (r, c) in s.unit_cells(unit, i) {
                        assert_eq!(s.unit_index(unit, r, c), i);
                        seen[s.index(r, c)] += 1;
                    }
                }
                assert!(seen.iter().all(|&n| n == 1), "{s} {unit}");
            }
            let peers = s.peers(1, 2);
            assert_eq!(peers.len(), s.peer_count(), "{s}");
            assert!(!peers.contains(&(1, 2)));
        }
        assert_eq!(Shape::NINE.peer_count(), 20);
    }

    #[test]
    fn serialises_as_its_size() {
        assert_eq!(serde_json::to_string(&Shape::TWELVE).unwrap(), "12");
        assert_eq!(serde_json::from_str::<Shape>("16").unwrap(), Shape::SIXTEEN);
        assert!(serde_json::from_str::<Shape>("10").is_err());
    }
}
