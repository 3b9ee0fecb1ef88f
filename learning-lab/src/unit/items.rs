//! Item ids, the items of a unit as one list, and its size in tokens.
//!
//! # Ids
//!
//! Every item (strategy, anti-pattern, correction, few-shot) has a stable id: given once, when
//! the item first enters a unit, and kept by every later version that keeps or merges the item,
//! so an item's record of use (the [`ledger`](mod@super::ledger)) spans versions. The id is derived
//! from the item's content — a kind prefix and 48 bits of FNV-1a over its kind and key
//! ([`derive_item_id`]) — so the same item gets the same id everywhere, and a unit stored
//! before ids existed gets, on every read, the ids it would have been given
//! ([`LearningUnit::assign_item_ids`]). Two items of one unit with the same derived id get
//! `-2`, `-3` … in unit order. An id carries no meaning: nothing is parsed out of it.

use std::collections::BTreeSet;

use super::{
    anti_pattern_line, correction_line, few_shot_line, normalize_text, strategy_line, AntiPattern,
    Correction, FewShot, ItemKind, LearningUnit, Strategy,
};
use crate::play::prompt::estimate_tokens;

/// Token budget of a whole unit by default (all its prompt lines, estimated as
/// `ceil(chars / 4)`): an evolving unit adds items only while it fits.
pub const DEFAULT_UNIT_TOKEN_BUDGET: usize = 2_000;

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The id prefix of a kind: `st`, `ap`, `co`, `fs` (`ax` for an anti-pattern example).
pub fn kind_prefix(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Strategy => "st",
        ItemKind::AntiPattern => "ap",
        ItemKind::AntiPatternExample => "ax",
        ItemKind::Correction => "co",
        ItemKind::FewShot => "fs",
    }
}

/// The content id of an item of `kind` whose identifying content is `key`: `{prefix}-{12 hex}`.
pub fn derive_item_id(kind: ItemKind, key: &str) -> String {
    let mut bytes = kind_prefix(kind).as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(key.as_bytes());
    format!("{}-{:012x}", kind_prefix(kind), fnv1a(&bytes) >> 16)
}

/// What identifies a strategy: its pattern and normalized `when` + text.
pub fn strategy_key(s: &Strategy) -> String {
    format!(
        "{:?}\0{}",
        s.pattern,
        normalize_text(&format!("{} {}", s.when, s.text))
    )
}

/// What identifies an anti-pattern: its kind and normalized text.
pub fn anti_pattern_key(a: &AntiPattern) -> String {
    format!("{:?}\0{}", a.kind, normalize_text(&a.text))
}

/// What identifies a correction: its board, wrong move and true value.
pub fn correction_key(c: &Correction) -> String {
    format!("{}\0{}\0{}", c.board, c.wrong, c.true_value)
}

/// What identifies a few-shot: its board and move.
pub fn few_shot_key(f: &FewShot) -> String {
    format!("{}\0{}", f.board, f.mv)
}

/// One item of a unit, whatever its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRef {
    /// Its id.
    pub id: String,
    /// Its kind (never [`ItemKind::AntiPatternExample`]).
    pub kind: ItemKind,
    /// Its prompt line.
    pub line: String,
}

impl ItemRef {
    /// Estimated tokens of its prompt line.
    pub fn tokens(&self) -> usize {
        estimate_tokens(&self.line)
    }
}

fn unique(seen: &mut BTreeSet<String>, base: String) -> String {
    if seen.insert(base.clone()) {
        return base;
    }
    let mut k = 2;
    loop {
        let candidate = format!("{base}-{k}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        k += 1;
    }
}

impl LearningUnit {
    /// Gives every item without an id its content id (module docs); items that have one keep
    /// it, except a later item repeating an earlier one's id, which gets a suffix. So ids are
    /// unique in the unit afterwards. Deterministic: the same unit always gets the same ids.
    pub fn assign_item_ids(&mut self) {
        let explicit: BTreeSet<String> = self
            .items()
            .into_iter()
            .map(|i| i.id)
            .filter(|id| !id.is_empty())
            .collect();
        let mut seen = explicit.clone();
        let mut claimed: BTreeSet<String> = BTreeSet::new();
        let mut give = |id: &mut String, kind: ItemKind, key: &dyn Fn() -> String| {
            if id.is_empty() {
                *id = unique(&mut seen, derive_item_id(kind, &key()));
            } else if !claimed.insert(id.clone()) {
                *id = unique(&mut seen, id.clone());
                claimed.insert(id.clone());
            }
        };
        for s in &mut self.strategies {
            let key = strategy_key(s);
            give(&mut s.id, ItemKind::Strategy, &|| key.clone());
        }
        for a in &mut self.anti_patterns {
            let key = anti_pattern_key(a);
            give(&mut a.id, ItemKind::AntiPattern, &|| key.clone());
        }
        for c in &mut self.corrections {
            let key = correction_key(c);
            give(&mut c.id, ItemKind::Correction, &|| key.clone());
        }
        for f in &mut self.few_shots {
            let key = few_shot_key(f);
            give(&mut f.id, ItemKind::FewShot, &|| key.clone());
        }
    }

    /// Every item, in the unit's order: strategies, anti-patterns, corrections, few-shots.
    pub fn items(&self) -> Vec<ItemRef> {
        let mut out = Vec::with_capacity(self.item_count());
        out.extend(self.strategies.iter().map(|s| ItemRef {
            id: s.id.clone(),
            kind: ItemKind::Strategy,
            line: strategy_line(s),
        }));
        out.extend(self.anti_patterns.iter().map(|a| ItemRef {
            id: a.id.clone(),
            kind: ItemKind::AntiPattern,
            line: anti_pattern_line(a),
        }));
        out.extend(self.corrections.iter().map(|c| ItemRef {
            id: c.id.clone(),
            kind: ItemKind::Correction,
            line: correction_line(c),
        }));
        out.extend(self.few_shots.iter().map(|f| ItemRef {
            id: f.id.clone(),
            kind: ItemKind::FewShot,
            line: few_shot_line(f),
        }));
        out
    }

    /// The item with id `id`, if the unit has it.
    pub fn item(&self, id: &str) -> Option<ItemRef> {
        self.items().into_iter().find(|i| i.id == id)
    }

    /// Estimated tokens of all its prompt lines (what its token budget is measured in).
    pub fn estimated_tokens(&self) -> usize {
        self.items().iter().map(ItemRef::tokens).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::{Origin, Pattern};

    fn strategy(text: &str) -> Strategy {
        Strategy {
            id: String::new(),
            text: text.into(),
            when: "early".into(),
            pattern: Pattern::Other,
            level: 1,
            empty_ratio: 0.5,
            support: 2,
            source_ids: vec![],
            origin: Origin::Derived,
        }
    }

    #[test]
    fn content_ids_are_deterministic_prefixed_and_unique_within_a_unit() {
        let mut u = LearningUnit::empty("u", "u", "p", 0.0);
        u.strategies.push(strategy("Check the row."));
        u.strategies.push(strategy("check the ROW"));
        u.strategies.push(strategy("Look at the box."));
        let mut again = u.clone();
        u.assign_item_ids();
        again.assign_item_ids();
        assert_eq!(u, again, "the same content gets the same ids");
        let ids: Vec<&str> = u.strategies.iter().map(|s| s.id.as_str()).collect();
        assert!(ids[0].starts_with("st-") && ids[0].len() == 15, "{ids:?}");
        assert_eq!(ids[1], format!("{}-2", ids[0]), "same normalized text");
        assert_ne!(ids[2], ids[0]);
    }

    #[test]
    fn a_repeated_id_is_made_unique_and_the_first_keeps_it() {
        let mut u = LearningUnit::empty("u", "u", "p", 0.0);
        u.strategies.push(Strategy {
            id: "st-x".into(),
            ..strategy("One.")
        });
        u.strategies.push(Strategy {
            id: "st-x".into(),
            ..strategy("Two.")
        });
        u.strategies.push(Strategy {
            id: "st-x-2".into(),
            ..strategy("Three.")
        });
        u.assign_item_ids();
        let ids: Vec<&str> = u.strategies.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["st-x", "st-x-3", "st-x-2"]);
    }

    #[test]
    fn assigned_ids_are_kept_when_content_changes() {
        let mut u = LearningUnit::empty("u", "u", "p", 0.0);
        u.strategies.push(strategy("Check the row."));
        u.assign_item_ids();
        let id = u.strategies[0].id.clone();
        u.strategies[0].text = "A rewritten text.".into();
        u.assign_item_ids();
        assert_eq!(u.strategies[0].id, id);
    }
}
