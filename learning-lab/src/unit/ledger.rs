//! Per-item credit: what happened in the moves each item of a unit was injected into.
//!
//! Every experience records the ids of the unit items in its prompt
//! ([`Experience::injected_items`]). [`ledger()`] reads a profile's experiences and gives, per
//! item of a unit:
//! - **uses** — the moves of the unit's profile it was injected into (any version of the unit:
//!   item ids are kept across versions), and their outcomes: correct, invalid (banned repeats
//!   included), valid-but-wrong, unparseable — the four counts always add up to the uses;
//! - **lift** — the accuracy (correct / moves) of the moves with it minus the accuracy of the
//!   profile's other moves (without it), with Newcombe's 95 % hybrid score interval
//!   ([`newcombe_difference`]); none while either side has no move;
//! - **net help** — its correct moves minus what the accuracy without it predicts for as many
//!   moves (with no moves without it to compare, an even chance): positive means it helped
//!   more often than it harmed. A dream retires an item whose net help is ≤ 0 after enough
//!   uses, and never drops one whose net help is positive.
//!
//! Only the model's own moves count: moves played with assisted decoding
//! ([`PromptMode::Assisted`]) are left out on both sides, because the legal-move grammar, not
//! the prompt, decided them — counted, a profile's assisted moves made every item of its
//! unit look harmful next to them.
//!
//! A pure function of its inputs: the same experiences in any order give the same ledger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ItemKind, LearningUnit};
use crate::experiment::results::csv_row;
use crate::experiment::stats::{newcombe_difference, Estimate};
use crate::play::{Experience, Judgement, PromptMode};

/// Outcome counts of a set of moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// `CORRECT`.
    pub correct: usize,
    /// `INVALID` (rule broken, filled cell, banned repeat).
    pub invalid: usize,
    /// `VALID_BUT_WRONG`.
    pub valid_but_wrong: usize,
    /// `UNPARSEABLE`.
    pub unparseable: usize,
}

impl Tally {
    /// Counts one move judged `judgement`.
    pub fn add(&mut self, judgement: &Judgement) {
        match judgement {
            Judgement::Correct => self.correct += 1,
            Judgement::Invalid(_) => self.invalid += 1,
            Judgement::ValidButWrong => self.valid_but_wrong += 1,
            Judgement::Unparseable(_) => self.unparseable += 1,
        }
    }

    /// Moves counted.
    pub fn moves(&self) -> usize {
        self.correct + self.invalid + self.valid_but_wrong + self.unparseable
    }

    /// Moves not correct.
    pub fn wrong(&self) -> usize {
        self.moves() - self.correct
    }

    /// Correct / moves, `None` without moves.
    pub fn accuracy(&self) -> Option<f64> {
        (self.moves() > 0).then(|| self.correct as f64 / self.moves() as f64)
    }
}

/// An estimated lift: accuracy with the item minus accuracy without it, with its 95 % interval.
pub type Lift = Estimate;

/// The record of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemLedger {
    /// The item's id.
    pub item_id: String,
    /// Its kind.
    pub kind: ItemKind,
    /// Its prompt line.
    pub text: String,
    /// The moves it was injected into.
    pub with: Tally,
    /// The profile's other moves.
    pub without: Tally,
    /// Accuracy with − accuracy without, with Newcombe's interval; `None` while either side
    /// has no move.
    pub lift: Option<Lift>,
}

impl ItemLedger {
    /// Moves it was injected into.
    pub fn uses(&self) -> usize {
        self.with.moves()
    }

    /// Correct moves with it minus what the accuracy without it predicts for as many moves
    /// (an even chance when there are no moves without it). Module docs.
    pub fn net_help(&self) -> f64 {
        let baseline = self.without.accuracy().unwrap_or(0.5);
        self.with.correct as f64 - self.uses() as f64 * baseline
    }

    /// Whether it helped more often than it harmed (net help > 0).
    pub fn helpful(&self) -> bool {
        self.net_help() > 0.0
    }

    /// Whether it never helped: never used, or used but never in a correct move.
    pub fn never_helped(&self) -> bool {
        self.with.correct == 0
    }
}

/// The ledger of every item of `unit` (in the unit's order) from `experiences`: only the
/// unit's profile's moves without assisted decoding count (module docs).
pub fn ledger<'a>(
    unit: &LearningUnit,
    experiences: impl IntoIterator<Item = &'a Experience>,
) -> Vec<ItemLedger> {
    let items = unit.items();
    let index: BTreeMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let mut with = vec![Tally::default(); items.len()];
    let mut all = Tally::default();
    let mut seen: Vec<usize> = Vec::new();
    for e in experiences {
        if e.context.profile_id != unit.profile_id || e.context.mode == PromptMode::Assisted {
            continue;
        }
        all.add(&e.attempt.judgement);
        seen.clear();
        for id in &e.injected_items {
            if let Some(&i) = index.get(id.as_str()) {
                // An id listed twice in one prompt is one use.
                if !seen.contains(&i) {
                    seen.push(i);
                    with[i].add(&e.attempt.judgement);
                }
            }
        }
    }
    items
        .into_iter()
        .zip(with)
        .map(|(item, with)| {
            let without = Tally {
                correct: all.correct - with.correct,
                invalid: all.invalid - with.invalid,
                valid_but_wrong: all.valid_but_wrong - with.valid_but_wrong,
                unparseable: all.unparseable - with.unparseable,
            };
            let lift = newcombe_difference(
                with.correct as u64,
                with.moves() as u64,
                without.correct as u64,
                without.moves() as u64,
            );
            ItemLedger {
                item_id: item.id,
                kind: item.kind,
                text: item.line,
                with,
                without,
                lift,
            }
        })
        .collect()
}

/// The items of a ledger that never helped (never used, or used but never in a correct move),
/// in the ledger's order.
pub fn never_helped(ledger: &[ItemLedger]) -> Vec<&ItemLedger> {
    ledger.iter().filter(|l| l.never_helped()).collect()
}

/// Units' ledgers as one CSV (RFC 4180, a header row, one row per item, units and items in the
/// order given): the unit and its version, the item, its outcome counts, the moves without it,
/// the lift with its interval (empty while there is none), the net help, and the item's prompt
/// line last.
pub fn ledger_csv<'a>(
    ledgers: impl IntoIterator<Item = (&'a LearningUnit, &'a [ItemLedger])>,
) -> String {
    let header = [
        "unit_id",
        "unit_version",
        "item_id",
        "kind",
        "uses",
        "correct",
        "invalid",
        "valid_but_wrong",
        "unparseable",
        "moves_without",
        "correct_without",
        "lift",
        "lift_low",
        "lift_high",
        "net_help",
        "text",
    ];
    let mut out = csv_row(&header.map(String::from));
    for (unit, ledger) in ledgers {
        push_ledger_rows(&mut out, unit, ledger);
    }
    out
}

fn push_ledger_rows(out: &mut String, unit: &LearningUnit, ledger: &[ItemLedger]) {
    for l in ledger {
        let (lift, low, high) = l.lift.as_ref().map_or_else(
            || (String::new(), String::new(), String::new()),
            |e| {
                (
                    e.value.to_string(),
                    e.ci.low.to_string(),
                    e.ci.high.to_string(),
                )
            },
        );
        let kind = serde_json::to_value(l.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        out.push_str(&csv_row(&[
            unit.id.clone(),
            unit.lineage.version.to_string(),
            l.item_id.clone(),
            kind,
            l.uses().to_string(),
            l.with.correct.to_string(),
            l.with.invalid.to_string(),
            l.with.valid_but_wrong.to_string(),
            l.with.unparseable.to_string(),
            l.without.moves().to_string(),
            l.without.correct.to_string(),
            lift,
            low,
            high,
            l.net_help().to_string(),
            l.text.clone(),
        ]));
    }
}
