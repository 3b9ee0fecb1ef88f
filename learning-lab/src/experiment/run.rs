//! One run of an experiment: the order handed to the caller and the result it reports back.

use serde::{Deserialize, Serialize};

use super::design::{Arm, PlannedPuzzle};
use crate::play::{PlaySession, Status};

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
                prompt_mode: "standard".to_string(),
                assisted_decoding: false,
            },
            puzzle: PlannedPuzzle {
                id: "line-1".to_string(),
                source: PuzzleSource::Line {
                    line: "1..4.41.2.4..3.1".to_string(),
                },
            },
            repeat: 0,
            unit_id: None,
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

    /// Upstream bug (UPSTREAM.md §5.18): the A/B/X scripts labelled every unsolved run
    /// TIMEOUT by scraping logs. The record takes the session's real status and reason.
    #[test]
    fn unsolved_run_keeps_its_real_abandon_reason() {
        let mut s = session(2);
        s.record("r1c2=4").unwrap(); // INVALID: row 1 has its 4 already
        s.record("no move here").unwrap();
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
            s.record(mv).unwrap();
        }
        let r = RunResult::from_session(&order(), "sess-2", &s, 10);
        assert!(r.solved, "{:?}", s.status());
        assert_eq!(r.abandon_reason, None);
        assert_eq!((r.correct, r.attempts), (8, 8));
        assert_eq!(r.accuracy(), 1.0);
    }
}
