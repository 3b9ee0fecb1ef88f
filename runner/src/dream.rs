//! A dream over journaled experiences: learning-lab's `Dream`, its LLM requests sent when the
//! profile's model writes the item texts, as the app's dreamer does.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use learning_lab::dream::{Dream, DreamOptions, DreamOutcome};
use learning_lab::llm::ChatRequest;
use learning_lab::memory::ExperienceRecord;
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use serde_json::Value;

use crate::clock;
use crate::llm::LlmClient;

/// The most experiences (the newest) one dream takes, as in the app.
pub const MAX_EXPERIENCES: usize = 10_000;

/// Puzzle id → solution, from a journal's puzzle records, so corrections are checked against
/// the true values.
pub fn solutions(puzzles: &[Value]) -> BTreeMap<String, String> {
    puzzles
        .iter()
        .filter_map(|p| {
            Some((
                p["id"].as_str()?.to_string(),
                p["solution"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Dreams over `records` of `profile`; with `client`, item texts are asked of its model (a
/// failed request keeps the derived text and is reported), otherwise fully offline. With a
/// `parent` (the profile's active unit) the unit is its next version (learning-lab's
/// `dream::evolve`), otherwise a first version.
///
/// # Errors
/// No experiences to dream over.
pub fn dream(
    profile: &Profile,
    client: Option<&LlmClient>,
    mut records: Vec<ExperienceRecord>,
    solutions: BTreeMap<String, String>,
    now_ms: f64,
    parent: Option<LearningUnit>,
    stop: &AtomicBool,
) -> Result<DreamOutcome, String> {
    if records.is_empty() {
        return Err(format!(
            "profile {} has no experiences to dream over in this journal (play first)",
            profile.id
        ));
    }
    records.sort_by(|a, b| {
        b.created_at
            .total_cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    records.truncate(MAX_EXPERIENCES);
    let unit_id = format!("unit-{}-{}", now_ms as u64, clock::nonce());
    let name = format!("{} dream (runner) {}", profile.name, now_ms as u64);
    let mut options = DreamOptions::new(&unit_id, &name, &profile.id, now_ms);
    options.use_llm = client.is_some();
    options.solutions = solutions;
    options.parent = parent;
    let experiences = records.into_iter().map(|r| (r.id, r.experience)).collect();
    let mut dream = Dream::new(experiences, options);
    if let Some(client) = client {
        while let Some(request) = dream.poll_request().cloned() {
            if stop.load(Ordering::SeqCst) {
                dream.handle_error("cancelled");
                continue;
            }
            let chat = ChatRequest::for_dream(profile, &request);
            match client.chat(chat, |_| {}, stop) {
                Ok(outcome) => dream.handle_answer(&outcome.answer.content),
                Err(e) => dream.handle_error(&e.to_string()),
            }
        }
    }
    Ok(dream.finish())
}
