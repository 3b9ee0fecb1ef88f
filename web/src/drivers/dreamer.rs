//! Runs a dream for a profile: reads its experiences page by page, hands them to learning-lab's
//! `Dream` in the engine worker (sending its LLM requests when asked), stores the unit, marks
//! the experiences consolidated and makes the unit the profile's active one.
//!
//! The page only does I/O: triage, compression and verification run in the engine worker
//! ([`crate::engine::DreamInWorker`]), so a dream over 10,000 experiences never holds up a
//! click. Between storage pages the loop yields to the browser.

use std::collections::{BTreeMap, BTreeSet};

use learning_lab::dream::{DreamOptions, DreamReport, Phase};
use learning_lab::llm::ChatRequest;
use learning_lab::profile::Profile;
use learning_lab::unit::{ledger, LearningUnit};
use leptos::prelude::*;

use crate::db;
use crate::engine::{DreamInWorker, DreamStep};
use crate::llm::{CancelHandle, LlmClient};
use crate::storage::{ExperienceFilter, PageCursor, Storage};

/// At most this many experiences (the newest) go into one dream: `Dream::new` takes one
/// list, and the engine worker should not hold more than that at once.
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

/// What capture read.
struct Captured {
    /// Experiences fed to the dream.
    count: usize,
    /// Experiences left out by [`MAX_EXPERIENCES`].
    over: usize,
    /// The puzzles they were played on.
    puzzle_ids: BTreeSet<String>,
}

/// Reads the experiences of `scope`, newest first, at most [`MAX_EXPERIENCES`], and feeds
/// them to `dream` page by page (the page never holds them all).
async fn capture(
    db: &Storage,
    profile_id: &str,
    scope: &Scope,
    live: &DreamLive,
    dream: &DreamInWorker,
) -> Result<Captured, String> {
    let mut captured = Captured {
        count: 0,
        over: 0,
        puzzle_ids: BTreeSet::new(),
    };
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
            let mut kept = Vec::new();
            for r in &page.items {
                if r.experience.context.profile_id != profile_id {
                    continue;
                }
                if captured.count < MAX_EXPERIENCES {
                    captured.count += 1;
                    captured
                        .puzzle_ids
                        .insert(r.experience.context.puzzle_id.clone());
                    kept.push((r.id.as_str(), &r.experience));
                } else {
                    captured.over += 1;
                }
            }
            if !kept.is_empty() {
                dream.feed(&kept)?;
            }
            live.show(
                Phase::Capture,
                captured.count,
                captured.count,
                format!("read {} experiences…", captured.count),
            );
            yield_now().await;
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(captured)
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
    let dream = DreamInWorker::new();
    let captured = capture(&db, &profile.id, &scope, &live, &dream).await?;
    if captured.count == 0 {
        return Err(format!(
            "profile {} has no experiences to dream over (play first)",
            profile.name
        ));
    }
    // Solutions of the puzzles played, so corrections can be checked against them.
    let mut solutions = BTreeMap::new();
    for id in captured.puzzle_ids {
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
    live.show(
        Phase::Triage,
        0,
        captured.count,
        format!("triage and compression of {} experiences…", captured.count),
    );
    let mut step = dream.start(&options).await?;
    // The model writes item texts only when asked to and reachable; otherwise every request
    // is answered with the reason and the derived texts stay — the dream still finishes.
    let client = if use_llm {
        let edge_url = crate::edge::edge_url().await;
        Some(LlmClient::for_profile(profile, edge_url.as_deref()).map_err(|e| e.to_string()))
    } else {
        None
    };
    let outcome = loop {
        let (request, p) = match step {
            DreamStep::Done(outcome) => break outcome,
            DreamStep::Ask { request, progress } => (request, progress),
        };
        let answer = match &client {
            None => Err("the dream runs offline".to_string()),
            Some(Err(reason)) => Err(reason.clone()),
            Some(Ok(_)) if cancel.is_cancelled() => Err("cancelled".to_string()),
            Some(Ok(client)) => {
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
                let chat = ChatRequest::for_dream(profile, &request);
                client
                    .chat(chat, |_| {}, cancel)
                    .await
                    .map(|outcome| outcome.answer.content)
                    .map_err(|e| e.to_string())
            }
        };
        step = dream.answer(answer).await?;
    };
    drop(dream);
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
        capped: captured.over,
    })
}
