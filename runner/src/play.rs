//! One play, move by move: prompt → model → judge → journal, the app's player loop without a
//! screen. Every attempt is on disk before the next request; a failed request is never turned
//! into a move.

use std::sync::atomic::AtomicBool;

use learning_lab::llm::{ChatRequest, LlmError};
use learning_lab::memory::{ExperienceRecord, SessionRecord};
use learning_lab::play::{Attempt, Status, TokenBudget, HISTORY_LIMIT};
use learning_lab::profile::Profile;
use learning_lab::unit::retrieve::{retrieve, RetrieveOptions};
use learning_lab::unit::LearningUnit;

use crate::clock;
use crate::llm::LlmClient;

/// How a play ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Played {
    /// Solved or abandoned by the session's own rules.
    Ended,
    /// Stopped (Ctrl-C) before the next move; it continues on resume.
    Stopped,
}

/// Plays `record` until it ends, `stop` is set, or the model fails. `commit` stores each
/// attempt's experience and must succeed before the next request goes out; `on_attempt` is
/// told of every judged attempt.
///
/// # Errors
/// The model's error (worded for the profile's route) or a failed commit.
pub fn play(
    client: &LlmClient,
    profile: &Profile,
    record: &mut SessionRecord,
    unit: Option<&LearningUnit>,
    stop: &AtomicBool,
    mut commit: impl FnMut(&ExperienceRecord) -> Result<(), String>,
    mut on_attempt: impl FnMut(&Attempt),
) -> Result<Played, String> {
    let budget = TokenBudget::for_size(record.session.board().size());
    loop {
        if *record.session.status() != Status::Running {
            return Ok(Played::Ended);
        }
        let options = RetrieveOptions::for_profile(profile);
        let items = unit.map(|u| retrieve(u, record.session.board(), options));
        let prompt = record
            .session
            .poll_prompt(HISTORY_LIMIT, items.as_ref(), budget);
        let request = ChatRequest::for_play(profile, &prompt, &record.session, record.mode);
        let outcome = match client.chat(request, |_| {}, stop) {
            Ok(outcome) => outcome,
            Err(LlmError::Cancelled) => return Ok(Played::Stopped),
            Err(e) => return Err(e.message_for(&profile.route)),
        };
        let answered_at = clock::now_ms();
        let answer = &outcome.answer;
        let attempt = record
            .session
            .handle_answer(&answer.content, answer.separate_reasoning())
            .map_err(|e| format!("the session refused the answer: {e}"))?;
        let stored = record.experience(
            attempt.number - 1,
            profile,
            &outcome,
            answered_at,
            &prompt.injected_items,
        );
        record.touch(clock::now_ms());
        commit(&stored)?;
        on_attempt(&attempt);
    }
}

/// `record` as it started, with the journal's `experiences` of it replayed in attempt order:
/// the play where a killed runner left it.
///
/// # Errors
/// An experience that does not fit (the journal is of another run).
pub fn rebuild(
    mut record: SessionRecord,
    experiences: &[&ExperienceRecord],
) -> Result<SessionRecord, String> {
    let mut mine: Vec<&ExperienceRecord> = experiences
        .iter()
        .copied()
        .filter(|e| e.experience.context.session_id == record.id)
        .collect();
    mine.sort_by_key(|e| e.experience.attempt.number);
    let mut last = record.updated_at;
    for e in mine {
        record
            .session
            .replay(&e.experience.attempt)
            .map_err(|err| format!("session {}: {err}", record.id))?;
        last = last.max(e.created_at);
    }
    record.touch(last);
    Ok(record)
}
