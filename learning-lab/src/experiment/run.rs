//! One run of an experiment: the order handed to the caller and the result it reports back.

use serde::{Deserialize, Serialize};

use super::design::{Arm, PlannedPuzzle};
use crate::memory::SessionStart;
use crate::play::{Limits, PlaySession, ReadyPuzzle, Status};
use crate::profile::Profile;

/// A run to start now: which arm plays which puzzle, with the unit already resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOrder {
    /// Index of the run in the plan; report it back in [`RunResult::run`].
    pub run: usize,
    /// The arm's settings.
    pub arm: Arm,
    /// The puzzle.
    pub puzzle: PlannedPuzzle,
    /// 0-based repetition of this arm on this puzzle.
    pub repeat: usize,
    /// The learning unit to use (a fixed unit, the dream's unit, or none).
    pub unit_id: Option<String>,
    /// A held-out design's training run (played to be dreamt over, not evaluated).
    #[serde(default)]
    pub training: bool,
}

/// Where the learning unit of a run's prompt comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunUnit<'a> {
    /// This unit (the arm names one, or the dream before its phase made it).
    Named(&'a str),
    /// The active unit of this profile when the run starts (the arm's memory is on and it
    /// names no unit).
    ActiveOf(&'a str),
    /// None: memory off.
    None,
}

impl RunOrder {
    /// Which unit the run's prompt draws from: the order's unit when there is one; otherwise,
    /// with the arm's memory on, the profile's active unit; with memory off, none.
    pub fn unit(&self) -> RunUnit<'_> {
        match &self.unit_id {
            Some(id) => RunUnit::Named(id),
            None if self.arm.memory => RunUnit::ActiveOf(&self.arm.profile_id),
            None => RunUnit::None,
        }
    }

    /// The new play of this run: `puzzle` (from `PlannedPuzzle::materialise`) played by
    /// `profile` (the arm's), at most `max_attempts` attempts (at least 1), with `unit_id`
    /// (what [`RunOrder::unit`] resolved to), the arm's memory and prompt mode, labelled with
    /// the experiment in its notes.
    pub fn session_start<'a>(
        &self,
        experiment_id: &str,
        experiment_name: &str,
        max_attempts: usize,
        profile: &'a Profile,
        puzzle: &'a ReadyPuzzle,
        unit_id: Option<String>,
    ) -> SessionStart<'a> {
        SessionStart {
            profile,
            puzzle,
            limits: Limits {
                max_attempts: max_attempts.max(1),
                ..Limits::default()
            },
            unit_id,
            memory: self.arm.memory,
            mode: self.arm.prompt_mode,
            experiment_id: Some(experiment_id.to_string()),
            notes: format!(
                "experiment {experiment_name} · arm {}{}",
                self.arm.label,
                if self.training { " · training" } else { "" }
            ),
        }
    }
}

/// How the attempts of a run were judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// CORRECT.
    pub correct: u64,
    /// INVALID other than banned repeats.
    pub invalid: u64,
    /// INVALID because the move was banned.
    pub banned_repeats: u64,
    /// VALID_BUT_WRONG.
    pub valid_but_wrong: u64,
    /// UNPARSEABLE.
    pub unparseable: u64,
}

impl OutcomeCounts {
    /// The outcome names in display order (as in the play feedback vocabulary).
    pub const LABELS: [&'static str; 5] = [
        "correct",
        "invalid",
        "banned_repeat",
        "valid_but_wrong",
        "unparseable",
    ];

    /// The counts in the order of [`OutcomeCounts::LABELS`].
    pub fn as_array(&self) -> [u64; 5] {
        [
            self.correct,
            self.invalid,
            self.banned_repeats,
            self.valid_but_wrong,
            self.unparseable,
        ]
    }

    /// All attempts.
    pub fn total(&self) -> u64 {
        self.as_array().iter().sum()
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &OutcomeCounts) {
        self.correct += other.correct;
        self.invalid += other.invalid;
        self.banned_repeats += other.banned_repeats;
        self.valid_but_wrong += other.valid_but_wrong;
        self.unparseable += other.unparseable;
    }
}

/// The full record of a finished run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResult {
    /// [`RunOrder::run`].
    pub run: usize,
    /// The arm that played.
    pub arm_id: String,
    /// The puzzle played.
    pub puzzle_id: String,
    /// The `PlaySession` that was played (its experiences carry this id).
    pub session_id: String,
    /// Whether every cell was filled correctly.
    pub solved: bool,
    /// Attempts of any outcome.
    pub attempts: u64,
    /// Correct attempts.
    pub correct: u64,
    /// Attempts per outcome.
    pub outcomes: OutcomeCounts,
    /// Why the session ended without solving (the `AbandonReason` text), if it did.
    pub abandon_reason: Option<String>,
    /// Wall time of the run, measured by the caller.
    pub duration_ms: u64,
}

impl RunResult {
    /// The result of `order` played as `session` (which should have ended).
    pub fn from_session(
        order: &RunOrder,
        session_id: &str,
        session: &PlaySession,
        duration_ms: u64,
    ) -> RunResult {
        let stats = session.stats();
        let outcomes = OutcomeCounts {
            correct: stats.correct as u64,
            invalid: stats.invalid as u64,
            banned_repeats: stats.banned_repeats as u64,
            valid_but_wrong: stats.valid_but_wrong as u64,
            unparseable: stats.unparseable as u64,
        };
        RunResult {
            run: order.run,
            arm_id: order.arm.id.clone(),
            puzzle_id: order.puzzle.id.clone(),
            session_id: session_id.to_string(),
            solved: *session.status() == Status::Solved,
            attempts: stats.attempts as u64,
            correct: stats.correct as u64,
            outcomes,
            abandon_reason: match session.status() {
                Status::Abandoned(reason) => Some(reason.to_string()),
                _ => None,
            },
            duration_ms,
        }
    }

    /// Correct over attempts (0 without attempts).
    pub fn accuracy(&self) -> f64 {
        if self.attempts == 0 {
            0.0
        } else {
            self.correct as f64 / self.attempts as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::{PuzzleSource, UnitChoice};
    use crate::play::Limits;
    use solver_core::format::parse_line;

    fn order() -> RunOrder {
        RunOrder {
            run: 4,
            arm: Arm {
                id: "a".to_string(),
                label: "A".to_string(),
                profile_id: "local".to_string(),
                unit: UnitChoice::None,
                memory: false,
                prompt_mode: crate::play::PromptMode::Standard,
            },
            puzzle: PlannedPuzzle {
                id: "line-1".to_string(),
                source: PuzzleSource::Line {
                    line: "1..4.41.2.4..3.1".to_string(),
                },
            },
            repeat: 0,
            unit_id: None,
            training: false,
        }
    }

    fn session(max_attempts: usize) -> PlaySession {
        let solution = parse_line("1234341221434321").unwrap();
        let givens = parse_line("1..4.41.2.4..3.1").unwrap();
        let limits = Limits {
            max_attempts,
            ..Limits::default()
        };
        PlaySession::new(givens, solution, limits).unwrap()
    }

    #[test]
    fn a_run_names_its_unit_source_and_its_session() {
        let mut o = order();
        assert_eq!(o.unit(), RunUnit::None);
        o.arm.memory = true;
        assert_eq!(o.unit(), RunUnit::ActiveOf("local"));
        o.unit_id = Some("u1".into());
        assert_eq!(o.unit(), RunUnit::Named("u1"));
        let profile =
            Profile::from_template(crate::profile::ProviderTemplate::LlamaCpp, "local", 0.0);
        let puzzle = o.puzzle.materialise().unwrap();
        let start = o.session_start("e1", "Curve", 0, &profile, &puzzle, Some("u1".into()));
        assert_eq!(start.limits.max_attempts, 1);
        assert_eq!(start.experiment_id.as_deref(), Some("e1"));
        assert_eq!(start.notes, "experiment Curve · arm A");
        assert!(start.memory);
        let record = crate::memory::SessionRecord::start(start, 9.0, 3).unwrap();
        assert_eq!(record.puzzle_id, "line-1");
        assert_eq!(record.unit_id.as_deref(), Some("u1"));
    }

    /// A result takes the session's real status and abandon reason, never a label guessed
    /// from elsewhere (such as calling every unsolved run a timeout).
    #[test]
    fn unsolved_run_keeps_its_real_abandon_reason() {
        let mut s = session(2);
        s.handle_answer("r1c2=4", None).unwrap(); // INVALID: row 1 has its 4 already
        s.handle_answer("no move here", None).unwrap();
        let r = RunResult::from_session(&order(), "sess-1", &s, 1234);
        assert!(!r.solved);
        assert_eq!(
            r.abandon_reason.as_deref(),
            Some("maximum number of attempts reached")
        );
        assert_eq!(r.attempts, 2);
        assert_eq!(r.outcomes.unparseable, 1);
        assert_eq!((r.outcomes.invalid, r.outcomes.total()), (1, 2));
        assert_eq!(
            (r.run, r.arm_id.as_str(), r.puzzle_id.as_str()),
            (4, "a", "line-1")
        );
    }

    #[test]
    fn solved_run_is_solved_with_full_accuracy() {
        let mut s = session(200);
        for mv in [
            "r1c2=2", "r1c3=3", "r2c1=3", "r2c4=2", "r3c2=1", "r3c4=3", "r4c1=4", "r4c3=2",
        ] {
            s.handle_answer(mv, None).unwrap();
        }
        let r = RunResult::from_session(&order(), "sess-2", &s, 10);
        assert!(r.solved, "{:?}", s.status());
        assert_eq!(r.abandon_reason, None);
        assert_eq!((r.correct, r.attempts), (8, 8));
        assert_eq!(r.accuracy(), 1.0);
    }
}
