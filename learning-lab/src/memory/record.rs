//! Stored records: [`ExperienceRecord`] (one attempt) and [`SessionRecord`] (one play).
//!
//! Index fields are plain top-level values because IndexedDB indexes key paths and rejects
//! booleans as keys: `consolidated` is stored as `0`/`1`, the outcome is reachable as
//! `judgement.outcome`, times are milliseconds since the Unix epoch as `f64` (the caller's
//! clock: the lab has none).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::play::{Experience, PlaySession, Status};
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Prompt mode (e.g. `standard`).
    pub mode: String,
    /// Whether answers were restricted to legal moves (research mode).
    pub assisted_decoding: bool,
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

impl SessionRecord {
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
    use crate::play::{ExperienceContext, Limits};
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
            .record(&format!("ROW: {} COL: {} VALUE: {right}", r + 1, c + 1))
            .unwrap();
        session.record("I am not sure.").unwrap();
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

    #[test]
    fn session_record_state_follows_the_session() {
        let (mut session, _) = played();
        session.pause().unwrap();
        let mut record = SessionRecord {
            id: "s1".into(),
            profile_id: "local".into(),
            puzzle_id: "p1".into(),
            model: "m".into(),
            unit_id: None,
            memory: false,
            mode: "standard".into(),
            assisted_decoding: false,
            experiment_id: None,
            created_at: 1.0,
            updated_at: 1.0,
            state: "running".into(),
            notes: String::new(),
            session,
        };
        assert!(record.validate().is_err());
        record.touch(2.0);
        assert_eq!(record.state, "paused");
        record.validate().unwrap();
        let back: SessionRecord =
            serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(back, record);
    }
}
