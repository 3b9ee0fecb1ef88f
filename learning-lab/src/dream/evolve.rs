//! Units that evolve: the next version of a unit from its parent and what a dream found.
//!
//! A dream that starts from a unit (its parent, [`DreamOptions::parent`](super::DreamOptions::parent))
//! never rewrites it whole. Its next version is made by explicit operations ([`UnitOp`]),
//! exactly one per item of the parent and one per item the dream found (its candidates):
//!
//! 1. every item of the parent, in the unit's order, is
//!    - **retired** when the engine no longer verifies it (few-shots, corrections and
//!      anti-pattern examples are re-checked on their boards, as the verification phase
//!      checks new items; strategies carry no board and stay as verified when added);
//!    - **retired** when it has been injected into at least [`RETIRE_AFTER_USES`] moves and
//!      harmed at least as often as it helped (net help ≤ 0, [`ItemLedger::net_help`]);
//!    - **retired** when, by the ledger it is judged by, it had no use at
//!      [`RETIRE_AFTER_IDLE_DREAMS`] dreams in a row (the count is kept in
//!      [`Lineage::idle_dreams`]);
//!    - **merged** into an earlier kept item it nearly duplicates (same kind; strategies of
//!      one pattern and anti-patterns of one kind whose texts share at least
//!      [`MERGE_OVERLAP`] of their words; corrections and few-shots of the same board and
//!      move) — unless it is helpful;
//!    - else **kept**.
//!
//!    An item that helped more often than it harmed (net help > 0) is never retired for its
//!    use or merged away.
//! 2. every candidate (already verified by the dream) is **merged** into the kept item with
//!    its id or that it nearly duplicates (supports, frequencies, sources and examples united;
//!    the kept item keeps its id and text), else **added** while the unit stays within its
//!    token budget ([`LearningUnit::estimated_tokens`]); a candidate over the budget, or one
//!    that would bring back an item retired in this dream, is reported as dropped.
//!
//! A first version (no parent) is made the same way from an empty parent: every candidate is
//! an addition, within the budget.

use std::collections::{BTreeMap, BTreeSet};

use super::verify;
use crate::play::Move;
use crate::unit::items::{anti_pattern_key, correction_key, few_shot_key};
use crate::unit::{anti_pattern_line, correction_line, few_shot_line, strategy_line};
use crate::unit::{
    normalize_text, AntiPattern, Correction, Dropped, FewShot, ItemKind, ItemLedger, LearningUnit,
    Lineage, MistakeKind, Strategy, UnitOp, VerificationReport,
};
use solver_core::format::parse_line;
use solver_core::grid::Grid;

/// An item injected into at least this many moves is retired when it harmed at least as often
/// as it helped.
pub const RETIRE_AFTER_USES: usize = 5;
/// An item not injected into any move in this many dreams in a row is retired.
pub const RETIRE_AFTER_IDLE_DREAMS: u32 = 3;
/// Two texts nearly duplicate each other when they share at least this share of their words
/// (Jaccard index of their normalized word sets).
pub const MERGE_OVERLAP: f64 = 0.8;

/// The next version and how it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Evolved {
    /// The new version (the candidate unit's id, name and times; the parent's items evolved).
    pub unit: LearningUnit,
    /// The operations, parent items first, then candidates.
    pub operations: Vec<UnitOp>,
    /// Candidates left out (over the budget, or retired in this dream).
    pub dropped: Vec<Dropped>,
    /// The re-verification of the parent's items.
    pub verification: VerificationReport,
}

fn words(text: &str) -> BTreeSet<String> {
    normalize_text(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The Jaccard index of the normalized word sets of two texts (1 for two empty texts).
pub fn overlap(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

fn near_strategy(a: &Strategy, b: &Strategy) -> bool {
    a.id == b.id
        || (a.pattern == b.pattern
            && overlap(
                &format!("{} {}", a.when, a.text),
                &format!("{} {}", b.when, b.text),
            ) >= MERGE_OVERLAP)
}

fn near_anti(a: &AntiPattern, b: &AntiPattern) -> bool {
    a.id == b.id
        || anti_pattern_key(a) == anti_pattern_key(b)
        || (a.kind == b.kind && overlap(&a.text, &b.text) >= MERGE_OVERLAP)
}

fn near_correction(a: &Correction, b: &Correction) -> bool {
    a.id == b.id || correction_key(a) == correction_key(b)
}

fn near_few_shot(a: &FewShot, b: &FewShot) -> bool {
    a.id == b.id || few_shot_key(a) == few_shot_key(b)
}

fn union_ids(ids: &mut Vec<String>, extra: &[String]) {
    let mut seen: BTreeSet<String> = ids.iter().cloned().collect();
    for id in extra {
        if seen.insert(id.clone()) {
            ids.push(id.clone());
        }
    }
}

fn fold_strategy(into: &mut Strategy, from: &Strategy) {
    let total = into.support + from.support;
    if total > 0 {
        into.empty_ratio = (into.empty_ratio * into.support as f64
            + from.empty_ratio * from.support as f64)
            / total as f64;
    }
    into.support = total;
    union_ids(&mut into.source_ids, &from.source_ids);
}

fn fold_anti(into: &mut AntiPattern, from: &AntiPattern) {
    into.frequency += from.frequency;
    union_ids(&mut into.source_ids, &from.source_ids);
    for e in &from.examples {
        if !into.examples.contains(e) {
            into.examples.push(e.clone());
        }
    }
}

fn solve(board: &str) -> Option<Grid> {
    let b = parse_line(board).ok()?;
    solver_core::solve::solve_unique(&b).ok().map(|s| s.grid)
}

/// Re-checks a few-shot on its board.
fn recheck_few_shot(f: &FewShot) -> Result<(), String> {
    verify::few_shot(f, solve(&f.board).as_ref())
}

/// Re-checks a correction on its board, and the cells its text names.
fn recheck_correction(c: &Correction) -> Result<(), String> {
    let sol = solve(&c.board);
    verify::correction(c, sol.as_ref())?;
    let sol = sol.ok_or("no solution")?;
    let board = parse_line(&c.board).map_err(|e| e.to_string())?;
    let known = [c.wrong, Move::new(c.wrong.row, c.wrong.col, c.true_value)];
    verify::claims(&c.text, board.size(), &known, &[(board, &sol)]).map(|_| ())
}

/// Re-checks an anti-pattern's examples (each must still be invalid for its kind) and the cells
/// its text names.
fn recheck_anti(a: &AntiPattern) -> Result<(), String> {
    for e in &a.examples {
        verify::example(e, a.kind)?;
    }
    if a.kind != MistakeKind::Format && a.examples.is_empty() {
        return Err("it has no example".into());
    }
    let size = a
        .examples
        .first()
        .and_then(|e| crate::unit::board_size(&e.board))
        .unwrap_or(9);
    let known: Vec<Move> = a.examples.iter().map(|e| e.mv).collect();
    verify::claims(&a.text, size, &known, &[]).map(|_| ())
}

/// What happens to one item of the parent.
enum Fate {
    Retire(String),
    Keep,
}

struct Judge<'a> {
    ledger: BTreeMap<&'a str, &'a ItemLedger>,
    idle: &'a BTreeMap<String, u32>,
    next_idle: BTreeMap<String, u32>,
    verification: VerificationReport,
}

impl Judge<'_> {
    fn helpful(&self, id: &str) -> bool {
        self.ledger.get(id).is_some_and(|l| l.helpful())
    }

    /// The fate of parent item `id` whose engine re-check gave `check`.
    fn fate(
        &mut self,
        id: &str,
        kind: ItemKind,
        text: &str,
        check: Option<Result<(), String>>,
    ) -> Fate {
        if let Some(check) = check {
            self.verification.checked += 1;
            match check {
                Ok(()) => self.verification.passed += 1,
                Err(reason) => {
                    self.verification.dropped.push(Dropped {
                        item: kind,
                        text: text.to_string(),
                        reason: reason.clone(),
                    });
                    return Fate::Retire(format!("the engine no longer verifies it: {reason}"));
                }
            }
        }
        let uses = self.ledger.get(id).map_or(0, |l| l.uses());
        if let Some(l) = self.ledger.get(id) {
            if uses >= RETIRE_AFTER_USES && !l.helpful() {
                return Fate::Retire(format!(
                    "harmful at least as often as helpful: {} correct of {uses} moves (net help {:.2})",
                    l.with.correct,
                    l.net_help()
                ));
            }
        }
        if uses == 0 {
            let idle = self.idle.get(id).copied().unwrap_or(0) + 1;
            if idle >= RETIRE_AFTER_IDLE_DREAMS {
                return Fate::Retire(format!("not injected into any move in {idle} dreams"));
            }
            self.next_idle.insert(id.to_string(), idle);
        }
        Fate::Keep
    }
}

/// The next version of `parent` (`None`: a first version) from the dream's verified
/// `candidate` unit, the parent items' `ledger` and the unit's `token_budget` (module docs).
/// The result has the candidate's id, name, profile, algorithm and times, the united sizes and
/// source experiences, and the lineage: parent id, version, operations, idle counts.
pub fn evolve(
    parent: Option<&LearningUnit>,
    mut candidate: LearningUnit,
    ledger: &[ItemLedger],
    token_budget: usize,
) -> Evolved {
    candidate.assign_item_ids();
    let empty = LearningUnit::empty("", "", "", 0.0);
    let base = parent.unwrap_or(&empty);
    let mut judge = Judge {
        ledger: ledger.iter().map(|l| (l.item_id.as_str(), l)).collect(),
        idle: &base.lineage.idle_dreams,
        next_idle: BTreeMap::new(),
        verification: VerificationReport::default(),
    };
    let mut out = LearningUnit {
        strategies: Vec::new(),
        anti_patterns: Vec::new(),
        corrections: Vec::new(),
        few_shots: Vec::new(),
        ..candidate.clone()
    };
    let mut ops = Vec::new();
    let mut retired: BTreeSet<String> = BTreeSet::new();
    let mut retired_items = LearningUnit::empty("", "", "", 0.0);

    // 1. The parent's items.
    for s in &base.strategies {
        let line = strategy_line(s);
        match judge.fate(&s.id, ItemKind::Strategy, &line, None) {
            Fate::Retire(reason) => {
                retired.insert(s.id.clone());
                retired_items.strategies.push(s.clone());
                ops.push(UnitOp::Retire {
                    item: s.id.clone(),
                    kind: ItemKind::Strategy,
                    text: line,
                    reason,
                });
            }
            Fate::Keep => match out.strategies.iter_mut().find(|k| near_strategy(k, s)) {
                Some(k) if !judge.helpful(&s.id) => {
                    fold_strategy(k, s);
                    ops.push(UnitOp::Merge {
                        from: s.id.clone(),
                        into: k.id.clone(),
                        kind: ItemKind::Strategy,
                        text: line,
                    });
                }
                _ => {
                    out.strategies.push(s.clone());
                    ops.push(UnitOp::Keep {
                        item: s.id.clone(),
                        kind: ItemKind::Strategy,
                        text: line,
                    });
                }
            },
        }
    }
    for a in &base.anti_patterns {
        let line = anti_pattern_line(a);
        match judge.fate(&a.id, ItemKind::AntiPattern, &line, Some(recheck_anti(a))) {
            Fate::Retire(reason) => {
                retired.insert(a.id.clone());
                retired_items.anti_patterns.push(a.clone());
                ops.push(UnitOp::Retire {
                    item: a.id.clone(),
                    kind: ItemKind::AntiPattern,
                    text: line,
                    reason,
                });
            }
            Fate::Keep => match out.anti_patterns.iter_mut().find(|k| near_anti(k, a)) {
                Some(k) if !judge.helpful(&a.id) => {
                    fold_anti(k, a);
                    ops.push(UnitOp::Merge {
                        from: a.id.clone(),
                        into: k.id.clone(),
                        kind: ItemKind::AntiPattern,
                        text: line,
                    });
                }
                _ => {
                    out.anti_patterns.push(a.clone());
                    ops.push(UnitOp::Keep {
                        item: a.id.clone(),
                        kind: ItemKind::AntiPattern,
                        text: line,
                    });
                }
            },
        }
    }
    for c in &base.corrections {
        let line = correction_line(c);
        match judge.fate(
            &c.id,
            ItemKind::Correction,
            &line,
            Some(recheck_correction(c)),
        ) {
            Fate::Retire(reason) => {
                retired.insert(c.id.clone());
                retired_items.corrections.push(c.clone());
                ops.push(UnitOp::Retire {
                    item: c.id.clone(),
                    kind: ItemKind::Correction,
                    text: line,
                    reason,
                });
            }
            Fate::Keep => match out.corrections.iter_mut().find(|k| near_correction(k, c)) {
                Some(k) if !judge.helpful(&c.id) => {
                    union_ids(&mut k.source_ids, &c.source_ids);
                    ops.push(UnitOp::Merge {
                        from: c.id.clone(),
                        into: k.id.clone(),
                        kind: ItemKind::Correction,
                        text: line,
                    });
                }
                _ => {
                    out.corrections.push(c.clone());
                    ops.push(UnitOp::Keep {
                        item: c.id.clone(),
                        kind: ItemKind::Correction,
                        text: line,
                    });
                }
            },
        }
    }
    for f in &base.few_shots {
        let line = few_shot_line(f);
        match judge.fate(&f.id, ItemKind::FewShot, &line, Some(recheck_few_shot(f))) {
            Fate::Retire(reason) => {
                retired.insert(f.id.clone());
                retired_items.few_shots.push(f.clone());
                ops.push(UnitOp::Retire {
                    item: f.id.clone(),
                    kind: ItemKind::FewShot,
                    text: line,
                    reason,
                });
            }
            Fate::Keep => match out.few_shots.iter_mut().find(|k| near_few_shot(k, f)) {
                Some(k) if !judge.helpful(&f.id) => {
                    union_ids(&mut k.source_ids, &f.source_ids);
                    ops.push(UnitOp::Merge {
                        from: f.id.clone(),
                        into: k.id.clone(),
                        kind: ItemKind::FewShot,
                        text: line,
                    });
                }
                _ => {
                    out.few_shots.push(f.clone());
                    ops.push(UnitOp::Keep {
                        item: f.id.clone(),
                        kind: ItemKind::FewShot,
                        text: line,
                    });
                }
            },
        }
    }

    // 2. The candidates.
    let mut dropped = Vec::new();
    let mut tokens = out.estimated_tokens();
    let mut admit =
        |kind: ItemKind, id: &str, line: &str, was_retired: bool, ops: &mut Vec<UnitOp>| -> bool {
            if was_retired {
                dropped.push(Dropped {
                    item: kind,
                    text: line.to_string(),
                    reason: format!("item {id} was retired in this dream"),
                });
                return false;
            }
            let cost = crate::play::prompt::estimate_tokens(line);
            if tokens + cost > token_budget {
                dropped.push(Dropped {
                    item: kind,
                    text: line.to_string(),
                    reason: format!(
                        "over the unit's token budget ({tokens} + {cost} > {token_budget} tokens)"
                    ),
                });
                return false;
            }
            tokens += cost;
            ops.push(UnitOp::Add {
                item: id.to_string(),
                kind,
                text: line.to_string(),
            });
            true
        };
    for s in candidate.strategies {
        let line = strategy_line(&s);
        if let Some(k) = out.strategies.iter_mut().find(|k| near_strategy(k, &s)) {
            fold_strategy(k, &s);
            ops.push(UnitOp::Merge {
                from: s.id.clone(),
                into: k.id.clone(),
                kind: ItemKind::Strategy,
                text: line,
            });
            continue;
        }
        let was = retired.contains(&s.id)
            || retired_items
                .strategies
                .iter()
                .any(|r| near_strategy(r, &s));
        if admit(ItemKind::Strategy, &s.id, &line, was, &mut ops) {
            out.strategies.push(s);
        }
    }
    for a in candidate.anti_patterns {
        let line = anti_pattern_line(&a);
        if let Some(k) = out.anti_patterns.iter_mut().find(|k| near_anti(k, &a)) {
            fold_anti(k, &a);
            ops.push(UnitOp::Merge {
                from: a.id.clone(),
                into: k.id.clone(),
                kind: ItemKind::AntiPattern,
                text: line,
            });
            continue;
        }
        let was =
            retired.contains(&a.id) || retired_items.anti_patterns.iter().any(|r| near_anti(r, &a));
        if admit(ItemKind::AntiPattern, &a.id, &line, was, &mut ops) {
            out.anti_patterns.push(a);
        }
    }
    for c in candidate.corrections {
        let line = correction_line(&c);
        if let Some(k) = out.corrections.iter_mut().find(|k| near_correction(k, &c)) {
            union_ids(&mut k.source_ids, &c.source_ids);
            ops.push(UnitOp::Merge {
                from: c.id.clone(),
                into: k.id.clone(),
                kind: ItemKind::Correction,
                text: line,
            });
            continue;
        }
        let was = retired.contains(&c.id)
            || retired_items
                .corrections
                .iter()
                .any(|r| near_correction(r, &c));
        if admit(ItemKind::Correction, &c.id, &line, was, &mut ops) {
            out.corrections.push(c);
        }
    }
    for f in candidate.few_shots {
        let line = few_shot_line(&f);
        if let Some(k) = out.few_shots.iter_mut().find(|k| near_few_shot(k, &f)) {
            union_ids(&mut k.source_ids, &f.source_ids);
            ops.push(UnitOp::Merge {
                from: f.id.clone(),
                into: k.id.clone(),
                kind: ItemKind::FewShot,
                text: line,
            });
            continue;
        }
        let was =
            retired.contains(&f.id) || retired_items.few_shots.iter().any(|r| near_few_shot(r, &f));
        if admit(ItemKind::FewShot, &f.id, &line, was, &mut ops) {
            out.few_shots.push(f);
        }
    }

    // Ids stay unique: an added item whose content id is taken by a kept one gets a suffix.
    let mut seen = BTreeSet::new();
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut fix = |id: &mut String| {
        if !seen.insert(id.clone()) {
            let mut k = 2;
            let fresh = loop {
                let c = format!("{id}-{k}");
                if seen.insert(c.clone()) {
                    break c;
                }
                k += 1;
            };
            renamed.insert(id.clone(), fresh.clone());
            *id = fresh;
        }
    };
    out.strategies.iter_mut().for_each(|s| fix(&mut s.id));
    out.anti_patterns.iter_mut().for_each(|a| fix(&mut a.id));
    out.corrections.iter_mut().for_each(|c| fix(&mut c.id));
    out.few_shots.iter_mut().for_each(|f| fix(&mut f.id));
    for op in &mut ops {
        if let UnitOp::Add { item, .. } = op {
            if let Some(fresh) = renamed.get(item) {
                *item = fresh.clone();
            }
        }
    }

    let sizes: BTreeSet<usize> = base.sizes.iter().chain(&candidate.sizes).copied().collect();
    out.sizes = sizes.into_iter().collect();
    let sources: BTreeSet<String> = base
        .source_experience_ids
        .iter()
        .chain(&candidate.source_experience_ids)
        .cloned()
        .collect();
    out.source_experience_ids = sources.into_iter().collect();
    out.abstraction_levels =
        super::abstraction_levels(&out.strategies, &out.anti_patterns, &out.few_shots);
    let mut verification = candidate.verification;
    verification.checked += judge.verification.checked;
    verification.passed += judge.verification.passed;
    verification
        .dropped
        .extend(judge.verification.dropped.iter().cloned());
    out.verification = verification;
    out.lineage = Lineage {
        parent_id: parent.map(|p| p.id.clone()),
        version: parent.map_or(1, |p| p.lineage.version + 1),
        operations: ops.clone(),
        idle_dreams: judge.next_idle,
        variant_of: None,
    };
    Evolved {
        unit: out,
        operations: ops,
        dropped,
        verification: judge.verification,
    }
}
