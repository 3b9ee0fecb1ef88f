//! Basic fish: X-wing (2 lines), swordfish (3), jellyfish (4).

use super::board::{join, Pencilmarks};
use super::step::Step;
use super::subsets::find_combo;
use super::technique::Technique;

/// `k` rows (or columns) in which value `v` can only go in the same `k` columns (rows): each
/// of those columns gets its `v` from one of the base rows, so the rest of the columns lose
/// `v`.
pub(crate) fn fish(pm: &Pencilmarks, k: usize, explain: bool) -> Option<Step> {
    let n = pm.n();
    let technique = match k {
        2 => Technique::XWing,
        3 => Technique::Swordfish,
        _ => Technique::Jellyfish,
    };
    for v in 1..=n as u8 {
        for rows_base in [true, false] {
            let offset = if rows_base { 0 } else { n };
            let mut lines = Vec::new();
            let mut masks = Vec::new();
            for l in 0..n {
                let m = pm.positions(offset + l, v);
                if (2..=k).contains(&(m.count_ones() as usize)) {
                    lines.push(l);
                    masks.push(m);
                }
            }
            let cover_offset = n - offset; // rows → columns (n), columns → rows (0)
            let found = find_combo(&masks, k, &mut |chosen, union| {
                let base: Vec<usize> = chosen.iter().map(|&j| lines[j]).collect();
                let mut elim = Vec::new();
                for c in (0..n).filter(|&c| union >> c & 1 == 1) {
                    for (p, &i) in pm.t.units[cover_offset + c].iter().enumerate() {
                        if !base.contains(&p) && pm.cand(i).contains(v) {
                            elim.push((i, v));
                        }
                    }
                }
                if elim.is_empty() {
                    return None;
                }
                let mut cells = Vec::new();
                for &l in &base {
                    for &i in &pm.t.units[offset + l] {
                        if pm.cand(i).contains(v) {
                            cells.push(i);
                        }
                    }
                }
                cells.sort_unstable();
                let reason = if explain {
                    let (base_kind, cover_kind) = if rows_base {
                        ("rows", "columns")
                    } else {
                        ("columns", "rows")
                    };
                    let names = |ls: Vec<usize>| {
                        join(ls.into_iter().map(|l| (l + 1).to_string()).collect())
                    };
                    format!(
                        "In {base_kind} {}, {v} can only go in {cover_kind} {}, so {v} can be removed from the rest of those {cover_kind}.",
                        names(base.clone()),
                        names((0..n).filter(|&c| union >> c & 1 == 1).collect())
                    )
                } else {
                    String::new()
                };
                Some(Step::build(technique, n, &cells, &[], &elim, reason))
            });
            if found.is_some() {
                return found;
            }
        }
    }
    None
}
