//! What the dream looks at in one experience: its outcome class and features of the board and
//! cell at the move, computed from the stored board alone (no solver, no technique solver).

use crate::play::{Experience, InvalidReason, Judgement, Move};
use crate::unit::{MistakeKind, Pattern};
use solver_core::format::parse_line;
use solver_core::grid::{Grid, Unit};

/// The outcome split of triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Right and applied.
    Correct,
    /// Broke a rule (banned repeats are not kept).
    Invalid(MistakeKind),
    /// Legal but not the solution's value.
    ValidButWrong,
    /// No move could be read.
    Unparseable,
}

impl Outcome {
    /// The class of an experience, `None` for banned repeats (already known to be wrong).
    pub fn of(e: &Experience) -> Option<Outcome> {
        Some(match &e.attempt.judgement {
            Judgement::Correct => Outcome::Correct,
            Judgement::ValidButWrong => Outcome::ValidButWrong,
            Judgement::Unparseable(_) => Outcome::Unparseable,
            Judgement::Invalid(InvalidReason::BannedRepeat) => return None,
            Judgement::Invalid(InvalidReason::Given { .. } | InvalidReason::Filled { .. }) => {
                Outcome::Invalid(MistakeKind::FilledCell)
            }
            Judgement::Invalid(InvalidReason::Conflict { unit, .. }) => {
                Outcome::Invalid(MistakeKind::conflict(*unit))
            }
        })
    }
}

/// Features of one move on its board.
#[derive(Clone, Debug, PartialEq)]
pub struct MoveFeatures {
    /// Grid size.
    pub size: usize,
    /// Empty cells / all cells, before the move.
    pub empty_ratio: f64,
    /// Candidates of the cell / size (0 when the cell was filled).
    pub candidate_ratio: f64,
    /// Fill share of the fullest of the cell's row, column and box.
    pub max_fill: f64,
    /// Fill share of the emptiest of them.
    pub min_fill: f64,
    /// The board pattern of the move (correct moves; others get theirs too, for few-shots).
    pub pattern: Pattern,
    /// Per unit kind (row, column, box): filled cells of the cell's unit.
    pub filled: [usize; 3],
}

impl MoveFeatures {
    /// As a vector for clustering: every component in 0..=1.
    pub fn vector(&self) -> [f64; 5] {
        let pattern = match self.pattern {
            Pattern::NakedSingle => 0.0,
            Pattern::HiddenSingle => 1.0 / 3.0,
            Pattern::NearlyFullUnit => 2.0 / 3.0,
            Pattern::Other => 1.0,
        };
        [
            self.empty_ratio,
            self.candidate_ratio,
            self.max_fill,
            self.min_fill,
            pattern,
        ]
    }
}

/// Features of `mv` on `board` (one-line form); `None` when the board does not parse or the
/// move does not fit it.
pub fn move_features(board: &str, mv: &Move) -> Option<MoveFeatures> {
    let grid = parse_line(board).ok()?;
    features_on(&grid, mv)
}

/// [`move_features`] on a parsed grid.
pub fn features_on(grid: &Grid, mv: &Move) -> Option<MoveFeatures> {
    let shape = grid.shape();
    let n = shape.size();
    if mv.row >= n || mv.col >= n || mv.value == 0 || usize::from(mv.value) > n {
        return None;
    }
    let mut filled = [0usize; 3];
    let mut hidden = false;
    for (k, unit) in Unit::ALL.into_iter().enumerate() {
        let index = shape.unit_index(unit, mv.row, mv.col);
        let mut places = 0;
        for (r, c) in shape.unit_cells(unit, index) {
            if grid.get(r, c).is_some() {
                filled[k] += 1;
            } else if grid.candidates(r, c).contains(mv.value) {
                places += 1;
            }
        }
        hidden |= places == 1 && grid.get(mv.row, mv.col).is_none();
    }
    let cands = grid.candidates(mv.row, mv.col).len();
    let max = *filled.iter().max().expect("three units");
    let min = *filled.iter().min().expect("three units");
    let pattern = if grid.get(mv.row, mv.col).is_some() {
        Pattern::Other
    } else if cands == 1 {
        Pattern::NakedSingle
    } else if hidden {
        Pattern::HiddenSingle
    } else if n - max <= 2 {
        Pattern::NearlyFullUnit
    } else {
        Pattern::Other
    };
    Some(MoveFeatures {
        size: n,
        empty_ratio: grid.empty_count() as f64 / shape.cell_count() as f64,
        candidate_ratio: cands as f64 / n as f64,
        max_fill: max as f64 / n as f64,
        min_fill: min as f64 / n as f64,
        pattern,
        filled,
    })
}
