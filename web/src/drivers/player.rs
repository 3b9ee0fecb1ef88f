//! The LLM player loop: prompt → model → judge → store, one move at a time, until the session
//! ends, a person stops it, or the model cannot be reached.
//!
//! Invariants:
//! - Every attempt is committed (session state and its experience, in one transaction) before
//!   the next request is sent, so a killed tab loses at most the move in flight.
//! - A failed request is never turned into a move: the session pauses with the reason and a
//!   person resumes it.
//! - Memory stays flat over hundreds of moves: the live view keeps only the current answer's
//!   stream; the move list is a window over the session.

use std::cell::Cell;
use std::rc::Rc;

use learning_lab::llm::{ChatRequest, Delta, LlmError};
use learning_lab::memory::{PuzzleRecord, SessionRecord, SessionStart};
use learning_lab::play::{Limits, PromptMode, ReadyPuzzle, Status, TokenBudget};
use learning_lab::profile::Profile;
use learning_lab::unit::retrieve::{retrieve, RetrieveOptions};
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;

use crate::db;
use crate::llm;

/// Attempts shown in the prompt's history (learning-lab's, shared with the headless runner).
pub use learning_lab::play::HISTORY_LIMIT;

/// What the screen watches while a play runs.
#[derive(Clone, Copy)]
pub struct Live {
    /// The session as last committed.
    pub record: RwSignal<Option<SessionRecord>>,
    /// Hidden reasoning of the answer being streamed.
    pub reasoning: RwSignal<String>,
    /// Visible answer being streamed.
    pub answer: RwSignal<String>,
    /// One line on what is happening.
    pub status: RwSignal<String>,
    /// Whether the loop runs.
    pub running: RwSignal<bool>,
    /// App time per move outside the model call (ms), last 200 moves.
    pub overhead_ms: RwSignal<Vec<f64>>,
    /// The last prompt sent (system, then user), so a person can see what the model saw.
    pub prompt: RwSignal<String>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            record: RwSignal::new(None),
            reasoning: RwSignal::new(String::new()),
            answer: RwSignal::new(String::new()),
            status: RwSignal::new(String::new()),
            running: RwSignal::new(false),
            overhead_ms: RwSignal::new(Vec::new()),
            prompt: RwSignal::new(String::new()),
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

/// Ask a running loop to stop after (or, by cancelling, during) the current move.
#[derive(Clone, Default)]
pub struct StopHandle {
    stop: Rc<Cell<bool>>,
    cancel: llm::CancelHandle,
}

impl StopHandle {
    pub fn stop(&self) {
        self.stop.set(true);
        self.cancel.cancel();
    }
}

/// The puzzle a free play is of.
pub enum PlayPuzzle {
    /// A new puzzle: the generator's for `size` and `seed` (stored with the play).
    Generated { size: usize, seed: u64 },
    /// A puzzle from the library, played as it is stored (its record is left untouched).
    Stored(PuzzleRecord),
}

/// A free play to start: its puzzle, and how it is played.
pub struct NewPlay {
    pub puzzle: PlayPuzzle,
    pub max_attempts: usize,
    pub memory: bool,
    /// The learning unit to inject (memory on and the profile has one).
    pub unit_id: Option<String>,
    pub mode: PromptMode,
}

/// Creates and stores a new play of `profile`: its puzzle and its session, ready for [`run`].
///
/// # Errors
/// A puzzle that cannot be generated or played (a corrupt library record), or storage
/// failures.
pub async fn start(profile: &Profile, play: NewPlay) -> Result<SessionRecord, String> {
    let NewPlay {
        puzzle,
        max_attempts,
        memory,
        unit_id,
        mode,
    } = play;
    let (puzzle, generated) = match puzzle {
        PlayPuzzle::Generated { size, seed } => {
            let puzzle = ReadyPuzzle::generate(size, seed).map_err(|e| {
                format!("could not generate a {size}x{size} puzzle for seed {seed}: {e}")
            })?;
            (puzzle, true)
        }
        PlayPuzzle::Stored(record) => (
            record
                .ready()
                .map_err(|e| format!("this library puzzle cannot be played: {e}"))?,
            false,
        ),
    };
    let now = db::now();
    let start = SessionStart {
        profile,
        puzzle: &puzzle,
        limits: Limits {
            max_attempts,
            ..Limits::default()
        },
        unit_id,
        memory,
        mode,
        experiment_id: None,
        notes: String::new(),
    };
    let record = SessionRecord::start(start, now, db::nonce())
        .map_err(|e| format!("could not start: {e}"))?;
    let db = db::open().await.map_err(|e| e.to_string())?;
    if generated {
        db.save_puzzle(&PuzzleRecord::new(&puzzle, now))
            .await
            .map_err(|e| e.to_string())?;
    }
    db.put_session(&record).await.map_err(|e| e.to_string())?;
    Ok(record)
}

/// Commit `record` alone (pause, resume, notes).
async fn save_session(record: &mut SessionRecord) -> Result<(), String> {
    record.touch(db::now());
    let db = db::open().await.map_err(|e| e.to_string())?;
    db.put_session(record).await.map_err(|e| e.to_string())
}

/// Pauses the play because of `why` (`Cancelled`: the person pressed Stop), stores the pause
/// and says so on the screen.
async fn pause(mut record: SessionRecord, profile: &Profile, live: &Live, why: &LlmError) {
    let _ = record.session.pause();
    let saved = save_session(&mut record).await;
    let cancelled = matches!(why, LlmError::Cancelled);
    let why = why.message_for(&profile.route);
    if cancelled {
        tracing::info!(session = %record.id, "paused by the person");
    } else {
        tracing::warn!(session = %record.id, "paused: {why}");
    }
    if let Err(s) = &saved {
        tracing::error!(session = %record.id, "the pause was not saved: {s}");
    }
    live.status.set(match (cancelled, saved) {
        (true, Ok(())) => "paused; press Resume to go on".into(),
        (false, Ok(())) => format!("paused: {why}; press Resume to try again"),
        (_, Err(s)) => format!("paused: {why}; and the pause was not saved: {s}"),
    });
    live.record.set(Some(record));
}

/// Runs `record` with `profile` until it ends or is stopped. `unit` is the learning unit to
/// draw on (`None` with memory off): before every move, its items most relevant to the board
/// at that moment are retrieved and injected, within the prompt's token budget.
pub async fn run(
    mut record: SessionRecord,
    profile: Profile,
    unit: Option<LearningUnit>,
    live: Live,
    handle: StopHandle,
) {
    live.running.set(true);
    tracing::info!(session = %record.id, puzzle = %record.puzzle_id, model = %profile.model, "play runs");
    if *record.session.status() == Status::Paused {
        let _ = record.session.resume();
    }
    let edge_url = crate::edge::edge_url().await;
    let client = match llm::LlmClient::for_profile(&profile, edge_url.as_deref()) {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(session = %record.id, "cannot start: {e}");
            live.status.set(format!("cannot start: {e}"));
            live.running.set(false);
            return;
        }
    };
    let budget = TokenBudget::for_size(record.session.board().size());
    loop {
        if *record.session.status() != Status::Running {
            break;
        }
        if handle.stop.get() {
            // Stop was pressed between two moves (while the last one was saved, or while the
            // page painted): the same pause as a Stop during a request. Breaking out without
            // it left the session running, the screen on the last move and Stop greyed out.
            pause(record, &profile, &live, &LlmError::Cancelled).await;
            break;
        }
        let options = RetrieveOptions::for_profile(&profile);
        let items = unit
            .as_ref()
            .map(|u| retrieve(u, record.session.board(), options));
        let prompt = record
            .session
            .poll_prompt(HISTORY_LIMIT, items.as_ref(), budget);
        // In assisted mode (research mode, opted into per play) answers are restricted to
        // legal moves; every experience records whether the request really was, so it is
        // never mistaken for the model's own skill.
        let request = ChatRequest::for_play(&profile, &prompt, &record.session, record.mode);
        live.prompt.set(request.transcript());
        live.reasoning.set(String::new());
        live.answer.set(String::new());
        live.status.set(format!(
            "move {}: asking {}…",
            record.session.attempts().len() + 1,
            profile.model
        ));
        let result = client
            .chat(
                request,
                |delta: Delta| match delta {
                    Delta::Reasoning(text) => live.reasoning.update(|r| r.push_str(&text)),
                    Delta::Content(text) => live.answer.update(|a| a.push_str(&text)),
                    Delta::Restart { reason } => {
                        live.reasoning.set(String::new());
                        live.answer.set(format!("({reason})\n"));
                    }
                },
                &handle.cancel,
            )
            .await;
        let answered_at = db::now();
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(e) => {
                // Never a fake move: pause, keep everything, say why.
                pause(record, &profile, &live, &e).await;
                break;
            }
        };
        let answer = &outcome.answer;
        let attempt = match record
            .session
            .handle_answer(&answer.content, answer.separate_reasoning())
        {
            Ok(attempt) => attempt,
            Err(e) => {
                tracing::warn!(session = %record.id, "stopped: {e}");
                live.status.set(format!("stopped: {e}"));
                break;
            }
        };
        let stored = record.experience(
            attempt.number - 1,
            &profile,
            &outcome,
            answered_at,
            &prompt.injected_items,
        );
        record.touch(db::now());
        let committed = match db::open().await {
            Ok(db) => db
                .save_attempt(&record, &stored)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = committed {
            // Storage refused (full, blocked): stop before asking the model again.
            tracing::error!(session = %record.id, attempt = attempt.number, "move not saved, play stopped: {e}");
            live.status.set(format!(
                "stopped: move {} could not be saved ({e}); nothing after it was sent",
                attempt.number
            ));
            live.record.set(Some(record));
            break;
        }
        tracing::debug!(session = %record.id, attempt = attempt.number, verdict = attempt.judgement.label(), "move judged and saved");
        let overhead = db::now() - answered_at;
        live.overhead_ms.update(|v| {
            v.push(overhead);
            if v.len() > 200 {
                v.remove(0);
            }
        });
        live.status.set(format!(
            "move {}: {} — {}",
            attempt.number,
            attempt.judgement.label(),
            attempt.feedback
        ));
        live.record.set(Some(record.clone()));
        // Let the browser paint and handle input between moves.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    if let Some(r) = live.record.try_get_untracked().flatten() {
        match r.session.status() {
            Status::Solved => {
                tracing::info!(session = %r.id, "solved");
                live.status.set("solved!".into());
            }
            Status::Abandoned(reason) => live.status.set(format!("ended: {reason}")),
            _ => {}
        }
    }
    live.running.set(false);
}
