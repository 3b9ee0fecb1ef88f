//! A set of cell values as a bitset.

use std::fmt;
use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

use serde::{Deserialize, Serialize};

/// A set of values `1..=25`, stored as bit `v - 1` of a `u32`.
///
/// One machine word covers every supported size, so unions and intersections over a row, column
/// and box are single instructions; that is what keeps the solver fast on 25×25.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Candidates(u32);

impl Candidates {
    /// The empty set.
    pub const EMPTY: Candidates = Candidates(0);

    /// The set `{1, …, size}`; `size` is clamped to 25.
    pub const fn full(size: usize) -> Candidates {
        let n = if size > 25 { 25 } else { size };
        Candidates(((1u64 << n) - 1) as u32)
    }

    /// The set holding only `value`, or the empty set when `value` is outside `1..=25`.
    pub const fn single(value: u8) -> Candidates {
        if value >= 1 && value <= 25 {
            Candidates(1 << (value - 1))
        } else {
            Candidates(0)
        }
    }

    /// The set whose raw bits are `bits` (bit `v - 1` means value `v`); bits above 25 are dropped.
    pub const fn from_bits(bits: u32) -> Candidates {
        Candidates(bits & Candidates::full(25).0)
    }

    /// Raw bits: bit `v - 1` is set when value `v` is in the set.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether `value` is in the set.
    pub const fn contains(self, value: u8) -> bool {
        Candidates::single(value).0 & self.0 != 0
    }

    /// Adds `value` (ignored when outside `1..=25`).
    pub fn insert(&mut self, value: u8) {
        self.0 |= Candidates::single(value).0;
    }

    /// Removes `value`.
    pub fn remove(&mut self, value: u8) {
        self.0 &= !Candidates::single(value).0;
    }

    /// Number of values in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The value, when the set holds exactly one.
    pub const fn as_single(self) -> Option<u8> {
        if self.0 != 0 && self.0 & (self.0 - 1) == 0 {
            Some(self.0.trailing_zeros() as u8 + 1)
        } else {
            None
        }
    }

    /// The smallest value in the set.
    pub const fn min(self) -> Option<u8> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as u8 + 1)
        }
    }

    /// The values in ascending order.
    pub fn iter(self) -> CandidatesIter {
        CandidatesIter(self.0)
    }

    /// Values of `self` that are not in `other`.
    pub const fn difference(self, other: Candidates) -> Candidates {
        Candidates(self.0 & !other.0)
    }
}

/// Iterator over the values of a [`Candidates`] set, ascending.
#[derive(Clone, Debug)]
pub struct CandidatesIter(u32);

impl Iterator for CandidatesIter {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.0 == 0 {
            return None;
        }
        let value = self.0.trailing_zeros() as u8 + 1;
        self.0 &= self.0 - 1;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for CandidatesIter {}

impl IntoIterator for Candidates {
    type Item = u8;
    type IntoIter = CandidatesIter;

    fn into_iter(self) -> CandidatesIter {
        self.iter()
    }
}

impl FromIterator<u8> for Candidates {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Candidates {
        let mut set = Candidates::EMPTY;
        for v in iter {
            set.insert(v);
        }
        set
    }
}

impl BitOr for Candidates {
    type Output = Candidates;
    fn bitor(self, rhs: Candidates) -> Candidates {
        Candidates(self.0 | rhs.0)
    }
}

impl BitOrAssign for Candidates {
    fn bitor_assign(&mut self, rhs: Candidates) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Candidates {
    type Output = Candidates;
    fn bitand(self, rhs: Candidates) -> Candidates {
        Candidates(self.0 & rhs.0)
    }
}

impl BitAndAssign for Candidates {
    fn bitand_assign(&mut self, rhs: Candidates) {
        self.0 &= rhs.0;
    }
}

/// Complement within `1..=25`; intersect with [`Candidates::full`] for a smaller grid.
impl Not for Candidates {
    type Output = Candidates;
    fn not(self) -> Candidates {
        Candidates::from_bits(!self.0)
    }
}

impl fmt::Debug for Candidates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut c = Candidates::EMPTY;
        assert!(c.is_empty());
        c.insert(1);
        c.insert(9);
        c.insert(25);
        c.insert(26); // out of range: ignored
        c.insert(0);
        assert_eq!(c.len(), 3);
        assert_eq!(c.iter().collect::<Vec<_>>(), [1, 9, 25]);
        assert!(c.contains(9) && !c.contains(2) && !c.contains(0) && !c.contains(30));
        c.remove(9);
        assert_eq!(c.iter().collect::<Vec<_>>(), [1, 25]);
        assert_eq!(c.min(), Some(1));
        assert_eq!(c.as_single(), None);
        assert_eq!(Candidates::single(7).as_single(), Some(7));
        assert_eq!(Candidates::full(9).len(), 9);
        assert_eq!(Candidates::full(25).len(), 25);
        assert_eq!((!Candidates::full(9)).len(), 16);
        let a: Candidates = [1, 2, 3].into_iter().collect();
        let b: Candidates = [3, 4].into_iter().collect();
        assert_eq!((a & b).iter().collect::<Vec<_>>(), [3]);
        assert_eq!((a | b).len(), 4);
        assert_eq!(a.difference(b).iter().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(format!("{a:?}"), "{1, 2, 3}");
    }
}
