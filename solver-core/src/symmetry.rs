//! Clue-pattern symmetries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::grid::Shape;

/// The symmetry of a puzzle's clue pattern: which cells are emptied together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Symmetry {
    /// Cells are emptied one at a time.
    #[default]
    None,
    /// 180° rotation: `(r, c)` with `(N−1−r, N−1−c)`.
    Rotational,
    /// Mirror about the vertical axis: `(r, c)` with `(r, N−1−c)`.
    Reflectional,
    /// Mirror about the main diagonal: `(r, c)` with `(c, r)`.
    Diagonal,
}

impl Symmetry {
    /// Every symmetry.
    pub const ALL: [Symmetry; 4] = [
        Symmetry::None,
        Symmetry::Rotational,
        Symmetry::Reflectional,
        Symmetry::Diagonal,
    ];

    /// The lowercase name used in upstream JSON and the UI.
    pub fn name(self) -> &'static str {
        match self {
            Symmetry::None => "none",
            Symmetry::Rotational => "rotational",
            Symmetry::Reflectional => "reflectional",
            Symmetry::Diagonal => "diagonal",
        }
    }

    /// The cell paired with `(row, col)`; itself for cells on the axis or centre.
    pub fn partner(self, shape: Shape, row: usize, col: usize) -> (usize, usize) {
        let last = shape.size() - 1;
        match self {
            Symmetry::None => (row, col),
            Symmetry::Rotational => (last - row, last - col),
            Symmetry::Reflectional => (row, last - col),
            Symmetry::Diagonal => (col, row),
        }
    }

    /// The cells (row-major indices) grouped into orbits: each group must be filled or emptied
    /// together to keep the pattern symmetric. Every cell is in exactly one group; groups have
    /// one or two cells, in reading order of their first cell.
    pub fn groups(self, shape: Shape) -> Vec<Vec<usize>> {
        let mut groups = Vec::new();
        for i in 0..shape.cell_count() {
            let (r, c) = shape.position(i);
            let (pr, pc) = self.partner(shape, r, c);
            let j = shape.index(pr, pc);
            if j == i {
                groups.push(vec![i]);
            } else if j > i {
                groups.push(vec![i, j]);
            }
        }
        groups
    }

    /// Whether the filled cells of a row-major `cells` slice form a pattern with this symmetry.
    pub fn holds_for(self, shape: Shape, cells: &[u8]) -> bool {
        cells.len() == shape.cell_count()
            && (0..shape.cell_count()).all(|i| {
                let (r, c) = shape.position(i);
                let (pr, pc) = self.partner(shape, r, c);
                (cells[i] == 0) == (cells[shape.index(pr, pc)] == 0)
            })
    }
}

impl fmt::Display for Symmetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown symmetry name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownSymmetry(pub String);

impl fmt::Display for UnknownSymmetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown symmetry {:?}; expected none, rotational, reflectional or diagonal",
            self.0
        )
    }
}

impl std::error::Error for UnknownSymmetry {}

impl FromStr for Symmetry {
    type Err = UnknownSymmetry;

    /// Case-insensitive name, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Symmetry, UnknownSymmetry> {
        let t = s.trim();
        Symmetry::ALL
            .into_iter()
            .find(|sym| sym.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownSymmetry(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_partition_the_cells() {
        for shape in Shape::ALL {
            for sym in Symmetry::ALL {
                let groups = sym.groups(shape);
                let mut seen = vec![false; shape.cell_count()];
                for g in &groups {
                    for &i in g {
                        assert!(!seen[i]);
                        seen[i] = true;
                    }
                }
                assert!(seen.iter().all(|&s| s), "{shape} {sym}");
            }
        }
        assert_eq!(Symmetry::None.groups(Shape::NINE).len(), 81);
        assert_eq!(Symmetry::Rotational.groups(Shape::NINE).len(), 41); // 40 pairs + centre
        assert_eq!(Symmetry::Rotational.groups(Shape::FOUR).len(), 8);
        assert_eq!(Symmetry::Reflectional.groups(Shape::NINE).len(), 45); // 36 pairs + 9 on axis
        assert_eq!(Symmetry::Diagonal.groups(Shape::NINE).len(), 45);
    }

    #[test]
    fn partners() {
        let s = Shape::NINE;
        assert_eq!(Symmetry::Rotational.partner(s, 0, 1), (8, 7));
        assert_eq!(Symmetry::Reflectional.partner(s, 2, 1), (2, 7));
        assert_eq!(Symmetry::Diagonal.partner(s, 2, 7), (7, 2));
        assert_eq!(Symmetry::None.partner(s, 2, 7), (2, 7));
    }

    #[test]
    fn names_round_trip() {
        for sym in Symmetry::ALL {
            assert_eq!(sym.to_string().parse::<Symmetry>(), Ok(sym));
            let json = serde_json::to_string(&sym).unwrap();
            assert_eq!(json, format!("\"{sym}\""));
        }
        assert_eq!(" Rotational ".parse::<Symmetry>(), Ok(Symmetry::Rotational));
        assert!("spiral".parse::<Symmetry>().is_err());
    }
}
