//! The candidate board: every empty cell with the values still possible for it.

use std::fmt;
use std::sync::OnceLock;

use crate::grid::{Candidates, Grid, Shape};

use super::step::Step;

/// Unit and peer tables for one shape, built once and shared.
///
/// Units are numbered rows `0..n`, columns `n..2n`, boxes `2n..3n`; cells are row-major
/// indices.
pub(crate) struct Tables {
    pub n: usize,
    pub units: Vec<Vec<usize>>,
    pub cell_units: Vec<[usize; 3]>,
    pub peers: Vec<Vec<usize>>,
    /// `seen[i]` is a bitset over cells (as `u64` words) of the peers of `i`.
    pub seen: Vec<Vec<u64>>,
}

impl Tables {
    fn new(shape: Shape) -> Tables {
        let n = shape.size();
        let mut units = Vec::with_capacity(3 * n);
        for kind in crate::grid::Unit::ALL {
            for u in 0..n {
                units.push(
                    shape
                        .unit_cells(kind, u)
                        .map(|(r, c)| shape.index(r, c))
                        .collect(),
                );
            }
        }
        let cells = shape.cell_count();
        let words = cells.div_ceil(64);
        let mut cell_units = Vec::with_capacity(cells);
        let mut peers = Vec::with_capacity(cells);
        let mut seen = Vec::with_capacity(cells);
        for i in 0..cells {
            let (r, c) = shape.position(i);
            cell_units.push([r, n + c, 2 * n + shape.box_index(r, c)]);
            let p: Vec<usize> = shape
                .peers(r, c)
                .into_iter()
                .map(|(pr, pc)| shape.index(pr, pc))
                .collect();
            let mut bits = vec![0u64; words];
            for &j in &p {
                bits[j / 64] |= 1 << (j % 64);
            }
            peers.push(p);
            seen.push(bits);
        }
        Tables {
            n,
            units,
            cell_units,
            peers,
            seen,
        }
    }

    /// The tables for `shape`.
    pub fn get(shape: Shape) -> &'static Tables {
        static TABLES: [OnceLock<Tables>; 6] = [const { OnceLock::new() }; 6];
        let k = Shape::ALL
            .iter()
            .position(|s| *s == shape)
            .expect("every Shape is one of Shape::ALL");
        TABLES[k].get_or_init(|| Tables::new(shape))
    }

    /// Whether cells `a` and `b` (distinct) share a unit.
    #[inline]
    pub fn sees(&self, a: usize, b: usize) -> bool {
        self.seen[a][b / 64] >> (b % 64) & 1 == 1
    }

    /// "row 3", "column 5" or "box 7" (1-based) for unit `u`.
    pub fn unit_name(&self, u: usize) -> String {
        let kind = match u / self.n {
            0 => "row",
            1 => "column",
            _ => "box",
        };
        format!("{kind} {}", u % self.n + 1)
    }
}

/// Whether empty cell `i` of `cells` (row-major values of a `shape` grid) can hold only
/// `value`: every other value already sits in a peer.
pub(crate) fn forced_by_peers(shape: Shape, cells: &[u8], i: usize, value: u8) -> bool {
    let t = Tables::get(shape);
    let mut used = Candidates::single(value);
    for &p in &t.peers[i] {
        used.insert(cells[p]);
    }
    used == Candidates::full(t.n)
}

/// "r3c5": a cell named the way people do, 1-based.
pub(crate) fn cell_name(n: usize, i: usize) -> String {
    format!("r{}c{}", i / n + 1, i % n + 1)
}

/// A list of cells such as "r1c2, r1c5 and r4c5".
pub(crate) fn cell_list(n: usize, cells: &[usize]) -> String {
    join(cells.iter().map(|&i| cell_name(n, i)).collect())
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join(items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        k => format!("{} and {}", items[..k - 1].join(", "), items[k - 1]),
    }
}

/// Values of a candidate set as "2, 5 and 7".
pub(crate) fn value_list(set: Candidates) -> String {
    join(set.iter().map(|v| v.to_string()).collect())
}

/// A grid with a candidate set for every empty cell: the state a person pencils in.
///
/// Built from a [`Grid`] by [`Pencilmarks::from_grid`] (each empty cell gets every value not
/// already in its row, column or box), then narrowed by applying [`Step`]s. Works for every
/// shape, including the non-square boxes of 6×6 (2×3) and 12×12 (3×4).
#[derive(Clone)]
pub struct Pencilmarks {
    shape: Shape,
    values: Vec<u8>,
    cands: Vec<Candidates>,
    pub(crate) t: &'static Tables,
}

impl PartialEq for Pencilmarks {
    fn eq(&self, other: &Pencilmarks) -> bool {
        self.shape == other.shape && self.values == other.values && self.cands == other.cands
    }
}

impl Eq for Pencilmarks {}

impl fmt::Debug for Pencilmarks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pencilmarks({:?})", self.to_grid())
    }
}

impl Pencilmarks {
    /// The candidate board of `grid`: filled cells keep their values; empty cells get every
    /// value not used by a peer.
    pub fn from_grid(grid: &Grid) -> Pencilmarks {
        let shape = grid.shape();
        let t = Tables::get(shape);
        let n = shape.size();
        let values = grid.cells().to_vec();
        let mut used = vec![Candidates::EMPTY; 3 * n];
        for (i, &v) in values.iter().enumerate() {
            if v != 0 {
                for u in t.cell_units[i] {
                    used[u].insert(v);
                }
            }
        }
        let full = Candidates::full(n);
        let cands = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if v != 0 {
                    Candidates::EMPTY
                } else {
                    let [a, b, c] = t.cell_units[i];
                    full.difference(used[a] | used[b] | used[c])
                }
            })
            .collect();
        Pencilmarks {
            shape,
            values,
            cands,
            t,
        }
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The value at `(row, col)`, `None` when empty.
    pub fn get(&self, row: usize, col: usize) -> Option<u8> {
        match self.values[self.shape.index(row, col)] {
            0 => None,
            v => Some(v),
        }
    }

    /// The candidates of `(row, col)`; empty for a filled cell.
    pub fn candidates(&self, row: usize, col: usize) -> Candidates {
        self.cands[self.shape.index(row, col)]
    }

    /// The filled cells as a grid.
    pub fn to_grid(&self) -> Grid {
        Grid::from_checked_cells(self.shape, self.values.clone())
    }

    /// Whether every cell is filled.
    pub fn is_complete(&self) -> bool {
        self.values.iter().all(|&v| v != 0)
    }

    /// Whether the board is visibly broken: an empty cell without candidates, or a unit where
    /// a missing value has no place left.
    pub fn is_broken(&self) -> bool {
        if self
            .values
            .iter()
            .zip(&self.cands)
            .any(|(&v, c)| v == 0 && c.is_empty())
        {
            return true;
        }
        let full = Candidates::full(self.t.n);
        self.t.units.iter().any(|unit| {
            let mut have = Candidates::EMPTY;
            for &i in unit {
                have |= self.cands[i] | Candidates::single(self.values[i]);
            }
            have != full
        })
    }

    /// Places `value` at `(row, col)` and removes it from the candidates of the cell's peers.
    pub fn place(&mut self, row: usize, col: usize, value: u8) {
        self.place_index(self.shape.index(row, col), value);
    }

    /// Removes `value` from the candidates of `(row, col)`; whether it was there.
    pub fn eliminate(&mut self, row: usize, col: usize, value: u8) -> bool {
        let i = self.shape.index(row, col);
        let had = self.cands[i].contains(value);
        self.cands[i].remove(value);
        had
    }

    /// Applies a step's placements and eliminations.
    pub fn apply(&mut self, step: &Step) {
        for &(r, c, v) in &step.placements {
            self.place(r, c, v);
        }
        for &(r, c, v) in &step.eliminations {
            self.eliminate(r, c, v);
        }
    }

    // ---- crate-internal index-based access used by the technique finders -----------------

    #[inline]
    pub(crate) fn n(&self) -> usize {
        self.t.n
    }

    #[inline]
    pub(crate) fn value(&self, i: usize) -> u8 {
        self.values[i]
    }

    #[inline]
    pub(crate) fn cand(&self, i: usize) -> Candidates {
        self.cands[i]
    }

    pub(crate) fn cell_count(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn place_index(&mut self, i: usize, value: u8) {
        self.values[i] = value;
        self.cands[i] = Candidates::EMPTY;
        for &p in &self.t.peers[i] {
            self.cands[p].remove(value);
        }
    }

    /// Bitmask over unit positions (bit k = k-th cell of the unit) of the cells holding `v`
    /// as a candidate.
    #[inline]
    pub(crate) fn positions(&self, unit: usize, v: u8) -> u32 {
        let mut m = 0u32;
        for (k, &i) in self.t.units[unit].iter().enumerate() {
            if self.cands[i].contains(v) {
                m |= 1 << k;
            }
        }
        m
    }

    /// Values still to place in `unit` (not filled there).
    pub(crate) fn missing(&self, unit: usize) -> Candidates {
        let mut placed = Candidates::EMPTY;
        for &i in &self.t.units[unit] {
            placed.insert(self.values[i]);
        }
        Candidates::full(self.t.n).difference(placed)
    }

    /// Applies naked and hidden singles until none is left (no steps recorded). Returns
    /// `false` when the board turns out broken.
    pub(crate) fn singles_closure(&mut self) -> bool {
        let n = self.t.n;
        loop {
            let mut progress = false;
            for i in 0..self.values.len() {
                if self.values[i] == 0 {
                    let c = self.cands[i];
                    match c.len() {
                        0 => return false,
                        1 => {
                            self.place_index(i, c.min().unwrap_or(0));
                            progress = true;
                        }
                        _ => {}
                    }
                }
            }
            for u in 0..3 * n {
                let mut once = 0u32;
                let mut twice = 0u32;
                let mut placed = 0u32;
                for &i in &self.t.units[u] {
                    let c = self.cands[i].bits();
                    twice |= once & c;
                    once |= c;
                    placed |= Candidates::single(self.values[i]).bits();
                }
                if (once | placed) != Candidates::full(n).bits() || once & placed != 0 {
                    return false;
                }
                let mut exact = once & !twice;
                while exact != 0 {
                    let v = exact.trailing_zeros() as u8 + 1;
                    exact &= exact - 1;
                    let Some(&i) = self.t.units[u].iter().find(|&&i| self.cands[i].contains(v))
                    else {
                        continue; // placed by an earlier single of this sweep
                    };
                    self.place_index(i, v);
                    progress = true;
                }
            }
            if !progress {
                return true;
            }
        }
    }
}
