//! The step-by-step human solver.

use serde::{Deserialize, Serialize};

use crate::grid::Grid;

use super::board::Pencilmarks;
use super::step::Step;
use super::technique::{Band, Technique};
use super::{chains, fish, intersections, singles, subsets, wings};

/// Looks for one step of `technique` on `pm`.
pub(crate) fn find(pm: &Pencilmarks, technique: Technique, explain: bool) -> Option<Step> {
    match technique {
        Technique::FullHouse => singles::full_house(pm, explain),
        Technique::HiddenSingleBox => singles::hidden_single(pm, true, explain),
        Technique::HiddenSingleLine => singles::hidden_single(pm, false, explain),
        Technique::NakedSingle => singles::naked_single(pm, explain),
        Technique::Pointing => intersections::pointing(pm, explain),
        Technique::Claiming => intersections::claiming(pm, explain),
        Technique::NakedPair => subsets::naked_subset(pm, 2, explain),
        Technique::NakedTriple => subsets::naked_subset(pm, 3, explain),
        Technique::NakedQuad => subsets::naked_subset(pm, 4, explain),
        Technique::HiddenPair => subsets::hidden_subset(pm, 2, explain),
        Technique::HiddenTriple => subsets::hidden_subset(pm, 3, explain),
        Technique::HiddenQuad => subsets::hidden_subset(pm, 4, explain),
        Technique::XWing => fish::fish(pm, 2, explain),
        Technique::Swordfish => fish::fish(pm, 3, explain),
        Technique::Jellyfish => fish::fish(pm, 4, explain),
        Technique::XyWing => wings::xy_wing(pm, explain),
        Technique::XyzWing => wings::xyz_wing(pm, explain),
        Technique::WWing => wings::w_wing(pm, explain),
        Technique::XChain => chains::x_chain(pm, explain),
        Technique::XyChain => chains::xy_chain(pm, explain),
    }
}

/// The easiest step among techniques of band `max_band` or easier, skipping singles when
/// `skip_singles` (the caller has already applied them all).
pub(crate) fn find_step(
    pm: &Pencilmarks,
    max_band: Band,
    skip_singles: bool,
    explain: bool,
) -> Option<Step> {
    if pm.is_complete() || pm.is_broken() {
        return None;
    }
    Technique::ALL
        .into_iter()
        .filter(|t| t.band() <= max_band && !(skip_singles && t.is_single()))
        .find_map(|t| find(pm, t, explain))
}

impl Pencilmarks {
    /// The easiest step that applies to this board (see [`next_step`]).
    pub fn next_step(&self) -> Option<Step> {
        find_step(self, Band::Diabolical, false, true)
    }
}

/// The easiest step a person could take next on `grid` (a hint), with candidates as they
/// follow from the filled cells alone; `None` when the grid is complete, visibly broken, or
/// beyond every technique here.
///
/// "Easiest" is by [`Technique::difficulty`]. The step may only remove candidates; to follow a
/// whole solve, use [`solve_steps`] or apply steps to a [`Pencilmarks`].
pub fn next_step(grid: &Grid) -> Option<Step> {
    Pencilmarks::from_grid(grid).next_step()
}

/// The outcome of [`solve_steps`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanSolve {
    /// The steps applied, in order, each the easiest available at its point.
    pub steps: Vec<Step>,
    /// Whether the steps filled the grid.
    pub solved: bool,
    /// Where the solver stopped: the completed grid when `solved`, else the grid with every
    /// placement made so far (candidates removed by the last steps are not part of a grid).
    pub stuck_grid: Grid,
}

/// Applies the easiest step again and again until the grid is full or no technique applies.
pub fn solve_steps(grid: &Grid) -> HumanSolve {
    let mut pm = Pencilmarks::from_grid(grid);
    let mut steps = Vec::new();
    while let Some(step) = find_step(&pm, Band::Diabolical, false, true) {
        pm.apply(&step);
        steps.push(step);
    }
    HumanSolve {
        steps,
        solved: pm.is_complete() && pm.to_grid().is_solved(),
        stuck_grid: pm.to_grid(),
    }
}

/// Whether techniques of band `max_band` or easier fill the grid (singles applied in bulk, no
/// steps recorded: the generator's fast check). Solving by sound deductions alone proves the
/// solution unique.
pub(crate) fn solvable_within(pm: &mut Pencilmarks, max_band: Band) -> bool {
    loop {
        if !pm.singles_closure() {
            return false;
        }
        if pm.is_complete() {
            return true;
        }
        if max_band == Band::Easy {
            return false;
        }
        match find_step(pm, max_band, true, false) {
            Some(step) => pm.apply(&step),
            None => return false,
        }
    }
}
