//! [`PlaySession`]: one model playing one puzzle, attempt by attempt.
//!
//! The driver takes the next prompt with [`PlaySession::poll_prompt`], sends it, and feeds the
//! model's answer back with [`PlaySession::handle_answer`], which parses it, judges it, applies
//! a correct move, bans rejected moves, updates the counters and checks the limits. The whole
//! state is serde-serialisable so a session survives a reload.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::judge::{judge, InvalidReason, Judgement, Move, ParseFailure};
use super::parse::parse_response;
use super::prompt::{build_prompt, BuiltPrompt, PromptInput, PromptUnit, TokenBudget};
use solver_core::grid::Grid;

/// Limits that end a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Attempts of any outcome (parse failures and banned repeats included). Default 200.
    pub max_attempts: usize,
    /// Consecutive non-correct attempts; `None` (default) = no limit: a struggling model keeps
    /// every attempt up to `max_attempts`, which is where it may break through.
    pub max_consecutive_failures: Option<usize>,
    /// Consecutive banned repeats. Default 10.
    pub max_consecutive_banned_repeats: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_attempts: 200,
            max_consecutive_failures: None,
            max_consecutive_banned_repeats: 10,
        }
    }
}

/// Why a session ended without solving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum AbandonReason {
    /// [`Limits::max_attempts`] reached.
    MaxAttempts,
    /// [`Limits::max_consecutive_failures`] reached.
    ConsecutiveFailures,
    /// [`Limits::max_consecutive_banned_repeats`] reached.
    ConsecutiveBannedRepeats,
    /// The model client failed for good (after its own retries).
    LlmError(String),
    /// A person stopped it.
    UserStopped,
    /// Its experiment run was cut off (a reload, a Stop) and is replayed in a new session.
    Interrupted,
}

impl fmt::Display for AbandonReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbandonReason::MaxAttempts => f.write_str("maximum number of attempts reached"),
            AbandonReason::ConsecutiveFailures => f.write_str("too many failures in a row"),
            AbandonReason::ConsecutiveBannedRepeats => {
                f.write_str("too many banned moves repeated in a row")
            }
            AbandonReason::LlmError(message) => write!(f, "model error: {message}"),
            AbandonReason::UserStopped => f.write_str("stopped by the user"),
            AbandonReason::Interrupted => {
                f.write_str("interrupted; its experiment replays the run in a new session")
            }
        }
    }
}

/// Where a session is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the next answer.
    Running,
    /// Paused by a person; [`PlaySession::resume`] continues.
    Paused,
    /// Every cell is filled correctly.
    Solved,
    /// Ended without solving.
    Abandoned(AbandonReason),
}

/// Why an operation on a session was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The session is not running (paused, solved or abandoned).
    NotRunning(Status),
    /// Resume was asked of a session that is not paused.
    NotPaused(Status),
    /// The givens and solution have different shapes, or the givens disagree with the
    /// solution.
    Mismatch,
    /// A recorded attempt does not fit the session it is replayed into.
    Diverged {
        /// The attempt's number.
        number: usize,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::NotRunning(s) => write!(f, "the session is not running ({s:?})"),
            SessionError::NotPaused(s) => write!(f, "the session is not paused ({s:?})"),
            SessionError::Mismatch => f.write_str("the givens do not match the solution"),
            SessionError::Diverged { number } => write!(
                f,
                "recorded attempt {number} does not fit the session (another board, verdict or order)"
            ),
        }
    }
}

impl std::error::Error for SessionError {}

/// One judged attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1-based number in the session.
    pub number: usize,
    /// The board before the attempt, one-line form.
    pub board_before: String,
    /// Empty cells before the attempt.
    pub empty_before: usize,
    /// The move read, or why none could be.
    pub proposal: Result<Move, ParseFailure>,
    /// The verdict.
    pub judgement: Judgement,
    /// The feedback sentence sent to the model next.
    pub feedback: String,
    /// Visible reasoning.
    pub reasoning: String,
    /// `<think>` reasoning.
    pub hidden_reasoning: Option<String>,
    /// Non-correct attempts directly before this one.
    pub failures_before: usize,
}

impl Attempt {
    /// The move, if one was read.
    pub fn mv(&self) -> Option<&Move> {
        self.proposal.as_ref().ok()
    }

    /// A history line for the prompt: `Move 4: r3c5=7 → INVALID (7 is already in row 3 at r3c8)`.
    pub fn history_line(&self) -> String {
        let what = self
            .mv()
            .map_or_else(|| "no move".to_string(), Move::to_string);
        let label = self.judgement.label();
        if self.judgement.is_correct() {
            format!("Move {}: {what} → {label}", self.number)
        } else {
            format!(
                "Move {}: {what} → {label} ({})",
                self.number,
                self.judgement.detail(self.mv())
            )
        }
    }
}

/// Counts and accuracy of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionStats {
    /// Attempts of any outcome.
    pub attempts: usize,
    /// CORRECT.
    pub correct: usize,
    /// INVALID other than banned repeats.
    pub invalid: usize,
    /// INVALID because banned.
    pub banned_repeats: usize,
    /// VALID_BUT_WRONG.
    pub valid_but_wrong: usize,
    /// UNPARSEABLE.
    pub unparseable: usize,
    /// `correct / attempts` (0 when there are none).
    pub accuracy: f64,
    /// Accuracy of each block of 20 attempts (the last block may be shorter).
    pub trend: Vec<f64>,
}

/// Block length of [`SessionStats::trend`].
pub const TREND_BLOCK: usize = 20;

/// One model playing one puzzle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaySession {
    givens: Grid,
    solution: Grid,
    board: Grid,
    attempts: Vec<Attempt>,
    banned: BTreeSet<Move>,
    limits: Limits,
    status: Status,
    consecutive_failures: usize,
    consecutive_banned: usize,
}

impl PlaySession {
    /// A running session on `givens` with their `solution`.
    ///
    /// # Errors
    /// [`SessionError::Mismatch`] when the shapes differ, the solution is not solved, or a
    /// given disagrees with it.
    pub fn new(givens: Grid, solution: Grid, limits: Limits) -> Result<PlaySession, SessionError> {
        if givens.shape() != solution.shape()
            || !solution.is_solved()
            || !givens.agrees_with(&solution)
        {
            return Err(SessionError::Mismatch);
        }
        let status = if givens.is_complete() {
            Status::Solved
        } else {
            Status::Running
        };
        Ok(PlaySession {
            board: givens.clone(),
            givens,
            solution,
            attempts: Vec::new(),
            banned: BTreeSet::new(),
            limits,
            status,
            consecutive_failures: 0,
            consecutive_banned: 0,
        })
    }

    /// The givens.
    pub fn givens(&self) -> &Grid {
        &self.givens
    }

    /// The current board (givens plus correct moves).
    pub fn board(&self) -> &Grid {
        &self.board
    }

    /// The board as it stood after the first `count` attempts (givens plus the correct moves
    /// among them): what a move-by-move replay shows. `count` past the end is the current
    /// board.
    pub fn board_after(&self, count: usize) -> Grid {
        let mut board = self.givens.clone();
        for attempt in self.attempts.iter().take(count) {
            if let (Ok(mv), true) = (&attempt.proposal, attempt.judgement.is_correct()) {
                board.set(mv.row, mv.col, Some(mv.value));
            }
        }
        board
    }

    /// Every attempt so far, oldest first.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// Banned moves, sorted.
    pub fn banned(&self) -> &BTreeSet<Move> {
        &self.banned
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The status.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Non-correct attempts in a row at the end.
    pub fn consecutive_failures(&self) -> usize {
        self.consecutive_failures
    }

    /// Feeds the model's answer back: parses, judges and records it; applies a correct move;
    /// ends the session when it is solved or a limit is reached. `separate_reasoning` is
    /// reasoning the server sent apart (`reasoning_content` / `reasoning` fields): it is kept
    /// as hidden reasoning, before any `<think>` block of the answer itself. Only `answer` is
    /// parsed for a move.
    ///
    /// # Errors
    /// [`SessionError::NotRunning`] unless the session is running.
    pub fn handle_answer(
        &mut self,
        answer: &str,
        separate_reasoning: Option<&str>,
    ) -> Result<Attempt, SessionError> {
        if self.status != Status::Running {
            return Err(SessionError::NotRunning(self.status.clone()));
        }
        let size = self.board.size();
        let mut parsed = parse_response(answer, size);
        if let Some(extra) = separate_reasoning.map(str::trim).filter(|r| !r.is_empty()) {
            parsed.hidden_reasoning = Some(match parsed.hidden_reasoning.take() {
                Some(think) => format!("{extra}\n\n{think}"),
                None => extra.to_string(),
            });
        }
        let judgement = judge(
            &self.board,
            &self.givens,
            &self.solution,
            &self.banned,
            &parsed.proposal,
        );
        let attempt = Attempt {
            number: self.attempts.len() + 1,
            board_before: self.board.to_line(),
            empty_before: self.board.empty_count(),
            feedback: judgement.feedback(parsed.proposal.as_ref().ok()),
            proposal: parsed.proposal,
            judgement,
            reasoning: parsed.reasoning,
            hidden_reasoning: parsed.hidden_reasoning,
            failures_before: self.consecutive_failures,
        };
        self.commit(attempt.clone());
        Ok(attempt)
    }

    /// Applies a judged attempt: the board, the banned moves, the counters, the status.
    fn commit(&mut self, attempt: Attempt) {
        if let Ok(mv) = attempt.proposal {
            if attempt.judgement.is_correct() {
                self.board.set(mv.row, mv.col, Some(mv.value));
            } else if attempt.judgement.bans_move() {
                self.banned.insert(mv);
            }
        }
        if attempt.judgement.is_correct() {
            self.consecutive_failures = 0;
        } else {
            self.consecutive_failures += 1;
        }
        if attempt.judgement == Judgement::Invalid(InvalidReason::BannedRepeat) {
            self.consecutive_banned += 1;
        } else {
            self.consecutive_banned = 0;
        }
        self.attempts.push(attempt);
        self.status = if self.board.is_solved() {
            Status::Solved
        } else if self.consecutive_banned >= self.limits.max_consecutive_banned_repeats {
            Status::Abandoned(AbandonReason::ConsecutiveBannedRepeats)
        } else if self
            .limits
            .max_consecutive_failures
            .is_some_and(|max| self.consecutive_failures >= max)
        {
            Status::Abandoned(AbandonReason::ConsecutiveFailures)
        } else if self.attempts.len() >= self.limits.max_attempts {
            Status::Abandoned(AbandonReason::MaxAttempts)
        } else {
            Status::Running
        };
    }

    /// Applies an attempt recorded earlier (a journal's experience) to a session rebuilt
    /// from its start, so a killed runner continues a play instead of replaying it: the
    /// attempt's move is judged again and must come out as recorded, on the board it was
    /// recorded on.
    ///
    /// # Errors
    /// [`SessionError::NotRunning`] on a finished session, [`SessionError::Diverged`] when
    /// the attempt is not the next one or its board or verdict differ.
    pub fn replay(&mut self, attempt: &Attempt) -> Result<(), SessionError> {
        if self.status != Status::Running {
            return Err(SessionError::NotRunning(self.status.clone()));
        }
        let judgement = judge(
            &self.board,
            &self.givens,
            &self.solution,
            &self.banned,
            &attempt.proposal,
        );
        let fits = attempt.number == self.attempts.len() + 1
            && attempt.board_before == self.board.to_line()
            && attempt.judgement == judgement
            && attempt.failures_before == self.consecutive_failures;
        if !fits {
            return Err(SessionError::Diverged {
                number: attempt.number,
            });
        }
        self.commit(attempt.clone());
        Ok(())
    }

    /// Pauses a running session.
    ///
    /// # Errors
    /// [`SessionError::NotRunning`] unless it is running.
    pub fn pause(&mut self) -> Result<(), SessionError> {
        if self.status != Status::Running {
            return Err(SessionError::NotRunning(self.status.clone()));
        }
        self.status = Status::Paused;
        Ok(())
    }

    /// Resumes a paused session.
    ///
    /// # Errors
    /// [`SessionError::NotPaused`] unless it is paused.
    pub fn resume(&mut self) -> Result<(), SessionError> {
        if self.status != Status::Paused {
            return Err(SessionError::NotPaused(self.status.clone()));
        }
        self.status = Status::Running;
        Ok(())
    }

    /// Ends a running or paused session with `reason` (e.g. a model error or the user's
    /// stop). A finished session keeps its status.
    ///
    /// # Errors
    /// [`SessionError::NotRunning`] when already solved or abandoned.
    pub fn abandon(&mut self, reason: AbandonReason) -> Result<(), SessionError> {
        match self.status {
            Status::Running | Status::Paused => {
                self.status = Status::Abandoned(reason);
                Ok(())
            }
            _ => Err(SessionError::NotRunning(self.status.clone())),
        }
    }

    /// Counts, accuracy and the per-20-attempt trend.
    pub fn stats(&self) -> SessionStats {
        let count = |f: &dyn Fn(&Judgement) -> bool| {
            self.attempts.iter().filter(|a| f(&a.judgement)).count()
        };
        let correct = count(&|j| j.is_correct());
        let banned_repeats = count(&|j| *j == Judgement::Invalid(InvalidReason::BannedRepeat));
        let invalid = count(&|j| matches!(j, Judgement::Invalid(_))) - banned_repeats;
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        SessionStats {
            attempts: self.attempts.len(),
            correct,
            invalid,
            banned_repeats,
            valid_but_wrong: count(&|j| *j == Judgement::ValidButWrong),
            unparseable: count(&|j| matches!(j, Judgement::Unparseable(_))),
            accuracy: ratio(correct, self.attempts.len()),
            trend: self
                .attempts
                .chunks(TREND_BLOCK)
                .map(|block| {
                    ratio(
                        block.iter().filter(|a| a.judgement.is_correct()).count(),
                        block.len(),
                    )
                })
                .collect(),
        }
    }

    /// The next thing to do: the prompt for the next move — last feedback, board, the last
    /// `history_limit` attempts, all banned moves and `unit`, trimmed to `budget`.
    pub fn poll_prompt(
        &self,
        history_limit: usize,
        unit: Option<&PromptUnit>,
        budget: TokenBudget,
    ) -> BuiltPrompt {
        let start = self.attempts.len().saturating_sub(history_limit);
        let history: Vec<String> = self.attempts[start..]
            .iter()
            .map(|a| a.history_line())
            .collect();
        let banned: Vec<Move> = self.banned.iter().copied().collect();
        build_prompt(
            &PromptInput {
                board: &self.board,
                last_feedback: self.attempts.last().map(|a| a.feedback.as_str()),
                history: &history,
                banned: &banned,
                unit,
            },
            budget,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solver_core::format::parse_line;

    fn session(limits: Limits) -> PlaySession {
        let solution = parse_line("1234341221434321").unwrap();
        let givens = parse_line("1..4.41.2.4..3.1").unwrap();
        PlaySession::new(givens, solution, limits).unwrap()
    }

    // The 8 empty cells of the 4x4 puzzle with their solution values.
    const SOLVE: [&str; 8] = [
        "ROW: 1 COL: 2 VALUE: 2",
        "ROW: 1 COL: 3 VALUE: 3",
        "ROW: 2 COL: 1 VALUE: 3",
        "ROW: 2 COL: 4 VALUE: 2",
        "ROW: 3 COL: 2 VALUE: 1",
        "ROW: 3 COL: 4 VALUE: 3",
        "ROW: 4 COL: 1 VALUE: 4",
        "ROW: 4 COL: 3 VALUE: 2",
    ];

    #[test]
    fn replaying_recorded_attempts_rebuilds_the_session_and_refuses_one_that_does_not_fit() {
        let mut played = session(Limits::default());
        let answers = [
            "ROW: 1 COL: 4 VALUE: 1",
            "ROW: 1 COL: 4 VALUE: 1",
            "nothing",
            SOLVE[0],
            "ROW: 1 COL: 3 VALUE: 4",
        ];
        for text in answers {
            played.handle_answer(text, None).unwrap();
        }
        let mut rebuilt = session(Limits::default());
        for attempt in played.attempts() {
            rebuilt.replay(attempt).unwrap();
        }
        assert_eq!(rebuilt, played);
        // Out of order, on another board, or with another verdict: refused, nothing changes.
        let mut fresh = session(Limits::default());
        let second = &played.attempts()[1];
        assert_eq!(
            fresh.replay(second),
            Err(SessionError::Diverged { number: 2 })
        );
        let mut forged = played.attempts()[0].clone();
        forged.judgement = Judgement::Correct;
        assert_eq!(
            fresh.replay(&forged),
            Err(SessionError::Diverged { number: 1 })
        );
        assert_eq!(fresh, session(Limits::default()));
        let mut solved = session(Limits::default());
        for text in SOLVE {
            solved.handle_answer(text, None).unwrap();
        }
        assert!(matches!(
            solved.replay(&played.attempts()[0]),
            Err(SessionError::NotRunning(Status::Solved))
        ));
        assert!(SessionError::Diverged { number: 3 }
            .to_string()
            .contains("attempt 3"));
    }

    #[test]
    fn a_full_game_with_every_outcome() {
        let mut s = session(Limits::default());
        let a = s
            .handle_answer("ROW: 1 COL: 4 VALUE: 1\nThe answer is 1.", None)
            .unwrap();
        assert_eq!(
            a.judgement,
            Judgement::Invalid(InvalidReason::Given { value: 4 })
        );
        assert_eq!(
            a.feedback,
            "INVALID: r1c4 is a given clue (4); choose an empty cell."
        );
        let a = s.handle_answer("ROW: 1 COL: 4 VALUE: 1", None).unwrap();
        assert_eq!(a.judgement, Judgement::Invalid(InvalidReason::BannedRepeat));
        let a = s
            .handle_answer("The digits 1-4 must be placed", None)
            .unwrap();
        assert_eq!(a.judgement, Judgement::Unparseable(ParseFailure::NoMove));
        assert_eq!(a.failures_before, 2);
        for text in SOLVE {
            let a = s.handle_answer(text, None).unwrap();
            assert!(a.judgement.is_correct(), "{text}: {:?}", a.judgement);
        }
        assert_eq!(s.status(), &Status::Solved);
        assert!(s.board().is_solved());
        assert_eq!(s.banned().len(), 1, "parse failures are never banned");
        let stats = s.stats();
        assert_eq!(
            (
                stats.attempts,
                stats.correct,
                stats.invalid,
                stats.banned_repeats,
                stats.unparseable
            ),
            (11, 8, 1, 1, 1)
        );
        assert!((stats.accuracy - 8.0 / 11.0).abs() < 1e-9);
        assert_eq!(
            s.handle_answer("r1c1=1", None),
            Err(SessionError::NotRunning(Status::Solved))
        );
    }

    #[test]
    fn valid_but_wrong_is_not_applied_and_is_banned() {
        let solution = parse_line("1234341221434321").unwrap();
        let mut s =
            PlaySession::new(Grid::empty(solution.shape()), solution, Limits::default()).unwrap();
        let a = s
            .handle_answer(r#"{"row": 1, "col": 1, "value": 2}"#, None)
            .unwrap();
        assert_eq!(a.judgement, Judgement::ValidButWrong);
        assert_eq!(s.board().empty_count(), 16);
        assert!(s.banned().contains(&Move::new(0, 0, 2)));
        assert_eq!(s.attempts()[0].history_line(), "Move 1: r1c1=2 → VALID_BUT_WRONG (2 at r1c1 breaks no rule now but is not the solution's value; the board is unchanged and r1c1=2 is banned)");
    }

    #[test]
    fn limits_end_the_session() {
        let mut s = session(Limits {
            max_attempts: 3,
            ..Limits::default()
        });
        for _ in 0..3 {
            s.handle_answer("nothing", None).unwrap();
        }
        assert_eq!(s.status(), &Status::Abandoned(AbandonReason::MaxAttempts));

        let mut s = session(Limits {
            max_consecutive_failures: Some(2),
            ..Limits::default()
        });
        s.handle_answer("nothing", None).unwrap();
        s.handle_answer(SOLVE[0], None).unwrap();
        s.handle_answer("nothing", None).unwrap();
        assert_eq!(
            s.status(),
            &Status::Running,
            "a correct move resets the count"
        );
        s.handle_answer("nothing", None).unwrap();
        assert_eq!(
            s.status(),
            &Status::Abandoned(AbandonReason::ConsecutiveFailures)
        );

        let mut s = session(Limits::default());
        s.handle_answer("r1c1=2", None).unwrap();
        for k in 0..10 {
            assert_eq!(s.status(), &Status::Running, "{k}");
            s.handle_answer("r1c1=2", None).unwrap();
        }
        assert_eq!(
            s.status(),
            &Status::Abandoned(AbandonReason::ConsecutiveBannedRepeats)
        );
        assert_eq!(s.attempts().len(), 11);
    }

    #[test]
    fn pause_resume_abandon() {
        let mut s = session(Limits::default());
        s.pause().unwrap();
        assert_eq!(
            s.handle_answer(SOLVE[0], None),
            Err(SessionError::NotRunning(Status::Paused))
        );
        assert_eq!(s.pause(), Err(SessionError::NotRunning(Status::Paused)));
        s.resume().unwrap();
        assert_eq!(s.resume(), Err(SessionError::NotPaused(Status::Running)));
        s.handle_answer(SOLVE[0], None).unwrap();
        s.abandon(AbandonReason::LlmError("timeout".into()))
            .unwrap();
        assert_eq!(
            s.status(),
            &Status::Abandoned(AbandonReason::LlmError("timeout".into()))
        );
        assert!(s.abandon(AbandonReason::UserStopped).is_err());
        assert_eq!(
            AbandonReason::LlmError("timeout".into()).to_string(),
            "model error: timeout"
        );
    }

    #[test]
    fn serde_round_trip_mid_session_then_continue() {
        let mut s = session(Limits::default());
        s.handle_answer("ROW: 1 COL: 4 VALUE: 1", None).unwrap();
        s.handle_answer("<think>hmm</think>ROW: 1 COL: 2 VALUE: 2", None)
            .unwrap();
        s.handle_answer("nonsense", None).unwrap();
        s.pause().unwrap();
        let json = serde_json::to_string(&s).unwrap();
        let mut back: PlaySession = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        back.resume().unwrap();
        for text in &SOLVE[1..] {
            back.handle_answer(text, None).unwrap();
        }
        assert_eq!(back.status(), &Status::Solved);
        assert_eq!(back.attempts()[1].hidden_reasoning.as_deref(), Some("hmm"));
    }

    #[test]
    fn trend_per_twenty_attempts_and_prompt_from_state() {
        let solution = parse_line("1234341221434321").unwrap();
        let mut givens = solution.clone();
        givens.set(3, 3, None);
        let mut s = PlaySession::new(givens, solution, Limits::default()).unwrap();
        for _ in 0..25 {
            s.handle_answer("no idea", None).unwrap();
        }
        s.handle_answer("r4c4=1", None).unwrap();
        let stats = s.stats();
        assert_eq!(stats.trend, vec![0.0, 1.0 / 6.0]);
        assert_eq!(s.status(), &Status::Solved);

        let mut s = session(Limits::default());
        s.handle_answer("ROW: 1 COL: 4 VALUE: 1", None).unwrap();
        let p = s.poll_prompt(20, None, TokenBudget::for_size(4));
        assert!(p
            .user
            .starts_with("LAST MOVE: INVALID: r1c4 is a given clue (4)"));
        assert!(p.user.contains("Move 1: r1c4=1 → INVALID"));
        assert!(p.user.contains("r1c4=1\n"));
        assert!(p.user.contains("Empty cells remaining: 8"));
    }

    #[test]
    fn mismatched_puzzles_are_refused() {
        let solution = parse_line("1234341221434321").unwrap();
        let wrong = parse_line("2...............").unwrap();
        assert_eq!(
            PlaySession::new(wrong, solution, Limits::default()),
            Err(SessionError::Mismatch)
        );
    }

    #[test]
    fn separate_reasoning_is_kept_as_hidden_reasoning_and_never_parsed() {
        let mut s = session(Limits::default());
        // The reasoning names a wrong move; only the answer may be read as the move.
        let a = s
            .handle_answer(
                "ROW: 1 COL: 2 VALUE: 2",
                Some("Maybe ROW: 1 COL: 2 VALUE: 4?"),
            )
            .unwrap();
        assert!(a.judgement.is_correct());
        assert_eq!(
            a.hidden_reasoning.as_deref(),
            Some("Maybe ROW: 1 COL: 2 VALUE: 4?")
        );
        let b = s
            .handle_answer(
                "<think>row 1 needs 3</think>ROW: 1 COL: 3 VALUE: 3",
                Some("first"),
            )
            .unwrap();
        assert_eq!(
            b.hidden_reasoning.as_deref(),
            Some("first\n\nrow 1 needs 3")
        );
    }

    #[test]
    fn board_after_replays_only_correct_moves() {
        let mut s = session(Limits::default());
        s.handle_answer(SOLVE[0], None).unwrap();
        s.handle_answer("ROW: 1 COL: 3 VALUE: 4", None).unwrap(); // conflict with the given 4 in row 1
        s.handle_answer(SOLVE[1], None).unwrap();
        assert_eq!(s.board_after(0), *s.givens());
        assert_eq!(s.board_after(1).get(0, 1), Some(2));
        assert_eq!(s.board_after(2), s.board_after(1));
        assert_eq!(s.board_after(3), *s.board());
        assert_eq!(s.board_after(99), *s.board());
    }
}
