//! The engine worker: runs in a Web Worker (`src/bin/engine_worker.rs` registers it) and does
//! the heavy engine work — batches of puzzles, ratings — so the page's thread only renders.
//!
//! A batch makes one puzzle per turn of the worker's event loop: after each puzzle the worker
//! posts itself a "continue" message through a `MessageChannel`, which queues behind any
//! message the page sent meanwhile, so a `Cancel` is seen before the next puzzle. Several
//! batches take turns.
//!
//! A dream is held here from its first page of experiences to its outcome: its triage,
//! compression and verification run on this thread, and the page only carries its LLM
//! requests to the model and back (see [`super::protocol`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};

use gloo_worker::{HandlerId, Worker, WorkerScope};
use learning_lab::dream::{Dream, DreamOptions};
use learning_lab::experiment::{ExperimentResults, ExperimentState};
use learning_lab::play::Experience;
use solver_core::generate::{BatchPlan, BatchState, BatchStep, GenerateOptions};
use solver_core::{rate, Grid};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{Dreamt, FromEngine, JobId, ToEngine};

thread_local! {
    /// Who to tell when the worker panics (a panic hook must be `Send`, a scope is not).
    static WATCHERS: RefCell<Option<(WorkerScope<EngineWorker>, Vec<HandlerId>)>> =
        const { RefCell::new(None) };
}

/// The worker's own message: make the next puzzle.
#[derive(Debug)]
pub struct Continue;

struct Batch {
    job: JobId,
    who: HandlerId,
    plan: BatchPlan,
}

/// A dream's state in the worker.
enum DreamJob {
    /// Experiences arriving, page by page.
    Feeding(Vec<(String, Experience)>),
    /// Started: waiting for the answer to its request.
    Running(Box<Dream>),
}

/// The engine worker (see the module docs).
pub struct EngineWorker {
    batches: VecDeque<Batch>,
    dreams: BTreeMap<JobId, (HandlerId, DreamJob)>,
    /// Posting to `wake` queues a message on `_port`, whose handler sends [`Continue`].
    wake: Option<web_sys::MessagePort>,
    _port: Option<web_sys::MessagePort>,
    _on_wake: Option<Closure<dyn FnMut()>>,
    scheduled: bool,
}

fn progress(job: JobId, plan: &BatchPlan) -> FromEngine {
    FromEngine::Progress {
        job,
        kept: plan.kept(),
        tried: plan.tried(),
        count: plan.count(),
        fraction: plan.progress(),
    }
}

impl EngineWorker {
    /// Queue a turn: the next puzzle is made after the messages already waiting.
    fn schedule(&mut self, scope: &WorkerScope<Self>) {
        if self.scheduled {
            return;
        }
        self.scheduled = true;
        let posted = self
            .wake
            .as_ref()
            .is_some_and(|port| port.post_message(&JsValue::NULL).is_ok());
        if !posted {
            // No channel (it could not be made): continue as a task of our own instead; a
            // Cancel is then only seen once the batch is over.
            scope.send_message(Continue);
        }
    }
}

impl EngineWorker {
    /// What a dream needs next: its request to send (it waits here for the answer), or, with
    /// none left, its outcome.
    fn dream_step(&mut self, job: JobId, who: HandlerId, dream: Box<Dream>) -> FromEngine {
        if let Some(request) = dream.poll_request() {
            let request = serde_json::to_string(request).unwrap_or_default();
            let progress = dream.progress();
            self.dreams.insert(job, (who, DreamJob::Running(dream)));
            return FromEngine::DreamAsks {
                job,
                request,
                progress,
            };
        }
        let outcome = dream.finish();
        match serde_json::to_string(&Dreamt {
            unit: outcome.unit,
            report: outcome.report,
        }) {
            Ok(outcome) => FromEngine::Dreamt { job, outcome },
            Err(e) => FromEngine::Refused {
                job,
                error: format!("the dream's outcome could not be written: {e}"),
            },
        }
    }
}

impl Worker for EngineWorker {
    type Message = Continue;
    type Input = ToEngine;
    type Output = FromEngine;

    fn create(scope: &WorkerScope<Self>) -> Self {
        WATCHERS.with(|w| *w.borrow_mut() = Some((scope.clone(), Vec::new())));
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            let message = info.to_string();
            WATCHERS.with(|w| {
                if let Ok(w) = w.try_borrow() {
                    if let Some((scope, ids)) = w.as_ref() {
                        for id in ids {
                            scope.respond(
                                *id,
                                FromEngine::Crashed {
                                    message: message.clone(),
                                },
                            );
                        }
                    }
                }
            });
        }));
        let mut worker = EngineWorker {
            batches: VecDeque::new(),
            dreams: BTreeMap::new(),
            wake: None,
            _port: None,
            _on_wake: None,
            scheduled: false,
        };
        if let Ok(channel) = web_sys::MessageChannel::new() {
            let s = scope.clone();
            let on_wake = Closure::<dyn FnMut()>::new(move || s.send_message(Continue));
            channel
                .port1()
                .set_onmessage(Some(on_wake.as_ref().unchecked_ref()));
            worker._port = Some(channel.port1());
            worker.wake = Some(channel.port2());
            worker._on_wake = Some(on_wake);
        }
        worker
    }

    fn connected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        WATCHERS.with(|w| {
            if let Some((_, ids)) = w.borrow_mut().as_mut() {
                ids.push(id);
            }
        });
    }

    fn disconnected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        self.batches.retain(|b| b.who != id);
        self.dreams.retain(|_, (who, _)| *who != id);
        WATCHERS.with(|w| {
            if let Some((_, ids)) = w.borrow_mut().as_mut() {
                ids.retain(|&x| x != id);
            }
        });
    }

    fn update(&mut self, scope: &WorkerScope<Self>, _msg: Continue) {
        self.scheduled = false;
        let Some(mut batch) = self.batches.pop_front() else {
            return;
        };
        if let Some(step) = batch.plan.step() {
            let answer = match step {
                BatchStep::Generated {
                    index,
                    puzzle,
                    rating,
                } => FromEngine::Generated {
                    job: batch.job,
                    index,
                    seed: puzzle.seed,
                    givens: puzzle.givens.to_line(),
                    solution: puzzle.solution.to_line(),
                    rating,
                },
                BatchStep::Skipped { seed, reason } => FromEngine::Failed {
                    job: batch.job,
                    seed,
                    error: reason,
                },
            };
            scope.respond(batch.who, answer);
            scope.respond(batch.who, progress(batch.job, &batch.plan));
        }
        if batch.plan.state() == BatchState::Running {
            // Round robin: every batch gets a puzzle in turn.
            self.batches.push_back(batch);
        } else {
            scope.respond(
                batch.who,
                FromEngine::Done {
                    job: batch.job,
                    state: batch.plan.state(),
                    kept: batch.plan.kept(),
                },
            );
        }
        if !self.batches.is_empty() {
            self.schedule(scope);
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: ToEngine, who: HandlerId) {
        match msg {
            ToEngine::GenerateBatch {
                job,
                size,
                band,
                symmetry,
                first_seed,
                count,
            } => {
                let mut options = GenerateOptions::new(size, first_seed);
                options.band = band;
                options.symmetry = symmetry;
                match BatchPlan::new(options, count) {
                    Ok(plan) => {
                        scope.respond(who, progress(job, &plan));
                        self.batches.push_back(Batch { job, who, plan });
                        self.schedule(scope);
                    }
                    Err(e) => scope.respond(
                        who,
                        FromEngine::Refused {
                            job,
                            error: e.to_string(),
                        },
                    ),
                }
            }
            ToEngine::Rate { job, givens } => {
                let answer = match Grid::from_line(&givens) {
                    Ok(grid) => FromEngine::Rated {
                        job,
                        rating: rate(&grid),
                    },
                    Err(e) => FromEngine::Refused {
                        job,
                        error: format!("not a puzzle: {e}"),
                    },
                };
                scope.respond(who, answer);
            }
            ToEngine::DreamFeed { job, experiences } => {
                let page: Vec<(String, Experience)> = match serde_json::from_str(&experiences) {
                    Ok(page) => page,
                    Err(e) => {
                        self.dreams.remove(&job);
                        scope.respond(
                            who,
                            FromEngine::Refused {
                                job,
                                error: format!("a page of experiences did not read: {e}"),
                            },
                        );
                        return;
                    }
                };
                let entry = self
                    .dreams
                    .entry(job)
                    .or_insert_with(|| (who, DreamJob::Feeding(Vec::new())));
                if let DreamJob::Feeding(all) = &mut entry.1 {
                    all.extend(page);
                }
            }
            ToEngine::DreamStart { job, options } => {
                let answer = match (self.dreams.remove(&job), serde_json::from_str(&options)) {
                    (Some((_, DreamJob::Feeding(experiences))), Ok(options)) => {
                        let options: DreamOptions = options;
                        let dream = Box::new(Dream::new(experiences, options));
                        self.dream_step(job, who, dream)
                    }
                    (_, Err(e)) => FromEngine::Refused {
                        job,
                        error: format!("the dream's options did not read: {e}"),
                    },
                    _ => FromEngine::Refused {
                        job,
                        error: "the engine has no experiences for this dream (it restarted, or \
                                the dream was started twice); dream again"
                            .into(),
                    },
                };
                scope.respond(who, answer);
            }
            ToEngine::DreamAnswer { job, answer } => {
                let answer = match self.dreams.remove(&job) {
                    Some((_, DreamJob::Running(mut dream))) => {
                        match answer {
                            Ok(text) => dream.handle_answer(&text),
                            Err(reason) => dream.handle_error(&reason),
                        }
                        self.dream_step(job, who, dream)
                    }
                    _ => FromEngine::Refused {
                        job,
                        error: "the engine has no such dream (it restarted); dream again".into(),
                    },
                };
                scope.respond(who, answer);
            }
            ToEngine::Results { job, state } => {
                let answer = match ExperimentState::from_json(&state) {
                    Ok(state) => {
                        let results = ExperimentResults::from_state(&state);
                        match serde_json::to_string(&results) {
                            Ok(results) => FromEngine::Results { job, results },
                            Err(e) => FromEngine::Refused {
                                job,
                                error: format!("the results could not be written: {e}"),
                            },
                        }
                    }
                    Err(e) => FromEngine::Refused {
                        job,
                        error: format!("the experiment's state did not read: {e}"),
                    },
                };
                scope.respond(who, answer);
            }
            ToEngine::Cancel { job } => {
                self.dreams.remove(&job);
                if let Some(at) = self
                    .batches
                    .iter()
                    .position(|b| b.job == job && b.who == who)
                {
                    if let Some(mut batch) = self.batches.remove(at) {
                        batch.plan.cancel();
                        scope.respond(
                            who,
                            FromEngine::Done {
                                job,
                                state: batch.plan.state(),
                                kept: batch.plan.kept(),
                            },
                        );
                    }
                }
            }
        }
    }
}
