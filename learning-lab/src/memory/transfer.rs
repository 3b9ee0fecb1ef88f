//! Export and import of memory as JSON lines.
//!
//! The file is a header line `{"format":"machine-dream-memory","version":1,"exported_at":…}`
//! followed by one record per line, tagged by kind: `{"kind":"experience","record":{…}}`.
//! Writers build it line by line ([`header_line`], [`record_line`], [`raw_record_line`]), so an
//! export can be streamed store by store. [`parse_import`] parses and validates EVERY line
//! before returning anything, so the caller can write all of it in one transaction or nothing.
//! Profiles never carry their edge token in either direction.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{ExperienceRecord, SessionRecord};
use crate::profile::Profile;
use solver_core::format::parse_line;

/// The `format` field of the header.
pub const FORMAT: &str = "machine-dream-memory";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// At most this many line errors are reported (the count of all is kept).
pub const MAX_REPORTED_ERRORS: usize = 20;

/// The first line of an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// When the export was made (ms since the epoch).
    pub exported_at: f64,
}

/// What a record line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An [`ExperienceRecord`].
    Experience,
    /// A [`SessionRecord`].
    Session,
    /// A puzzle: an object with `id`, `givens` and `solution` in one-line form.
    Puzzle,
    /// A learning unit: an object with `id`, `profile_id` and `created_at`.
    LearningUnit,
    /// An experiment: an object with `id` and `created_at`.
    Experiment,
    /// A [`Profile`], without its token.
    Profile,
}

impl Kind {
    /// Every kind, in the order an export writes them.
    pub const ALL: [Kind; 6] = [
        Kind::Profile,
        Kind::Puzzle,
        Kind::Experiment,
        Kind::LearningUnit,
        Kind::Session,
        Kind::Experience,
    ];

    /// The `kind` tag in the file.
    pub fn tag(self) -> &'static str {
        match self {
            Kind::Experience => "experience",
            Kind::Session => "session",
            Kind::Puzzle => "puzzle",
            Kind::LearningUnit => "learning_unit",
            Kind::Experiment => "experiment",
            Kind::Profile => "profile",
        }
    }

    /// The kind of a tag, if it is one.
    pub fn from_tag(tag: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

/// Size limits an import enforces before it parses a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted line in bytes.
    pub max_line_bytes: usize,
    /// Most records accepted in one file.
    pub max_records: usize,
}

impl Default for Limits {
    /// 1 MiB per line (an attempt with long hidden reasoning fits), 1,000,000 records.
    fn default() -> Limits {
        Limits {
            max_line_bytes: 1 << 20,
            max_records: 1_000_000,
        }
    }
}

/// The header line (with its newline).
pub fn header_line(exported_at: f64) -> String {
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        exported_at,
    };
    serde_json::to_string(&header).expect("header serializes") + "\n"
}

/// One record line (with its newline). For profiles use [`profile_line`], which drops the
/// token.
pub fn record_line<T: Serialize>(kind: Kind, record: &T) -> String {
    let json = serde_json::to_string(record).expect("records serialize");
    raw_record_line(kind, &json)
}

/// One profile line, without the token.
pub fn profile_line(profile: &Profile) -> String {
    record_line(Kind::Profile, &profile.without_secrets())
}

/// One record line from a record already serialized as one line of JSON (the browser
/// serializes stored values itself, so they need not pass through Rust structs). The caller
/// guarantees `record_json` is a JSON object without newlines; [`parse_import`] checks it on
/// the way back in.
pub fn raw_record_line(kind: Kind, record_json: &str) -> String {
    format!("{{\"kind\":\"{}\",\"record\":{record_json}}}\n", kind.tag())
}

/// Everything a valid file holds, by kind, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryImport {
    /// The header.
    pub header: Option<Header>,
    /// Attempts.
    pub experiences: Vec<ExperienceRecord>,
    /// Plays.
    pub sessions: Vec<SessionRecord>,
    /// Puzzles (stored as the browser stores them).
    pub puzzles: Vec<Value>,
    /// Learning units (stored generically until their type exists).
    pub learning_units: Vec<Value>,
    /// Experiments (stored generically until their type exists).
    pub experiments: Vec<Value>,
    /// Profiles, tokens removed.
    pub profiles: Vec<Profile>,
}

impl MemoryImport {
    /// Number of records of every kind.
    pub fn len(&self) -> usize {
        self.experiences.len()
            + self.sessions.len()
            + self.puzzles.len()
            + self.learning_units.len()
            + self.experiments.len()
            + self.profiles.len()
    }

    /// Whether the file held no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One bad line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Why a file was refused: the first [`MAX_REPORTED_ERRORS`] bad lines and how many there were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The first bad lines.
    pub errors: Vec<LineError>,
    /// How many lines were bad in all.
    pub total: usize,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nothing was imported: ")?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "line {}: {}", e.line, e.message)?;
        }
        if self.total > self.errors.len() {
            write!(
                f,
                " (and {} more bad lines)",
                self.total - self.errors.len()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordLine {
    kind: String,
    record: Value,
}

/// Parses and validates a whole export. Checks, per line: size limit, JSON, a known kind, the
/// record's own validation, and that no id repeats within a kind; the header must come first
/// with a known format and version. Blank lines are ignored.
///
/// # Errors
/// Every bad line (the first [`MAX_REPORTED_ERRORS`] in detail): nothing of a bad file is
/// returned.
pub fn parse_import(text: &str, limits: &Limits) -> Result<MemoryImport, ImportError> {
    let mut out = MemoryImport::default();
    let mut errors = Vec::new();
    let mut total_errors = 0usize;
    let mut seen: [BTreeSet<String>; 6] = Default::default();
    let mut records = 0usize;
    let mut report = |line: usize, message: String| {
        total_errors += 1;
        if errors.len() < MAX_REPORTED_ERRORS {
            errors.push(LineError { line, message });
        }
    };
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > limits.max_line_bytes {
            report(
                number,
                format!(
                    "line is {} bytes, more than the limit of {}",
                    line.len(),
                    limits.max_line_bytes
                ),
            );
            continue;
        }
        if !header_seen {
            header_seen = true;
            match serde_json::from_str::<Header>(line) {
                Ok(h) if h.format == FORMAT && h.version == VERSION => out.header = Some(h),
                Ok(h) if h.format == FORMAT => report(
                    number,
                    format!(
                        "format version {} is not supported (this app reads {VERSION})",
                        h.version
                    ),
                ),
                _ => report(
                    number,
                    format!("the first line must be the header {{\"format\":\"{FORMAT}\",…}}"),
                ),
            }
            continue;
        }
        records += 1;
        if records > limits.max_records {
            report(
                number,
                format!("more than {} records in one file", limits.max_records),
            );
            break;
        }
        let parsed: RecordLine = match serde_json::from_str(line) {
            Ok(p) => p,
            Err(e) => {
                report(number, format!("not a record line: {e}"));
                continue;
            }
        };
        let Some(kind) = Kind::from_tag(&parsed.kind) else {
            report(number, format!("unknown kind {:?}", parsed.kind));
            continue;
        };
        let id = match accept(kind, parsed.record, &mut out) {
            Ok(id) => id,
            Err(message) => {
                report(number, message);
                continue;
            }
        };
        let slot = Kind::ALL.iter().position(|k| *k == kind).expect("listed");
        if !seen[slot].insert(id.clone()) {
            report(number, format!("duplicate {} id {id:?}", kind.tag()));
            // Undo the push `accept` made so the result never holds the duplicate.
            pop(kind, &mut out);
        }
    }
    if !header_seen {
        report(1, "the file is empty (no header line)".into());
    }
    if total_errors > 0 {
        return Err(ImportError {
            errors,
            total: total_errors,
        });
    }
    Ok(out)
}

/// Validates `record` as `kind`, stores it in `out` and returns its id.
fn accept(kind: Kind, record: Value, out: &mut MemoryImport) -> Result<String, String> {
    match kind {
        Kind::Experience => {
            let r: ExperienceRecord =
                serde_json::from_value(record).map_err(|e| format!("not an experience: {e}"))?;
            r.validate().map_err(|e| e.0)?;
            let id = r.id.clone();
            out.experiences.push(r);
            Ok(id)
        }
        Kind::Session => {
            let r: SessionRecord =
                serde_json::from_value(record).map_err(|e| format!("not a session: {e}"))?;
            r.validate().map_err(|e| e.0)?;
            let id = r.id.clone();
            out.sessions.push(r);
            Ok(id)
        }
        Kind::Profile => {
            let p: Profile =
                serde_json::from_value(record).map_err(|e| format!("not a profile: {e}"))?;
            p.validate()
                .map_err(|e| format!("profile {}: {}", p.id, e.0))?;
            let id = p.id.clone();
            out.profiles.push(p.without_secrets());
            Ok(id)
        }
        Kind::Puzzle => {
            let id = object_id(kind, &record)?;
            let givens = string_field(kind, &record, "givens")?;
            let solution = string_field(kind, &record, "solution")?;
            let g = parse_line(givens).map_err(|e| format!("puzzle {id}: givens: {e}"))?;
            let s = parse_line(solution).map_err(|e| format!("puzzle {id}: solution: {e}"))?;
            if g.size() != s.size() {
                return Err(format!(
                    "puzzle {id}: givens are {0}x{0} but the solution is {1}x{1}",
                    g.size(),
                    s.size()
                ));
            }
            out.puzzles.push(record);
            Ok(id)
        }
        Kind::LearningUnit => {
            let id = object_id(kind, &record)?;
            string_field(kind, &record, "profile_id")?;
            time_field(kind, &record, "created_at")?;
            out.learning_units.push(record);
            Ok(id)
        }
        Kind::Experiment => {
            let id = object_id(kind, &record)?;
            time_field(kind, &record, "created_at")?;
            out.experiments.push(record);
            Ok(id)
        }
    }
}

fn pop(kind: Kind, out: &mut MemoryImport) {
    match kind {
        Kind::Experience => drop(out.experiences.pop()),
        Kind::Session => drop(out.sessions.pop()),
        Kind::Puzzle => drop(out.puzzles.pop()),
        Kind::LearningUnit => drop(out.learning_units.pop()),
        Kind::Experiment => drop(out.experiments.pop()),
        Kind::Profile => drop(out.profiles.pop()),
    }
}

fn object_id(kind: Kind, record: &Value) -> Result<String, String> {
    if !record.is_object() {
        return Err(format!("a {} must be a JSON object", kind.tag()));
    }
    let id = string_field(kind, record, "id")?;
    if id.is_empty() {
        return Err(format!("a {} has an empty id", kind.tag()));
    }
    Ok(id.to_string())
}

fn string_field<'a>(kind: Kind, record: &'a Value, field: &str) -> Result<&'a str, String> {
    record[field]
        .as_str()
        .ok_or_else(|| format!("a {} needs a string field {field:?}", kind.tag()))
}

fn time_field(kind: Kind, record: &Value, field: &str) -> Result<f64, String> {
    match record[field].as_f64() {
        Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
        _ => Err(format!(
            "a {} needs {field:?} as a time (ms since the epoch)",
            kind.tag()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::{Experience, ExperienceContext, Limits as PlayLimits, PlaySession};
    use crate::profile::ProviderTemplate;
    use solver_core::generate::{generate, GenerateOptions};

    fn experience(session: &str) -> ExperienceRecord {
        let puzzle = generate(&GenerateOptions::new(4, 3)).unwrap();
        let mut play = PlaySession::new(
            puzzle.givens.clone(),
            puzzle.solution.clone(),
            PlayLimits::default(),
        )
        .unwrap();
        play.handle_answer("no idea", None).unwrap();
        let context = ExperienceContext {
            session_id: session.into(),
            puzzle_id: "p1".into(),
            ..ExperienceContext::default()
        };
        ExperienceRecord::new(Experience::from_attempt(&play, 0, context), 5.0)
    }

    fn file(lines: &[String]) -> String {
        let mut text = header_line(9.0);
        for line in lines {
            text.push_str(line);
        }
        text
    }

    #[test]
    fn an_export_reads_back_record_for_record() {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1.0);
        profile.edge_token = Some("secret-token".into());
        let exp = experience("s1");
        let unit = serde_json::json!({"id": "u1", "profile_id": "local", "created_at": 3.0});
        let puzzle = serde_json::json!({"id": "p1", "size": 4, "givens": "1...........4...",
            "solution": "1234341221434321", "created_at": 1.0});
        let text = file(&[
            profile_line(&profile),
            record_line(Kind::Puzzle, &puzzle),
            record_line(Kind::LearningUnit, &unit),
            raw_record_line(Kind::Experiment, r#"{"id":"e1","created_at":4}"#),
            record_line(Kind::Experience, &exp),
        ]);
        assert!(!text.contains("secret-token"), "tokens never leave");
        let import = parse_import(&text, &Limits::default()).unwrap();
        assert_eq!(import.header.as_ref().unwrap().exported_at, 9.0);
        assert_eq!(import.experiences, vec![exp]);
        assert_eq!(import.profiles[0].edge_token, None);
        assert_eq!(import.profiles[0].id, "local");
        assert_eq!(import.puzzles, vec![puzzle]);
        assert_eq!(import.learning_units, vec![unit]);
        assert_eq!(import.experiments[0]["id"], "e1");
        assert_eq!(import.len(), 5);
    }

    #[test]
    fn every_bad_line_is_reported_by_number_and_nothing_is_returned() {
        let exp = experience("s1");
        let mut bad_exp = serde_json::to_value(&exp).unwrap();
        bad_exp["importance"] = serde_json::json!(7.0);
        let text = file(&[
            record_line(Kind::Experience, &exp),
            "{not json\n".into(),
            record_line(Kind::Experience, &exp),
            r#"{"kind":"dream","record":{}}"#.to_string() + "\n",
            record_line(Kind::Experience, &bad_exp),
            raw_record_line(Kind::Experiment, r#"{"id":"e1"}"#),
        ]);
        let err = parse_import(&text, &Limits::default()).unwrap_err();
        let lines: Vec<usize> = err.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7]);
        assert!(err.errors[0].message.contains("not a record line"));
        assert!(err.errors[1].message.contains("duplicate experience id"));
        assert!(err.errors[2].message.contains("unknown kind \"dream\""));
        assert!(err.errors[3].message.contains("importance"));
        assert!(err.errors[4].message.contains("created_at"));
        assert_eq!(err.total, 5);
        assert!(err.to_string().starts_with("nothing was imported: line 3:"));
    }

    #[test]
    fn header_version_and_size_limits_are_enforced() {
        let err = parse_import("", &Limits::default()).unwrap_err();
        assert!(err.errors[0].message.contains("empty"));
        let err = parse_import(
            &record_line(Kind::Experience, &experience("s")),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.errors[0].message.contains("header"));
        let future = r#"{"format":"machine-dream-memory","version":2,"exported_at":0}"#;
        let err = parse_import(future, &Limits::default()).unwrap_err();
        assert!(err.errors[0].message.contains("version 2"));

        let lines: Vec<String> = (1..=3)
            .map(|i| record_line(Kind::Experience, &experience(&format!("s{i}"))))
            .collect();
        let small = Limits {
            max_line_bytes: 1 << 20,
            max_records: 2,
        };
        let err = parse_import(&file(&lines), &small).unwrap_err();
        assert_eq!(err.errors[0].line, 4);
        assert!(err.errors[0].message.contains("more than 2 records"));
        let tiny = Limits {
            max_line_bytes: 100,
            max_records: 10,
        };
        let err = parse_import(&file(&lines[..1]), &tiny).unwrap_err();
        assert!(err.errors[0].message.contains("limit of 100"));
    }

    #[test]
    fn error_reports_are_capped_but_counted() {
        let lines: Vec<String> = (0..30).map(|_| "[]\n".to_string()).collect();
        let err = parse_import(&file(&lines), &Limits::default()).unwrap_err();
        assert_eq!(err.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(err.total, 30);
        assert!(err.to_string().ends_with("(and 10 more bad lines)"));
    }
}
