//! Wings: XY-wing, XYZ-wing, W-wing.

use crate::grid::Candidates;

use super::board::{cell_name, Pencilmarks};
use super::step::Step;
use super::technique::Technique;

fn bivalue_cells(pm: &Pencilmarks) -> Vec<usize> {
    (0..pm.cell_count())
        .filter(|&i| pm.value(i) == 0 && pm.cand(i).len() == 2)
        .collect()
}

/// Cells other than `except` holding `v` that see every cell of `targets`.
fn seeing_all(pm: &Pencilmarks, v: u8, targets: &[usize]) -> Vec<(usize, u8)> {
    (0..pm.cell_count())
        .filter(|&i| pm.cand(i).contains(v) && targets.iter().all(|&t| t != i && pm.t.sees(t, i)))
        .map(|i| (i, v))
        .collect()
}

/// Pivot `xy` seeing pincers `xz` and `yz`: whichever the pivot is, one pincer is `z`, so
/// cells seeing both pincers lose `z`.
pub(crate) fn xy_wing(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let bi = bivalue_cells(pm);
    for &p in &bi {
        let pc = pm.cand(p);
        for &a in &bi {
            if a == p || !pm.t.sees(p, a) {
                continue;
            }
            let ac = pm.cand(a);
            if (ac & pc).len() != 1 {
                continue;
            }
            let z = ac.difference(pc);
            let other = pc.difference(ac);
            let want = z | other;
            for &b in &bi {
                if b == p || b == a || !pm.t.sees(p, b) || pm.cand(b) != want {
                    continue;
                }
                let zv = z.min()?;
                let elim = seeing_all(pm, zv, &[a, b]);
                if elim.is_empty() {
                    continue;
                }
                let reason = if explain {
                    format!(
                        "Whichever value the pivot {} takes, one of the pincers {} and {} must be {zv}, so {zv} can be removed from cells that see both.",
                        cell_name(n, p),
                        cell_name(n, a),
                        cell_name(n, b)
                    )
                } else {
                    String::new()
                };
                return Some(Step::build(
                    Technique::XyWing,
                    n,
                    &[p, a, b],
                    &[],
                    &elim,
                    reason,
                ));
            }
        }
    }
    None
}

/// Pivot `xyz` seeing pincers `xz` and `yz`: one of the three is `z`, so cells seeing all
/// three lose `z`.
pub(crate) fn xyz_wing(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let bi = bivalue_cells(pm);
    for p in 0..pm.cell_count() {
        let pc = pm.cand(p);
        if pm.value(p) != 0 || pc.len() != 3 {
            continue;
        }
        let wings: Vec<usize> = bi
            .iter()
            .copied()
            .filter(|&a| pm.t.sees(p, a) && pm.cand(a).difference(pc).is_empty())
            .collect();
        for (x, &a) in wings.iter().enumerate() {
            for &b in &wings[x + 1..] {
                let common = pm.cand(a) & pm.cand(b);
                let Some(z) = common.as_single() else {
                    continue;
                };
                let elim = seeing_all(pm, z, &[p, a, b]);
                if elim.is_empty() {
                    continue;
                }
                let reason = if explain {
                    format!(
                        "One of {}, {} and {} must be {z}, so {z} can be removed from cells that see all three.",
                        cell_name(n, p),
                        cell_name(n, a),
                        cell_name(n, b)
                    )
                } else {
                    String::new()
                };
                return Some(Step::build(
                    Technique::XyzWing,
                    n,
                    &[p, a, b],
                    &[],
                    &elim,
                    reason,
                ));
            }
        }
    }
    None
}

/// Two cells with the same candidates `xy` that do not see each other, joined by a strong
/// link on `x` (a unit where `x` has only two places, one seeing each cell): one of them must
/// be `y`, so cells seeing both lose `y`.
pub(crate) fn w_wing(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let bi = bivalue_cells(pm);
    for (k, &a) in bi.iter().enumerate() {
        for &b in &bi[k + 1..] {
            let ab = pm.cand(a);
            if pm.cand(b) != ab || pm.t.sees(a, b) {
                continue;
            }
            for x in ab {
                let y = ab.difference(Candidates::single(x)).min()?;
                let elim = seeing_all(pm, y, &[a, b]);
                if elim.is_empty() {
                    continue;
                }
                for u in 0..3 * n {
                    let m = pm.positions(u, x);
                    if m.count_ones() != 2 {
                        continue;
                    }
                    let c = pm.t.units[u][m.trailing_zeros() as usize];
                    let d = pm.t.units[u][31 - m.leading_zeros() as usize];
                    if [c, d].iter().any(|i| *i == a || *i == b) {
                        continue;
                    }
                    let (c, d) = if pm.t.sees(c, a) && pm.t.sees(d, b) {
                        (c, d)
                    } else if pm.t.sees(d, a) && pm.t.sees(c, b) {
                        (d, c)
                    } else {
                        continue;
                    };
                    let reason = if explain {
                        format!(
                            "{} and {} both hold only {x} and {y}, and {x} in {} must be at {} or {}, so one of the two pair cells is {y} and {y} can be removed from cells that see both.",
                            cell_name(n, a),
                            cell_name(n, b),
                            pm.t.unit_name(u),
                            cell_name(n, c),
                            cell_name(n, d)
                        )
                    } else {
                        String::new()
                    };
                    return Some(Step::build(
                        Technique::WWing,
                        n,
                        &[a, b, c, d],
                        &[],
                        &elim,
                        reason,
                    ));
                }
            }
        }
    }
    None
}
