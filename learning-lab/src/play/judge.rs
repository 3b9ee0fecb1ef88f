//! Moves, parse failures and the judgement of one proposed move.
//!
//! The order of checks is fixed, so one answer always gets the same verdict and feedback:
//! banned repeat → cell filled (given or placed) →
//! row / column / box conflict → legal but not the solution's value (`VALID_BUT_WRONG`, not
//! applied) → `CORRECT` (applied by the session). A parse failure is its own outcome, never a
//! fake move.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use solver_core::format::value_char;
use solver_core::grid::{Grid, Unit};

/// A proposed placement. Rows and columns are 0-based here; every text shows them 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Move {
    /// 0-based row.
    pub row: usize,
    /// 0-based column.
    pub col: usize,
    /// Value `1..=size`.
    pub value: u8,
}

impl Move {
    /// A move at 0-based `(row, col)`.
    pub fn new(row: usize, col: usize, value: u8) -> Move {
        Move { row, col, value }
    }

    /// The cell in Sudoku-Bench notation, 1-based: `r3c5`.
    pub fn cell(&self) -> String {
        cell_name(self.row, self.col)
    }
}

/// `r{row}c{col}`, 1-based, for 0-based `(row, col)`.
pub fn cell_name(row: usize, col: usize) -> String {
    format!("r{}c{}", row + 1, col + 1)
}

impl fmt::Display for Move {
    /// `r3c5=7` (1-based; values above 9 as `A`–`P`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.cell(), value_char(self.value))
    }
}

/// Why a response did not yield a move. Numbers in it are as the model wrote them (1-based).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParseFailure {
    /// The answer (outside `<think>`) is empty.
    Empty,
    /// No `ROW/COL/VALUE`, JSON or `r{row}c{col}=v` answer was found.
    NoMove,
    /// An answer was started but a part is missing, e.g. `ROW: 1 COL: 4` without a value.
    Incomplete {
        /// The missing parts, e.g. `"VALUE"`.
        missing: String,
    },
    /// The row is not in `1..=size`.
    RowOutOfRange {
        /// The row as written.
        found: String,
        /// Grid size.
        size: usize,
    },
    /// The column is not in `1..=size`.
    ColumnOutOfRange {
        /// The column as written.
        found: String,
        /// Grid size.
        size: usize,
    },
    /// The value is not in `1..=size` (or not a value symbol of this grid).
    ValueOutOfRange {
        /// The value as written.
        found: String,
        /// Grid size.
        size: usize,
    },
}

/// The symbols of a grid of `size`: `1-9`, `1-9, A-C` (12), `1-9, A-P` (25).
pub fn symbol_range(size: usize) -> String {
    if size <= 9 {
        format!("1-{size}")
    } else {
        format!("1-9, A-{}", value_char(size as u8))
    }
}

impl fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseFailure::Empty => f.write_str("the answer is empty"),
            ParseFailure::NoMove => f.write_str(
                "no move found (expected ROW: r COL: c VALUE: v, JSON {\"row\",\"col\",\"value\"} or r{row}c{col}=v)",
            ),
            ParseFailure::Incomplete { missing } => write!(f, "the move has no {missing}"),
            ParseFailure::RowOutOfRange { found, size } => {
                write!(f, "row {found} is outside 1-{size}")
            }
            ParseFailure::ColumnOutOfRange { found, size } => {
                write!(f, "column {found} is outside 1-{size}")
            }
            ParseFailure::ValueOutOfRange { found, size } => {
                write!(f, "value {found} is not one of {}", symbol_range(*size))
            }
        }
    }
}

/// Why a parsed move was rejected without being tried on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InvalidReason {
    /// The same (cell, value) was rejected earlier in this session.
    BannedRepeat,
    /// The cell holds a given clue.
    Given {
        /// The clue's value.
        value: u8,
    },
    /// The cell holds a value placed earlier in this session.
    Filled {
        /// The placed value.
        value: u8,
    },
    /// The value already appears in a unit of the cell.
    Conflict {
        /// Row, column or box.
        unit: Unit,
        /// 0-based index of the unit (boxes numbered row-major).
        index: usize,
        /// 0-based row of the clashing cell.
        row: usize,
        /// 0-based column of the clashing cell.
        col: usize,
    },
}

/// The engine's verdict on one attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum Judgement {
    /// The solution's value: applied to the board.
    Correct,
    /// Breaks a rule or repeats a banned move; not applied.
    Invalid(InvalidReason),
    /// Breaks no rule now but is not the solution's value; not applied, then banned.
    ValidButWrong,
    /// No move could be read from the response.
    Unparseable(ParseFailure),
}

impl Judgement {
    /// The feedback vocabulary word: `CORRECT`, `INVALID`, `VALID_BUT_WRONG`, `UNPARSEABLE`.
    pub fn label(&self) -> &'static str {
        match self {
            Judgement::Correct => "CORRECT",
            Judgement::Invalid(_) => "INVALID",
            Judgement::ValidButWrong => "VALID_BUT_WRONG",
            Judgement::Unparseable(_) => "UNPARSEABLE",
        }
    }

    /// Whether the move was right (and applied).
    pub fn is_correct(&self) -> bool {
        matches!(self, Judgement::Correct)
    }

    /// Whether the proposed move becomes banned: `INVALID` (other than a banned repeat, which
    /// already is) and `VALID_BUT_WRONG`.
    pub fn bans_move(&self) -> bool {
        matches!(self, Judgement::ValidButWrong)
            || matches!(self, Judgement::Invalid(r) if *r != InvalidReason::BannedRepeat)
    }

    /// The reason after the label, without it (used in history lines), e.g.
    /// `7 is already in row 3 at r3c8`. `mv` is the proposal (absent for parse failures).
    pub fn detail(&self, mv: Option<&Move>) -> String {
        let (cell, v) = match mv {
            Some(m) => (m.cell(), value_char(m.value).to_string()),
            None => (String::from("?"), String::from("?")),
        };
        match self {
            Judgement::Correct => format!("{v} at {cell} is right and has been placed"),
            Judgement::Invalid(InvalidReason::BannedRepeat) => {
                format!("{cell}={v} was already rejected earlier; it is banned")
            }
            Judgement::Invalid(InvalidReason::Given { value }) => format!(
                "{cell} is a given clue ({}); choose an empty cell",
                value_char(*value)
            ),
            Judgement::Invalid(InvalidReason::Filled { value }) => format!(
                "{cell} is already filled with {}; choose an empty cell",
                value_char(*value)
            ),
            Judgement::Invalid(InvalidReason::Conflict {
                unit,
                index,
                row,
                col,
            }) => format!(
                "{v} is already in {unit} {} at {}",
                index + 1,
                cell_name(*row, *col)
            ),
            Judgement::ValidButWrong => format!(
                "{v} at {cell} breaks no rule now but is not the solution's value; the board is unchanged and {cell}={v} is banned"
            ),
            Judgement::Unparseable(failure) => format!("{failure}"),
        }
    }

    /// One precise sentence for the model, e.g. `INVALID: 7 is already in row 3 at r3c8.`
    pub fn feedback(&self, mv: Option<&Move>) -> String {
        let mut text = format!("{}: {}.", self.label(), self.detail(mv));
        if let Judgement::Unparseable(_) = self {
            text.push_str(" Answer with one line: ROW: r COL: c VALUE: v.");
        }
        text
    }
}

/// Judges `proposal` against the current `board` (givens plus correct placements), the
/// `givens`, the `solution` and the session's `banned` moves. Pure: applies nothing.
///
/// A move outside the grid (only possible when built by hand) is judged `Unparseable` with
/// the matching out-of-range reason.
pub fn judge(
    board: &Grid,
    givens: &Grid,
    solution: &Grid,
    banned: &BTreeSet<Move>,
    proposal: &Result<Move, ParseFailure>,
) -> Judgement {
    let mv = match proposal {
        Ok(mv) => *mv,
        Err(failure) => return Judgement::Unparseable(failure.clone()),
    };
    let size = board.size();
    if mv.row >= size {
        return Judgement::Unparseable(ParseFailure::RowOutOfRange {
            found: (mv.row + 1).to_string(),
            size,
        });
    }
    if mv.col >= size {
        return Judgement::Unparseable(ParseFailure::ColumnOutOfRange {
            found: (mv.col + 1).to_string(),
            size,
        });
    }
    if mv.value == 0 || usize::from(mv.value) > size {
        return Judgement::Unparseable(ParseFailure::ValueOutOfRange {
            found: mv.value.to_string(),
            size,
        });
    }
    if banned.contains(&mv) {
        return Judgement::Invalid(InvalidReason::BannedRepeat);
    }
    if let Some(value) = board.get(mv.row, mv.col) {
        return Judgement::Invalid(if givens.get(mv.row, mv.col).is_some() {
            InvalidReason::Given { value }
        } else {
            InvalidReason::Filled { value }
        });
    }
    let shape = board.shape();
    for unit in Unit::ALL {
        let index = shape.unit_index(unit, mv.row, mv.col);
        if let Some((row, col)) = shape
            .unit_cells(unit, index)
            .find(|&(r, c)| board.get(r, c) == Some(mv.value))
        {
            return Judgement::Invalid(InvalidReason::Conflict {
                unit,
                index,
                row,
                col,
            });
        }
    }
    if solution.get(mv.row, mv.col) == Some(mv.value) {
        Judgement::Correct
    } else {
        Judgement::ValidButWrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solver_core::format::parse_line;

    // 4x4: givens, a board with one extra placement at r2c1, and the solution.
    fn setup() -> (Grid, Grid, Grid) {
        let solution = parse_line("1234341221434321").unwrap();
        let givens = parse_line("1..4.41.2.4..3.1").unwrap();
        let mut board = givens.clone();
        board.set(1, 0, Some(3));
        (givens, board, solution)
    }

    fn j(mv: Move, banned: &[Move]) -> Judgement {
        let (givens, board, solution) = setup();
        let banned: BTreeSet<Move> = banned.iter().copied().collect();
        judge(&board, &givens, &solution, &banned, &Ok(mv))
    }

    #[test]
    fn banned_repeat_comes_first_even_on_a_filled_cell() {
        let mv = Move::new(0, 3, 1);
        assert_eq!(
            j(mv, &[mv]),
            Judgement::Invalid(InvalidReason::BannedRepeat)
        );
        assert_eq!(
            j(mv, &[mv]).feedback(Some(&mv)),
            "INVALID: r1c4=1 was already rejected earlier; it is banned."
        );
    }

    #[test]
    fn given_and_placed_cells_are_filled() {
        let given = Move::new(0, 3, 1);
        assert_eq!(
            j(given, &[]),
            Judgement::Invalid(InvalidReason::Given { value: 4 })
        );
        assert_eq!(
            j(given, &[]).feedback(Some(&given)),
            "INVALID: r1c4 is a given clue (4); choose an empty cell."
        );
        let placed = Move::new(1, 0, 3);
        assert_eq!(
            j(placed, &[]),
            Judgement::Invalid(InvalidReason::Filled { value: 3 })
        );
    }

    #[test]
    fn row_then_column_then_box_conflicts_name_the_clashing_cell() {
        // r1c2 = 4: 4 is in row 1 (r1c4) and nowhere else relevant first.
        let row = Move::new(0, 1, 4);
        assert_eq!(
            j(row, &[]).feedback(Some(&row)),
            "INVALID: 4 is already in row 1 at r1c4."
        );
        // r1c2 = 3: not in row 1, in column 2 at r4c2.
        let col = Move::new(0, 1, 3);
        assert_eq!(
            j(col, &[]).feedback(Some(&col)),
            "INVALID: 3 is already in column 2 at r4c2."
        );
        // A pure box clash: only r2c2 = 4 on the board, propose r1c1 = 4.
        let shape = solver_core::grid::Shape::FOUR;
        let mut only_box = Grid::empty(shape);
        only_box.set(1, 1, Some(4));
        let sol = parse_line("1234341221434321").unwrap();
        let mv = Move::new(0, 0, 4);
        let got = judge(&only_box, &only_box, &sol, &BTreeSet::new(), &Ok(mv));
        assert_eq!(
            got,
            Judgement::Invalid(InvalidReason::Conflict {
                unit: Unit::Box,
                index: 0,
                row: 1,
                col: 1
            })
        );
        assert_eq!(
            got.feedback(Some(&mv)),
            "INVALID: 4 is already in box 1 at r2c2."
        );
    }

    #[test]
    fn legal_but_wrong_then_correct() {
        // On an empty board every value is legal; r1c1 = 2 is not the solution's 1.
        let sol = parse_line("1234341221434321").unwrap();
        let empty = Grid::empty(solver_core::grid::Shape::FOUR);
        let wrong = Move::new(0, 0, 2);
        let got = judge(&empty, &empty, &sol, &BTreeSet::new(), &Ok(wrong));
        assert_eq!(got, Judgement::ValidButWrong);
        assert!(got.bans_move());
        assert_eq!(
            got.feedback(Some(&wrong)),
            "VALID_BUT_WRONG: 2 at r1c1 breaks no rule now but is not the solution's value; the board is unchanged and r1c1=2 is banned."
        );
        let right = Move::new(0, 1, 2);
        assert_eq!(j(right, &[]), Judgement::Correct);
        assert_eq!(
            Judgement::Correct.feedback(Some(&right)),
            "CORRECT: 2 at r1c2 is right and has been placed."
        );
    }

    #[test]
    fn parse_failures_and_out_of_grid_moves_are_unparseable() {
        let (givens, board, solution) = setup();
        let failure = ParseFailure::NoMove;
        let got = judge(&board, &givens, &solution, &BTreeSet::new(), &Err(failure));
        assert_eq!(got.label(), "UNPARSEABLE");
        assert!(!got.bans_move());
        assert!(got.feedback(None).starts_with("UNPARSEABLE: no move found"));
        let far = judge(
            &board,
            &givens,
            &solution,
            &BTreeSet::new(),
            &Ok(Move::new(4, 0, 1)),
        );
        assert_eq!(
            far.feedback(None),
            "UNPARSEABLE: row 5 is outside 1-4. Answer with one line: ROW: r COL: c VALUE: v."
        );
    }

    #[test]
    fn display_uses_letters_for_big_values() {
        assert_eq!(Move::new(0, 11, 12).to_string(), "r1c12=C");
        assert_eq!(symbol_range(16), "1-9, A-G");
        assert_eq!(symbol_range(6), "1-6");
    }
}
