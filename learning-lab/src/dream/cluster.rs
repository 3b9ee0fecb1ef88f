//! Compression: deterministic leader clustering of correct moves.
//!
//! Algorithm `leader` v1: moves are visited in triage order (importance descending, then id).
//! Clusters never mix grid sizes or board patterns. A move joins the nearest cluster leader of
//! its size and pattern within `radius` (Euclidean distance over
//! [`MoveFeatures::vector`](super::features::MoveFeatures::vector)); otherwise it founds a
//! new cluster, unless `max_clusters` exist, in which case it joins the nearest compatible
//! leader (or, with none, the nearest of all). Cost: moves × clusters × 5 — a few ms for
//! 10,000 experiences — and no floating-point order dependence beyond the fixed visit order.
//!
//! Algorithm `leader+llm-merge` v1: `leader` v1, then the language model is shown the clusters
//! and says which describe the same idea ([`super::llm::cluster_request`],
//! [`super::llm::read_grouping`]); [`merge`] unites them. Leader clusters split one idea by
//! board statistics, so the model's grouping gives fewer, better supported strategies. The
//! merge itself is deterministic given the grouping.

use super::triage::Triaged;
use crate::unit::{Algorithm, Pattern};

/// Name of the clustering algorithm recorded in units.
pub const ALGORITHM_NAME: &str = "leader";
/// Its version; bump when the output for the same input changes.
pub const ALGORITHM_VERSION: u32 = 1;

/// The algorithm record for units.
pub fn algorithm() -> Algorithm {
    Algorithm {
        name: ALGORITHM_NAME.into(),
        version: ALGORITHM_VERSION,
    }
}

/// Name recorded when the model's grouping was applied after leader clustering.
pub const MERGE_ALGORITHM_NAME: &str = "leader+llm-merge";
/// Its version; bump when the merge or the cluster request changes the output.
pub const MERGE_ALGORITHM_VERSION: u32 = 1;

/// The algorithm record of `leader+llm-merge` v1.
pub fn merge_algorithm() -> Algorithm {
    Algorithm {
        name: MERGE_ALGORITHM_NAME.into(),
        version: MERGE_ALGORITHM_VERSION,
    }
}

/// A cluster of correct moves.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Grid size of its moves.
    pub size: usize,
    /// Board pattern of its moves.
    pub pattern: Pattern,
    /// Indices into the triaged list; the first is the leader.
    pub members: Vec<usize>,
    /// Mean empty share of the members' boards.
    pub empty_ratio: f64,
}

fn distance(a: &[f64; 5], b: &[f64; 5]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Clusters the correct moves of `triaged` (module docs).
pub fn cluster(triaged: &[Triaged], radius: f64, max_clusters: usize) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut leaders: Vec<[f64; 5]> = Vec::new();
    for (i, t) in triaged.iter().enumerate() {
        if t.outcome != super::features::Outcome::Correct {
            continue;
        }
        let Some(f) = &t.features else { continue };
        let v = f.vector();
        let mut best: Option<(usize, f64)> = None;
        let mut best_any: Option<(usize, f64)> = None;
        for (k, c) in clusters.iter().enumerate() {
            let d = distance(&v, &leaders[k]);
            if best_any.is_none_or(|(_, bd)| d < bd) {
                best_any = Some((k, d));
            }
            if c.size == f.size && c.pattern == f.pattern && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((k, d));
            }
        }
        let target = match best {
            Some((k, d)) if d <= radius => Some(k),
            _ if clusters.len() < max_clusters.max(1) => None,
            _ => best.or(best_any).map(|(k, _)| k),
        };
        match target {
            Some(k) => {
                let c = &mut clusters[k];
                let n = c.members.len() as f64;
                c.empty_ratio = (c.empty_ratio * n + f.empty_ratio) / (n + 1.0);
                c.members.push(i);
            }
            None => {
                clusters.push(Cluster {
                    size: f.size,
                    pattern: f.pattern,
                    members: vec![i],
                    empty_ratio: f.empty_ratio,
                });
                leaders.push(v);
            }
        }
    }
    clusters
}

/// Unites clusters per `groups` (0-based indices into `clusters`, each at most once, already
/// validated by [`super::llm::read_grouping`]); clusters in no group stay alone.
///
/// A merged cluster takes the size, pattern and leader of its biggest member cluster (ties: the
/// lower index); its members are that cluster's, then the others' in index order; its empty
/// share is the member-weighted mean. Output order: by each group's lowest index.
pub fn merge(clusters: &[Cluster], groups: &[Vec<usize>]) -> Vec<Cluster> {
    let mut group_of: Vec<Option<usize>> = vec![None; clusters.len()];
    for (g, group) in groups.iter().enumerate() {
        for &k in group {
            if k < clusters.len() {
                group_of[k] = Some(g);
            }
        }
    }
    let mut out = Vec::new();
    let mut done = vec![false; groups.len()];
    for (k, c) in clusters.iter().enumerate() {
        let Some(g) = group_of[k] else {
            out.push(c.clone());
            continue;
        };
        if done[g] {
            continue;
        }
        done[g] = true;
        let mut parts: Vec<usize> = groups[g]
            .iter()
            .copied()
            .filter(|&i| i < clusters.len())
            .collect();
        parts.sort_unstable();
        parts.dedup();
        let biggest = parts
            .iter()
            .copied()
            .max_by(|&a, &b| {
                clusters[a]
                    .members
                    .len()
                    .cmp(&clusters[b].members.len())
                    .then(b.cmp(&a))
            })
            .unwrap_or(k);
        let head = &clusters[biggest];
        let mut members = head.members.clone();
        let mut weighted = head.empty_ratio * head.members.len() as f64;
        for &i in parts.iter().filter(|&&i| i != biggest) {
            members.extend(&clusters[i].members);
            weighted += clusters[i].empty_ratio * clusters[i].members.len() as f64;
        }
        out.push(Cluster {
            size: head.size,
            pattern: head.pattern,
            empty_ratio: weighted / members.len().max(1) as f64,
            members,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(pattern: Pattern, members: &[usize], empty_ratio: f64) -> Cluster {
        Cluster {
            size: 9,
            pattern,
            members: members.to_vec(),
            empty_ratio,
        }
    }

    #[test]
    fn merge_unites_members_under_the_biggest_leader() {
        let cs = vec![
            c(Pattern::NakedSingle, &[0, 4], 0.2),
            c(Pattern::HiddenSingle, &[1], 0.5),
            c(Pattern::HiddenSingle, &[2, 3, 5], 0.4),
        ];
        let merged = merge(&cs, &[vec![0, 2]]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].members, vec![2, 3, 5, 0, 4]);
        assert_eq!(merged[0].pattern, Pattern::HiddenSingle);
        assert!((merged[0].empty_ratio - (0.2 * 2.0 + 0.4 * 3.0) / 5.0).abs() < 1e-12);
        assert_eq!(merged[1], cs[1]);
        // No groups: unchanged.
        assert_eq!(merge(&cs, &[]), cs);
    }
}
