//! The specialised 9×9 exact solver: per-digit bitboards split into bands, in the style of
//! JCZSolve.
//!
//! # Layout
//!
//! The grid is three bands of three rows. For every digit `d` and band `b` one `u32`,
//! `f[3·d + b]`, holds the 27 cells of the band where `d` is still possible (bit
//! `9·(row % 3) + col`, so a cell's bit in its band is `cell − 27·b`). A cell holding a digit is
//! possible only for that digit. Everything is `u32` arithmetic, which is as fast in wasm32 as
//! natively.
//!
//! # Propagation
//!
//! One digit-band at a time, and only when it changed since it was last looked at:
//!
//! 1. **Box/line inside the band.** The digit must appear once in each of the band's three rows
//!    and once in each of its three boxes, i.e. on a permutation of the 3×3 "mini-rows". The
//!    mini-rows not on any permutation allowed by the current candidates are removed (a table
//!    of 512 masks). This performs pointing, claiming and hidden singles in boxes inside the
//!    band; an empty result is a contradiction.
//! 2. **Columns across bands.** In each stack, the three bands use three different columns. If
//!    this band's box is confined to one column, the other bands lose it; if this band and a
//!    second are together confined to two columns, the third band gets the remaining one.
//! 3. **Hidden singles in rows.** A row of the band with one place left for the digit is solved:
//!    that cell is removed from every other digit (unconditionally, as it is idempotent and
//!    cheaper than a branch on whether the row is new).
//!
//! Each of the 27 digit-band steps is compiled separately (a macro unrolls the loop), so digit,
//! band and neighbouring bands are constants.
//!
//! When nothing changes, naked singles (cells with one digit left, found with bit-sliced
//! counting, which also yields the cells with two) are placed and propagation resumes. A
//! placement during the search only clears the digit's peers inside its band; steps 2 and 3
//! then do the rest (the digit's row and box shrink to that one cell), which saves touching
//! eleven words per placement. When that stalls too, the solver guesses on a cell with two
//! candidates, the one with the most unsolved peers (or, rarely, the cell with the fewest
//! candidates), trying digits in ascending order, depth first, on a copy of the 240-byte
//! state.
//!
//! The result is exact: every step only removes candidates that cannot be part of a solution,
//! and a branch ends only at a contradiction or at a full grid reached at a fixed point of the
//! steps above, where every cell holds one digit and every placed digit has left all its peers
//! (its rows, boxes and columns are single cells in step 1 and 2 terms). The tests compare it with the generic solver.

use super::{SearchResult, SearchStatus};

/// All 27 cells of a band.
const BAND: u32 = 0x7FF_FFFF;

/// For 9 bits of one row: which of its three boxes (bit k = columns 3k..3k+3) hold any bit.
const SHRINK: [u32; 512] = shrink_table();
/// For a 9-bit mini-row occupancy (bit `3·row + box`): the 27-bit mask of the mini-rows lying on
/// at least one row→box permutation inside the occupancy (0 if there is none).
const COMPLEX: [u32; 512] = complex_table();
/// For a band's 9-bit column occupancy: the mask for the other bands removing every column
/// that is the only one of its stack.
const MASK_SINGLE: [u32; 512] = mask_single_table();
/// For the union of two bands' column occupancies: the mask for the third band, which in each
/// stack where the union is two columns must use the remaining one (and where it is one column
/// or none, nothing is possible).
const MASK_DOUBLE: [u32; 512] = mask_double_table();
/// For 3 row bits: the 27-bit mask of those rows.
const ROWS: [u32; 8] = rows_table();
/// For a bit position in a band: its peers inside the band (row, box, column), itself excluded.
const BAND_PEERS: [u32; 27] = band_peers_table();
/// For a column: its three bits in a band.
const COLUMN: [u32; 9] = column_table();
/// For a digit-band index `3·d + b`: the indices of the same digit in the two other bands.
const OTHER_BANDS: [(usize, usize); 27] = other_bands_table();

const fn shrink_table() -> [u32; 512] {
    let mut t = [0; 512];
    let mut x = 0;
    while x < 512 {
        t[x] = ((x & 7 != 0) as u32)
            | (((x >> 3) & 7 != 0) as u32) << 1
            | (((x >> 6) & 7 != 0) as u32) << 2;
        x += 1;
    }
    t
}

const PERMUTATIONS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

const fn complex_table() -> [u32; 512] {
    let mut t = [0; 512];
    let mut m = 0;
    while m < 512 {
        let mut out = 0u32;
        let mut p = 0;
        while p < 6 {
            let perm = PERMUTATIONS[p];
            let mut ok = true;
            let mut mask = 0u32;
            let mut r = 0;
            while r < 3 {
                if m & (1 << (3 * r + perm[r])) == 0 {
                    ok = false;
                }
                mask |= 0o7 << (9 * r + 3 * perm[r]);
                r += 1;
            }
            if ok {
                out |= mask;
            }
            p += 1;
        }
        t[m] = out;
        m += 1;
    }
    t
}

const fn spread_columns(keep: u32) -> u32 {
    keep | keep << 9 | keep << 18
}

const fn mask_single_table() -> [u32; 512] {
    let mut t = [0; 512];
    let mut s = 0;
    while s < 512 {
        let mut keep = 0x1FF;
        let mut k = 0;
        while k < 3 {
            let part = (s as u32 >> (3 * k)) & 7;
            if part.count_ones() == 1 {
                keep &= !(part << (3 * k));
            }
            k += 1;
        }
        t[s] = spread_columns(keep);
        s += 1;
    }
    t
}

const fn mask_double_table() -> [u32; 512] {
    let mut t = [0; 512];
    let mut s = 0;
    while s < 512 {
        let mut keep = 0x1FF;
        let mut k = 0;
        while k < 3 {
            let part = (s as u32 >> (3 * k)) & 7;
            match part.count_ones() {
                2 => keep &= !(part << (3 * k)),
                3 => {}
                _ => keep &= !(7 << (3 * k)),
            }
            k += 1;
        }
        t[s] = spread_columns(keep);
        s += 1;
    }
    t
}

const fn rows_table() -> [u32; 8] {
    let mut t = [0; 8];
    let mut x = 0;
    while x < 8 {
        let mut r = 0;
        while r < 3 {
            if x & (1 << r) != 0 {
                t[x] |= 0x1FF << (9 * r);
            }
            r += 1;
        }
        x += 1;
    }
    t
}

const fn band_peers_table() -> [u32; 27] {
    let mut t = [0; 27];
    let mut p = 0;
    while p < 27 {
        let (r, c) = (p / 9, p % 9);
        let mut q = 0;
        while q < 27 {
            let (r2, c2) = (q / 9, q % 9);
            if q != p && (r2 == r || c2 == c || c2 / 3 == c / 3) {
                t[p] |= 1 << q;
            }
            q += 1;
        }
        p += 1;
    }
    t
}

const fn column_table() -> [u32; 9] {
    let mut t = [0; 9];
    let mut c = 0;
    while c < 9 {
        t[c] = 1 << c | 1 << (c + 9) | 1 << (c + 18);
        c += 1;
    }
    t
}

const fn other_bands_table() -> [(usize, usize); 27] {
    let mut t = [(0, 0); 27];
    let mut i = 0;
    while i < 27 {
        let (d, b) = (i / 3, i % 3);
        t[i] = (3 * d + (b + 1) % 3, 3 * d + (b + 2) % 3);
        i += 1;
    }
    t
}

/// The columns (9 bits) a band's candidates occupy.
#[inline(always)]
fn columns(a: u32) -> u32 {
    (a | a >> 9 | a >> 18) & 0x1FF
}

/// A partial assignment: 240 bytes, copied at every guess.
#[derive(Clone, Copy)]
struct State {
    /// `f[3·d + b]`: where digit `d` (0-based) is possible in band `b`.
    f: [u32; 27],
    /// The value of `f` when that digit-band was last propagated.
    seen: [u32; 27],
    /// Per band: cells not yet known to hold a digit.
    unsolved_cells: [u32; 3],
    /// Per band: unsolved cells with exactly two digits left, as of the last naked-single
    /// scan (the cells to branch on).
    pairs: [u32; 3],
}

/// Why propagation stopped a branch.
struct Contradiction;

/// Calls `State::update_one::<I>` for every digit-band index `I` in order, so that each call
/// is compiled with its digit, band and neighbouring bands as constants.
macro_rules! update_each_digit_band {
    ($state:expr, $changed:expr) => {
        update_each_digit_band!(@ $state, $changed; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18
            19 20 21 22 23 24 25 26)
    };
    (@ $state:expr, $changed:expr; $($i:literal)*) => {
        $( State::update_one::<$i>($state, $changed)?; )*
    };
}

impl State {
    fn new() -> State {
        State {
            f: [BAND; 27],
            // Never equal to a real band (bits above 26), so every digit-band is looked at once.
            seen: [u32::MAX; 27],
            unsolved_cells: [BAND; 3],
            pairs: [0; 3],
        }
    }

    /// Places a given: digit `d` at bit `p` of band `b`, removed at once from the cell's other
    /// digits and from every peer. The caller has checked that `d` is possible there.
    fn assign(&mut self, d: usize, b: usize, p: usize) {
        let bit = 1u32 << p;
        for k in 0..9 {
            self.f[3 * k + b] &= !bit;
        }
        let i = 3 * d + b;
        self.f[i] = (self.f[i] & !BAND_PEERS[p]) | bit;
        let col = !COLUMN[p % 9];
        let (o1, o2) = OTHER_BANDS[i];
        self.f[o1] &= col;
        self.f[o2] &= col;
        self.unsolved_cells[b] &= !bit;
    }

    /// Places digit-band `i`'s digit at bit `p` during the search, cheaply: only the digit's
    /// peers inside the band lose it. The rest follows from [`State::update`]: the digit's row
    /// is then a single cell, so the cell is marked solved and its other digits go, and its box
    /// is a single column, so the other bands lose that column.
    #[inline(always)]
    fn place(&mut self, i: usize, p: usize) {
        self.f[i] &= !BAND_PEERS[p];
    }

    /// Propagates one digit-band if it changed since it was last looked at.
    #[inline(always)]
    fn update_one<const I: usize>(
        state: &mut State,
        changed: &mut bool,
    ) -> Result<(), Contradiction> {
        let mut a = state.f[I];
        if a == state.seen[I] {
            return Ok(());
        }
        *changed = true;
        let (d, b) = (I / 3, I % 3);
        let shrink = SHRINK[(a & 0x1FF) as usize]
            | SHRINK[((a >> 9) & 0x1FF) as usize] << 3
            | SHRINK[((a >> 18) & 0x1FF) as usize] << 6;
        a &= COMPLEX[shrink as usize];
        if a == 0 {
            return Err(Contradiction);
        }
        let (o1, o2) = (3 * d + (b + 1) % 3, 3 * d + (b + 2) % 3);
        let s = columns(a);
        let single = MASK_SINGLE[s as usize];
        let (s1, s2) = (columns(state.f[o1]), columns(state.f[o2]));
        state.f[o1] &= single & MASK_DOUBLE[(s | s2) as usize];
        state.f[o2] &= single & MASK_DOUBLE[(s | s1) as usize];

        // Rows with one place left hold the digit there: those cells are solved and lose every
        // other digit. Done unconditionally (it is idempotent), which is cheaper than a branch
        // on whether anything is new. COMPLEX leaves every row non-empty.
        let (r0, r1, r2) = (a & 0x1FF, (a >> 9) & 0x1FF, a >> 18);
        let single_rows = u32::from(r0 & r0.wrapping_sub(1) == 0)
            | u32::from(r1 & r1.wrapping_sub(1) == 0) << 1
            | u32::from(r2 & r2.wrapping_sub(1) == 0) << 2;
        let solved = !(ROWS[single_rows as usize] & a);
        state.unsolved_cells[b] &= solved;
        for k in 0..9 {
            state.f[3 * k + b] &= solved;
        }
        state.f[I] = a;
        state.seen[I] = a;
        Ok(())
    }

    /// Box/line, column and row-single propagation to a fixed point.
    #[inline(always)]
    fn update(&mut self) -> Result<(), Contradiction> {
        loop {
            let mut changed = false;
            update_each_digit_band!(self, &mut changed);
            if !changed {
                return Ok(());
            }
        }
    }

    /// Places every naked single and records the cells with two digits left. `Ok(true)` when
    /// at least one was placed.
    #[inline(always)]
    fn naked_singles(&mut self) -> Result<bool, Contradiction> {
        let mut placed = false;
        for b in 0..3 {
            let (mut once, mut twice, mut thrice) = (0u32, 0u32, 0u32);
            for d in 0..9 {
                let x = self.f[3 * d + b];
                thrice |= twice & x;
                twice |= once & x;
                once |= x;
            }
            if once != BAND {
                return Err(Contradiction);
            }
            let unsolved = self.unsolved_cells[b];
            self.pairs[b] = unsolved & twice & !thrice;
            let mut singles = unsolved & !twice;
            while singles != 0 {
                let p = singles.trailing_zeros() as usize;
                singles &= singles - 1;
                let bit = 1u32 << p;
                // An earlier single of this batch may have taken this cell's last digit.
                let d = (0..9)
                    .find(|&d| self.f[3 * d + b] & bit != 0)
                    .ok_or(Contradiction)?;
                self.place(3 * d + b, p);
                placed = true;
            }
        }
        Ok(placed)
    }

    /// Propagates until stuck. `Ok(true)` when the grid is complete.
    fn propagate(&mut self) -> Result<bool, Contradiction> {
        loop {
            self.update()?;
            if self.unsolved_cells == [0; 3] {
                return Ok(true);
            }
            if !self.naked_singles()? {
                return Ok(false);
            }
        }
    }

    /// The digits (bit d) still possible at bit `p` of band `b`.
    fn cell_digits(&self, b: usize, p: usize) -> u32 {
        (0..9).fold(0, |acc, d| acc | ((self.f[3 * d + b] >> p) & 1) << d)
    }

    /// The cell to branch on, as (band, bit, digits): of the cells with two candidates, the
    /// last with the most unsolved peers, else the first with the fewest candidates. Called
    /// right after a naked-single scan that placed nothing, so `pairs` is current.
    ///
    /// Many unsolved peers means a guess there removes a digit from many cells, so both
    /// branches propagate further; on top1465 this halves the guesses of taking the first
    /// two-candidate cell, for a few dozen instructions per branch point.
    fn branch_cell(&self) -> (usize, usize, u32) {
        let mut best: Option<(usize, usize, u32)> = None;
        let u = self.unsolved_cells;
        for b in 0..3 {
            let mut pairs = self.pairs[b];
            while pairs != 0 {
                let p = pairs.trailing_zeros() as usize;
                pairs &= pairs - 1;
                let col = COLUMN[p % 9];
                let n = (BAND_PEERS[p] & u[b]).count_ones()
                    + (col & u[(b + 1) % 3]).count_ones()
                    + (col & u[(b + 2) % 3]).count_ones();
                if best.is_none_or(|(_, _, m)| n >= m) {
                    best = Some((b, p, n));
                }
            }
        }
        if let Some((b, p, _)) = best {
            return (b, p, self.cell_digits(b, p));
        }
        let mut best = (0, 0, 0u32, u32::MAX);
        for b in 0..3 {
            let mut unsolved = self.unsolved_cells[b];
            while unsolved != 0 {
                let p = unsolved.trailing_zeros() as usize;
                unsolved &= unsolved - 1;
                let digits = self.cell_digits(b, p);
                if digits.count_ones() < best.3 {
                    best = (b, p, digits, digits.count_ones());
                }
            }
        }
        (best.0, best.1, best.2)
    }

    /// The grid, row-major, 1-based digits (0 where a cell has no single digit, which a
    /// complete state never has).
    fn cells(&self) -> Vec<u8> {
        let mut cells = vec![0u8; 81];
        for d in 0..9 {
            for b in 0..3 {
                let mut x = self.f[3 * d + b];
                while x != 0 {
                    let p = x.trailing_zeros() as usize;
                    x &= x - 1;
                    cells[27 * b + p] = d as u8 + 1;
                }
            }
        }
        cells
    }
}

struct Searcher {
    limit: usize,
    guess_budget: Option<u64>,
    result: SearchResult,
}

impl Searcher {
    /// Returns `true` when the search must stop (limit reached or budget spent).
    fn run(&mut self, mut state: State) -> bool {
        match state.propagate() {
            Err(Contradiction) => return false,
            Ok(true) => {
                self.result.count += 1;
                if self.result.first.is_none() {
                    self.result.first = Some(state.cells());
                }
                return self.result.count >= self.limit;
            }
            Ok(false) => {}
        }
        let (b, p, mut digits) = state.branch_cell();
        while digits != 0 {
            let d = digits.trailing_zeros() as usize;
            digits &= digits - 1;
            self.result.guesses += 1;
            if self.guess_budget.is_some_and(|g| self.result.guesses > g) {
                self.result.status = SearchStatus::Aborted;
                return true;
            }
            if digits == 0 {
                // The last alternative reuses the parent's state.
                state.place(3 * d + b, p);
                return self.run(state);
            }
            let mut child = state;
            child.place(3 * d + b, p);
            if self.run(child) {
                return true;
            }
        }
        false
    }
}

/// Searches a 9×9 grid (81 row-major cells, 0 = empty, values `<= 9`) for up to `limit`
/// solutions. Givens that repeat a digit in a unit give [`SearchStatus::Conflicting`], exactly
/// as for the generic search.
pub(super) fn search(cells: &[u8], limit: usize, guess_budget: Option<u64>) -> SearchResult {
    debug_assert_eq!(cells.len(), 81);
    let mut result = SearchResult {
        status: SearchStatus::Complete,
        count: 0,
        first: None,
        guesses: 0,
    };
    let mut state = State::new();
    for (cell, &v) in cells.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let (d, b, p) = (usize::from(v) - 1, cell / 27, cell % 27);
        // Only an earlier given in a peer cell with the same digit can have removed it.
        if state.f[3 * d + b] & (1 << p) == 0 {
            result.status = SearchStatus::Conflicting;
            return result;
        }
        state.assign(d, b, p);
    }
    let mut searcher = Searcher {
        limit,
        guess_budget,
        result,
    };
    searcher.run(state);
    searcher.result
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::grid::{Grid, Shape};
    use crate::rng::Xoshiro256StarStar;
    use crate::solve::{generic_search, SearchOptions};

    /// Fast and generic search agree on a grid: status, count up to `limit`, and (when there is
    /// exactly one solution, as far as `limit` can tell) the solution; any solution the fast path reports is valid.
    fn assert_agree(grid: &Grid, limit: usize) {
        let fast = search(grid.cells(), limit, None);
        let slow = generic_search(grid, &mut SearchOptions::limit(limit));
        assert_eq!(fast.status, slow.status, "{grid:?}");
        assert_eq!(fast.count, slow.count, "{grid:?}");
        if let Some(cells) = &fast.first {
            let solved = Grid::from_cells(Shape::NINE, cells.clone()).unwrap();
            assert!(solved.is_solved() && grid.agrees_with(&solved), "{grid:?}");
        }
        if limit >= 2 && fast.count == 1 {
            assert_eq!(fast.first, slow.first, "{grid:?}");
        }
    }

    /// A random full 9×9 solution grid, drawn by the generic search with shuffled values.
    fn random_solution(seed: u64) -> Grid {
        let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
        let result = generic_search(
            &Grid::empty(Shape::NINE),
            &mut SearchOptions {
                limit: 1,
                rng: Some(&mut rng),
                guess_budget: None,
            },
        );
        Grid::from_cells(Shape::NINE, result.first.unwrap()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Subsets of a solution (unique, multiple or, with perturbed cells, conflicting and
        /// unsolvable grids): both engines agree.
        #[test]
        fn agrees_with_the_generic_solver(
            seed in any::<u64>(),
            keep in prop::collection::vec(any::<bool>(), 81),
            dense in any::<bool>(),
            noise in prop::collection::vec((0usize..81, 1u8..=9), 0..3),
        ) {
            let solution = random_solution(seed);
            let mut cells: Vec<u8> = solution.cells().to_vec();
            for (i, k) in keep.iter().enumerate() {
                // Dense grids keep about 3/4 of the cells (mostly unique), sparse ones half.
                if !*k && (!dense || i % 2 == 0) {
                    cells[i] = 0;
                }
            }
            for &(i, v) in &noise {
                cells[i] = v;
            }
            let grid = Grid::from_cells(Shape::NINE, cells).unwrap();
            assert_agree(&grid, 2);
            assert_agree(&grid, 1);
        }

        /// Grids with few givens and many solutions: counts agree up to a larger limit.
        #[test]
        fn counts_agree_on_sparse_grids(seed in any::<u64>(), clues in 0usize..20) {
            let solution = random_solution(seed);
            let mut cells = vec![0u8; 81];
            let mut rng = Xoshiro256StarStar::seed_from_u64(seed ^ 0x5EED);
            for _ in 0..clues {
                let i = rng.below(81) as usize;
                cells[i] = solution.cells()[i];
            }
            assert_agree(&Grid::from_cells(Shape::NINE, cells).unwrap(), 40);
        }
    }

    #[test]
    fn top1465_agrees_with_the_generic_solver() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/top1465.txt");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let grids = crate::format::parse_lines(&text).unwrap();
        assert_eq!(grids.len(), 1465);
        for grid in &grids {
            assert_agree(grid, 2);
            assert_eq!(search(grid.cells(), 2, None).count, 1);
        }
    }

    #[test]
    fn empty_and_full_grids() {
        let empty = Grid::empty(Shape::NINE);
        assert_eq!(search(empty.cells(), 1000, None).count, 1000);
        let full = random_solution(3);
        let r = search(full.cells(), 2, None);
        assert_eq!((r.count, r.guesses), (1, 0));
        assert_eq!(r.first.as_deref(), Some(full.cells()));
    }

    /// Placements during the search leave the cell's other digits and the other bands to
    /// propagation; contradictions that only that propagation can see are still found.
    #[test]
    fn lazy_placements_still_find_contradictions() {
        let grid = |rows: &[(usize, &str)]| {
            let mut cells = vec![0u8; 81];
            for &(r, text) in rows {
                for (c, ch) in text.chars().enumerate() {
                    cells[9 * r + c] = ch.to_digit(10).unwrap() as u8;
                }
            }
            Grid::from_cells(Shape::NINE, cells).unwrap()
        };
        // r1c1 and r4c1 are both forced to 9 (naked singles in different bands, same column),
        // and no two givens conflict.
        let clash = grid(&[(0, "012345678"), (3, "023456781")]);
        assert!(clash.conflicts().is_empty());
        // r1c1 has no candidate at all: its row holds 1-8 and its column 9.
        let empty_cell = grid(&[(0, "012345678"), (4, "900000000")]);
        for g in [&clash, &empty_cell] {
            let r = search(g.cells(), 2, None);
            assert_eq!((r.status, r.count), (SearchStatus::Complete, 0), "{g:?}");
            assert_agree(g, 2);
        }
    }

    #[test]
    fn guess_budget_aborts() {
        let r = search(Grid::empty(Shape::NINE).cells(), 1_000_000, Some(10));
        assert_eq!(r.status, SearchStatus::Aborted);
        assert_eq!(r.guesses, 11);
    }

    #[test]
    fn complex_table_keeps_permutations_only() {
        // Full occupancy: everything stays.
        assert_eq!(COMPLEX[0x1FF], BAND);
        // Row 0 only in box 0: rows 1 and 2 lose box 0.
        let m = 0b110_110_001;
        assert_eq!(COMPLEX[m], 0o7 | 0o770 << 9 | 0o770 << 18);
        // Rows 0 and 1 both only in box 0: impossible.
        assert_eq!(COMPLEX[0b111_001_001], 0);
    }

    #[test]
    fn column_masks() {
        // Stack 0 has only column 1: removed; stacks 1 and 2 untouched.
        let s = 0b111_111_010;
        assert_eq!(MASK_SINGLE[s] & 0x1FF, 0b111_111_101);
        // Union covering two columns of stack 0: the third band must use column 2.
        let u = 0b111_111_011;
        assert_eq!(MASK_DOUBLE[u] & 0x1FF, 0b111_111_100);
        assert_eq!(MASK_DOUBLE[0x1FF], BAND);
    }
}
