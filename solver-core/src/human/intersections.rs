//! Locked candidates: pointing (box → line) and claiming (line → box).

use super::board::{cell_list, Pencilmarks};
use super::step::Step;
use super::technique::Technique;

/// In a box, a value whose places all lie on one row or column: the rest of that line loses
/// it.
pub(crate) fn pointing(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    for b in 2 * n..3 * n {
        for v in pm.missing(b) {
            let cells: Vec<usize> = pm.t.units[b]
                .iter()
                .copied()
                .filter(|&i| pm.cand(i).contains(v))
                .collect();
            if cells.len() < 2 {
                continue;
            }
            for line in [pm.t.cell_units[cells[0]][0], pm.t.cell_units[cells[0]][1]] {
                if !cells.iter().all(|&i| pm.t.cell_units[i].contains(&line)) {
                    continue;
                }
                let elim: Vec<(usize, u8)> = pm.t.units[line]
                    .iter()
                    .filter(|&&i| pm.t.cell_units[i][2] != b && pm.cand(i).contains(v))
                    .map(|&i| (i, v))
                    .collect();
                if elim.is_empty() {
                    continue;
                }
                let reason = if explain {
                    format!(
                        "In {}, {v} can only go in {} ({}), so {v} can be removed from the rest of {}.",
                        pm.t.unit_name(b),
                        pm.t.unit_name(line),
                        cell_list(n, &cells),
                        pm.t.unit_name(line)
                    )
                } else {
                    String::new()
                };
                return Some(Step::build(
                    Technique::Pointing,
                    n,
                    &cells,
                    &[],
                    &elim,
                    reason,
                ));
            }
        }
    }
    None
}

/// In a row or column, a value whose places all lie in one box: the rest of that box loses
/// it.
pub(crate) fn claiming(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    for line in 0..2 * n {
        for v in pm.missing(line) {
            let cells: Vec<usize> = pm.t.units[line]
                .iter()
                .copied()
                .filter(|&i| pm.cand(i).contains(v))
                .collect();
            if cells.len() < 2 {
                continue;
            }
            let b = pm.t.cell_units[cells[0]][2];
            if !cells.iter().all(|&i| pm.t.cell_units[i][2] == b) {
                continue;
            }
            let elim: Vec<(usize, u8)> = pm.t.units[b]
                .iter()
                .filter(|&&i| !pm.t.cell_units[i].contains(&line) && pm.cand(i).contains(v))
                .map(|&i| (i, v))
                .collect();
            if elim.is_empty() {
                continue;
            }
            let reason = if explain {
                format!(
                    "In {}, {v} can only go in {} ({}), so {v} can be removed from the rest of {}.",
                    pm.t.unit_name(line),
                    pm.t.unit_name(b),
                    cell_list(n, &cells),
                    pm.t.unit_name(b)
                )
            } else {
                String::new()
            };
            return Some(Step::build(
                Technique::Claiming,
                n,
                &cells,
                &[],
                &elim,
                reason,
            ));
        }
    }
    None
}
