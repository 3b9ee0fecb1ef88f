//! Unit operations that are pure: merge with dedupe, export/import with validation, and which
//! unit a profile's next play uses. (Storage itself is the web app's IndexedDB.)

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{board_size, LearningUnit, VerificationReport};
use crate::play::Move;

/// The `format` field of an export envelope.
pub const EXPORT_FORMAT: &str = "machine-dream-learning-units";
/// The envelope version this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

/// Text for dedupe: lowercase, letters and digits only, single spaces.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Appends the ids of `extra` missing from `ids`, keeping order.
fn union_ids(ids: &mut Vec<String>, extra: &[String]) {
    let mut seen: BTreeSet<String> = ids.iter().cloned().collect();
    for id in extra {
        if seen.insert(id.clone()) {
            ids.push(id.clone());
        }
    }
}

/// Merges `units` (in order) into a new unit. Items with the same normalized text (few-shots:
/// the same board and move; corrections: the same board, move and text) are kept once, with
/// supports/frequencies added and source ids united; everything else is kept as it is, so
/// nothing is lost. `merged_from` records the inputs' ids.
pub fn merge(units: &[&LearningUnit], id: &str, name: &str, now_ms: f64) -> LearningUnit {
    let profile = units.first().map_or("", |u| u.profile_id.as_str());
    let mut out = LearningUnit::empty(id, name, profile, now_ms);
    if let Some(first) = units.first() {
        out.algorithm = first.algorithm.clone();
    }
    let mut strategies: BTreeMap<String, usize> = BTreeMap::new();
    let mut anti: BTreeMap<(super::MistakeKind, String), usize> = BTreeMap::new();
    let mut corrections: BTreeMap<(String, Move, String), usize> = BTreeMap::new();
    let mut shots: BTreeMap<(String, Move), usize> = BTreeMap::new();
    let mut levels: BTreeMap<u8, usize> = BTreeMap::new();
    let mut sizes = BTreeSet::new();
    let mut report = VerificationReport::default();
    for unit in units {
        union_ids(&mut out.merged_from, std::slice::from_ref(&unit.id));
        union_ids(&mut out.source_experience_ids, &unit.source_experience_ids);
        sizes.extend(unit.sizes.iter().copied());
        report.checked += unit.verification.checked;
        report.passed += unit.verification.passed;
        report
            .dropped
            .extend(unit.verification.dropped.iter().cloned());
        for s in &unit.strategies {
            let key = normalize_text(&format!("{} {}", s.when, s.text));
            match strategies.get(&key) {
                Some(&i) => {
                    let kept = &mut out.strategies[i];
                    let total = kept.support + s.support;
                    if total > 0 {
                        kept.empty_ratio = (kept.empty_ratio * kept.support as f64
                            + s.empty_ratio * s.support as f64)
                            / total as f64;
                    }
                    kept.support = total;
                    union_ids(&mut kept.source_ids, &s.source_ids);
                }
                None => {
                    strategies.insert(key, out.strategies.len());
                    out.strategies.push(s.clone());
                }
            }
        }
        for a in &unit.anti_patterns {
            let key = (a.kind, normalize_text(&a.text));
            match anti.get(&key) {
                Some(&i) => {
                    let kept = &mut out.anti_patterns[i];
                    kept.frequency += a.frequency;
                    union_ids(&mut kept.source_ids, &a.source_ids);
                    for e in &a.examples {
                        if !kept.examples.contains(e) {
                            kept.examples.push(e.clone());
                        }
                    }
                }
                None => {
                    anti.insert(key, out.anti_patterns.len());
                    out.anti_patterns.push(a.clone());
                }
            }
        }
        for c in &unit.corrections {
            let key = (c.board.clone(), c.wrong, normalize_text(&c.text));
            match corrections.get(&key) {
                Some(&i) => union_ids(&mut out.corrections[i].source_ids, &c.source_ids),
                None => {
                    corrections.insert(key, out.corrections.len());
                    out.corrections.push(c.clone());
                }
            }
        }
        for f in &unit.few_shots {
            let key = (f.board.clone(), f.mv);
            match shots.get(&key) {
                Some(&i) => union_ids(&mut out.few_shots[i].source_ids, &f.source_ids),
                None => {
                    shots.insert(key, out.few_shots.len());
                    out.few_shots.push(f.clone());
                }
            }
        }
        for level in &unit.abstraction_levels {
            match levels.get(&level.level) {
                Some(&i) => {
                    let kept = &mut out.abstraction_levels[i];
                    let mut seen: BTreeSet<String> =
                        kept.items.iter().map(|t| normalize_text(t)).collect();
                    for item in &level.items {
                        if seen.insert(normalize_text(item)) {
                            kept.items.push(item.clone());
                        }
                    }
                }
                None => {
                    levels.insert(level.level, out.abstraction_levels.len());
                    out.abstraction_levels.push(level.clone());
                }
            }
        }
    }
    out.abstraction_levels.sort_by_key(|l| l.level);
    out.sizes = sizes.into_iter().collect();
    out.verification = report;
    // Items of different units may share an id (one lineage) yet differ: ids stay unique.
    out.assign_item_ids();
    out
}

/// Why a unit is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitError {
    /// JSON-pointer-like path of the bad field inside the unit, e.g. `corrections[2].true_value`.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for UnitError {}

fn bad(field: String, problem: impl Into<String>) -> UnitError {
    UnitError {
        field,
        problem: problem.into(),
    }
}

/// Checks a board line and a move on it: the board parses and the move fits its size.
fn check_move(field: &str, board: &str, mv: &Move) -> Result<usize, UnitError> {
    let size = board_size(board).ok_or_else(|| {
        bad(
            format!("{field}.board"),
            "not a one-line board of a supported size",
        )
    })?;
    if mv.row >= size || mv.col >= size || mv.value == 0 || usize::from(mv.value) > size {
        return Err(bad(
            format!("{field}.mv"),
            format!("{mv} does not fit a {size}x{size} board"),
        ));
    }
    Ok(size)
}

impl LearningUnit {
    /// Checks what serde cannot: non-empty id, finite times, levels 0..=3, boards that parse,
    /// moves and true values inside their board's size.
    pub fn validate(&self) -> Result<(), UnitError> {
        if self.id.trim().is_empty() {
            return Err(bad("id".into(), "is empty"));
        }
        if !self.created_at.is_finite() || !self.updated_at.is_finite() {
            return Err(bad("created_at".into(), "times must be finite numbers"));
        }
        for (i, s) in self.strategies.iter().enumerate() {
            if s.text.trim().is_empty() {
                return Err(bad(format!("strategies[{i}].text"), "is empty"));
            }
            if s.level > 3 {
                return Err(bad(format!("strategies[{i}].level"), "must be 0..=3"));
            }
            if !(0.0..=1.0).contains(&s.empty_ratio) {
                return Err(bad(format!("strategies[{i}].empty_ratio"), "must be 0..=1"));
            }
        }
        for (i, a) in self.anti_patterns.iter().enumerate() {
            if a.text.trim().is_empty() {
                return Err(bad(format!("anti_patterns[{i}].text"), "is empty"));
            }
            for (j, e) in a.examples.iter().enumerate() {
                check_move(
                    &format!("anti_patterns[{i}].examples[{j}]"),
                    &e.board,
                    &e.mv,
                )?;
            }
        }
        for (i, c) in self.corrections.iter().enumerate() {
            let field = format!("corrections[{i}]");
            let size = check_move(&field, &c.board, &c.wrong)?;
            if c.true_value == 0 || usize::from(c.true_value) > size {
                return Err(bad(
                    format!("{field}.true_value"),
                    format!("{} is not a value of a {size}x{size} grid", c.true_value),
                ));
            }
            if c.true_value == c.wrong.value {
                return Err(bad(
                    format!("{field}.true_value"),
                    "equals the wrong move's value",
                ));
            }
        }
        for (i, f) in self.few_shots.iter().enumerate() {
            check_move(&format!("few_shots[{i}]"), &f.board, &f.mv)?;
        }
        let mut ids = BTreeSet::new();
        for item in self.items() {
            if !item.id.is_empty() && !ids.insert(item.id.clone()) {
                return Err(bad(
                    "items".into(),
                    format!("two items have the id {:?}", item.id),
                ));
            }
        }
        for (i, l) in self.abstraction_levels.iter().enumerate() {
            if l.level > 3 {
                return Err(bad(
                    format!("abstraction_levels[{i}].level"),
                    "must be 0..=3",
                ));
            }
        }
        Ok(())
    }
}

/// Why an import failed. Every variant says where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON, or not the shape of a unit; `line`/`column` are 1-based in the input.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde's message.
        message: String,
    },
    /// The envelope is of another format or a newer version.
    Envelope(String),
    /// Unit `index` (0-based in the file) failed validation.
    Invalid {
        /// Index of the unit in the file.
        index: usize,
        /// Its id, if it had one.
        id: String,
        /// The problem.
        error: UnitError,
    },
    /// Two units in the file share an id.
    DuplicateId(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Json {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            ImportError::Envelope(msg) => f.write_str(msg),
            ImportError::Invalid { index, id, error } => {
                write!(f, "unit {} (id {id:?}): {error}", index + 1)
            }
            ImportError::DuplicateId(id) => write!(f, "two units have the id {id:?}"),
        }
    }
}

impl std::error::Error for ImportError {}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'a str,
    version: u32,
    exported_at: f64,
    units: &'a [LearningUnit],
}

#[derive(Deserialize)]
struct EnvelopeIn {
    format: String,
    version: u32,
    #[allow(dead_code)]
    exported_at: f64,
    units: Vec<LearningUnit>,
}

/// Exports units as one JSON envelope `{format, version, exported_at, units}`.
pub fn export_json(units: &[LearningUnit], now_ms: f64) -> String {
    serde_json::to_string_pretty(&EnvelopeOut {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exported_at: now_ms,
        units,
    })
    .expect("units serialise")
}

/// Exports units as JSON lines, one unit per line.
pub fn export_jsonl(units: &[LearningUnit]) -> String {
    let mut out = String::new();
    for u in units {
        out.push_str(&serde_json::to_string(u).expect("unit serialises"));
        out.push('\n');
    }
    out
}

fn json_error(e: &serde_json::Error, line_offset: usize) -> ImportError {
    ImportError::Json {
        line: e.line() + line_offset,
        column: e.column(),
        message: e.to_string(),
    }
}

fn check_all(units: Vec<LearningUnit>) -> Result<Vec<LearningUnit>, ImportError> {
    let mut ids = BTreeSet::new();
    for (index, u) in units.iter().enumerate() {
        u.validate().map_err(|error| ImportError::Invalid {
            index,
            id: u.id.clone(),
            error,
        })?;
        if !ids.insert(u.id.clone()) {
            return Err(ImportError::DuplicateId(u.id.clone()));
        }
    }
    Ok(units)
}

/// Imports an envelope written by [`export_json`] (or a bare array of units), validating every
/// unit. Nothing is reset: an import gives back exactly what was exported.
pub fn import_json(text: &str) -> Result<Vec<LearningUnit>, ImportError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(&e, 0))?;
    let units = if value.is_array() {
        serde_json::from_value::<Vec<LearningUnit>>(value).map_err(|e| ImportError::Json {
            line: 1,
            column: 1,
            message: e.to_string(),
        })?
    } else {
        // Re-parse from text so serde's line/column point into the input.
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != EXPORT_FORMAT {
            return Err(ImportError::Envelope(format!(
                "format is {format:?}, expected {EXPORT_FORMAT:?}"
            )));
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version == 0 || version > u64::from(EXPORT_VERSION) {
            return Err(ImportError::Envelope(format!(
                "version {version} is not supported (this build reads 1..={EXPORT_VERSION})"
            )));
        }
        let env: EnvelopeIn = serde_json::from_str(text).map_err(|e| json_error(&e, 0))?;
        debug_assert_eq!(env.format, EXPORT_FORMAT);
        debug_assert!(env.version <= EXPORT_VERSION);
        env.units
    };
    check_all(units)
}

/// Imports JSON lines (one unit per non-blank line); errors name the line.
pub fn import_jsonl(text: &str) -> Result<Vec<LearningUnit>, ImportError> {
    let mut units = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let unit: LearningUnit = serde_json::from_str(line).map_err(|e| json_error(&e, i))?;
        units.push(unit);
    }
    check_all(units)
}

/// Imports a file in either form: the JSON envelope (or bare array) [`export_json`] writes,
/// or JSON lines ([`export_jsonl`]). An envelope starts with `[`, or with `{` alone on its
/// first line (pretty-printed); anything else is read as one unit per line.
///
/// # Errors
/// See [`import_json`] and [`import_jsonl`].
pub fn import_any(text: &str) -> Result<Vec<LearningUnit>, ImportError> {
    let trimmed = text.trim_start();
    let envelope = trimmed.starts_with('[')
        || (trimmed.starts_with('{') && trimmed.lines().next().is_some_and(|l| l.trim() == "{"));
    if envelope {
        import_json(text)
    } else {
        import_jsonl(text)
    }
}

/// A unit id that the caller asked for but that does not exist for the profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownUnit(pub String);

impl fmt::Display for UnknownUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no learning unit with id {:?}", self.0)
    }
}

impl std::error::Error for UnknownUnit {}

/// The unit a profile's next play uses: the one `chosen` if given (an unknown id is an error,
/// never a silent fallback that would play with a unit nobody chose), else the profile's
/// newest unit by `created_at` (ties: the later in `units`), so the next play after a dream
/// learns from it without any other step. An experiment's variants
/// ([`Lineage::variant_of`](super::Lineage::variant_of)) are never chosen that way.
pub fn active_unit<'a>(
    units: &'a [LearningUnit],
    profile_id: &str,
    chosen: Option<&str>,
) -> Result<Option<&'a LearningUnit>, UnknownUnit> {
    if let Some(id) = chosen {
        return units
            .iter()
            .find(|u| u.id == id)
            .map(Some)
            .ok_or_else(|| UnknownUnit(id.to_string()));
    }
    Ok(units
        .iter()
        .filter(|u| u.profile_id == profile_id && u.lineage.variant_of.is_none())
        .fold(None, |best: Option<&LearningUnit>, u| match best {
            Some(b) if b.created_at > u.created_at => Some(b),
            _ => Some(u),
        }))
}

/// Rollback: the unit `unit_id` of `profile_id` to make active (pin) again — any version, older
/// ones included. The next play uses it and the next dream evolves it (its next version's
/// parent is this one). An id that is not a unit of the profile is an error.
///
/// # Errors
/// [`UnknownUnit`] when no unit of the profile has that id.
pub fn make_active<'a>(
    units: &'a [LearningUnit],
    profile_id: &str,
    unit_id: &str,
) -> Result<&'a LearningUnit, UnknownUnit> {
    units
        .iter()
        .find(|u| u.id == unit_id && u.profile_id == profile_id)
        .ok_or_else(|| UnknownUnit(unit_id.to_string()))
}

/// The versions `unit_id` descends from, oldest first and ending with it: its parent, the
/// parent's parent … as far as they are in `units` (a deleted ancestor ends the chain; a cycle
/// in damaged data is cut).
pub fn versions<'a>(units: &'a [LearningUnit], unit_id: &str) -> Vec<&'a LearningUnit> {
    let mut chain: Vec<&LearningUnit> = Vec::new();
    let mut next = Some(unit_id.to_string());
    while let Some(id) = next {
        let Some(u) = units.iter().find(|u| u.id == id) else {
            break;
        };
        if chain.iter().any(|c| c.id == u.id) {
            break;
        }
        chain.push(u);
        next = u.lineage.parent_id.clone();
    }
    chain.reverse();
    chain
}
