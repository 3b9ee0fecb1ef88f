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
                if let Some(step) =
                    locked_step(pm, explain, Technique::Pointing, b, line, v, &cells)
                {
                    return Some(step);
                }
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
            if let Some(step) = locked_step(pm, explain, Technique::Claiming, line, b, v, &cells) {
                return Some(step);
            }
        }
    }
    None
}

/// The locked-candidates step shared by pointing and claiming: all of `v`'s places in unit
/// `source` (`cells`) lie in unit `target`, so the rest of `target` loses `v`. `None` when that
/// removes nothing.
fn locked_step(
    pm: &Pencilmarks,
    explain: bool,
    technique: Technique,
    source: usize,
    target: usize,
    v: u8,
    cells: &[usize],
) -> Option<Step> {
    let n = pm.n();
    let elim: Vec<(usize, u8)> = pm.t.units[target]
        .iter()
        .filter(|&&i| !pm.t.cell_units[i].contains(&source) && pm.cand(i).contains(v))
        .map(|&i| (i, v))
        .collect();
    if elim.is_empty() {
        return None;
    }
    let reason = if explain {
        format!(
            "In {}, {v} can only go in {} ({}), so {v} can be removed from the rest of {}.",
            pm.t.unit_name(source),
            pm.t.unit_name(target),
            cell_list(n, cells),
            pm.t.unit_name(target)
        )
    } else {
        String::new()
    };
    Some(Step::build(technique, n, cells, &[], &elim, reason))
}
