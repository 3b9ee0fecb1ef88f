//! One step of a human solve.

use serde::{Deserialize, Serialize};

use super::technique::Technique;

/// One deduction: which technique, where, what it places or removes, and why.
///
/// Rows, columns and values are as in the rest of the API (0-based rows and columns, values
/// `1..=size`); the `reason` is for people and counts rows and columns from 1 ("r3c5").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The technique used.
    pub technique: Technique,
    /// The cells that make the pattern (0-based `(row, col)`), e.g. the pair of a naked pair.
    pub cells: Vec<(usize, usize)>,
    /// Values placed: `(row, col, value)`.
    pub placements: Vec<(usize, usize, u8)>,
    /// Candidates removed: `(row, col, value)`.
    pub eliminations: Vec<(usize, usize, u8)>,
    /// One sentence a person understands, e.g. "In row 3, 7 can only go in r3c5."
    pub reason: String,
}

impl Step {
    /// Builds a step from cell indices; `n` is the grid size.
    pub(crate) fn build(
        technique: Technique,
        n: usize,
        cells: &[usize],
        placements: &[(usize, u8)],
        eliminations: &[(usize, u8)],
        reason: String,
    ) -> Step {
        let rc = |i: usize| (i / n, i % n);
        let mut eliminations: Vec<(usize, usize, u8)> = eliminations
            .iter()
            .map(|&(i, v)| (i / n, i % n, v))
            .collect();
        eliminations.sort_unstable();
        eliminations.dedup();
        Step {
            technique,
            cells: cells.iter().map(|&i| rc(i)).collect(),
            placements: placements.iter().map(|&(i, v)| (i / n, i % n, v)).collect(),
            eliminations,
            reason,
        }
    }
}
