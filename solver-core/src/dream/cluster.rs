//! Compression: deterministic leader clustering of correct moves.
//!
//! Algorithm `leader` v1: moves are visited in triage order (importance descending, then id).
//! Clusters never mix grid sizes or board patterns. A move joins the nearest cluster leader of
//! its size and pattern within `radius` (Euclidean distance over
//! [`MoveFeatures::vector`](super::features::MoveFeatures::vector)); otherwise it founds a
//! new cluster, unless `max_clusters` exist, in which case it joins the nearest compatible
//! leader (or, with none, the nearest of all). Cost: moves × clusters × 5 — a few ms for
//! 10,000 experiences — and no floating-point order dependence beyond the fixed visit order.

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
