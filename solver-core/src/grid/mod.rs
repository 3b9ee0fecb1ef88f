//! Grids, their shapes, candidate sets and rule checking.

mod candidates;
mod shape;
mod validate;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use candidates::{Candidates, CandidatesIter};
pub use shape::{Shape, ShapeError, Unit};
pub use validate::Conflict;

/// A grid of cells, each empty or holding a value `1..=size`.
///
/// Rows and columns are 0-based everywhere in the API; only human-facing messages count from 1.
/// A grid may break the rules (duplicates are representable, so a player's wrong move can be
/// shown); [`Grid::conflicts`] says where. Serialised as its one-line form (see
/// [`Grid::to_line`]), which is compact and readable in stored records; that form, its parse
/// errors and the `String` conversions serde uses belong to the `format` module, which builds on
/// this module (never the other way round).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Grid {
    shape: Shape,
    /// Row-major; 0 = empty. Invariant: every value is `<= shape.size()`.
    cells: Vec<u8>,
}

/// Why a grid could not be built from raw cell values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GridError {
    /// The number of cells is not `size²`.
    CellCount {
        /// `size²` for the requested shape.
        expected: usize,
        /// Cells supplied.
        found: usize,
    },
    /// A value is larger than the grid size (0-based position).
    ValueOutOfRange {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The offending value.
        value: u8,
        /// The grid size, i.e. the largest allowed value.
        size: usize,
    },
}

impl fmt::Display for GridError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GridError::CellCount { expected, found } => {
                write!(f, "expected {expected} cells, found {found}")
            }
            GridError::ValueOutOfRange {
                row,
                col,
                value,
                size,
            } => write!(
                f,
                "row {}, column {}: value {value} is out of range 0..={size} for a {size}x{size} grid",
                row + 1,
                col + 1
            ),
        }
    }
}

impl std::error::Error for GridError {}

impl Grid {
    /// An all-empty grid.
    pub fn empty(shape: Shape) -> Grid {
        Grid {
            shape,
            cells: vec![0; shape.cell_count()],
        }
    }

    /// A grid from row-major values, 0 = empty.
    ///
    /// # Errors
    /// [`GridError`] when the count is not `size²` or a value exceeds `size`.
    pub fn from_cells(shape: Shape, cells: Vec<u8>) -> Result<Grid, GridError> {
        if cells.len() != shape.cell_count() {
            return Err(GridError::CellCount {
                expected: shape.cell_count(),
                found: cells.len(),
            });
        }
        if let Some(i) = cells.iter().position(|&v| usize::from(v) > shape.size()) {
            let (row, col) = shape.position(i);
            return Err(GridError::ValueOutOfRange {
                row,
                col,
                value: cells[i],
                size: shape.size(),
            });
        }
        Ok(Grid { shape, cells })
    }

    /// For callers that have already range-checked every value and the length.
    pub(crate) fn from_checked_cells(shape: Shape, cells: Vec<u8>) -> Grid {
        debug_assert_eq!(cells.len(), shape.cell_count());
        debug_assert!(cells.iter().all(|&v| usize::from(v) <= shape.size()));
        Grid { shape, cells }
    }

    /// The grid's shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Side length (shorthand for `shape().size()`).
    pub fn size(&self) -> usize {
        self.shape.size()
    }

    /// Row-major cell values, 0 = empty.
    pub fn cells(&self) -> &[u8] {
        &self.cells
    }

    /// The rows as vectors of values, 0 = empty (the upstream JSON layout).
    pub fn rows(&self) -> Vec<Vec<u8>> {
        self.cells.chunks(self.size()).map(<[u8]>::to_vec).collect()
    }

    /// The value at `(row, col)`, `None` when empty.
    ///
    /// # Panics
    /// When `row` or `col` is not below the grid size.
    pub fn get(&self, row: usize, col: usize) -> Option<u8> {
        self.check_position(row, col);
        match self.cells[self.shape.index(row, col)] {
            0 => None,
            v => Some(v),
        }
    }

    /// Puts `value` at `(row, col)`, or empties the cell with `None`. Rule breaks are allowed;
    /// see [`Grid::conflicts_at`].
    ///
    /// # Panics
    /// When `row` or `col` is not below the grid size, or `value` is `Some(0)` or above the size.
    pub fn set(&mut self, row: usize, col: usize, value: Option<u8>) {
        self.check_position(row, col);
        let v = value.unwrap_or(0);
        assert!(
            value.is_none() || (1..=self.size()).contains(&usize::from(v)),
            "value {v} is out of range 1..={} for a {} grid",
            self.size(),
            self.shape
        );
        let i = self.shape.index(row, col);
        self.cells[i] = v;
    }

    fn check_position(&self, row: usize, col: usize) {
        assert!(
            row < self.size() && col < self.size(),
            "cell ({row}, {col}) is outside a {} grid",
            self.shape
        );
    }

    /// Number of empty cells.
    pub fn empty_count(&self) -> usize {
        self.cells.iter().filter(|&&v| v == 0).count()
    }

    /// Number of filled cells (the clue count of a puzzle).
    pub fn filled_count(&self) -> usize {
        self.cells.len() - self.empty_count()
    }

    /// Whether every cell is filled (rules not checked).
    pub fn is_complete(&self) -> bool {
        self.cells.iter().all(|&v| v != 0)
    }

    /// Whether every cell is filled and no unit holds a value twice.
    pub fn is_solved(&self) -> bool {
        self.is_complete() && !self.has_conflicts()
    }

    /// Whether every filled cell of `self` holds the same value in `other` (e.g. givens against
    /// their solution). Grids of different shapes never agree.
    pub fn agrees_with(&self, other: &Grid) -> bool {
        self.shape == other.shape
            && self
                .cells
                .iter()
                .zip(&other.cells)
                .all(|(&a, &b)| a == 0 || a == b)
    }

    /// Values not yet used by any peer of `(row, col)`; empty for a filled cell.
    ///
    /// # Panics
    /// When `row` or `col` is not below the grid size.
    pub fn candidates(&self, row: usize, col: usize) -> Candidates {
        if self.get(row, col).is_some() {
            return Candidates::EMPTY;
        }
        let used: Candidates = self
            .shape
            .peers(row, col)
            .into_iter()
            .map(|(r, c)| self.cells[self.shape.index(r, c)])
            .collect();
        Candidates::full(self.size()).difference(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_set_and_counts() {
        let mut g = Grid::empty(Shape::NINE);
        assert_eq!(g.empty_count(), 81);
        assert!(!g.is_complete());
        g.set(2, 7, Some(9));
        assert_eq!(g.get(2, 7), Some(9));
        assert_eq!(g.cells()[2 * 9 + 7], 9);
        assert_eq!(g.filled_count(), 1);
        g.set(2, 7, None);
        assert_eq!(g.get(2, 7), None);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn set_rejects_values_above_size() {
        Grid::empty(Shape::FOUR).set(0, 0, Some(5));
    }

    #[test]
    #[should_panic(expected = "outside")]
    fn get_rejects_positions_outside() {
        let _ = Grid::empty(Shape::FOUR).get(4, 0);
    }

    #[test]
    fn from_cells_validates() {
        assert_eq!(
            Grid::from_cells(Shape::FOUR, vec![0; 15]),
            Err(GridError::CellCount {
                expected: 16,
                found: 15
            })
        );
        let mut cells = vec![0; 16];
        cells[6] = 5;
        let err = Grid::from_cells(Shape::FOUR, cells).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 2, column 3: value 5 is out of range 0..=4 for a 4x4 grid"
        );
    }

    #[test]
    fn candidates_exclude_peers() {
        let g = Grid::from_line("12..............").unwrap();
        assert_eq!(g.candidates(0, 2).iter().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(g.candidates(1, 1).iter().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(g.candidates(3, 3).len(), 4);
        assert!(g.candidates(0, 0).is_empty());
    }

    #[test]
    fn solved_and_agreement() {
        let solution = Grid::from_line("1234341221434321").unwrap();
        assert!(solution.is_solved());
        let givens = Grid::from_line("1.3.....2...4..1").unwrap();
        assert!(givens.agrees_with(&solution));
        assert!(!solution.agrees_with(&givens));
        let broken = Grid::from_line("1234341221434312").unwrap();
        assert!(broken.is_complete() && !broken.is_solved());
    }

    #[test]
    fn serde_uses_the_line_form() {
        let g = Grid::from_line("1.3.....2...4..1").unwrap();
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(json, "\"1.3.....2...4..1\"");
        assert_eq!(serde_json::from_str::<Grid>(&json).unwrap(), g);
        assert!(serde_json::from_str::<Grid>("\"1.3\"").is_err());
    }
}
