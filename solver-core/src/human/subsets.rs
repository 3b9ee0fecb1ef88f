//! Naked and hidden subsets (pairs, triples, quads).

use crate::grid::Candidates;

use super::board::{cell_list, value_list, Pencilmarks};
use super::step::Step;
use super::technique::Technique;

/// Calls `f` with every choice of `k` items (indices into `masks`, ascending) whose masks
/// together have exactly `k` bits, until `f` returns something. Branches whose union already
/// exceeds `k` bits are cut.
pub(crate) fn find_combo<T>(
    masks: &[u32],
    k: usize,
    f: &mut impl FnMut(&[usize], u32) -> Option<T>,
) -> Option<T> {
    fn rec<T>(
        masks: &[u32],
        k: usize,
        start: usize,
        chosen: &mut Vec<usize>,
        union: u32,
        f: &mut impl FnMut(&[usize], u32) -> Option<T>,
    ) -> Option<T> {
        if chosen.len() == k {
            return if union.count_ones() as usize == k {
                f(chosen, union)
            } else {
                None
            };
        }
        let need = k - chosen.len();
        for j in start..masks.len() {
            if masks.len() - j < need {
                break;
            }
            let u = union | masks[j];
            if u.count_ones() as usize > k {
                continue;
            }
            chosen.push(j);
            let found = rec(masks, k, j + 1, chosen, u, f);
            chosen.pop();
            if found.is_some() {
                return found;
            }
        }
        None
    }
    if masks.len() < k {
        return None;
    }
    rec(masks, k, 0, &mut Vec::with_capacity(k), 0, f)
}

fn naked_technique(k: usize) -> Technique {
    match k {
        2 => Technique::NakedPair,
        3 => Technique::NakedTriple,
        _ => Technique::NakedQuad,
    }
}

fn hidden_technique(k: usize) -> Technique {
    match k {
        2 => Technique::HiddenPair,
        3 => Technique::HiddenTriple,
        _ => Technique::HiddenQuad,
    }
}

fn word(k: usize) -> &'static str {
    match k {
        2 => "two",
        3 => "three",
        _ => "four",
    }
}

/// `k` cells of a unit whose candidates, together, are just `k` values: those values can go
/// nowhere else in the unit.
pub(crate) fn naked_subset(pm: &Pencilmarks, k: usize, explain: bool) -> Option<Step> {
    let n = pm.n();
    for u in 0..3 * n {
        let cells: Vec<usize> = pm.t.units[u]
            .iter()
            .copied()
            .filter(|&i| pm.value(i) == 0 && (2..=k).contains(&pm.cand(i).len()))
            .collect();
        // A subset only helps when other empty cells remain in the unit.
        let empty = pm.t.units[u].iter().filter(|&&i| pm.value(i) == 0).count();
        if empty <= k {
            continue;
        }
        let masks: Vec<u32> = cells.iter().map(|&i| pm.cand(i).bits()).collect();
        let found = find_combo(&masks, k, &mut |chosen, union| {
            let subset: Vec<usize> = chosen.iter().map(|&j| cells[j]).collect();
            let values = Candidates::from_bits(union);
            let elim: Vec<(usize, u8)> = pm.t.units[u]
                .iter()
                .filter(|i| !subset.contains(i))
                .flat_map(|&i| (pm.cand(i) & values).iter().map(move |v| (i, v)))
                .collect();
            if elim.is_empty() {
                return None;
            }
            let reason = if explain {
                format!(
                    "In {}, the {} cells {} can only hold {} between them, so those values can be removed from the other cells of {}.",
                    pm.t.unit_name(u),
                    word(k),
                    cell_list(n, &subset),
                    value_list(values),
                    pm.t.unit_name(u)
                )
            } else {
                String::new()
            };
            Some(Step::build(
                naked_technique(k),
                n,
                &subset,
                &[],
                &elim,
                reason,
            ))
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// `k` values of a unit that together have only `k` places: those cells can hold nothing
/// else.
pub(crate) fn hidden_subset(pm: &Pencilmarks, k: usize, explain: bool) -> Option<Step> {
    let n = pm.n();
    for u in 0..3 * n {
        let missing = pm.missing(u);
        if missing.len() <= k {
            continue;
        }
        let mut values = Vec::new();
        let mut masks = Vec::new();
        for v in missing {
            let m = pm.positions(u, v);
            if (2..=k).contains(&(m.count_ones() as usize)) {
                values.push(v);
                masks.push(m);
            }
        }
        let unit = &pm.t.units[u];
        let found = find_combo(&masks, k, &mut |chosen, union| {
            let set: crate::grid::Candidates = chosen.iter().map(|&j| values[j]).collect();
            let cells: Vec<usize> = (0..n)
                .filter(|&p| union >> p & 1 == 1)
                .map(|p| unit[p])
                .collect();
            let elim: Vec<(usize, u8)> = cells
                .iter()
                .flat_map(|&i| pm.cand(i).difference(set).iter().map(move |v| (i, v)))
                .collect();
            if elim.is_empty() {
                return None;
            }
            let reason = if explain {
                format!(
                    "In {}, the values {} can only go in the {} cells {}, so those cells can hold nothing else.",
                    pm.t.unit_name(u),
                    value_list(set),
                    word(k),
                    cell_list(n, &cells)
                )
            } else {
                String::new()
            };
            Some(Step::build(
                hidden_technique(k),
                n,
                &cells,
                &[],
                &elim,
                reason,
            ))
        });
        if found.is_some() {
            return found;
        }
    }
    None
}
