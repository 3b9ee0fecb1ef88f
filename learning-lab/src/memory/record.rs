//! Stored records: [`ExperienceRecord`] (one attempt), [`SessionRecord`] (one play) and
//! [`PuzzleRecord`] (one puzzle), with the one constructor and id scheme of each.
//!
//! Index fields are plain top-level values because IndexedDB indexes key paths and rejects
//! booleans as keys: `consolidated` is stored as `0`/`1`, the outcome is reachable as
//! `judgement.outcome`, times are milliseconds since the Unix epoch as `f64` (the caller's
//! clock: the lab has none).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::llm::ChatOutcome;
use crate::play::{
    Experience, ExperienceContext, Limits, PlaySession, PromptMode, ReadyPuzzle, SessionError,
    Status,
};
use crate::profile::Profile;
use solver_core::format::parse_line;

/// A record failed validation (imports, corrupt storage); the message names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError(pub String);

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

/// One attempt as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperienceRecord {
    /// `{session_id}#{attempt number, 6 digits}`: unique, and sorts in play order.
    pub id: String,
    /// When the attempt was judged (ms since the epoch).
    pub created_at: f64,
    /// Whether a dream has consolidated it (stored as 0/1 for the index).
    #[serde(
        serialize_with = "bool_as_number",
        deserialize_with = "bool_from_number"
    )]
    pub consolidated: bool,
    /// The experience itself.
    #[serde(flatten)]
    pub experience: Experience,
}

impl ExperienceRecord {
    /// The id of attempt `number` (1-based) of session `session_id`.
    pub fn id_for(session_id: &str, number: usize) -> String {
        format!("{session_id}#{number:06}")
    }

    /// The session an experience id belongs to: the inverse of [`ExperienceRecord::id_for`]
    /// (`None` for an id not made by it).
    pub fn session_of(id: &str) -> Option<&str> {
        let (session, number) = id.rsplit_once('#')?;
        (!session.is_empty() && number.len() >= 6 && number.bytes().all(|b| b.is_ascii_digit()))
            .then_some(session)
    }

    /// A new, unconsolidated record of `experience`, judged at `created_at`.
    pub fn new(experience: Experience, created_at: f64) -> ExperienceRecord {
        ExperienceRecord {
            id: Self::id_for(&experience.context.session_id, experience.attempt.number),
            created_at,
            consolidated: false,
            experience,
        }
    }

    /// The outcome label (`CORRECT`, `INVALID`, `VALID_BUT_WRONG`, `UNPARSEABLE`).
    pub fn outcome(&self) -> &'static str {
        self.experience.attempt.judgement.label()
    }

    /// The text full-text search sees: move, outcome, feedback, visible and hidden reasoning.
    pub fn search_text(&self) -> String {
        let attempt = &self.experience.attempt;
        let mut text = String::new();
        if let Some(mv) = attempt.mv() {
            text.push_str(&mv.to_string());
            text.push(' ');
        }
        text.push_str(self.outcome());
        text.push(' ');
        text.push_str(&attempt.feedback);
        text.push(' ');
        text.push_str(&attempt.reasoning);
        if let Some(hidden) = &attempt.hidden_reasoning {
            text.push(' ');
            text.push_str(hidden);
        }
        text
    }

    /// Checks what a corrupt or hand-edited record could get wrong: the id matches session
    /// and number, the board parses and has the record's size, the move is on the board,
    /// importance is in 0..=1, the time is a real time.
    ///
    /// # Errors
    /// The first problem found, naming the field.
    pub fn validate(&self) -> Result<(), RecordError> {
        let e = &self.experience;
        let err = |msg: String| Err(RecordError(format!("experience {}: {msg}", self.id)));
        if e.context.session_id.is_empty() {
            return err("session_id is empty".into());
        }
        if self.id != Self::id_for(&e.context.session_id, e.attempt.number) {
            return err(format!(
                "id does not match session_id {:?} and attempt number {}",
                e.context.session_id, e.attempt.number
            ));
        }
        if !(self.created_at.is_finite() && self.created_at >= 0.0) {
            return err(format!("created_at {} is not a time", self.created_at));
        }
        if !(0.0..=1.0).contains(&e.importance) {
            return err(format!("importance {} is outside 0..=1", e.importance));
        }
        let board = match parse_line(&e.attempt.board_before) {
            Ok(board) => board,
            Err(error) => return err(format!("board_before does not parse: {error}")),
        };
        if board.size() != e.size {
            return err(format!(
                "board_before is {}x{} but size says {}",
                board.size(),
                board.size(),
                e.size
            ));
        }
        if let Some(mv) = e.attempt.mv() {
            if mv.row >= e.size || mv.col >= e.size || mv.value == 0 || mv.value as usize > e.size {
                return err(format!("move {mv} is outside a {0}x{0} board", e.size));
            }
        }
        Ok(())
    }
}

/// One play of one puzzle by one profile, with its full state so it resumes after a reload.
///
/// Made by [`SessionRecord::start`] only; stored with the fields it always had (`mode` as a
/// name next to `assisted_decoding`), see [`PromptMode`].
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(from = "SessionWire")]
pub struct SessionRecord {
    /// Unique id.
    pub id: String,
    /// Profile that played.
    pub profile_id: String,
    /// Puzzle played.
    pub puzzle_id: String,
    /// Model name as sent to the server.
    pub model: String,
    /// Learning unit injected, if any.
    pub unit_id: Option<String>,
    /// Whether memory (a learning unit) was on.
    pub memory: bool,
    /// How moves are asked for: standard, or assisted decoding (research mode).
    pub mode: PromptMode,
    /// Experiment run this play belongs to, if any.
    pub experiment_id: Option<String>,
    /// Created (ms since the epoch).
    pub created_at: f64,
    /// Last change (ms since the epoch).
    pub updated_at: f64,
    /// `running`, `paused`, `solved` or `abandoned`: a copy of the session's status for the
    /// index.
    pub state: String,
    /// Free-text notes by the person watching.
    pub notes: String,
    /// The play itself.
    pub session: PlaySession,
}

/// What a new play is: who plays which puzzle, and how. [`SessionRecord::start`] makes the
/// record; an experiment's run fills this in with `RunOrder::session_start`.
#[derive(Clone, Debug)]
pub struct SessionStart<'a> {
    /// Who plays (its id and model are recorded).
    pub profile: &'a Profile,
    /// What is played.
    pub puzzle: &'a ReadyPuzzle,
    /// The play's limits.
    pub limits: Limits,
    /// The learning unit injected, if any.
    pub unit_id: Option<String>,
    /// Whether memory is on.
    pub memory: bool,
    /// How moves are asked for.
    pub mode: PromptMode,
    /// The experiment this play is a run of, if any.
    pub experiment_id: Option<String>,
    /// Notes to start with.
    pub notes: String,
}

impl SessionRecord {
    /// The id of a play started at `now` (ms): `session-{now}-{nonce}`. `nonce` tells apart
    /// plays started in the same millisecond (the app draws it at random).
    pub fn id_for(now: f64, nonce: u32) -> String {
        format!("session-{}-{nonce}", now as u64)
    }

    /// A new, running play of `start.puzzle`, created at `now` (ms), with the id
    /// [`SessionRecord::id_for`] gives.
    ///
    /// # Errors
    /// When the puzzle cannot be played (see [`PlaySession::new`]).
    pub fn start(
        start: SessionStart<'_>,
        now: f64,
        nonce: u32,
    ) -> Result<SessionRecord, SessionError> {
        let session = start.puzzle.session(start.limits)?;
        let mut record = SessionRecord {
            id: SessionRecord::id_for(now, nonce),
            profile_id: start.profile.id.clone(),
            puzzle_id: start.puzzle.id.clone(),
            model: start.profile.model.clone(),
            unit_id: start.unit_id,
            memory: start.memory,
            mode: start.mode,
            experiment_id: start.experiment_id,
            created_at: now,
            updated_at: now,
            state: String::new(),
            notes: start.notes,
            session,
        };
        record.touch(now);
        Ok(record)
    }

    /// The stored experience of attempt `index` (0-based) of this play, answered by
    /// `profile`'s model in `outcome` and judged at `answered_at` (ms). Its mode says what
    /// the request really did: assisted only when the answer was restricted to legal moves.
    ///
    /// # Panics
    /// When `index` is not an attempt of the session.
    pub fn experience(
        &self,
        index: usize,
        profile: &Profile,
        outcome: &ChatOutcome,
        answered_at: f64,
        injected_items: &[String],
    ) -> ExperienceRecord {
        let context = ExperienceContext {
            session_id: self.id.clone(),
            puzzle_id: self.puzzle_id.clone(),
            model: profile.model.clone(),
            profile_id: profile.id.clone(),
            unit_id: self.unit_id.clone(),
            mode: PromptMode::from_assisted_decoding(outcome.assisted_decoding()),
            timings: outcome.timings,
            usage: outcome.answer.usage,
        };
        let mut experience = Experience::from_attempt(&self.session, index, context);
        experience.injected_items = injected_items.to_vec();
        ExperienceRecord::new(experience, answered_at)
    }

    /// The index label of a status.
    pub fn state_label(status: &Status) -> &'static str {
        match status {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Solved => "solved",
            Status::Abandoned(_) => "abandoned",
        }
    }

    /// Copies the session's status into `state` and stamps `updated_at`; call before storing.
    pub fn touch(&mut self, now: f64) {
        self.state = Self::state_label(self.session.status()).to_string();
        self.updated_at = now;
    }

    /// Checks ids, times and that `state` agrees with the session.
    ///
    /// # Errors
    /// The first problem found, naming the field.
    pub fn validate(&self) -> Result<(), RecordError> {
        let err = |msg: String| Err(RecordError(format!("session {}: {msg}", self.id)));
        if self.id.is_empty() || self.profile_id.is_empty() || self.puzzle_id.is_empty() {
            return err("id, profile_id and puzzle_id must not be empty".into());
        }
        if !(self.created_at.is_finite() && self.updated_at.is_finite()) {
            return err("created_at/updated_at are not times".into());
        }
        if self.state != Self::state_label(self.session.status()) {
            return err(format!(
                "state {:?} disagrees with the session ({:?})",
                self.state,
                Self::state_label(self.session.status())
            ));
        }
        Ok(())
    }
}

/// The stored form of a [`SessionRecord`], field for field as it has always been stored.
#[derive(Serialize)]
struct SessionWireRef<'a> {
    id: &'a str,
    profile_id: &'a str,
    puzzle_id: &'a str,
    model: &'a str,
    unit_id: &'a Option<String>,
    memory: bool,
    mode: &'static str,
    assisted_decoding: bool,
    experiment_id: &'a Option<String>,
    created_at: f64,
    updated_at: f64,
    state: &'a str,
    notes: &'a str,
    session: &'a PlaySession,
}

/// [`SessionWireRef`], owned, for reading.
#[derive(Deserialize)]
struct SessionWire {
    id: String,
    profile_id: String,
    puzzle_id: String,
    model: String,
    unit_id: Option<String>,
    memory: bool,
    mode: String,
    assisted_decoding: bool,
    experiment_id: Option<String>,
    created_at: f64,
    updated_at: f64,
    state: String,
    notes: String,
    session: PlaySession,
}

impl Serialize for SessionRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SessionWireRef {
            id: &self.id,
            profile_id: &self.profile_id,
            puzzle_id: &self.puzzle_id,
            model: &self.model,
            unit_id: &self.unit_id,
            memory: self.memory,
            mode: self.mode.name(),
            assisted_decoding: self.mode.assisted_decoding(),
            experiment_id: &self.experiment_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            state: &self.state,
            notes: &self.notes,
            session: &self.session,
        }
        .serialize(serializer)
    }
}

impl From<SessionWire> for SessionRecord {
    fn from(w: SessionWire) -> SessionRecord {
        SessionRecord {
            id: w.id,
            profile_id: w.profile_id,
            puzzle_id: w.puzzle_id,
            model: w.model,
            unit_id: w.unit_id,
            memory: w.memory,
            mode: PromptMode::from_stored(&w.mode, w.assisted_decoding),
            experiment_id: w.experiment_id,
            created_at: w.created_at,
            updated_at: w.updated_at,
            state: w.state,
            notes: w.notes,
            session: w.session,
        }
    }
}

/// A puzzle as stored: one-line forms, so every size round-trips exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuzzleRecord {
    /// Unique id: the [`ReadyPuzzle`]'s (e.g. `9x9-seed-7`, or an experiment plan's id).
    pub id: String,
    /// Side length.
    pub size: u8,
    /// Generator seed, when the puzzle was generated (kept below 2^53 so JS numbers hold it).
    pub seed: Option<f64>,
    /// Givens in one-line form.
    pub givens: String,
    /// Solution in one-line form.
    pub solution: String,
    /// Created (ms since the epoch).
    pub created_at: f64,
    /// A name the puzzle came with (an imported file's `id`/`name`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it came from: [`PuzzleRecord::GENERATED`] or [`PuzzleRecord::IMPORTED`] (absent in
    /// records older than the puzzle library: generated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl PuzzleRecord {
    /// `source` of a puzzle the app generated.
    pub const GENERATED: &'static str = "generated";
    /// `source` of a puzzle a person imported.
    pub const IMPORTED: &'static str = "imported";

    /// The record of `puzzle`, created at `created_at` (ms), under the puzzle's id.
    pub fn new(puzzle: &ReadyPuzzle, created_at: f64) -> PuzzleRecord {
        PuzzleRecord {
            id: puzzle.id.clone(),
            size: puzzle.size() as u8,
            seed: puzzle.seed.map(|s| s as f64),
            givens: puzzle.givens.to_line(),
            solution: puzzle.solution.to_line(),
            created_at,
            name: None,
            source: Some(PuzzleRecord::GENERATED.into()),
        }
    }

    /// What a person calls it: the name it came with, else its id.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The stored puzzle ready to play again, under its id: a library puzzle chosen for an
    /// LLM play.
    ///
    /// # Errors
    /// A corrupt record: a line that does not parse, a size that disagrees, or a solution
    /// that is not a solved grid agreeing with the givens.
    pub fn ready(&self) -> Result<ReadyPuzzle, RecordError> {
        let bad = |what: &str| RecordError(format!("puzzle {}: {what}", self.id));
        let givens = parse_line(&self.givens).map_err(|e| bad(&format!("givens: {e}")))?;
        let solution = parse_line(&self.solution).map_err(|e| bad(&format!("solution: {e}")))?;
        if givens.size() != usize::from(self.size) || solution.size() != givens.size() {
            return Err(bad("its size disagrees with its givens or solution"));
        }
        if !solution.is_solved() || !givens.agrees_with(&solution) {
            return Err(bad("its solution does not solve its givens"));
        }
        Ok(ReadyPuzzle {
            id: self.id.clone(),
            seed: self.seed.map(|s| s as u64),
            givens,
            solution,
        })
    }
}

fn bool_as_number<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u8(u8::from(*value))
}

fn bool_from_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Number(u8),
        Bool(bool),
    }
    match Flag::deserialize(deserializer)? {
        Flag::Number(0) | Flag::Bool(false) => Ok(false),
        Flag::Number(1) | Flag::Bool(true) => Ok(true),
        Flag::Number(n) => Err(serde::de::Error::custom(format!(
            "consolidated must be 0 or 1, not {n}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::Limits;
    use solver_core::generate::{generate, GenerateOptions};

    fn played() -> (PlaySession, Vec<Experience>) {
        let puzzle = generate(&GenerateOptions::new(4, 7)).unwrap();
        let mut session = PlaySession::new(
            puzzle.givens.clone(),
            puzzle.solution.clone(),
            Limits::default(),
        )
        .unwrap();
        let (r, c) = (0..4)
            .flat_map(|r| (0..4).map(move |c| (r, c)))
            .find(|&(r, c)| puzzle.givens.get(r, c).is_none())
            .unwrap();
        let right = puzzle.solution.get(r, c).unwrap();
        session
            .handle_answer(
                &format!("ROW: {} COL: {} VALUE: {right}", r + 1, c + 1),
                None,
            )
            .unwrap();
        session.handle_answer("I am not sure.", None).unwrap();
        let context = ExperienceContext {
            session_id: "s1".into(),
            puzzle_id: "p1".into(),
            ..ExperienceContext::default()
        };
        let experiences = (0..2)
            .map(|i| Experience::from_attempt(&session, i, context.clone()))
            .collect();
        (session, experiences)
    }

    #[test]
    fn experience_record_stores_index_fields_as_indexable_values() {
        let (_, experiences) = played();
        let record = ExperienceRecord::new(experiences[1].clone(), 1.7e12);
        assert_eq!(record.id, "s1#000002");
        let json: serde_json::Value = serde_json::to_value(&record).unwrap();
        assert_eq!(json["consolidated"], 0, "booleans are not IndexedDB keys");
        assert_eq!(json["session_id"], "s1");
        assert_eq!(json["judgement"]["outcome"], "unparseable");
        let back: ExperienceRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
        record.validate().unwrap();
    }

    #[test]
    fn validate_rejects_what_corruption_produces() {
        let (_, experiences) = played();
        let good = ExperienceRecord::new(experiences[0].clone(), 1.0);
        let mut bad = good.clone();
        bad.id = "s1#000009".into();
        assert!(bad.validate().unwrap_err().0.contains("id does not match"));
        let mut bad = good.clone();
        bad.experience.attempt.board_before = "12x".into();
        assert!(bad.validate().unwrap_err().0.contains("board_before"));
        let mut bad = good.clone();
        bad.experience.importance = 1.5;
        assert!(bad.validate().unwrap_err().0.contains("importance"));
        let mut bad = good;
        bad.created_at = f64::NAN;
        assert!(bad.validate().is_err());
        let json = serde_json::to_string(&ExperienceRecord::new(experiences[0].clone(), 1.0))
            .unwrap()
            .replace("\"consolidated\":0", "\"consolidated\":3");
        assert!(serde_json::from_str::<ExperienceRecord>(&json).is_err());
    }

    #[test]
    fn search_text_holds_feedback_and_reasoning() {
        let (_, experiences) = played();
        let record = ExperienceRecord::new(experiences[1].clone(), 1.0);
        let text = record.search_text();
        assert!(text.contains("UNPARSEABLE"));
        assert!(text.contains(&experiences[1].attempt.feedback));
    }

    fn profile() -> Profile {
        Profile::from_template(crate::profile::ProviderTemplate::LlamaCpp, "local", 1.0)
    }

    #[test]
    fn session_record_state_follows_the_session() {
        let (session, _) = played();
        let mut record = SessionRecord::start(
            SessionStart {
                profile: &profile(),
                puzzle: &ReadyPuzzle::generate(4, 7).unwrap(),
                limits: Limits::default(),
                unit_id: None,
                memory: false,
                mode: PromptMode::Standard,
                experiment_id: None,
                notes: String::new(),
            },
            1.0,
            5,
        )
        .unwrap();
        record.validate().unwrap();
        assert_eq!(record.state, "running");
        record.session = session;
        record.session.pause().unwrap();
        assert!(record.validate().is_err());
        record.touch(2.0);
        assert_eq!(record.state, "paused");
        record.validate().unwrap();
        let back: SessionRecord =
            serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn a_session_starts_with_one_id_scheme_and_its_puzzle() {
        let puzzle = ReadyPuzzle::generate(4, 7).unwrap();
        let record = SessionRecord::start(
            SessionStart {
                profile: &profile(),
                puzzle: &puzzle,
                limits: Limits {
                    max_attempts: 3,
                    ..Limits::default()
                },
                unit_id: Some("u1".into()),
                memory: true,
                mode: PromptMode::Assisted,
                experiment_id: Some("e1".into()),
                notes: "n".into(),
            },
            1_700_000_000_123.0,
            42,
        )
        .unwrap();
        assert_eq!(record.id, "session-1700000000123-42");
        assert_eq!(record.id, SessionRecord::id_for(1_700_000_000_123.0, 42));
        assert_eq!(record.puzzle_id, "4x4-seed-7");
        assert_eq!(record.profile_id, "local");
        assert_eq!(record.model, profile().model);
        assert_eq!(record.session.givens(), &puzzle.givens);
        assert_eq!(record.session.limits().max_attempts, 3);
        assert_eq!(
            (record.created_at, record.updated_at),
            (1_700_000_000_123.0, 1_700_000_000_123.0)
        );
        assert_eq!(record.state, "running");
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["mode"], "assisted");
        assert_eq!(json["assisted_decoding"], true);
    }

    #[test]
    fn sessions_stored_with_the_two_mode_fields_read_back() {
        let puzzle = ReadyPuzzle::generate(4, 7).unwrap();
        let record = SessionRecord::start(
            SessionStart {
                profile: &profile(),
                puzzle: &puzzle,
                limits: Limits::default(),
                unit_id: None,
                memory: false,
                mode: PromptMode::Standard,
                experiment_id: None,
                notes: String::new(),
            },
            1.0,
            1,
        )
        .unwrap();
        let mut json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["mode"], "standard");
        assert_eq!(json["assisted_decoding"], false);
        // An experiment arm's play was stored as `standard` with the flag set.
        json["assisted_decoding"] = true.into();
        let back: SessionRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back.mode, PromptMode::Assisted);
    }

    #[test]
    fn an_answer_becomes_the_experience_of_its_attempt() {
        use crate::llm::{ChatAnswer, ChatOutcome, Constraint};
        use crate::play::{Timings, TokenUsage};
        let puzzle = ReadyPuzzle::generate(4, 7).unwrap();
        let mut record = SessionRecord::start(
            SessionStart {
                profile: &profile(),
                puzzle: &puzzle,
                limits: Limits::default(),
                unit_id: Some("u1".into()),
                memory: true,
                mode: PromptMode::Assisted,
                experiment_id: None,
                notes: String::new(),
            },
            1.0,
            1,
        )
        .unwrap();
        record
            .session
            .handle_answer("I am not sure.", None)
            .unwrap();
        let usage = TokenUsage {
            prompt_tokens: Some(10),
            ..TokenUsage::default()
        };
        let outcome = |constraint| ChatOutcome {
            answer: ChatAnswer {
                content: "I am not sure.".into(),
                usage,
                ..ChatAnswer::default()
            },
            attempts: 1,
            retries: 0,
            length_retries: 0,
            continuations: 0,
            max_tokens: 512,
            constraint,
            timings: Timings {
                first_token_ms: Some(5),
                total_ms: Some(9),
            },
        };
        let stored = record.experience(
            0,
            &profile(),
            &outcome(Constraint::AssistedDecoding),
            7.0,
            &[],
        );
        let c = &stored.experience.context;
        assert_eq!(stored.id, ExperienceRecord::id_for(&record.id, 1));
        assert_eq!(stored.created_at, 7.0);
        assert_eq!(
            (c.session_id.as_str(), c.puzzle_id.as_str()),
            (record.id.as_str(), "4x4-seed-7")
        );
        assert_eq!(
            (c.profile_id.as_str(), c.unit_id.as_deref()),
            ("local", Some("u1"))
        );
        assert_eq!(c.mode, PromptMode::Assisted);
        assert_eq!(c.usage, usage);
        assert_eq!(c.timings.total_ms, Some(9));
        // The board left no legal move: the request was not restricted, and says so.
        let free = record.experience(0, &profile(), &outcome(Constraint::None), 7.0, &[]);
        assert_eq!(free.experience.context.mode, PromptMode::Standard);
    }

    #[test]
    fn an_experience_id_names_its_session() {
        let id = ExperienceRecord::id_for("session-1#odd", 42);
        assert_eq!(ExperienceRecord::session_of(&id), Some("session-1#odd"));
        assert_eq!(ExperienceRecord::session_of("no-number"), None);
        assert_eq!(ExperienceRecord::session_of("s#12"), None);
        assert_eq!(ExperienceRecord::session_of("#000001"), None);
    }

    #[test]
    fn a_puzzle_record_keeps_the_ready_puzzle() {
        let puzzle = ReadyPuzzle::generate(9, 11).unwrap();
        let record = PuzzleRecord::new(&puzzle, 3.0);
        assert_eq!(record.id, "9x9-seed-11");
        assert_eq!(record.size, 9);
        assert_eq!(record.seed, Some(11.0));
        assert_eq!(parse_line(&record.givens).unwrap(), puzzle.givens);
        assert_eq!(parse_line(&record.solution).unwrap(), puzzle.solution);
        assert_eq!(record.created_at, 3.0);
        assert_eq!(
            record.ready().unwrap(),
            puzzle,
            "a stored puzzle plays as it was made"
        );
        assert_eq!(record.title(), "9x9-seed-11");
        let named = PuzzleRecord {
            name: Some("Easter monster".into()),
            ..record
        };
        assert_eq!(named.title(), "Easter monster");
    }

    #[test]
    fn a_corrupt_puzzle_record_is_refused_with_its_id() {
        let puzzle = ReadyPuzzle::generate(4, 2).unwrap();
        let good = PuzzleRecord::new(&puzzle, 1.0);
        let mut bad = good.clone();
        bad.givens = "12x".into();
        assert!(bad
            .ready()
            .unwrap_err()
            .0
            .starts_with("puzzle 4x4-seed-2: givens:"));
        let mut bad = good.clone();
        bad.size = 9;
        assert!(bad.ready().unwrap_err().0.contains("size disagrees"));
        let mut bad = good.clone();
        bad.solution = good.givens.clone();
        assert!(bad.ready().unwrap_err().0.contains("does not solve"));
    }
}
