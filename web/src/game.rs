//! A person's game on one puzzle: the board they are filling in and what conflicts it has.
//! Pure logic (no browser types), so it is tested natively.

use std::collections::BTreeSet;

use solver_core::format::value_char;
use solver_core::grid::{Conflict, Unit};
use solver_core::Grid;

/// Read what a person typed into a cell of a `size`×`size` grid.
/// Empty input clears the cell; anything else must be one symbol in range.
pub fn parse_entry(text: &str, size: usize) -> Result<Option<u8>, String> {
    let trimmed = text.trim();
    // Typing into a filled input appends: the newest character is what the person meant.
    let Some(last) = trimmed.chars().last() else {
        return Ok(None);
    };
    let highest = value_char(size as u8);
    match last.to_digit(36) {
        Some(v) if (1..=size as u32).contains(&v) => Ok(Some(v as u8)),
        _ => Err(format!("type a symbol from 1 to {highest}")),
    }
}

/// Every cell that takes part in some conflict (row, column, box), for highlighting.
pub fn conflict_cells(board: &Grid) -> BTreeSet<(usize, usize)> {
    board
        .conflicts()
        .into_iter()
        .flat_map(|conflict| conflict.cells)
        .collect()
}

/// One sentence per conflict at a cell, e.g. "7 is already in row 3".
pub fn describe_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| {
            let unit = match c.kind {
                Unit::Row => "row",
                Unit::Column => "column",
                Unit::Box => "box",
            };
            format!(
                "{} is already in {unit} {}",
                value_char(c.value),
                c.unit_index + 1
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use solver_core::Shape;

    #[test]
    fn entries_are_checked_against_the_grid_size() {
        assert_eq!(parse_entry("7", 9), Ok(Some(7)));
        assert_eq!(parse_entry("", 9), Ok(None));
        assert_eq!(parse_entry("37", 9), Ok(Some(7)));
        assert!(parse_entry("5", 4).is_err());
        assert!(parse_entry("0", 9).is_err());
        assert!(parse_entry("x", 9).unwrap_err().contains("1 to 9"));
        assert_eq!(parse_entry("g", 16), Ok(Some(16)));
    }

    #[test]
    fn a_repeated_digit_in_a_row_marks_both_cells() {
        let mut board = Grid::empty(Shape::new(9).unwrap());
        board.set(0, 0, Some(5));
        board.set(0, 8, Some(5));
        let cells = conflict_cells(&board);
        assert_eq!(cells, BTreeSet::from([(0, 0), (0, 8)]));
        let text = describe_conflicts(&board.conflicts_at(0, 8));
        assert_eq!(text, "5 is already in row 1");
    }
}
