//! Export and import of memory as JSON lines: the app's one backup format, which holds
//! everything (profiles without tokens, puzzles, games, settings, experiments, learning
//! units, sessions, experiences).
//!
//! The file is a header line `{"format":"machine-dream-memory","version":2,"exported_at":…}`
//! followed by one record per line, tagged by kind: `{"kind":"experience","record":{…}}`.
//! Writers build it line by line ([`header_line`], [`record_line`], [`raw_record_line`]), so an
//! export can be streamed store by store. [`parse_import`] parses and validates EVERY line
//! before returning anything, so the caller can write all of it in one transaction or nothing.
//! Profiles never carry their edge token in either direction.

use std::collections::BTreeSet;

mod lines;

pub use lines::{LineSplitter, Piece};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{ExperienceRecord, SessionRecord};
use crate::profile::Profile;
use solver_core::format::parse_line;

/// The `format` field of the header.
pub const FORMAT: &str = "machine-dream-memory";
/// The format version this build writes. It reads every version from 1 (memory without games
/// and settings) to this one, and refuses a newer file, which a newer app made.
pub const VERSION: u32 = 2;
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
    /// A person's game: an object with `puzzle_id`, `board` in one-line form and `updated_at`.
    Game,
    /// A setting: an object with a `key` and a string `value`.
    Setting,
}

impl Kind {
    /// Every kind, in the order an export writes them.
    pub const ALL: [Kind; 8] = [
        Kind::Profile,
        Kind::Setting,
        Kind::Puzzle,
        Kind::Game,
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
            Kind::Game => "game",
            Kind::Setting => "setting",
        }
    }

    /// The field that holds a record's id (its key in the browser's store).
    pub fn key_field(self) -> &'static str {
        match self {
            Kind::Game => "puzzle_id",
            Kind::Setting => "key",
            _ => "id",
        }
    }

    /// How a person calls records of this kind, plural ("learning units").
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Experience => "experiences",
            Kind::Session => "sessions",
            Kind::Puzzle => "puzzles",
            Kind::LearningUnit => "learning units",
            Kind::Experiment => "experiments",
            Kind::Profile => "profiles",
            Kind::Game => "games",
            Kind::Setting => "settings",
        }
    }

    /// The position of this kind in [`Kind::ALL`].
    pub fn index(self) -> usize {
        Kind::ALL
            .iter()
            .position(|k| *k == self)
            .expect("every kind is listed")
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
    /// A person's games (as the browser stores them).
    pub games: Vec<Value>,
    /// Settings (as the browser stores them).
    pub settings: Vec<Value>,
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
            + self.games.len()
            + self.settings.len()
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

/// One valid record of an import, as [`ImportReader::line`] hands it out.
#[derive(Clone, Debug, PartialEq)]
pub enum Accepted {
    /// An attempt.
    Experience(ExperienceRecord),
    /// A play.
    Session(SessionRecord),
    /// A puzzle, as the browser stores it.
    Puzzle(Value),
    /// A learning unit, stored generically.
    LearningUnit(Value),
    /// An experiment, stored generically.
    Experiment(Value),
    /// A profile, token removed.
    Profile(Profile),
    /// A person's game, as the browser stores it.
    Game(Value),
    /// A setting, as the browser stores it.
    Setting(Value),
}

impl Accepted {
    /// The kind of record.
    pub fn kind(&self) -> Kind {
        match self {
            Accepted::Experience(_) => Kind::Experience,
            Accepted::Session(_) => Kind::Session,
            Accepted::Puzzle(_) => Kind::Puzzle,
            Accepted::LearningUnit(_) => Kind::LearningUnit,
            Accepted::Experiment(_) => Kind::Experiment,
            Accepted::Profile(_) => Kind::Profile,
            Accepted::Game(_) => Kind::Game,
            Accepted::Setting(_) => Kind::Setting,
        }
    }

    /// The record's id (its key in the browser's store).
    pub fn key(&self) -> &str {
        match self {
            Accepted::Experience(r) => &r.id,
            Accepted::Session(r) => &r.id,
            Accepted::Profile(p) => &p.id,
            Accepted::Puzzle(v)
            | Accepted::LearningUnit(v)
            | Accepted::Experiment(v)
            | Accepted::Game(v)
            | Accepted::Setting(v) => v[self.kind().key_field()].as_str().unwrap_or_default(),
        }
    }
}

/// Checks an export line by line, so a caller can stream a file of any size through it: each
/// line is validated as it comes (size limit, JSON, a known kind, the record's own validation,
/// no id repeated within a kind; the header first, with a known format and version; blank
/// lines ignored), and [`ImportReader::finish`] says whether the whole file was valid.
pub struct ImportReader {
    limits: Limits,
    errors: Vec<LineError>,
    total_errors: usize,
    /// Ids seen per kind (in [`Kind::ALL`] order).
    seen: [BTreeSet<String>; Kind::ALL.len()],
    records: usize,
    line: usize,
    header: Option<Header>,
    header_seen: bool,
    /// Too many records: later lines are not looked at.
    stopped: bool,
}

impl ImportReader {
    /// A reader enforcing `limits`.
    pub fn new(limits: Limits) -> ImportReader {
        ImportReader {
            limits,
            errors: Vec::new(),
            total_errors: 0,
            seen: Default::default(),
            records: 0,
            line: 0,
            header: None,
            header_seen: false,
            stopped: false,
        }
    }

    fn report(&mut self, message: String) {
        self.total_errors += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(LineError {
                line: self.line,
                message,
            });
        }
    }

    /// Whether a line so far was bad (the file will be refused).
    pub fn has_errors(&self) -> bool {
        self.total_errors > 0
    }

    /// The header, once read.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Valid records read so far, per kind (in [`Kind::ALL`] order).
    pub fn counts(&self) -> [usize; Kind::ALL.len()] {
        std::array::from_fn(|i| self.seen[i].len())
    }

    /// A line longer than the limit, of `bytes` bytes, whose text was not kept.
    pub fn overlong_line(&mut self, bytes: usize) {
        self.line += 1;
        if self.stopped {
            return;
        }
        self.report(format!(
            "line is {bytes} bytes, more than the limit of {}",
            self.limits.max_line_bytes
        ));
    }

    /// The next line as bytes (without its newline): [`Self::line`] if it is UTF-8.
    pub fn line_bytes(&mut self, bytes: &[u8]) -> Option<Accepted> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.line(text),
            Err(_) => {
                self.line += 1;
                if !self.stopped {
                    self.report("line is not UTF-8 text".into());
                }
                None
            }
        }
    }

    /// Checks the next line (without its newline); a valid record line gives its record.
    pub fn line(&mut self, line: &str) -> Option<Accepted> {
        self.line += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if self.stopped || line.trim().is_empty() {
            return None;
        }
        if line.len() > self.limits.max_line_bytes {
            self.line -= 1;
            self.overlong_line(line.len());
            return None;
        }
        if !self.header_seen {
            self.header_seen = true;
            match serde_json::from_str::<Header>(line) {
                Ok(h) if h.format == FORMAT && (1..=VERSION).contains(&h.version) => {
                    self.header = Some(h)
                }
                Ok(h) if h.format == FORMAT && h.version > VERSION => self.report(format!(
                    "the file was made by a newer version of the app (format version {}; this \
                     one reads 1 to {VERSION}): update the app to open it",
                    h.version
                )),
                Ok(h) if h.format == FORMAT => self.report(format!(
                    "format version {} is not one this app reads (1 to {VERSION})",
                    h.version
                )),
                _ => self.report(format!(
                    "the first line must be the header {{\"format\":\"{FORMAT}\",…}}"
                )),
            }
            return None;
        }
        self.records += 1;
        if self.records > self.limits.max_records {
            let max = self.limits.max_records;
            self.report(format!("more than {max} records in one file"));
            self.stopped = true;
            return None;
        }
        let parsed: RecordLine = match serde_json::from_str(line) {
            Ok(p) => p,
            Err(e) => {
                self.report(format!("not a record line: {e}"));
                return None;
            }
        };
        let Some(kind) = Kind::from_tag(&parsed.kind) else {
            self.report(format!("unknown kind {:?}", parsed.kind));
            return None;
        };
        let (id, record) = match accept(kind, parsed.record) {
            Ok(accepted) => accepted,
            Err(message) => {
                self.report(message);
                return None;
            }
        };
        if !self.seen[kind.index()].insert(id.clone()) {
            self.report(format!("duplicate {} id {id:?}", kind.tag()));
            return None;
        }
        Some(record)
    }

    /// The verdict on the whole file: the number of records, or every bad line (the first
    /// [`MAX_REPORTED_ERRORS`] in detail).
    ///
    /// # Errors
    /// The file had a bad line, or no header.
    pub fn finish(mut self) -> Result<usize, ImportError> {
        if !self.header_seen {
            self.line = 1;
            self.report("the file is empty (no header line)".into());
        }
        if self.total_errors > 0 {
            return Err(ImportError {
                errors: self.errors,
                total: self.total_errors,
            });
        }
        Ok(self.records)
    }
}

/// Parses and validates a whole export held in memory, with [`ImportReader`].
///
/// # Errors
/// Every bad line (the first [`MAX_REPORTED_ERRORS`] in detail): nothing of a bad file is
/// returned.
pub fn parse_import(text: &str, limits: &Limits) -> Result<MemoryImport, ImportError> {
    let mut out = MemoryImport::default();
    let mut reader = ImportReader::new(*limits);
    for line in text.split('\n') {
        match reader.line(line) {
            Some(Accepted::Experience(r)) => out.experiences.push(r),
            Some(Accepted::Session(r)) => out.sessions.push(r),
            Some(Accepted::Puzzle(r)) => out.puzzles.push(r),
            Some(Accepted::LearningUnit(r)) => out.learning_units.push(r),
            Some(Accepted::Experiment(r)) => out.experiments.push(r),
            Some(Accepted::Profile(r)) => out.profiles.push(r),
            Some(Accepted::Game(r)) => out.games.push(r),
            Some(Accepted::Setting(r)) => out.settings.push(r),
            None => {}
        }
    }
    out.header = reader.header().cloned();
    reader.finish()?;
    Ok(out)
}

/// Validates `record` as `kind`: its id and the record to store.
fn accept(kind: Kind, record: Value) -> Result<(String, Accepted), String> {
    match kind {
        Kind::Experience => {
            let r: ExperienceRecord =
                serde_json::from_value(record).map_err(|e| format!("not an experience: {e}"))?;
            r.validate().map_err(|e| e.0)?;
            Ok((r.id.clone(), Accepted::Experience(r)))
        }
        Kind::Session => {
            let r: SessionRecord =
                serde_json::from_value(record).map_err(|e| format!("not a session: {e}"))?;
            r.validate().map_err(|e| e.0)?;
            Ok((r.id.clone(), Accepted::Session(r)))
        }
        Kind::Profile => {
            let p: Profile =
                serde_json::from_value(record).map_err(|e| format!("not a profile: {e}"))?;
            p.validate()
                .map_err(|e| format!("profile {}: {}", p.id, e.0))?;
            Ok((p.id.clone(), Accepted::Profile(p.without_secrets())))
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
            Ok((id, Accepted::Puzzle(record)))
        }
        Kind::LearningUnit => {
            let id = object_id(kind, &record)?;
            string_field(kind, &record, "profile_id")?;
            time_field(kind, &record, "created_at")?;
            Ok((id, Accepted::LearningUnit(record)))
        }
        Kind::Experiment => {
            let id = object_id(kind, &record)?;
            time_field(kind, &record, "created_at")?;
            Ok((id, Accepted::Experiment(record)))
        }
        Kind::Game => {
            let id = object_id(kind, &record)?;
            let board = string_field(kind, &record, "board")?;
            parse_line(board).map_err(|e| format!("game on puzzle {id}: board: {e}"))?;
            time_field(kind, &record, "updated_at")?;
            Ok((id, Accepted::Game(record)))
        }
        Kind::Setting => {
            let id = object_id(kind, &record)?;
            string_field(kind, &record, "value")?;
            Ok((id, Accepted::Setting(record)))
        }
    }
}

/// The record's id (from [`Kind::key_field`]), which must be a non-empty string.
fn object_id(kind: Kind, record: &Value) -> Result<String, String> {
    if !record.is_object() {
        return Err(format!("a {} must be a JSON object", kind.tag()));
    }
    let id = string_field(kind, record, kind.key_field())?;
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

    /// Streams `bytes` through a splitter and a reader, `chunk` bytes at a time.
    fn stream(
        bytes: &[u8],
        chunk: usize,
        limits: Limits,
    ) -> (Vec<Accepted>, Result<usize, ImportError>) {
        let mut reader = ImportReader::new(limits);
        let mut records = Vec::new();
        let mut splitter = LineSplitter::new(limits.max_line_bytes);
        let mut take = |piece: Piece<'_>| {
            let record = match piece {
                Piece::Line(line) => reader.line_bytes(line),
                Piece::Overlong(len) => {
                    reader.overlong_line(len);
                    None
                }
            };
            records.extend(record);
        };
        for part in bytes.chunks(chunk.max(1)) {
            splitter.push(part, &mut take);
        }
        splitter.finish(&mut take);
        (records, reader.finish())
    }

    #[test]
    fn a_streamed_file_reads_as_the_whole_text_whatever_the_chunks() {
        let exp = experience("s1");
        let text = file(&[record_line(Kind::Experience, &exp)]);
        let whole = parse_import(&text, &Limits::default()).unwrap();
        for chunk in [1, 7, 64, 1 << 16] {
            let (records, verdict) = stream(text.as_bytes(), chunk, Limits::default());
            assert_eq!(verdict, Ok(1));
            assert_eq!(
                records,
                vec![Accepted::Experience(whole.experiences[0].clone())]
            );
            assert_eq!(records[0].kind(), Kind::Experience);
        }
        // Cut inside the last line: that line is refused by number.
        let cut = &text.as_bytes()[..text.len() - 10];
        let error = stream(cut, 5, Limits::default()).1.unwrap_err();
        assert_eq!(error.errors[0].line, 2, "{error}");
        // A line that is not UTF-8, and one over the limit, are reported without being kept.
        let mut bad = text.clone().into_bytes();
        bad.extend_from_slice(b"\xff\xfe\n");
        bad.extend_from_slice(&[b'x'; 64]);
        let limits = Limits {
            max_line_bytes: 2000,
            ..Limits::default()
        };
        let error = stream(&bad, 3, limits).1.unwrap_err();
        assert_eq!(error.total, 2, "{error}");
        assert!(error.errors[0].message.contains("UTF-8"), "{error}");
        let tight = Limits {
            max_line_bytes: 60,
            ..Limits::default()
        };
        let error = stream(&bad, 3, tight).1.unwrap_err();
        assert!(
            error.to_string().contains("more than the limit of 60"),
            "{error}"
        );
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
        let future = r#"{"format":"machine-dream-memory","version":3,"exported_at":0}"#;
        let err = parse_import(future, &Limits::default()).unwrap_err();
        assert!(err.errors[0].message.contains("newer version of the app"));
        assert!(err.errors[0].message.contains("format version 3"));
        let nonsense = r#"{"format":"machine-dream-memory","version":0,"exported_at":0}"#;
        assert!(parse_import(nonsense, &Limits::default()).is_err());

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
    fn a_version_1_memory_file_still_imports() {
        let text = format!(
            "{}\n{}",
            r#"{"format":"machine-dream-memory","version":1,"exported_at":0}"#,
            record_line(Kind::Experience, &experience("s1"))
        );
        let import = parse_import(&text, &Limits::default()).unwrap();
        assert_eq!(import.experiences.len(), 1);
        assert_eq!(import.header.unwrap().version, 1);
    }

    #[test]
    fn games_and_settings_are_backed_up_and_checked() {
        let board = ".".repeat(81);
        let game = serde_json::json!({"puzzle_id": "p1", "board": board, "entries": [], "updated_at": 5.0});
        let setting = serde_json::json!({"key": "current_puzzle", "value": "p1"});
        let text = file(&[
            record_line(Kind::Game, &game),
            record_line(Kind::Setting, &setting),
        ]);
        let import = parse_import(&text, &Limits::default()).unwrap();
        assert_eq!(import.games, vec![game.clone()]);
        assert_eq!(import.settings, vec![setting.clone()]);

        let mut reader = ImportReader::new(Limits::default());
        let keys: Vec<String> = text
            .lines()
            .filter_map(|line| reader.line(line))
            .map(|record| record.key().to_string())
            .collect();
        assert_eq!(keys, ["p1", "current_puzzle"]);
        let mut counts = [0; Kind::ALL.len()];
        counts[Kind::Game.index()] = 1;
        counts[Kind::Setting.index()] = 1;
        assert_eq!(reader.counts(), counts);

        let bad_board = serde_json::json!({"puzzle_id": "p2", "board": "12", "updated_at": 1.0});
        let no_value = serde_json::json!({"key": "token_key", "value": {}});
        let err = parse_import(
            &file(&[
                record_line(Kind::Game, &bad_board),
                record_line(Kind::Setting, &no_value),
            ]),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.errors[0].message.contains("game on puzzle p2"));
        assert!(err.errors[1].message.contains("\"value\""));
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
