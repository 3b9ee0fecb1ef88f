//! Triage: drop what is not worth learning from, split by outcome, and dedupe.
//!
//! - Banned repeats are dropped (the session already knew the move was wrong).
//! - Experiences below `min_importance` are dropped; the importance score separates outcomes
//!   (see [`crate::play::experience`]), so a threshold really filters.
//! - Duplicates — the same board, proposal and judgement, e.g. the same wrong move in two
//!   sessions of one puzzle — are kept once (the most important, then the smallest id); the
//!   others count as consolidated.
//! - The rest is ordered by importance (descending), then id, and capped at `max_experiences`.

use std::collections::BTreeMap;

use super::features::{move_features, MoveFeatures, Outcome};
use crate::play::Experience;

/// One experience that survived triage.
#[derive(Clone, Debug)]
pub struct Triaged {
    /// Experience id.
    pub id: String,
    /// The experience.
    pub experience: Experience,
    /// Its outcome class.
    pub outcome: Outcome,
    /// Features of its move (`None` for parse failures or boards that do not parse).
    pub features: Option<MoveFeatures>,
    /// Ids of the duplicates it stands for.
    pub duplicates: Vec<String>,
}

/// Counts of what triage removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TriageCounts {
    /// Experiences seen.
    pub captured: usize,
    /// Banned repeats dropped.
    pub banned_repeats: usize,
    /// Dropped for low importance.
    pub below_importance: usize,
    /// Dropped as duplicates.
    pub duplicates: usize,
    /// Dropped by the `max_experiences` cap.
    pub over_cap: usize,
}

/// Runs triage (module docs).
pub fn triage(
    experiences: Vec<(String, Experience)>,
    min_importance: f64,
    max_experiences: usize,
) -> (Vec<Triaged>, TriageCounts) {
    let mut counts = TriageCounts {
        captured: experiences.len(),
        ..TriageCounts::default()
    };
    let mut candidates: Vec<(String, Experience, Outcome)> = Vec::new();
    for (id, e) in experiences {
        match Outcome::of(&e) {
            None => counts.banned_repeats += 1,
            Some(_) if e.importance < min_importance => counts.below_importance += 1,
            Some(o) => candidates.push((id, e, o)),
        }
    }
    candidates.sort_by(|a, b| {
        b.1.importance
            .total_cmp(&a.1.importance)
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut kept: Vec<Triaged> = Vec::new();
    let mut seen: BTreeMap<(String, String, &'static str), usize> = BTreeMap::new();
    for (id, e, outcome) in candidates {
        let proposal = match &e.attempt.proposal {
            Ok(mv) => mv.to_string(),
            Err(f) => format!("{f:?}"),
        };
        let key = (
            e.attempt.board_before.clone(),
            proposal,
            e.attempt.judgement.label(),
        );
        if let Some(&i) = seen.get(&key) {
            kept[i].duplicates.push(id);
            counts.duplicates += 1;
            continue;
        }
        if kept.len() >= max_experiences {
            counts.over_cap += 1;
            continue;
        }
        seen.insert(key, kept.len());
        let features = e
            .attempt
            .mv()
            .and_then(|mv| move_features(&e.attempt.board_before, mv));
        kept.push(Triaged {
            id,
            experience: e,
            outcome,
            features,
            duplicates: Vec::new(),
        });
    }
    (kept, counts)
}
