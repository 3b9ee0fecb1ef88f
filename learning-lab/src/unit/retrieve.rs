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
//! Ties keep the unit's order. Which cell shows a pattern is never revealed, only which
//! strategy text to show.

use super::{
    anti_pattern_line, board_size, correction_line, few_shot_line, strategy_line, LearningUnit,
    Pattern,
};
use crate::play::PromptUnit;
use solver_core::format::parse_line;
use solver_core::grid::{Grid, Unit};

/// How many items of each kind to pick.
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
}

impl Default for RetrieveOptions {
    /// 3 strategies, 3 anti-patterns, 2 corrections, 1 few-shot.
    fn default() -> RetrieveOptions {
        RetrieveOptions {
            strategies: 3,
            anti_patterns: 3,
            corrections: 2,
            few_shots: 1,
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

/// Indices of the `k` best scores, best first; ties keep ascending index.
fn top_k(scores: Vec<(usize, f64)>, k: usize) -> Vec<usize> {
    let mut scores: Vec<(usize, f64)> = scores.into_iter().filter(|s| s.1.is_finite()).collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scores.into_iter().take(k).map(|s| s.0).collect()
}

fn empty_ratio_of(board: &str) -> Option<f64> {
    let g = parse_line(board).ok()?;
    Some(g.empty_count() as f64 / g.shape().cell_count() as f64)
}

/// The unit's items most relevant to `board`, as prompt text (module docs).
pub fn retrieve(unit: &LearningUnit, board: &Grid, options: RetrieveOptions) -> PromptUnit {
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
    let mut strategies: Vec<String> = top_k(strategy_scores, options.strategies)
        .into_iter()
        .map(|i| strategy_line(&unit.strategies[i]))
        .collect();
    strategies.extend(
        top_k(shot_scores, options.few_shots)
            .into_iter()
            .map(|i| few_shot_line(&unit.few_shots[i])),
    );
    PromptUnit {
        strategies,
        anti_patterns: top_k(anti_scores, options.anti_patterns)
            .into_iter()
            .map(|i| anti_pattern_line(&unit.anti_patterns[i]))
            .collect(),
        corrections: top_k(correction_scores, options.corrections)
            .into_iter()
            .map(|i| correction_line(&unit.corrections[i]))
            .collect(),
    }
}
