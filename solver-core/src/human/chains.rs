//! Chains: X-chains (one value, alternating strong and weak links) and XY-chains (bivalue
//! cells). X-chains include the skyscraper, the 2-string kite and the turbot fish; XY-chains
//! include remote pairs.

use std::collections::VecDeque;

use super::board::{cell_name, Pencilmarks};
use super::step::Step;
use super::technique::Technique;

/// Cells other than `a` and `b` with candidate `v` that see both.
fn seeing_both(pm: &Pencilmarks, v: u8, a: usize, b: usize) -> Vec<(usize, u8)> {
    (0..pm.cell_count())
        .filter(|&i| {
            i != a && i != b && pm.cand(i).contains(v) && pm.t.sees(a, i) && pm.t.sees(b, i)
        })
        .map(|i| (i, v))
        .collect()
}

struct Found {
    len: usize,
    v: u8,
    path: Vec<usize>,
    elim: Vec<(usize, u8)>,
}

/// Strong links on `v`: for each cell, the cells it shares a unit with in which `v` has only
/// those two places.
fn strong_links(pm: &Pencilmarks, v: u8) -> Vec<Vec<usize>> {
    let mut strong = vec![Vec::new(); pm.cell_count()];
    for u in 0..3 * pm.n() {
        let m = pm.positions(u, v);
        if m.count_ones() == 2 {
            let a = pm.t.units[u][m.trailing_zeros() as usize];
            let b = pm.t.units[u][31 - m.leading_zeros() as usize];
            if !strong[a].contains(&b) {
                strong[a].push(b);
                strong[b].push(a);
            }
        }
    }
    strong
}

/// The shortest X-chain with eliminations: starting from a cell assumed not to hold `v`,
/// strong links (only two places in a unit) make the next cell `v`, weak links (seeing a `v`)
/// make the next cell not `v`; if the chain ends on a cell that must then be `v`, one of its
/// two ends is `v` and cells seeing both ends lose `v`.
pub(crate) fn x_chain(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let cells = pm.cell_count();
    let mut best: Option<Found> = None;
    for v in 1..=n as u8 {
        let strong = strong_links(pm, v);
        let nodes: Vec<usize> = (0..cells).filter(|&i| pm.cand(i).contains(v)).collect();
        // parent[state]: state = cell * 2 + on
        let mut parent = vec![usize::MAX; cells * 2];
        let mut depth = vec![0usize; cells * 2];
        for &s in &nodes {
            if strong[s].is_empty() {
                continue;
            }
            let mut touched = Vec::new();
            let mut queue = VecDeque::new();
            let start = s * 2;
            parent[start] = start;
            touched.push(start);
            queue.push_back(start);
            while let Some(st) = queue.pop_front() {
                let (c, on) = (st / 2, st % 2 == 1);
                let d = depth[st];
                if best.as_ref().is_some_and(|b| d + 1 >= b.len) {
                    break;
                }
                let next: Vec<usize> = if on {
                    nodes
                        .iter()
                        .copied()
                        .filter(|&o| o != c && pm.t.sees(c, o))
                        .map(|o| o * 2)
                        .collect()
                } else {
                    strong[c].iter().map(|&o| o * 2 + 1).collect()
                };
                for ns in next {
                    if parent[ns] != usize::MAX {
                        continue;
                    }
                    parent[ns] = st;
                    depth[ns] = d + 1;
                    touched.push(ns);
                    queue.push_back(ns);
                    let e = ns / 2;
                    if ns % 2 == 1 && e != s && d + 1 >= 3 {
                        let elim = seeing_both(pm, v, s, e);
                        if !elim.is_empty() {
                            let mut path = vec![ns];
                            let mut cur = ns;
                            while parent[cur] != cur {
                                cur = parent[cur];
                                path.push(cur);
                            }
                            path.reverse();
                            best = Some(Found {
                                len: d + 1,
                                v,
                                path,
                                elim,
                            });
                            break;
                        }
                    }
                }
                if best.as_ref().is_some_and(|b| b.len <= d + 1) {
                    break;
                }
            }
            for st in touched {
                parent[st] = usize::MAX;
            }
        }
    }
    let f = best?;
    let chain_cells: Vec<usize> = f.path.iter().map(|st| st / 2).collect();
    let reason = if explain {
        let mut chain = cell_name(n, chain_cells[0]);
        for w in f.path.windows(2) {
            // Into an "on" state is a strong link (=), into an "off" state a weak one (-).
            chain.push_str(if w[1] % 2 == 1 { " = " } else { " - " });
            chain.push_str(&cell_name(n, w[1] / 2));
        }
        let (s, e) = (chain_cells[0], chain_cells[chain_cells.len() - 1]);
        format!(
            "The chain {chain} on {v} (= only two places in a unit, - in the same unit) shows that {} or {} is {v}, so {v} can be removed from cells that see both.",
            cell_name(n, s),
            cell_name(n, e),
            v = f.v
        )
    } else {
        String::new()
    };
    Some(Step::build(
        Technique::XChain,
        n,
        &chain_cells,
        &[],
        &f.elim,
        reason,
    ))
}

/// The shortest XY-chain with eliminations: bivalue cells, each seeing the next and sharing a
/// value with it; if the first cell is not `x`, its other value is forced, which removes that
/// value from the next cell, and so on until the last cell is forced to `x`. So one end is `x`
/// and cells seeing both ends lose `x`.
pub(crate) fn xy_chain(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let cells = pm.cell_count();
    let bi: Vec<usize> = (0..cells)
        .filter(|&i| pm.value(i) == 0 && pm.cand(i).len() == 2)
        .collect();
    let other = |i: usize, v: u8| {
        pm.cand(i)
            .difference(crate::grid::Candidates::single(v))
            .min()
            .unwrap_or(0)
    };
    // state = cell * 32 + value on in that cell
    let mut parent = vec![usize::MAX; cells * 32];
    let mut depth = vec![0usize; cells * 32];
    let mut best: Option<Found> = None;
    for &s in &bi {
        for x in pm.cand(s) {
            let start = s * 32 + usize::from(other(s, x));
            let mut touched = vec![start];
            parent[start] = start;
            let mut queue = VecDeque::from([start]);
            'bfs: while let Some(st) = queue.pop_front() {
                let (c, w) = (st / 32, (st % 32) as u8);
                let d = depth[st];
                if best.as_ref().is_some_and(|b| d + 1 >= b.len) {
                    break;
                }
                for &o in &bi {
                    if o == c || !pm.cand(o).contains(w) || !pm.t.sees(c, o) {
                        continue;
                    }
                    let on = other(o, w);
                    let ns = o * 32 + usize::from(on);
                    if parent[ns] != usize::MAX {
                        continue;
                    }
                    parent[ns] = st;
                    depth[ns] = d + 1;
                    touched.push(ns);
                    queue.push_back(ns);
                    if on == x && o != s {
                        let elim = seeing_both(pm, x, s, o);
                        if !elim.is_empty() {
                            let mut path = vec![ns];
                            let mut cur = ns;
                            while parent[cur] != cur {
                                cur = parent[cur];
                                path.push(cur);
                            }
                            path.reverse();
                            best = Some(Found {
                                len: d + 1,
                                v: x,
                                path,
                                elim,
                            });
                            break 'bfs;
                        }
                    }
                }
            }
            for st in touched {
                parent[st] = usize::MAX;
            }
        }
    }
    let f = best?;
    let chain_cells: Vec<usize> = f.path.iter().map(|st| st / 32).collect();
    let reason = if explain {
        let chain: Vec<String> = chain_cells.iter().map(|&i| cell_name(n, i)).collect();
        format!(
            "In the chain of two-candidate cells {}, if {} is not {v} then each next cell is forced until {} is {v}, so one of them is {v} and {v} can be removed from cells that see both.",
            chain.join(" - "),
            chain[0],
            chain[chain.len() - 1],
            v = f.v
        )
    } else {
        String::new()
    };
    Some(Step::build(
        Technique::XyChain,
        n,
        &chain_cells,
        &[],
        &f.elim,
        reason,
    ))
}
