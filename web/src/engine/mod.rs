//! The page's side of the engine worker: screens ask for heavy engine work (batches of
//! puzzles, ratings of big grids) here, and it runs in a Web Worker so the page's thread only
//! renders and does I/O. One worker per page, started on first use; a worker that fails to
//! load or crashes is reported to every job waiting on it (and the next request starts a new
//! one).
//!
//! The messages are in [`protocol`]; the worker itself is [`worker::EngineWorker`].

pub mod protocol;
pub mod worker;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_worker::{Spawnable, WorkerBridge};
use js_sys::{Object, Proxy, Reflect};
use solver_core::human::{Band, Rating};
use solver_core::symmetry::Symmetry;
use solver_core::Grid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use learning_lab::dream::llm::LlmRequest;
use learning_lab::dream::{DreamOptions, Progress};
use learning_lab::experiment::{ExperimentResults, ExperimentState};
use learning_lab::play::Experience;
use protocol::{Dreamt, FromEngine, JobId, ToEngine};
use worker::EngineWorker;

/// The worker's script, next to index.html (see web/index.html).
const LOADER: &str = "engine_loader.js";

/// What a job hears.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineEvent {
    /// An answer from the worker.
    Answer(FromEngine),
    /// The worker failed to load or stopped; the job is over.
    Lost(String),
}

type Listener = Rc<dyn Fn(EngineEvent)>;

struct Engine {
    bridge: WorkerBridge<EngineWorker>,
    worker: Option<web_sys::Worker>,
    _on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static ENGINE: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<BTreeMap<JobId, Listener>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_JOB: Cell<JobId> = const { Cell::new(1) };
}

/// Runs `spawn` while `new Worker(…)` is watched, and returns the Worker it created:
/// gloo-worker 0.6 keeps the Worker to itself, and a Worker reports a failure to load (and an
/// uncaught error) only as an `error` event on that object.
fn spawn_watched(
    spawn: impl FnOnce() -> WorkerBridge<EngineWorker>,
) -> (WorkerBridge<EngineWorker>, Option<web_sys::Worker>) {
    let global = js_sys::global();
    let key = JsValue::from_str("Worker");
    let native = Reflect::get(&global, &key)
        .ok()
        .filter(JsValue::is_function);
    let captured = Rc::new(RefCell::new(None::<JsValue>));
    let sink = Rc::clone(&captured);
    let construct = Closure::<
        dyn FnMut(js_sys::Function, js_sys::Array, js_sys::Function) -> Result<JsValue, JsValue>,
    >::new(
        move |target: js_sys::Function, args: js_sys::Array, new_target: js_sys::Function| {
            let made = Reflect::construct_with_new_target(&target, &args, &new_target)?;
            *sink.borrow_mut() = Some(made.clone());
            Ok(made)
        },
    );
    let installed = native.as_ref().is_some_and(|native| {
        let handler = Object::new();
        Reflect::set(&handler, &"construct".into(), construct.as_ref()).is_ok()
            && Reflect::set(&global, &key, &Proxy::new(native.unchecked_ref(), &handler)).is_ok()
    });
    let bridge = spawn();
    if let (true, Some(native)) = (installed, &native) {
        let _ = Reflect::set(&global, &key, native);
    }
    let worker = captured.borrow_mut().take().map(JsCast::unchecked_into);
    (bridge, worker)
}

fn start() -> Rc<Engine> {
    let (bridge, worker) = spawn_watched(|| {
        EngineWorker::spawner()
            .callback(|answer: FromEngine| match answer.job() {
                Some(job) => deliver(job, EngineEvent::Answer(answer)),
                None => {
                    let FromEngine::Crashed { message } = answer else {
                        return;
                    };
                    // Not from inside gloo-worker's callback: the bridge goes away with it.
                    wasm_bindgen_futures::spawn_local(async move {
                        lose(format!("the engine crashed: {message}"));
                    });
                }
            })
            .with_loader(true)
            .as_module(false)
            .spawn(&crate::base_path::url(LOADER))
    });
    let on_error = worker.as_ref().map(|w| {
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            event.prevent_default();
            let detail = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| format!("{LOADER} or the engine's wasm did not load"));
            lose(format!("the engine worker failed: {detail}"));
        });
        let _ = w.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        on_error
    });
    if worker.is_none() {
        web_sys::console::warn_1(
            &"engine: could not watch the worker for errors; a failed start will go unseen".into(),
        );
    }
    Rc::new(Engine {
        bridge,
        worker,
        _on_error: on_error,
    })
}

/// The worker is gone: every waiting job hears why, and the next request starts a new one.
fn lose(reason: String) {
    let engine = ENGINE.with(|e| e.borrow_mut().take());
    if let Some(worker) = engine.as_ref().and_then(|e| e.worker.as_ref()) {
        worker.terminate();
    }
    web_sys::console::error_1(&format!("engine: {reason}").into());
    let listeners = LISTENERS.with(|l| std::mem::take(&mut *l.borrow_mut()));
    for listener in listeners.into_values() {
        listener(EngineEvent::Lost(reason.clone()));
    }
    drop(engine);
}

fn deliver(job: JobId, event: EngineEvent) {
    // A dream's answers end one exchange each (the next exchange listens anew).
    let over = matches!(
        event,
        EngineEvent::Answer(
            FromEngine::Done { .. }
                | FromEngine::Rated { .. }
                | FromEngine::Refused { .. }
                | FromEngine::DreamAsks { .. }
                | FromEngine::Dreamt { .. }
                | FromEngine::Results { .. }
        ) | EngineEvent::Lost(_)
    );
    let listener = LISTENERS.with(|l| {
        let mut l = l.borrow_mut();
        if over {
            l.remove(&job)
        } else {
            l.get(&job).cloned()
        }
    });
    if let Some(listener) = listener {
        listener(event);
    }
}

fn next_job() -> JobId {
    NEXT_JOB.with(|n| {
        let job = n.get();
        n.set(job.wrapping_add(1).max(1));
        job
    })
}

/// Send `msg` to the worker, starting it if there is none.
fn send(msg: ToEngine) {
    let engine = ENGINE.with(|e| Rc::clone(e.borrow_mut().get_or_insert_with(start)));
    engine.bridge.send(msg);
}

/// Send `msg` (built for a fresh job number) and route its answers to `listener`.
fn submit(msg: impl FnOnce(JobId) -> ToEngine, listener: Listener) -> JobId {
    let job = next_job();
    LISTENERS.with(|l| l.borrow_mut().insert(job, listener));
    send(msg(job));
    job
}

/// Send `msg` for `job` and wait for the one answer that ends the exchange.
async fn exchange(job: JobId, msg: ToEngine) -> EngineEvent {
    let (tell, hear) = oneshot::channel::<EngineEvent>();
    let tell = RefCell::new(Some(tell));
    LISTENERS.with(|l| {
        l.borrow_mut().insert(
            job,
            Rc::new(move |event| {
                if let Some(tell) = tell.borrow_mut().take() {
                    let _ = tell.send(event);
                }
            }),
        )
    });
    send(msg);
    hear.await
        .unwrap_or_else(|_| EngineEvent::Lost("the engine went away".into()))
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchRequest {
    /// Side length.
    pub size: usize,
    /// The band, or any.
    pub band: Option<Band>,
    /// Symmetry of the clue pattern.
    pub symmetry: Symmetry,
    /// The first seed.
    pub first_seed: u64,
    /// How many puzzles.
    pub count: usize,
}

/// A batch running in the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHandle {
    job: JobId,
}

impl BatchHandle {
    /// Stop the batch before its next puzzle; its `Done` (state cancelled) follows.
    pub fn cancel(self) {
        let engine = ENGINE.with(|e| e.borrow().clone());
        if let Some(engine) = engine {
            engine.bridge.send(ToEngine::Cancel { job: self.job });
        }
    }

    /// Stop the batch and hear nothing more of it (for a screen that goes away: answers
    /// already on their way would reach a screen that is gone).
    pub fn abandon(self) {
        LISTENERS.with(|l| l.borrow_mut().remove(&self.job));
        self.cancel();
    }
}

/// Run a batch in the worker; `on_event` hears every answer until `Done`, `Refused` or
/// `Lost`.
pub fn generate_batch(
    request: BatchRequest,
    on_event: impl Fn(EngineEvent) + 'static,
) -> BatchHandle {
    let job = submit(
        |job| ToEngine::GenerateBatch {
            job,
            size: request.size,
            band: request.band,
            symmetry: request.symmetry,
            first_seed: request.first_seed,
            count: request.count,
        },
        Rc::new(on_event),
    );
    BatchHandle { job }
}

/// One generated puzzle.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    /// The seed that made it (the one asked for, or a later one if that gave none).
    pub seed: u64,
    /// Givens, one-line form.
    pub givens: String,
    /// Solution, one-line form.
    pub solution: String,
    /// Its rating.
    pub rating: Rating,
}

/// Generate one puzzle in the worker, from `seed` on.
///
/// # Errors
/// When no seed gave a puzzle, or the worker is lost.
pub async fn generate_one(
    size: usize,
    band: Option<Band>,
    symmetry: Symmetry,
    seed: u64,
) -> Result<Generated, String> {
    let (send, receive) = oneshot::channel::<Result<Generated, String>>();
    let send = RefCell::new(Some(send));
    let failures = RefCell::new(Vec::<String>::new());
    let answer = move |result: Result<Generated, String>| {
        if let Some(send) = send.borrow_mut().take() {
            let _ = send.send(result);
        }
    };
    generate_batch(
        BatchRequest {
            size,
            band,
            symmetry,
            first_seed: seed,
            count: 1,
        },
        move |event| match event {
            EngineEvent::Answer(FromEngine::Generated {
                seed,
                givens,
                solution,
                rating,
                ..
            }) => answer(Ok(Generated {
                seed,
                givens,
                solution,
                rating,
            })),
            EngineEvent::Answer(FromEngine::Failed { seed, error, .. }) => {
                failures.borrow_mut().push(format!("seed {seed}: {error}"));
            }
            EngineEvent::Answer(FromEngine::Done { .. }) => {
                answer(Err(format!("no puzzle: {}", failures.borrow().join("; "))))
            }
            EngineEvent::Answer(FromEngine::Refused { error, .. }) | EngineEvent::Lost(error) => {
                answer(Err(error));
            }
            EngineEvent::Answer(_) => {}
        },
    );
    receive
        .await
        .unwrap_or_else(|_| Err("the engine went away".into()))
}

/// Rate `givens` in the worker.
///
/// # Errors
/// When the worker is lost.
pub async fn rate(givens: &Grid) -> Result<Rating, String> {
    let (send, receive) = oneshot::channel::<Result<Rating, String>>();
    let send = RefCell::new(Some(send));
    let line = givens.to_line();
    submit(
        move |job| ToEngine::Rate { job, givens: line },
        Rc::new(move |event| {
            let result = match event {
                EngineEvent::Answer(FromEngine::Rated { rating, .. }) => Ok(rating),
                EngineEvent::Answer(FromEngine::Refused { error, .. })
                | EngineEvent::Lost(error) => Err(error),
                EngineEvent::Answer(_) => return,
            };
            if let Some(send) = send.borrow_mut().take() {
                let _ = send.send(result);
            }
        }),
    );
    receive
        .await
        .unwrap_or_else(|_| Err("the engine went away".into()))
}

/// What a dream in the worker needs next.
#[derive(Clone, Debug, PartialEq)]
pub enum DreamStep {
    /// Send this request to the model and give the dream its answer
    /// ([`DreamInWorker::answer`]).
    Ask {
        /// The request.
        request: LlmRequest,
        /// Where the dream is.
        progress: Progress,
    },
    /// The dream is over.
    Done(Box<Dreamt>),
}

/// A dream running in the engine worker: its experiences are fed page by page, then it is
/// started; every LLM request it makes comes back as a [`DreamStep::Ask`]. Dropping it (a
/// screen that goes away, a failed dream) frees it in the worker.
#[derive(Debug)]
pub struct DreamInWorker {
    job: JobId,
}

impl DreamInWorker {
    /// A new, empty dream.
    #[allow(clippy::new_without_default)]
    pub fn new() -> DreamInWorker {
        DreamInWorker { job: next_job() }
    }

    /// Adds one page of experiences (sent as JSON; the worker keeps them).
    ///
    /// # Errors
    /// When they cannot be written as JSON.
    pub fn feed(&self, experiences: &[(&str, &Experience)]) -> Result<(), String> {
        let experiences = serde_json::to_string(experiences)
            .map_err(|e| format!("experiences could not be written for the engine: {e}"))?;
        send(ToEngine::DreamFeed {
            job: self.job,
            experiences,
        });
        Ok(())
    }

    /// Starts the dream over the experiences fed so far: triage and compression run in the
    /// worker.
    ///
    /// # Errors
    /// The worker refused, crashed or did not load.
    pub async fn start(&self, options: &DreamOptions) -> Result<DreamStep, String> {
        let options = serde_json::to_string(options)
            .map_err(|e| format!("the dream's options could not be written: {e}"))?;
        let event = exchange(
            self.job,
            ToEngine::DreamStart {
                job: self.job,
                options,
            },
        )
        .await;
        step(event)
    }

    /// Gives the dream the model's answer to its last request (`Err`: why there is none).
    ///
    /// # Errors
    /// As [`DreamInWorker::start`].
    pub async fn answer(&self, answer: Result<String, String>) -> Result<DreamStep, String> {
        let event = exchange(
            self.job,
            ToEngine::DreamAnswer {
                job: self.job,
                answer,
            },
        )
        .await;
        step(event)
    }
}

impl Drop for DreamInWorker {
    fn drop(&mut self) {
        LISTENERS.with(|l| l.borrow_mut().remove(&self.job));
        // Only a running worker can hold the dream: never start one to free it.
        let engine = ENGINE.with(|e| e.borrow().clone());
        if let Some(engine) = engine {
            engine.bridge.send(ToEngine::Cancel { job: self.job });
        }
    }
}

fn step(event: EngineEvent) -> Result<DreamStep, String> {
    match event {
        EngineEvent::Answer(FromEngine::DreamAsks {
            request, progress, ..
        }) => serde_json::from_str(&request)
            .map(|request| DreamStep::Ask { request, progress })
            .map_err(|e| format!("the engine's request did not read: {e}")),
        EngineEvent::Answer(FromEngine::Dreamt { outcome, .. }) => serde_json::from_str(&outcome)
            .map(DreamStep::Done)
            .map_err(|e| format!("the engine's dream outcome did not read: {e}")),
        EngineEvent::Answer(FromEngine::Refused { error, .. }) | EngineEvent::Lost(error) => {
            Err(error)
        }
        EngineEvent::Answer(other) => Err(format!("the engine answered a dream with {other:?}")),
    }
}

/// An experiment's results, computed in the worker (their resampling tests would hold up the
/// page at a few hundred runs).
///
/// # Errors
/// The worker refused, crashed or did not load.
pub async fn experiment_results(state: &ExperimentState) -> Result<ExperimentResults, String> {
    let job = next_job();
    let event = exchange(
        job,
        ToEngine::Results {
            job,
            state: state.to_json(),
        },
    )
    .await;
    match event {
        EngineEvent::Answer(FromEngine::Results { results, .. }) => serde_json::from_str(&results)
            .map_err(|e| format!("the engine's results did not read: {e}")),
        EngineEvent::Answer(FromEngine::Refused { error, .. }) | EngineEvent::Lost(error) => {
            Err(error)
        }
        EngineEvent::Answer(other) => Err(format!("the engine answered results with {other:?}")),
    }
}
