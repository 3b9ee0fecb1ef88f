//! The exact solver: bitset candidates, singles propagation, branching on the most constrained
//! cell.
//!
//! This is the engine for checking puzzles (uniqueness, the answer key, generation), not for
//! explaining them; the human-technique solver is separate. It works the same way for every
//! size: each row, column and box keeps a `u32` of the values it already holds, so a cell's
//! candidates are one OR and one NOT; after every placement naked singles (a cell with one
//! candidate) and hidden singles (a value with one place in a unit) are applied until nothing
//! changes, and only then does it guess, on the cell with the fewest candidates.
//!
//! 9×9 grids take a specialised bitboard path instead (per-digit band bitboards with box/line
//! and column propagation, JCZSolve-style; see `fast9.rs`), about 15x faster; [`solve`],
//! [`solve_unique`] and [`count_solutions`] dispatch to it transparently. Both paths are exact
//! and give the same counts and the same unique solutions (tested against each other on all of
//! top1465 and on random grids); for a grid with several solutions the *first* one found, and
//! the `guesses` figure, can differ between them. Generation with a random value order keeps
//! the generic path, so seeds map to the same puzzles as before.

mod fast9;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::grid::{Conflict, Grid, Shape};
use crate::rng::Xoshiro256StarStar;

/// A solved grid and how much guessing it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// The completed grid; it agrees with the givens.
    pub grid: Grid,
    /// Values tried at branch points (every trial counts, including ones that led to a
    /// contradiction). 0 means singles alone solved it. A rough effort measure, not a
    /// difficulty rating.
    pub guesses: u64,
}

/// The result of [`solve`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum SolveOutcome {
    /// A solution (the first found; use [`count_solutions`] or [`solve_unique`] to know whether
    /// it is the only one).
    Solved(Solution),
    /// The givens already break a rule; these are the conflicts.
    Conflicting(Vec<Conflict>),
    /// The givens follow the rules but cannot be completed.
    Unsolvable,
}

impl SolveOutcome {
    /// The solution, if one was found.
    pub fn solution(&self) -> Option<&Solution> {
        match self {
            SolveOutcome::Solved(s) => Some(s),
            _ => None,
        }
    }

    /// The solution by value, if one was found.
    pub fn into_solution(self) -> Option<Solution> {
        match self {
            SolveOutcome::Solved(s) => Some(s),
            _ => None,
        }
    }
}

/// Why a grid is not a proper puzzle (see [`solve_unique`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum SolveError {
    /// The givens already break a rule.
    Conflicting(Vec<Conflict>),
    /// No completion exists.
    NoSolution,
    /// More than one completion exists.
    MultipleSolutions,
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolveError::Conflicting(conflicts) => {
                write!(f, "the givens break the rules:")?;
                for c in conflicts {
                    let cells: Vec<String> = c
                        .cells
                        .iter()
                        .map(|(r, col)| format!("r{}c{}", r + 1, col + 1))
                        .collect();
                    write!(
                        f,
                        " {} {} has {} twice ({});",
                        c.kind,
                        c.unit_index + 1,
                        c.value,
                        cells.join(", ")
                    )?;
                }
                Ok(())
            }
            SolveError::NoSolution => f.write_str("the puzzle has no solution"),
            SolveError::MultipleSolutions => f.write_str("the puzzle has more than one solution"),
        }
    }
}

impl std::error::Error for SolveError {}

/// Solves `grid`, returning the first solution found. Deterministic: the same grid always
/// gives the same solution and guess count.
pub fn solve(grid: &Grid) -> SolveOutcome {
    let result = search(grid, &mut SearchOptions::limit(1));
    match result.status {
        SearchStatus::Conflicting => SolveOutcome::Conflicting(grid.conflicts()),
        _ => match result.first {
            Some(cells) => SolveOutcome::Solved(Solution {
                grid: Grid::from_checked_cells(grid.shape(), cells),
                guesses: result.guesses,
            }),
            None => SolveOutcome::Unsolvable,
        },
    }
}

/// Solves `grid` and checks that the solution is the only one.
///
/// # Errors
/// [`SolveError`] when the givens conflict, have no solution, or have several.
pub fn solve_unique(grid: &Grid) -> Result<Solution, SolveError> {
    let result = search(grid, &mut SearchOptions::limit(2));
    match (result.status, result.count, result.first) {
        (SearchStatus::Conflicting, _, _) => Err(SolveError::Conflicting(grid.conflicts())),
        (_, 1, Some(cells)) => Ok(Solution {
            grid: Grid::from_checked_cells(grid.shape(), cells),
            guesses: result.guesses,
        }),
        (_, 0, _) => Err(SolveError::NoSolution),
        _ => Err(SolveError::MultipleSolutions),
    }
}

/// Counts the solutions of `grid`, stopping at `limit` (so the answer is `min(count, limit)`).
/// A grid whose givens conflict has 0. `limit` 2 is the usual uniqueness question.
pub fn count_solutions(grid: &Grid, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    search(grid, &mut SearchOptions::limit(limit)).count
}

/// Whether `grid` has exactly one solution.
pub fn has_unique_solution(grid: &Grid) -> bool {
    count_solutions(grid, 2) == 1
}

// ---------------------------------------------------------------------------------------------
// Search machinery, shared with the generator (which needs random value order and a budget).

/// How a search should run.
pub(crate) struct SearchOptions<'r> {
    /// Stop after this many solutions.
    pub limit: usize,
    /// When set, branch values are tried in an order drawn from this generator.
    pub rng: Option<&'r mut Xoshiro256StarStar>,
    /// Give up after this many branch trials; the result is then `Aborted`.
    pub guess_budget: Option<u64>,
}

impl SearchOptions<'_> {
    pub fn limit(limit: usize) -> SearchOptions<'static> {
        SearchOptions {
            limit,
            rng: None,
            guess_budget: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SearchStatus {
    /// The search space was explored up to the limit.
    Complete,
    /// The givens conflict; nothing was searched.
    Conflicting,
    /// The guess budget ran out; `count` is a lower bound.
    Aborted,
}

pub(crate) struct SearchResult {
    pub status: SearchStatus,
    /// Solutions found (at most the limit).
    pub count: usize,
    /// The first solution found, row-major.
    pub first: Option<Vec<u8>>,
    pub guesses: u64,
}

/// Runs a search; 9×9 grids without a random value order take the specialised bitboard path
/// (see `fast9`), everything else the generic one. Both are exact, so counts agree; the first
/// solution of a grid with several, and guess counts, may differ between the two.
pub(crate) fn search(grid: &Grid, options: &mut SearchOptions<'_>) -> SearchResult {
    if grid.shape() == Shape::NINE && options.rng.is_none() {
        return fast9::search(grid.cells(), options.limit, options.guess_budget);
    }
    generic_search(grid, options)
}

/// The generic search, for every size.
pub(crate) fn generic_search(grid: &Grid, options: &mut SearchOptions<'_>) -> SearchResult {
    let tables = Tables::new(grid.shape());
    let mut result = SearchResult {
        status: SearchStatus::Complete,
        count: 0,
        first: None,
        guesses: 0,
    };
    let Some(state) = State::from_grid(&tables, grid) else {
        result.status = SearchStatus::Conflicting;
        return result;
    };
    let mut searcher = Searcher {
        tables: &tables,
        options,
        result: &mut result,
    };
    searcher.run(state);
    result
}

/// Per-shape lookup tables, so the hot loops do no division.
struct Tables {
    size: usize,
    full: u32,
    /// For each cell, its row, column and box unit numbers (`row`, `size + col`,
    /// `2·size + box`), which also index `State::used`.
    cell_units: Vec<[u16; 3]>,
    /// For each of the `3·size` units, its cells.
    units: Vec<Vec<u16>>,
}

impl Tables {
    fn new(shape: Shape) -> Tables {
        let n = shape.size();
        let mut units = vec![Vec::with_capacity(n); 3 * n];
        let mut cell_units = Vec::with_capacity(shape.cell_count());
        for i in 0..shape.cell_count() {
            let (r, c) = shape.position(i);
            let u = [r, n + c, 2 * n + shape.box_index(r, c)];
            for &unit in &u {
                units[unit].push(i as u16);
            }
            cell_units.push(u.map(|x| x as u16));
        }
        Tables {
            size: n,
            full: ((1u64 << n) - 1) as u32,
            cell_units,
            units,
        }
    }
}

/// A partial assignment during search.
#[derive(Clone)]
struct State {
    cells: Vec<u8>,
    /// Values present in each unit, indexed like `Tables::units`.
    used: Vec<u32>,
    empty: usize,
}

impl State {
    /// `None` when the givens conflict.
    fn from_grid(tables: &Tables, grid: &Grid) -> Option<State> {
        let mut state = State {
            cells: vec![0; grid.cells().len()],
            used: vec![0; 3 * tables.size],
            empty: grid.cells().len(),
        };
        for (i, &v) in grid.cells().iter().enumerate() {
            if v != 0 {
                if state.candidates(tables, i) & (1 << (v - 1)) == 0 {
                    return None;
                }
                state.place(tables, i, v);
            }
        }
        Some(state)
    }

    #[inline]
    fn candidates(&self, tables: &Tables, cell: usize) -> u32 {
        let [r, c, b] = tables.cell_units[cell];
        tables.full
            & !(self.used[usize::from(r)] | self.used[usize::from(c)] | self.used[usize::from(b)])
    }

    #[inline]
    fn place(&mut self, tables: &Tables, cell: usize, value: u8) {
        let bit = 1u32 << (value - 1);
        self.cells[cell] = value;
        for u in tables.cell_units[cell] {
            self.used[usize::from(u)] |= bit;
        }
        self.empty -= 1;
    }

    /// Applies naked and hidden singles until none remain. `false` on a contradiction: a cell
    /// with no candidate, or a value with no place left in some unit.
    fn propagate(&mut self, tables: &Tables) -> bool {
        loop {
            let mut changed = false;
            for cell in 0..self.cells.len() {
                if self.cells[cell] != 0 {
                    continue;
                }
                let cands = self.candidates(tables, cell);
                if cands == 0 {
                    return false;
                }
                if cands & (cands - 1) == 0 {
                    self.place(tables, cell, cands.trailing_zeros() as u8 + 1);
                    changed = true;
                }
            }
            for (unit, unit_cells) in tables.units.iter().enumerate() {
                let (mut once, mut twice) = (0u32, 0u32);
                for &cell in unit_cells {
                    let cell = usize::from(cell);
                    if self.cells[cell] == 0 {
                        let cands = self.candidates(tables, cell);
                        twice |= once & cands;
                        once |= cands;
                    }
                }
                if (once | self.used[unit]) != tables.full {
                    return false;
                }
                let mut hidden = once & !twice;
                while hidden != 0 {
                    let bit = hidden & hidden.wrapping_neg();
                    hidden &= hidden - 1;
                    if self.used[unit] & bit != 0 {
                        continue;
                    }
                    // Candidates only shrink, so if the one cell that could hold this value no
                    // longer can (an earlier placement in this unit took it), it is a dead end.
                    let Some(cell) = unit_cells
                        .iter()
                        .map(|&c| usize::from(c))
                        .find(|&c| self.cells[c] == 0 && self.candidates(tables, c) & bit != 0)
                    else {
                        return false;
                    };
                    self.place(tables, cell, bit.trailing_zeros() as u8 + 1);
                    changed = true;
                }
            }
            if !changed {
                return true;
            }
        }
    }

    /// The empty cell with the fewest candidates (first in reading order on ties) and its
    /// candidates.
    fn best_cell(&self, tables: &Tables) -> Option<(usize, u32)> {
        let mut best: Option<(usize, u32, u32)> = None;
        for cell in 0..self.cells.len() {
            if self.cells[cell] != 0 {
                continue;
            }
            let cands = self.candidates(tables, cell);
            let n = cands.count_ones();
            if best.is_none_or(|(_, _, m)| n < m) {
                best = Some((cell, cands, n));
                if n <= 2 {
                    break;
                }
            }
        }
        best.map(|(cell, cands, _)| (cell, cands))
    }
}

struct Searcher<'a, 'r> {
    tables: &'a Tables,
    options: &'a mut SearchOptions<'r>,
    result: &'a mut SearchResult,
}

impl Searcher<'_, '_> {
    /// Returns `true` when the search must stop (limit reached or budget spent).
    fn run(&mut self, mut state: State) -> bool {
        if !state.propagate(self.tables) {
            return false;
        }
        let Some((cell, cands)) = state.best_cell(self.tables) else {
            self.result.count += 1;
            if self.result.first.is_none() {
                self.result.first = Some(state.cells);
            }
            return self.result.count >= self.options.limit;
        };
        let mut values: Vec<u8> = (0..32u8)
            .filter(|b| cands & (1 << b) != 0)
            .map(|b| b + 1)
            .collect();
        if let Some(rng) = self.options.rng.as_deref_mut() {
            rng.shuffle(&mut values);
        }
        // Branching always has at least two values: propagation placed every single.
        let Some((&last, rest)) = values.split_last() else {
            return false;
        };
        for &value in rest {
            if self.try_value(state.clone(), cell, value) {
                return true;
            }
        }
        // The last alternative can reuse the parent's state instead of copying it.
        self.try_value(state, cell, last)
    }

    fn try_value(&mut self, mut state: State, cell: usize, value: u8) -> bool {
        self.result.guesses += 1;
        if self
            .options
            .guess_budget
            .is_some_and(|b| self.result.guesses > b)
        {
            self.result.status = SearchStatus::Aborted;
            return true;
        }
        state.place(self.tables, cell, value);
        self.run(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EASY: &str =
        "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
    const EASY_SOLUTION: &str =
        "534678912672195348198342567859761423426853791713924856961537284287419635345286179";

    #[test]
    fn solves_a_classic_without_guessing() {
        let g = Grid::from_line(EASY).unwrap();
        let s = solve(&g).into_solution().unwrap();
        assert_eq!(s.grid.to_line(), EASY_SOLUTION);
        assert_eq!(s.guesses, 0);
        assert!(has_unique_solution(&g));
        assert_eq!(solve_unique(&g).unwrap().grid, s.grid);
    }

    #[test]
    fn solves_a_hard_one() {
        // AI Escargot.
        let g = Grid::from_line(
            "1....7.9..3..2...8..96..5....53..9...1..8...26....4...3......1..4......7..7...3..",
        )
        .unwrap();
        let s = solve(&g).into_solution().unwrap();
        assert!(s.grid.is_solved() && g.agrees_with(&s.grid));
        assert!(s.guesses > 0);
        assert_eq!(count_solutions(&g, 10), 1);
    }

    #[test]
    fn counts_multiple_solutions() {
        let empty4 = Grid::empty(Shape::FOUR);
        assert_eq!(count_solutions(&empty4, 1000), 288);
        assert_eq!(count_solutions(&empty4, 5), 5);
        assert_eq!(count_solutions(&empty4, 0), 0);
        assert!(!has_unique_solution(&empty4));
        assert_eq!(solve_unique(&empty4), Err(SolveError::MultipleSolutions));
        assert!(solve(&empty4).solution().unwrap().grid.is_solved());
    }

    #[test]
    fn conflicting_and_unsolvable_givens() {
        let g = Grid::from_line("11..............").unwrap();
        let SolveOutcome::Conflicting(c) = solve(&g) else {
            panic!("expected conflicts")
        };
        assert_eq!(c, g.conflicts());
        assert_eq!(count_solutions(&g, 2), 0);
        assert!(matches!(solve_unique(&g), Err(SolveError::Conflicting(_))));

        // No rule broken, but (0,3) needs a value that row 0 and column 3 together exclude.
        let g = Grid::from_line("123....4........").unwrap();
        assert_eq!(solve(&g), SolveOutcome::Unsolvable);
        assert_eq!(solve_unique(&g), Err(SolveError::NoSolution));
        assert_eq!(
            SolveError::NoSolution.to_string(),
            "the puzzle has no solution"
        );
    }

    #[test]
    fn solves_empty_grids_of_every_size() {
        for shape in Shape::ALL {
            let s = solve(&Grid::empty(shape)).into_solution().unwrap();
            assert!(s.grid.is_solved(), "{shape}");
        }
    }

    #[test]
    fn solved_grid_is_its_own_unique_solution() {
        let g = Grid::from_line(EASY_SOLUTION).unwrap();
        assert_eq!(solve_unique(&g).unwrap().grid, g);
    }

    #[test]
    fn error_display_names_the_conflicts() {
        let g = Grid::from_line("11..............").unwrap();
        let err = solve_unique(&g).unwrap_err().to_string();
        assert_eq!(
            err,
            "the givens break the rules: row 1 has 1 twice (r1c1, r1c2); box 1 has 1 twice (r1c1, r1c2);"
        );
    }
}
