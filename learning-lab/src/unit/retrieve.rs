//! Retrieval: at each move, the unit's items most relevant to the current board go into the
//! prompt (the prompt builder then fits them to the token budget).
//!
//! Relevance is a feature similarity, deterministic and cheap (one candidate scan of the board):
//! - strategies: +1 when the board shows the strategy's [`Pattern`] somewhere (e.g. some cell
//!   has one candidate left), +0.5 × closeness of the board's empty share to the strategy's,
//!   +0.25 × support relative to the unit's best-supported strategy;
//! - anti-patterns: frequency relative to the most frequent, +0.5 when an example is of this
//!   grid size;
//! - corrections and few-shots: only from boards of this size; closeness of empty share.
//!
//! Those are the candidates per kind (top-k each, [`RetrieveOptions`]); of them, at most
//! `max_items` (default [`DEFAULT_MAX_UNIT_ITEMS`], a profile's `max_unit_items`) go into the
//! prompt: the best scores, then — with [`retrieve_ranked`] — the higher estimated lift, then
//! strategies before few-shots before anti-patterns before corrections, then the rank in the
//! kind. Every line comes with its item id ([`PromptUnit::ids`]).
//!
//! Ties keep the unit's order. Which cell shows a pattern is never revealed, only which
//! strategy text to show.

use std::collections::BTreeMap;

use super::{
    anti_pattern_line, board_size, correction_line, few_shot_line, strategy_line, LearningUnit,
    Pattern,
};
use crate::play::PromptUnit;
use solver_core::format::parse_line;
use solver_core::grid::{Grid, Unit};

/// Items injected into one move's prompt by default, whatever their kinds.
pub const DEFAULT_MAX_UNIT_ITEMS: usize = 3;

/// How many items of each kind are candidates, and how many go into the prompt in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrieveOptions {
    /// Strategies.
    pub strategies: usize,
    /// Anti-patterns.
    pub anti_patterns: usize,
    /// Corrections.
    pub corrections: usize,
    /// Few-shot examples (added after the strategies).
    pub few_shots: usize,
    /// Items in all, whatever their kinds: the best-scored candidates (module docs).
    pub max_items: usize,
}

impl Default for RetrieveOptions {
    /// 3 strategies, 3 anti-patterns, 2 corrections, 1 few-shot as candidates; at most
    /// [`DEFAULT_MAX_UNIT_ITEMS`] of them injected.
    fn default() -> RetrieveOptions {
        RetrieveOptions {
            strategies: 3,
            anti_patterns: 3,
            corrections: 2,
            few_shots: 1,
            max_items: DEFAULT_MAX_UNIT_ITEMS,
        }
    }
}

impl RetrieveOptions {
    /// The defaults with the profile's limit of items per move.
    pub fn for_profile(profile: &crate::profile::Profile) -> RetrieveOptions {
        RetrieveOptions {
            max_items: profile.max_unit_items,
            ..RetrieveOptions::default()
        }
    }
}

/// What retrieval looks at on a board.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardTraits {
    /// Grid size.
    pub size: usize,
    /// Empty cells / all cells.
    pub empty_ratio: f64,
    /// Patterns present somewhere on the board, ascending.
    pub patterns: Vec<Pattern>,
}

/// The traits of `board`.
pub fn board_traits(board: &Grid) -> BoardTraits {
    let shape = board.shape();
    let n = shape.size();
    let mut naked = false;
    let mut nearly_full = false;
    for unit in Unit::ALL {
        for i in 0..n {
            let empty = shape
                .unit_cells(unit, i)
                .filter(|&(r, c)| board.get(r, c).is_none())
                .count();
            nearly_full |= (1..=2).contains(&empty);
        }
    }
    let mut cands = vec![0u32; n * n];
    for r in 0..n {
        for c in 0..n {
            let set = board.candidates(r, c);
            naked |= board.get(r, c).is_none() && set.len() == 1;
            cands[shape.index(r, c)] = set.bits();
        }
    }
    let mut hidden = false;
    'outer: for unit in Unit::ALL {
        for i in 0..n {
            let mut once = 0u32;
            let mut twice = 0u32;
            for (r, c) in shape.unit_cells(unit, i) {
                let b = cands[shape.index(r, c)];
                twice |= once & b;
                once |= b;
            }
            if once & !twice != 0 {
                hidden = true;
                break 'outer;
            }
        }
    }
    let mut patterns = Vec::new();
    if naked {
        patterns.push(Pattern::NakedSingle);
    }
    if hidden {
        patterns.push(Pattern::HiddenSingle);
    }
    if nearly_full {
        patterns.push(Pattern::NearlyFullUnit);
    }
    if !naked && !hidden {
        // "No cell or value is forced at a glance" holds only when no single is visible.
        patterns.push(Pattern::Other);
    }
    BoardTraits {
        size: n,
        empty_ratio: board.empty_count() as f64 / shape.cell_count() as f64,
        patterns,
    }
}

/// The `k` best `(index, score)`, best first; ties keep ascending index.
fn top_k(scores: Vec<(usize, f64)>, k: usize) -> Vec<(usize, f64)> {
    let mut scores: Vec<(usize, f64)> = scores.into_iter().filter(|s| s.1.is_finite()).collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scores.truncate(k);
    scores
}

fn empty_ratio_of(board: &str) -> Option<f64> {
    let g = parse_line(board).ok()?;
    Some(g.empty_count() as f64 / g.shape().cell_count() as f64)
}

/// The unit's items most relevant to `board`, as prompt text with their ids (module docs).
pub fn retrieve(unit: &LearningUnit, board: &Grid, options: RetrieveOptions) -> PromptUnit {
    retrieve_ranked(unit, board, options, &BTreeMap::new())
}

/// [`retrieve()`], where items of equal relevance are ordered by their estimated lift
/// (`lifts`: item id → lift, e.g. from the [`ledger`](mod@super::ledger); missing = 0).
pub fn retrieve_ranked(
    unit: &LearningUnit,
    board: &Grid,
    options: RetrieveOptions,
    lifts: &BTreeMap<String, f64>,
) -> PromptUnit {
    let t = board_traits(board);
    let closeness = |r: f64| 1.0 - (r - t.empty_ratio).abs().min(1.0);
    let max_support = unit
        .strategies
        .iter()
        .map(|s| s.support)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let strategy_scores = unit
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let present = if t.patterns.contains(&s.pattern) {
                1.0
            } else {
                0.0
            };
            (
                i,
                present + 0.5 * closeness(s.empty_ratio) + 0.25 * s.support as f64 / max_support,
            )
        })
        .collect();
    let max_freq = unit
        .anti_patterns
        .iter()
        .map(|a| a.frequency)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let anti_scores = unit
        .anti_patterns
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let same_size = a
                .examples
                .iter()
                .any(|e| board_size(&e.board) == Some(t.size));
            (
                i,
                a.frequency as f64 / max_freq + if same_size { 0.5 } else { 0.0 },
            )
        })
        .collect();
    let same_size_close = |board: &str| -> f64 {
        if board_size(board) != Some(t.size) {
            return f64::NAN;
        }
        empty_ratio_of(board).map_or(f64::NAN, closeness)
    };
    let correction_scores = unit
        .corrections
        .iter()
        .enumerate()
        .map(|(i, c)| (i, same_size_close(&c.board)))
        .collect();
    let shot_scores = unit
        .few_shots
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let bonus = if t.patterns.contains(&f.pattern) {
                1.0
            } else {
                0.0
            };
            (i, bonus + same_size_close(&f.board))
        })
        .collect();
    // Candidates per kind, then the best `max_items` of all: relevance, then lift, then the
    // kind order (strategies, few-shots, anti-patterns, corrections), then rank in the kind.
    let lift = |id: &str| {
        lifts
            .get(id)
            .copied()
            .filter(|l| l.is_finite())
            .unwrap_or(0.0)
    };
    let mut candidates: Vec<(usize, usize, usize, f64, f64)> = Vec::new();
    let kinds = [
        top_k(strategy_scores, options.strategies),
        top_k(shot_scores, options.few_shots),
        top_k(anti_scores, options.anti_patterns),
        top_k(correction_scores, options.corrections),
    ];
    for (kind, picked) in kinds.iter().enumerate() {
        for (rank, &(index, score)) in picked.iter().enumerate() {
            let id = match kind {
                0 => &unit.strategies[index].id,
                1 => &unit.few_shots[index].id,
                2 => &unit.anti_patterns[index].id,
                _ => &unit.corrections[index].id,
            };
            candidates.push((kind, rank, index, score, lift(id)));
        }
    }
    candidates.sort_by(|a, b| {
        b.3.total_cmp(&a.3)
            .then(b.4.total_cmp(&a.4))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    candidates.truncate(options.max_items);
    // Back in prompt order: by kind, then rank.
    candidates.sort_by_key(|c| (c.0, c.1));
    let mut out = PromptUnit::default();
    let mut ids: [Vec<String>; 3] = Default::default();
    for (kind, _, i, _, _) in candidates {
        match kind {
            0 => {
                out.strategies.push(strategy_line(&unit.strategies[i]));
                ids[0].push(unit.strategies[i].id.clone());
            }
            1 => {
                out.strategies.push(few_shot_line(&unit.few_shots[i]));
                ids[0].push(unit.few_shots[i].id.clone());
            }
            2 => {
                out.anti_patterns
                    .push(anti_pattern_line(&unit.anti_patterns[i]));
                ids[1].push(unit.anti_patterns[i].id.clone());
            }
            _ => {
                out.corrections.push(correction_line(&unit.corrections[i]));
                ids[2].push(unit.corrections[i].id.clone());
            }
        }
    }
    out.ids = ids.concat();
    out
}
