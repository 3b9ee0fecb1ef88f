//! Difficulty rating.

use serde::{Deserialize, Serialize};

use crate::grid::Grid;

use super::board::Pencilmarks;
use super::solver::find_step;
use super::technique::{Band, Technique};

/// How hard a puzzle is for a person.
///
/// The solver repeatedly applies the easiest available step (by [`Technique::difficulty`]);
/// the puzzle is as hard as the hardest step it needed. `band` is the highest
/// [`Technique::band`] among the steps used (see [`Band`] for the mapping). A puzzle the
/// techniques cannot finish (it needs guessing, or has no unique solution) gets
/// `needs_guessing = true` and no band; its `score` and `hardest` then describe only the part
/// that was solved, a lower bound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Difficulty of the hardest step used (0 for a grid that was already full).
    pub score: f32,
    /// The band, when the techniques solve the puzzle.
    pub band: Option<Band>,
    /// Whether the techniques got stuck before the grid was full.
    pub needs_guessing: bool,
    /// The hardest technique used.
    pub hardest: Option<Technique>,
    /// How many steps of each technique were used, easiest technique first.
    pub techniques: Vec<(Technique, usize)>,
    /// Total steps.
    pub steps: usize,
}

/// Rates `grid` (see [`Rating`]).
pub fn rate(grid: &Grid) -> Rating {
    let mut pm = Pencilmarks::from_grid(grid);
    let mut counts = [0usize; Technique::ALL.len()];
    let mut steps = 0;
    while let Some(step) = find_step(&pm, Band::Diabolical, false, false) {
        pm.apply(&step);
        counts[step.technique as usize] += 1;
        steps += 1;
    }
    let techniques: Vec<(Technique, usize)> = Technique::ALL
        .into_iter()
        .zip(counts)
        .filter(|&(_, k)| k > 0)
        .collect();
    let hardest = techniques.iter().map(|&(t, _)| t).reduce(|a, b| {
        if b.difficulty() > a.difficulty() {
            b
        } else {
            a
        }
    });
    let solved = pm.is_complete() && pm.to_grid().is_solved();
    let band = techniques.iter().map(|&(t, _)| t.band()).max();
    Rating {
        score: hardest.map_or(0.0, Technique::difficulty),
        band: if solved {
            Some(band.unwrap_or(Band::Easy))
        } else {
            None
        },
        needs_guessing: !solved,
        hardest,
        techniques,
        steps,
    }
}
