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
//! A pure function of its inputs: the same experiences in any order give the same ledger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ItemKind, LearningUnit};
use crate::experiment::stats::{newcombe_difference, Estimate};
use crate::play::{Experience, Judgement};

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

/// The ledger of every item of `unit` (in the unit's order) from `experiences`: only those of
/// the unit's profile count (module docs).
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
        if e.context.profile_id != unit.profile_id {
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
