//! Rule checking: which values are duplicated in which units.

use serde::{Deserialize, Serialize};

use super::{Grid, Unit};

/// One value appearing more than once in one unit.
///
/// A grid with a value three times in a row yields one `Conflict` naming all three cells; the
/// same cells may also appear in a column or box conflict, each reported separately so the UI
/// can say exactly which rule is broken.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Conflict {
    /// The kind of unit holding the duplicates.
    pub kind: Unit,
    /// 0-based index of that unit (row number, column number or row-major box number).
    pub unit_index: usize,
    /// The duplicated value.
    pub value: u8,
    /// The 0-based `(row, col)` of every cell holding `value` in the unit, in reading order.
    pub cells: Vec<(usize, usize)>,
}

impl Grid {
    /// Every conflict in the grid, ordered by unit kind (rows, columns, boxes), then unit index,
    /// then value. Empty for a grid that follows the rules.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        for kind in Unit::ALL {
            for index in 0..self.size() {
                self.unit_conflicts(kind, index, &mut out);
            }
        }
        out
    }

    /// Whether any unit holds a value twice; cheaper than `!conflicts().is_empty()`.
    pub fn has_conflicts(&self) -> bool {
        Unit::ALL.into_iter().any(|kind| {
            (0..self.size()).any(|index| {
                let mut seen = 0u32;
                self.shape.unit_cells(kind, index).any(|(r, c)| {
                    let v = self.cells[self.shape.index(r, c)];
                    if v == 0 {
                        return false;
                    }
                    let bit = 1u32 << (v - 1);
                    let dup = seen & bit != 0;
                    seen |= bit;
                    dup
                })
            })
        })
    }

    /// The conflicts that involve the cell `(row, col)`: those of its row, column and box whose
    /// duplicated value is the one in this cell (at most three). Empty when the cell is empty.
    /// This is the question "what rule does this entry break?".
    ///
    /// # Panics
    /// When `row` or `col` is not below the grid size.
    pub fn conflicts_at(&self, row: usize, col: usize) -> Vec<Conflict> {
        let Some(value) = self.get(row, col) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for kind in Unit::ALL {
            let index = self.shape.unit_index(kind, row, col);
            let cells: Vec<_> = self
                .shape
                .unit_cells(kind, index)
                .filter(|&(r, c)| self.cells[self.shape.index(r, c)] == value)
                .collect();
            if cells.len() > 1 {
                out.push(Conflict {
                    kind,
                    unit_index: index,
                    value,
                    cells,
                });
            }
        }
        out
    }

    fn unit_conflicts(&self, kind: Unit, index: usize, out: &mut Vec<Conflict>) {
        // Grouping by value (not by cell) is what gives one conflict per duplicated value.
        let mut by_value: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.size() + 1];
        for (r, c) in self.shape.unit_cells(kind, index) {
            let v = self.cells[self.shape.index(r, c)];
            if v != 0 {
                by_value[usize::from(v)].push((r, c));
            }
        }
        for (value, cells) in by_value.into_iter().enumerate() {
            if cells.len() > 1 {
                out.push(Conflict {
                    kind,
                    unit_index: index,
                    value: value as u8,
                    cells,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Shape;

    #[test]
    fn valid_grid_has_no_conflicts() {
        let g = Grid::from_line("1234341221434321").unwrap();
        assert!(g.conflicts().is_empty());
        assert!(!g.has_conflicts());
        assert!(g.conflicts_at(0, 0).is_empty());
        assert!(Grid::empty(Shape::TWENTY_FIVE).conflicts().is_empty());
    }

    #[test]
    fn reports_each_duplicated_value_per_unit() {
        // Row 0 holds 5 three times (cols 0, 4, 8) and 3 twice (cols 1, 2); (0,1)/(0,2) also
        // share box 0.
        let mut g = Grid::empty(Shape::NINE);
        for (c, v) in [(0, 5), (1, 3), (2, 3), (4, 5), (8, 5)] {
            g.set(0, c, Some(v));
        }
        g.set(6, 4, Some(5)); // column 4 duplicate of (0,4)
        assert!(g.has_conflicts());
        let conflicts = g.conflicts();
        assert_eq!(
            conflicts,
            vec![
                Conflict {
                    kind: Unit::Row,
                    unit_index: 0,
                    value: 3,
                    cells: vec![(0, 1), (0, 2)]
                },
                Conflict {
                    kind: Unit::Row,
                    unit_index: 0,
                    value: 5,
                    cells: vec![(0, 0), (0, 4), (0, 8)]
                },
                Conflict {
                    kind: Unit::Column,
                    unit_index: 4,
                    value: 5,
                    cells: vec![(0, 4), (6, 4)]
                },
                Conflict {
                    kind: Unit::Box,
                    unit_index: 0,
                    value: 3,
                    cells: vec![(0, 1), (0, 2)]
                },
            ]
        );
        let at = g.conflicts_at(0, 4);
        assert_eq!(at.len(), 2);
        assert_eq!((at[0].kind, at[0].value), (Unit::Row, 5));
        assert_eq!((at[1].kind, at[1].unit_index), (Unit::Column, 4));
        // (0,1) is in the row-3 and box-3 conflicts but not the 5s.
        let at = g.conflicts_at(0, 1);
        assert_eq!(
            at.iter().map(|c| (c.kind, c.value)).collect::<Vec<_>>(),
            [(Unit::Row, 3), (Unit::Box, 3)]
        );
        assert!(g.conflicts_at(5, 5).is_empty());
    }

    #[test]
    fn box_conflicts_use_rectangular_boxes() {
        // 6x6: (0,0) and (1,2) share box 0 (2 high, 3 wide) but no row or column.
        let mut g = Grid::empty(Shape::SIX);
        g.set(0, 0, Some(4));
        g.set(1, 2, Some(4));
        assert_eq!(
            g.conflicts(),
            vec![Conflict {
                kind: Unit::Box,
                unit_index: 0,
                value: 4,
                cells: vec![(0, 0), (1, 2)]
            }]
        );
        g.set(1, 2, None);
        g.set(1, 3, Some(4)); // box 1: no conflict
        assert!(g.conflicts().is_empty());
    }

    #[test]
    fn conflict_serialises_with_lowercase_unit() {
        let c = Conflict {
            kind: Unit::Column,
            unit_index: 2,
            value: 7,
            cells: vec![(0, 2), (5, 2)],
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"column","unit_index":2,"value":7,"cells":[[0,2],[5,2]]}"#
        );
    }
}
