//! Runs a dream for a profile: reads its experiences page by page, drives learning-lab's
//! `Dream` (sending its LLM requests when asked), stores the unit, marks the experiences
//! consolidated and makes the unit the profile's active one.
//!
//! Runs on the main thread: capture/triage/compression are one synchronous call in
//! learning-lab; between phases (and between LLM requests) the loop yields to the browser so
//! the page repaints and stays responsive.

use std::collections::{BTreeMap, BTreeSet};

use learning_lab::dream::{Dream, DreamOptions, DreamReport, Phase};
use learning_lab::llm::ChatRequest;
use learning_lab::memory::ExperienceRecord;
use learning_lab::play::Experience;
use learning_lab::profile::Profile;
use learning_lab::unit::{ledger, LearningUnit};
use leptos::prelude::*;

use crate::db;
use crate::llm::{CancelHandle, LlmClient};
use crate::storage::{ExperienceFilter, PageCursor, Storage};

/// At most this many experiences (the newest) go into one dream: `Dream::new` takes one
/// list, and a browser tab should not hold more than that at once.
pub const MAX_EXPERIENCES: usize = 10_000;
/// Experiences read per storage page.
const PAGE: u32 = 500;

/// Which experiences a dream consolidates.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// The profile's experiences no dream has used yet.
    Unconsolidated,
    /// The attempts of these sessions (an experiment's dream barrier), consolidated or not.
    Sessions(Vec<String>),
}

/// What a running dream shows.
#[derive(Clone, Copy)]
pub struct DreamLive {
    /// Current phase (`capture`, `triage`, `compression`, `abstraction`, `verification`,
    /// `done`).
    pub phase: RwSignal<String>,
    /// Steps done in the phase.
    pub done: RwSignal<usize>,
    /// Steps in the phase.
    pub total: RwSignal<usize>,
    /// One line on what is happening.
    pub status: RwSignal<String>,
    /// Whether a dream runs.
    pub running: RwSignal<bool>,
}

impl DreamLive {
    /// Fresh signals.
    pub fn new() -> DreamLive {
        DreamLive {
            phase: RwSignal::new(String::new()),
            done: RwSignal::new(0),
            total: RwSignal::new(0),
            status: RwSignal::new(String::new()),
            running: RwSignal::new(false),
        }
    }

    fn show(&self, phase: Phase, done: usize, total: usize, status: String) {
        if done == 0 || done == total {
            tracing::info!(phase = phase.name(), done, total, "{status}");
        }
        self.phase.set(phase.name().into());
        self.done.set(done);
        self.total.set(total);
        self.status.set(status);
    }
}

impl Default for DreamLive {
    fn default() -> Self {
        DreamLive::new()
    }
}

/// A finished dream.
#[derive(Clone, Debug)]
pub struct DreamRun {
    /// The stored unit.
    pub unit: LearningUnit,
    /// What each phase did.
    pub report: DreamReport,
    /// Experiences marked consolidated.
    pub marked: u32,
    /// Experiences left out by [`MAX_EXPERIENCES`].
    pub capped: usize,
}

async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Reads the experiences of `scope`, newest first, at most [`MAX_EXPERIENCES`]; returns them
/// and how many more there were.
async fn capture(
    db: &Storage,
    profile_id: &str,
    scope: &Scope,
    live: &DreamLive,
) -> Result<(Vec<ExperienceRecord>, usize), String> {
    let mut out = Vec::new();
    let mut over = 0usize;
    let filters: Vec<ExperienceFilter> = match scope {
        Scope::Unconsolidated => vec![ExperienceFilter::Consolidated(false)],
        Scope::Sessions(ids) => ids
            .iter()
            .map(|s| ExperienceFilter::Session(s.clone()))
            .collect(),
    };
    for filter in filters {
        let mut after: Option<PageCursor> = None;
        loop {
            let page = db
                .page_experiences(&filter, after.as_ref(), PAGE)
                .await
                .map_err(|e| e.to_string())?;
            for r in page.items {
                if r.experience.context.profile_id != profile_id {
                    continue;
                }
                if out.len() < MAX_EXPERIENCES {
                    out.push(r);
                } else {
                    over += 1;
                }
            }
            live.show(
                Phase::Capture,
                out.len(),
                out.len(),
                format!("read {} experiences…", out.len()),
            );
            yield_now().await;
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok((out, over))
}

/// Dreams over `profile`'s experiences in `scope`. With `use_llm`, item texts are written by
/// the profile's model (a failed request keeps the derived text, reported); otherwise offline.
/// On success the unit is stored, the experiences marked consolidated, and the unit made
/// the profile's active one.
///
/// # Errors
/// Storage failures, or no experiences to dream over.
pub async fn dream(
    profile: &Profile,
    scope: Scope,
    use_llm: bool,
    live: DreamLive,
    cancel: &CancelHandle,
) -> Result<DreamRun, String> {
    live.running.set(true);
    tracing::info!(profile = %profile.id, with_model = use_llm, "dream starts");
    let result = dream_inner(profile, scope, use_llm, live, cancel).await;
    match &result {
        Ok(run) => live.show(
            Phase::Done,
            1,
            1,
            format!(
                "dream finished: unit {} with {} items",
                run.unit.name,
                run.unit.item_count()
            ),
        ),
        Err(e) => {
            tracing::warn!(profile = %profile.id, "dream failed: {e}");
            live.status.set(format!("dream failed: {e}"));
        }
    }
    live.running.set(false);
    result
}

async fn dream_inner(
    profile: &Profile,
    scope: Scope,
    use_llm: bool,
    live: DreamLive,
    cancel: &CancelHandle,
) -> Result<DreamRun, String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    live.show(Phase::Capture, 0, 0, "reading experiences…".into());
    let (records, capped) = capture(&db, &profile.id, &scope, &live).await?;
    if records.is_empty() {
        return Err(format!(
            "profile {} has no experiences to dream over (play first)",
            profile.name
        ));
    }
    // Solutions of the puzzles played, so corrections can be checked against them.
    let puzzle_ids: BTreeSet<String> = records
        .iter()
        .map(|r| r.experience.context.puzzle_id.clone())
        .collect();
    let mut solutions = BTreeMap::new();
    for id in puzzle_ids {
        if let Ok(Some(p)) = db.puzzle(&id).await {
            solutions.insert(id, p.solution);
        }
    }
    let now = db::now();
    let unit_id = db::new_id("unit");
    let name = format!(
        "{} dream {}",
        profile.name,
        String::from(js_sys::Date::new(&now.into()).to_iso_string())
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " ")
    );
    let mut options = DreamOptions::new(&unit_id, &name, &profile.id, now);
    options.use_llm = use_llm;
    options.solutions = solutions;
    // A profile's dream evolves its active unit (learning-lab's `dream::evolve`); an
    // experiment's dream makes a first version from its sessions alone, as its design says.
    if matches!(scope, Scope::Unconsolidated) {
        options.parent = db::active_unit(&db, &profile.id).await?;
        if let Some(parent) = &options.parent {
            // Its items are judged on the profile's history, as the Units screen shows them.
            let (history, _) =
                db::profile_experiences(&db, &profile.id, db::LEDGER_MAX_EXPERIENCES).await?;
            options.parent_ledger = Some(ledger(parent, &history));
        }
    }
    let experiences: Vec<(String, Experience)> =
        records.into_iter().map(|r| (r.id, r.experience)).collect();
    live.show(
        Phase::Triage,
        0,
        experiences.len(),
        format!(
            "triage and compression of {} experiences…",
            experiences.len()
        ),
    );
    yield_now().await;
    let mut dream = Dream::new(experiences, options);

    if use_llm {
        let edge_url = crate::edge::edge_url().await;
        match LlmClient::for_profile(profile, edge_url.as_deref()) {
            Ok(client) => {
                while let Some(request) = dream.poll_request().cloned() {
                    let p = dream.progress();
                    live.show(
                        p.phase,
                        p.done,
                        p.total,
                        format!(
                            "{} {}/{}: {}",
                            p.phase.name(),
                            p.done + 1,
                            p.total,
                            request.purpose
                        ),
                    );
                    if cancel.is_cancelled() {
                        dream.handle_error("cancelled");
                        continue;
                    }
                    let chat = ChatRequest::for_dream(profile, &request);
                    match client.chat(chat, |_| {}, cancel).await {
                        Ok(outcome) => dream.handle_answer(&outcome.answer.content),
                        Err(e) => dream.handle_error(&e.to_string()),
                    }
                    yield_now().await;
                }
            }
            Err(e) => {
                // Unreachable profile: every request is skipped (reported), the derived
                // texts stay — the dream still finishes offline.
                let reason = e.to_string();
                while dream.poll_request().is_some() {
                    dream.handle_error(&reason);
                }
            }
        }
    }
    let p = dream.progress();
    live.show(
        Phase::Verification,
        0,
        p.total,
        format!("verifying {} items…", p.total),
    );
    yield_now().await;
    let outcome = dream.finish();
    db.put_unit(&outcome.unit)
        .await
        .map_err(|e| format!("the unit could not be saved: {e}"))?;
    let marked = db
        .mark_consolidated(&outcome.report.consolidated_ids)
        .await
        .map_err(|e| format!("unit saved, but experiences not marked consolidated: {e}"))?;
    db.pin_unit(&profile.id, &outcome.unit.id)
        .await
        .map_err(|e| format!("unit saved, but not made active: {e}"))?;
    Ok(DreamRun {
        unit: outcome.unit,
        report: outcome.report,
        marked,
        capped,
    })
}
