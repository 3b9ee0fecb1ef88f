//! Learning units: what a dream produced, as structured records.
//!
//! A [`LearningUnit`] holds strategies, anti-patterns, corrections, few-shot examples and
//! abstraction levels, each with its facts as fields (boards, moves, true values, source
//! experience ids) — never meaning packed into an id, which would be lost or misread the
//! moment an id changes. Units survive JSON export → import without loss, anti-patterns and
//! corrections included.
//!
//! - [`store`] — merge with dedupe, export/import (JSON envelope or JSON lines) with
//!   validation and precise errors, and which unit a profile's next play uses;
//! - [`items`] — stable item ids, the items as one list, the unit's size in tokens;
//! - [`ledger`](mod@ledger) — per item: the outcomes of the moves it was injected into and its
//!   estimated lift;
//! - [`retrieve`](mod@retrieve) — the items most relevant to the current board, for the prompt.
//!
//! A unit is one version of a lineage ([`Lineage`]): a dream that starts from the active unit
//! makes the next version by explicit [`UnitOp`]s, and any version can be made active again.

pub mod items;
pub mod ledger;
pub mod retrieve;
pub mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::play::{Move, PromptUnit};
use solver_core::format::parse_line;
use solver_core::grid::Unit;

pub use items::{derive_item_id, ItemRef, DEFAULT_UNIT_TOKEN_BUDGET};
pub use ledger::{ledger, ledger_csv, never_helped, ItemLedger, Lift, Tally};
pub use retrieve::{board_traits, retrieve, BoardTraits, RetrieveOptions};
pub use store::{
    active_unit, export_json, export_jsonl, import_any, import_json, import_jsonl, make_active,
    merge, normalize_text, versions, ImportError, UnitError, UnknownUnit, EXPORT_FORMAT,
    EXPORT_VERSION,
};

/// A clustering/derivation algorithm and its version, recorded in every unit it made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Algorithm {
    /// Lowercase name, e.g. `leader`.
    pub name: String,
    /// Version, starting at 1; bumped whenever the output for the same input changes.
    pub version: u32,
}

/// Who wrote an item's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Derived from the experiences by the lab alone (offline path).
    Derived,
    /// Written by the language model from the experiences (then verified).
    Llm,
}

/// A board pattern a strategy is about; retrieval matches these against the current board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// The cell had one candidate left.
    NakedSingle,
    /// The value had one place left in a row, column or box.
    HiddenSingle,
    /// A row, column or box of the cell had at most two empty cells.
    NearlyFullUnit,
    /// None of the above: the move needed longer reasoning.
    Other,
}

impl Pattern {
    /// Short human name.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::NakedSingle => "naked single",
            Pattern::HiddenSingle => "hidden single",
            Pattern::NearlyFullUnit => "nearly full unit",
            Pattern::Other => "longer deduction",
        }
    }
}

/// A way of finding correct moves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    /// Stable id, kept across versions of a unit (see [`items`]); units stored before ids
    /// existed get one derived from the content when they are read.
    #[serde(default)]
    pub id: String,
    /// What to do, one or two sentences.
    pub text: String,
    /// When it applies.
    pub when: String,
    /// The board pattern it is about.
    pub pattern: Pattern,
    /// Abstraction level 0 (instance) … 3 (principle).
    pub level: u8,
    /// Mean share of empty cells on the boards it came from (0..=1), for retrieval.
    pub empty_ratio: f64,
    /// How many experiences support it.
    pub support: usize,
    /// The experiences it came from.
    pub source_ids: Vec<String>,
    /// Who wrote the text.
    pub origin: Origin,
}

/// The kind of mistake an anti-pattern is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MistakeKind {
    /// The value was already in the cell's row.
    RowConflict,
    /// The value was already in the cell's column.
    ColumnConflict,
    /// The value was already in the cell's box.
    BoxConflict,
    /// The cell was not empty.
    FilledCell,
    /// No move could be read from the answer.
    Format,
}

impl MistakeKind {
    /// The kind for a conflict in `unit`.
    pub fn conflict(unit: Unit) -> MistakeKind {
        match unit {
            Unit::Row => MistakeKind::RowConflict,
            Unit::Column => MistakeKind::ColumnConflict,
            Unit::Box => MistakeKind::BoxConflict,
        }
    }
}

/// A move that was really played and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveExample {
    /// The board before the move, one-line form.
    pub board: String,
    /// The move.
    pub mv: Move,
}

/// A recurring mistake to avoid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AntiPattern {
    /// Stable id, kept across versions of a unit (see [`items`]); units stored before ids
    /// existed get one derived from the content when they are read.
    #[serde(default)]
    pub id: String,
    /// What goes wrong and how to avoid it.
    pub text: String,
    /// The kind of mistake.
    pub kind: MistakeKind,
    /// Real examples (verified to be invalid on their boards); empty for [`MistakeKind::Format`].
    pub examples: Vec<MoveExample>,
    /// How many experiences made this mistake.
    pub frequency: usize,
    /// The experiences it came from.
    pub source_ids: Vec<String>,
    /// Who wrote the text.
    pub origin: Origin,
}

/// A legal move that was not the solution's value, with the value that was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// Stable id, kept across versions of a unit (see [`items`]); units stored before ids
    /// existed get one derived from the content when they are read.
    #[serde(default)]
    pub id: String,
    /// The flawed step and the principle that avoids it.
    pub text: String,
    /// The board before the move, one-line form.
    pub board: String,
    /// The wrong (but legal) move.
    pub wrong: Move,
    /// The solution's value of that cell (never 0: a correction without it teaches nothing).
    pub true_value: u8,
    /// The experiences it came from.
    pub source_ids: Vec<String>,
    /// Who wrote the text.
    pub origin: Origin,
}

/// A worked example: a correct move on a real board, with its reasoning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FewShot {
    /// Stable id, kept across versions of a unit (see [`items`]); units stored before ids
    /// existed get one derived from the content when they are read.
    #[serde(default)]
    pub id: String,
    /// The board before the move, one-line form.
    pub board: String,
    /// The move (verified correct on the board).
    pub mv: Move,
    /// Why it is right.
    pub reasoning: String,
    /// The board pattern of the move.
    pub pattern: Pattern,
    /// The experiences it came from.
    pub source_ids: Vec<String>,
}

/// One level of the abstraction hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbstractionLevel {
    /// 0 instance, 1 technique, 2 category, 3 principle.
    pub level: u8,
    /// Level name.
    pub name: String,
    /// Items at this level.
    pub items: Vec<String>,
}

/// Which kind of item a verification note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A strategy.
    Strategy,
    /// An anti-pattern.
    AntiPattern,
    /// An anti-pattern's example move.
    AntiPatternExample,
    /// A correction.
    Correction,
    /// A few-shot example.
    FewShot,
}

/// An item removed because a claim in it failed a check, or an LLM answer that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// What was dropped.
    pub item: ItemKind,
    /// Its text (or a short description).
    pub text: String,
    /// Why.
    pub reason: String,
}

/// What verification checked and dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// Claims checked against the engine.
    pub checked: usize,
    /// Claims that passed.
    pub passed: usize,
    /// Items dropped, with reasons.
    pub dropped: Vec<Dropped>,
}

/// One operation a dream applied to the unit it started from (its parent) to make the next
/// version. A version is never a whole rewrite: every item of the parent is kept, merged or
/// retired, and every new item is added, each by one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum UnitOp {
    /// A new item (verified by the engine like every item of a dream).
    Add {
        /// The item's id.
        item: String,
        /// Its kind.
        kind: ItemKind,
        /// Its prompt line.
        text: String,
    },
    /// A near-duplicate `from` folded into `into` (supports, sources and examples united);
    /// `into` keeps its id and text.
    Merge {
        /// The id of the item folded in (gone from the new version).
        from: String,
        /// The id of the item kept.
        into: String,
        /// Their kind.
        kind: ItemKind,
        /// The prompt line of the item folded in.
        text: String,
    },
    /// An item of the parent left out of the new version, with the reason.
    Retire {
        /// The item's id.
        item: String,
        /// Its kind.
        kind: ItemKind,
        /// Its prompt line.
        text: String,
        /// Why (harmful at least as often as helpful, never used, failed verification).
        reason: String,
    },
    /// An item of the parent carried over unchanged (re-verified).
    Keep {
        /// The item's id.
        item: String,
        /// Its kind.
        kind: ItemKind,
        /// Its prompt line.
        text: String,
    },
}

impl UnitOp {
    /// The operation's name: `add`, `merge`, `retire`, `keep`.
    pub fn name(&self) -> &'static str {
        match self {
            UnitOp::Add { .. } => "add",
            UnitOp::Merge { .. } => "merge",
            UnitOp::Retire { .. } => "retire",
            UnitOp::Keep { .. } => "keep",
        }
    }

    /// `"2 added, 1 merged, 0 retired, 3 kept"`: how many operations of each kind.
    pub fn summary(ops: &[UnitOp]) -> String {
        let count = |name: &str| ops.iter().filter(|o| o.name() == name).count();
        format!(
            "{} added, {} merged, {} retired, {} kept",
            count("add"),
            count("merge"),
            count("retire"),
            count("keep")
        )
    }

    /// The id of the item it is about (for a merge, the item folded in).
    pub fn item(&self) -> &str {
        match self {
            UnitOp::Add { item, .. } | UnitOp::Retire { item, .. } | UnitOp::Keep { item, .. } => {
                item
            }
            UnitOp::Merge { from, .. } => from,
        }
    }
}

/// Where a version of a unit came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The unit this version was made from (`None`: a first version).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// 1 for a first version, the parent's + 1 after.
    #[serde(default = "first_version")]
    pub version: u32,
    /// The operations applied to the parent (empty for a first version).
    #[serde(default)]
    pub operations: Vec<UnitOp>,
    /// Item id → dreams in a row at which its ledger showed no use (for the never-used
    /// retirement rule); items with uses are not listed.
    #[serde(default)]
    pub idle_dreams: BTreeMap<String, u32>,
    /// Set on a variant made for an experiment (an ablation's unit without one item): the
    /// unit it varies. A variant is played only by the arm that names it and never becomes
    /// a profile's active unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_of: Option<String>,
}

fn first_version() -> u32 {
    1
}

impl Default for Lineage {
    /// A first version.
    fn default() -> Lineage {
        Lineage {
            parent_id: None,
            version: 1,
            operations: Vec::new(),
            idle_dreams: BTreeMap::new(),
            variant_of: None,
        }
    }
}

/// A learning unit.
///
/// Reading one (serde) gives every item without an id its content id
/// ([`LearningUnit::assign_item_ids`]), so units stored before ids existed load with ids; a
/// unit without a lineage is a first version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "UnitWire")]
pub struct LearningUnit {
    /// Opaque id (no meaning is parsed out of it).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The profile whose experiences it came from.
    pub profile_id: String,
    /// The algorithm that made it.
    pub algorithm: Algorithm,
    /// Creation time, ms since the epoch (supplied by the caller).
    pub created_at: f64,
    /// Last change, ms since the epoch (supplied by the caller).
    pub updated_at: f64,
    /// Grid sizes its experiences came from, ascending.
    pub sizes: Vec<usize>,
    /// The experiences it consolidated.
    pub source_experience_ids: Vec<String>,
    /// Strategies.
    pub strategies: Vec<Strategy>,
    /// Anti-patterns.
    pub anti_patterns: Vec<AntiPattern>,
    /// Corrections.
    pub corrections: Vec<Correction>,
    /// Few-shot examples.
    pub few_shots: Vec<FewShot>,
    /// Abstraction hierarchy, level 0 first.
    pub abstraction_levels: Vec<AbstractionLevel>,
    /// What verification checked and dropped.
    pub verification: VerificationReport,
    /// Units this one was merged from, if any.
    pub merged_from: Vec<String>,
    /// Which version of which unit it is, and how it was made from its parent.
    pub lineage: Lineage,
}

/// The stored form of [`LearningUnit`], read as it is and then given item ids.
#[derive(Deserialize)]
struct UnitWire {
    id: String,
    name: String,
    profile_id: String,
    algorithm: Algorithm,
    created_at: f64,
    updated_at: f64,
    sizes: Vec<usize>,
    source_experience_ids: Vec<String>,
    strategies: Vec<Strategy>,
    anti_patterns: Vec<AntiPattern>,
    corrections: Vec<Correction>,
    few_shots: Vec<FewShot>,
    abstraction_levels: Vec<AbstractionLevel>,
    verification: VerificationReport,
    merged_from: Vec<String>,
    #[serde(default)]
    lineage: Lineage,
}

impl From<UnitWire> for LearningUnit {
    fn from(w: UnitWire) -> LearningUnit {
        let mut unit = LearningUnit {
            id: w.id,
            name: w.name,
            profile_id: w.profile_id,
            algorithm: w.algorithm,
            created_at: w.created_at,
            updated_at: w.updated_at,
            sizes: w.sizes,
            source_experience_ids: w.source_experience_ids,
            strategies: w.strategies,
            anti_patterns: w.anti_patterns,
            corrections: w.corrections,
            few_shots: w.few_shots,
            abstraction_levels: w.abstraction_levels,
            verification: w.verification,
            merged_from: w.merged_from,
            lineage: w.lineage,
        };
        unit.assign_item_ids();
        unit
    }
}

impl LearningUnit {
    /// An empty unit (the `create` command).
    pub fn empty(id: &str, name: &str, profile_id: &str, now_ms: f64) -> LearningUnit {
        LearningUnit {
            id: id.into(),
            name: name.into(),
            profile_id: profile_id.into(),
            algorithm: Algorithm {
                name: "manual".into(),
                version: 1,
            },
            created_at: now_ms,
            updated_at: now_ms,
            sizes: Vec::new(),
            source_experience_ids: Vec::new(),
            strategies: Vec::new(),
            anti_patterns: Vec::new(),
            corrections: Vec::new(),
            few_shots: Vec::new(),
            abstraction_levels: Vec::new(),
            verification: VerificationReport::default(),
            merged_from: Vec::new(),
            lineage: Lineage::default(),
        }
    }

    /// Items in all: strategies + anti-patterns + corrections + few-shots.
    pub fn item_count(&self) -> usize {
        self.strategies.len()
            + self.anti_patterns.len()
            + self.corrections.len()
            + self.few_shots.len()
    }

    /// Whether the unit has nothing to inject.
    pub fn is_empty(&self) -> bool {
        self.strategies.is_empty()
            && self.anti_patterns.is_empty()
            && self.corrections.is_empty()
            && self.few_shots.is_empty()
    }

    /// Every item as prompt text, in stored order (use [`retrieve()`] to pick by relevance).
    pub fn to_prompt_unit(&self) -> PromptUnit {
        PromptUnit {
            strategies: self
                .strategies
                .iter()
                .map(strategy_line)
                .chain(self.few_shots.iter().map(few_shot_line))
                .collect(),
            anti_patterns: self.anti_patterns.iter().map(anti_pattern_line).collect(),
            corrections: self.corrections.iter().map(correction_line).collect(),
            ids: self
                .strategies
                .iter()
                .map(|s| s.id.clone())
                .chain(self.few_shots.iter().map(|f| f.id.clone()))
                .chain(self.anti_patterns.iter().map(|a| a.id.clone()))
                .chain(self.corrections.iter().map(|c| c.id.clone()))
                .collect(),
        }
    }
}

/// Prompt line of a strategy: `When …: text`.
pub fn strategy_line(s: &Strategy) -> String {
    if s.when.is_empty() {
        s.text.clone()
    } else {
        format!("When {}: {}", s.when.trim_end_matches('.'), s.text)
    }
}

/// Prompt line of an anti-pattern, with one real example when it has one.
pub fn anti_pattern_line(a: &AntiPattern) -> String {
    match a.examples.first() {
        Some(e) => format!("{} (e.g. {} was rejected)", a.text, e.mv),
        None => a.text.clone(),
    }
}

/// Prompt line of a correction, naming the true value.
pub fn correction_line(c: &Correction) -> String {
    format!(
        "{} (once {} was proposed; the right value there was {})",
        c.text,
        c.wrong,
        solver_core::format::value_char(c.true_value)
    )
}

/// Prompt line of a few-shot example. It says the board was another one, so the model does
/// not copy the cell.
pub fn few_shot_line(f: &FewShot) -> String {
    format!(
        "Worked example from another board ({}): {} because {}",
        f.pattern.name(),
        f.mv,
        f.reasoning.trim_end_matches('.')
    )
}

/// The grid size of a one-line board, if it parses.
pub(crate) fn board_size(board: &str) -> Option<usize> {
    parse_line(board).ok().map(|g| g.size())
}
