//! Runs an experiment in the browser: asks learning-lab's `ExperimentState` what to do next,
//! plays each run with the LLM player (several at once up to the design's concurrency),
//! dreams at the barriers, and commits the state after every change so a reload resumes.
//!
//! Event-driven rather than one loop: every finished run or dream calls [`pump`] again, which
//! starts whatever the state allows. That gives concurrency without a join combinator.
//!
//! Which unit a run's prompt gets is learning-lab's `RunOrder::unit`: the run order's unit when
//! the arm names one (a fixed unit, or the unit of the dream before its phase); otherwise,
//! with the arm's memory on, the profile's active unit at the time the run starts; with memory
//! off, none.

use std::cell::RefCell;
use std::rc::Rc;

use learning_lab::experiment::{Next, RunOrder, RunResult, RunUnit};
use learning_lab::memory::{PuzzleRecord, SessionRecord};
use learning_lab::play::Status;
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::drivers::dreamer::{self, DreamLive, Scope};
use crate::drivers::player::{self, Live, StopHandle};
use crate::llm::CancelHandle;
use crate::storage::ExperimentRecord;

/// What the Experiments screen watches.
#[derive(Clone, Copy)]
pub struct RunnerLive {
    /// The record as last committed.
    pub record: RwSignal<Option<ExperimentRecord>>,
    /// One line on what is happening.
    pub status: RwSignal<String>,
    /// Whether the experiment runs.
    pub running: RwSignal<bool>,
}

impl RunnerLive {
    /// Fresh signals.
    pub fn new() -> RunnerLive {
        RunnerLive {
            record: RwSignal::new(None),
            status: RwSignal::new(String::new()),
            running: RwSignal::new(false),
        }
    }
}

impl Default for RunnerLive {
    fn default() -> Self {
        RunnerLive::new()
    }
}

struct Shared {
    record: ExperimentRecord,
    profiles: Vec<Profile>,
    live: RunnerLive,
    active: usize,
    dreaming: bool,
    stopped: bool,
    handles: Vec<(usize, StopHandle)>,
    dream_cancel: CancelHandle,
}

/// A running experiment; drop-safe (the tasks hold their own references).
#[derive(Clone)]
pub struct Runner(Rc<RefCell<Shared>>);

thread_local! {
    // The runner of this tab, so a screen mounted again (navigation) re-attaches to it
    // instead of requeueing its runs as if the tab had been reloaded.
    static CURRENT: RefCell<Option<Runner>> = const { RefCell::new(None) };
}

impl Runner {
    /// The runner still working in this tab, if any.
    pub fn current() -> Option<Runner> {
        CURRENT.with(|c| c.borrow().clone()).filter(|r| {
            let s = r.0.borrow();
            // The screen that started it may be gone (its signals disposed): a finished
            // runner whose screen was left is not current.
            s.active > 0 || s.dreaming || s.live.running.try_get_untracked().unwrap_or(false)
        })
    }

    /// Shows this runner on a newly mounted screen's signals.
    pub fn attach(&self, live: RunnerLive) {
        let mut s = self.0.borrow_mut();
        s.live = live;
        live.running.set(true);
        live.record.set(Some(s.record.clone()));
        live.status.set("running…".into());
    }

    /// Starts (or resumes) `record` with these profiles.
    pub fn start(record: ExperimentRecord, profiles: Vec<Profile>, live: RunnerLive) -> Runner {
        let runner = Runner(Rc::new(RefCell::new(Shared {
            record,
            profiles,
            live,
            active: 0,
            dreaming: false,
            stopped: false,
            handles: Vec::new(),
            dream_cancel: CancelHandle::new(),
        })));
        live.running.set(true);
        live.status.set("running…".into());
        CURRENT.with(|c| *c.borrow_mut() = Some(runner.clone()));
        pump(&runner);
        runner
    }

    /// Stops every run in flight; their runs go back to pending so Resume replays them.
    pub fn stop(&self) {
        let mut s = self.0.borrow_mut();
        s.stopped = true;
        for (_, h) in &s.handles {
            h.stop();
        }
        s.dream_cancel.cancel();
        s.live.status.set("stopping…".into());
    }
}

async fn save(record: &ExperimentRecord) -> Result<(), String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    db.put_experiment(record).await.map_err(|e| e.to_string())
}

/// Commits the shared record and shows it.
fn commit(runner: &Runner) {
    let (record, live) = {
        let s = runner.0.borrow();
        (s.record.clone(), s.live)
    };
    live.record.set(Some(record.clone()));
    spawn_local(async move {
        if let Err(e) = save(&record).await {
            live.status
                .set(format!("the experiment could not be saved: {e}"));
        }
    });
}

/// Starts whatever the state allows now.
fn pump(runner: &Runner) {
    let next = {
        let mut s = runner.0.borrow_mut();
        if s.stopped || s.dreaming {
            None
        } else {
            let limit = s.record.state.experiment.concurrency.max(1);
            Some(s.record.state.poll_next(limit))
        }
    };
    let Some(next) = next else {
        finish_if_idle(runner);
        return;
    };
    match next {
        Next::Run { runs } => {
            commit(runner);
            for order in runs {
                let handle = StopHandle::default();
                {
                    let mut s = runner.0.borrow_mut();
                    s.active += 1;
                    s.handles.push((order.run, handle.clone()));
                }
                let r = runner.clone();
                spawn_local(async move {
                    play(r, order, handle).await;
                });
            }
        }
        Next::Dream(request) => {
            let (profile, with_model, live, cancel) = {
                let mut s = runner.0.borrow_mut();
                s.dreaming = true;
                s.dream_cancel = CancelHandle::new();
                (
                    s.profiles
                        .iter()
                        .find(|p| p.id == request.profile_id)
                        .cloned(),
                    s.record.dream_with_model,
                    s.live,
                    s.dream_cancel.clone(),
                )
            };
            let r = runner.clone();
            spawn_local(async move {
                let outcome = match profile {
                    Some(profile) => {
                        live.status.set(format!(
                            "dreaming over {} sessions before phase {}…",
                            request.session_ids.len(),
                            request.phase + 1
                        ));
                        dreamer::dream(
                            &profile,
                            Scope::Sessions(request.session_ids.clone()),
                            with_model,
                            DreamLive::new(),
                            &cancel,
                        )
                        .await
                    }
                    None => Err(format!("profile {} no longer exists", request.profile_id)),
                };
                let ok = {
                    let mut s = r.0.borrow_mut();
                    s.dreaming = false;
                    match outcome {
                        Ok(run) => match s.record.state.handle_dream(request.phase, &run.unit.id) {
                            Ok(()) => true,
                            Err(e) => {
                                s.live.status.set(format!("dream not recorded: {e:?}"));
                                s.stopped = true;
                                false
                            }
                        },
                        Err(e) => {
                            tracing::warn!(experiment = %s.record.id, "the dream failed, experiment stopped: {e}");
                            s.live
                                .status
                                .set(format!("stopped: the dream failed ({e}); press Resume"));
                            s.stopped = true;
                            false
                        }
                    }
                };
                if ok {
                    commit(&r);
                }
                pump(&r);
            });
        }
        Next::Wait => {}
        Next::Finished => finish_if_idle(runner),
    }
}

/// When nothing runs any more: says why the runner stopped and clears `running`.
fn finish_if_idle(runner: &Runner) {
    let mut s = runner.0.borrow_mut();
    if s.active > 0 || s.dreaming {
        return;
    }
    let progress = s.record.state.progress();
    if s.stopped {
        // Interrupted runs start again on Resume (a fresh session each).
        let requeued = s.record.state.requeue_running();
        let said = s.live.status.try_get_untracked().unwrap_or_default();
        if !said.starts_with("stopped") {
            s.live.status.set(format!(
                "stopped after {} of {} runs ({} to replay); press Resume",
                progress.done + progress.failed,
                progress.total,
                requeued
            ));
        }
    } else {
        tracing::info!(experiment = %s.record.id, done = progress.done, failed = progress.failed, "experiment finished");
        let early = match s.record.state.stopped_at_look {
            Some(look) => format!(
                ", {} skipped: stopped early at checkpoint {}",
                progress.skipped,
                look + 1
            ),
            None => String::new(),
        };
        s.live.status.set(format!(
            "finished: {} runs done, {} failed{early}",
            progress.done, progress.failed
        ));
    }
    s.live.running.set(false);
    drop(s);
    commit(runner);
}

/// The unit a run's prompt draws from ([`RunOrder::unit`]); the player picks the items
/// relevant to each board.
async fn unit_for(order: &RunOrder) -> Result<Option<LearningUnit>, String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    match order.unit() {
        RunUnit::Named(id) => Ok(Some(
            db.unit(id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("learning unit {id} is missing"))?,
        )),
        RunUnit::ActiveOf(profile_id) => db::active_unit(&db, profile_id).await,
        RunUnit::None => Ok(None),
    }
}

/// Creates and stores the session of `order`.
async fn new_session(
    order: &RunOrder,
    record: &ExperimentRecord,
    profile: &Profile,
) -> Result<(SessionRecord, Option<LearningUnit>), String> {
    let puzzle = order.puzzle.materialise().map_err(|e| e.to_string())?;
    let unit = unit_for(order).await?;
    let now = db::now();
    let start = order.session_start(
        &record.id,
        &record.name,
        record.max_attempts,
        profile,
        &puzzle,
        unit.as_ref().map(|u| u.id.clone()),
    );
    let session_record = SessionRecord::start(start, now, db::nonce())
        .map_err(|e| format!("could not start: {e}"))?;
    let db = db::open().await.map_err(|e| e.to_string())?;
    db.save_puzzle(&PuzzleRecord::new(&puzzle, now))
        .await
        .map_err(|e| e.to_string())?;
    db.put_session(&session_record)
        .await
        .map_err(|e| e.to_string())?;
    Ok((session_record, unit))
}

/// Plays one run to its end and records it.
async fn play(runner: Runner, order: RunOrder, handle: StopHandle) {
    let (record, profile, live) = {
        let s = runner.0.borrow();
        (
            s.record.clone(),
            s.profiles
                .iter()
                .find(|p| p.id == order.arm.profile_id)
                .cloned(),
            s.live,
        )
    };
    let started = db::now();
    let outcome: Result<Option<RunResult>, String> = async {
        let profile =
            profile.ok_or_else(|| format!("profile {} is missing", order.arm.profile_id))?;
        let (session, unit) = new_session(&order, &record, &profile).await?;
        tracing::info!(experiment = %record.id, run = order.run + 1, arm = %order.arm.label, puzzle = %order.puzzle.id, "run starts");
        live.status.set(format!(
            "run {} of {}: {} on {}",
            order.run + 1,
            record.state.runs.len(),
            order.arm.label,
            order.puzzle.id
        ));
        let player_live = Live::new();
        player::run(session.clone(), profile, unit, player_live, handle.clone()).await;
        let last = player_live.record.get_untracked().unwrap_or(session);
        match last.session.status() {
            Status::Solved | Status::Abandoned(_) => Ok(Some(RunResult::from_session(
                &order,
                &last.id,
                &last.session,
                (db::now() - started).max(0.0) as u64,
            ))),
            // Stopped by a person: not a result, replayed on Resume.
            _ if runner.0.borrow().stopped => Ok(None),
            _ => Err(player_live.status.get_untracked()),
        }
    }
    .await;
    {
        let mut s = runner.0.borrow_mut();
        s.active -= 1;
        s.handles.retain(|(run, _)| *run != order.run);
        match outcome {
            Ok(Some(result)) => {
                if let Err(e) = s.record.state.handle_result(result) {
                    s.live.status.set(format!("result not recorded: {e:?}"));
                }
            }
            Ok(None) => {}
            Err(e) => {
                let reason = if e.is_empty() {
                    "the run ended without finishing".to_string()
                } else {
                    e
                };
                tracing::warn!(experiment = %s.record.id, run = order.run + 1, "run failed, experiment stopped: {reason}");
                let _ = s.record.state.handle_failure(order.run, &reason);
                // A failure is usually the model being unreachable: stop rather than fail
                // every remaining run the same way; Resume retries the failed ones.
                s.stopped = true;
                for (_, h) in &s.handles {
                    h.stop();
                }
                s.live.status.set(format!(
                    "stopped: run {} failed ({reason}); press Resume to retry",
                    order.run + 1
                ));
            }
        }
    }
    commit(&runner);
    pump(&runner);
}
