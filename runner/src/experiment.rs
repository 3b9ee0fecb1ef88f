//! `experiment run` and `experiment resume`: executes learning-lab's `ExperimentState` as the
//! app's experiment runner does — `poll_next` → runs played by the player, up to the
//! concurrency, on threads; dreams at the barriers; results handed back — with the journal and
//! the checkpoint as its storage.
//!
//! What is on disk when, so a kill loses at most the move in flight:
//! - a run's session is in the checkpoint (`in_flight`) before its first request;
//! - every attempt's experience is in the journal before the next request;
//! - a session's line is in the journal before its result is in the checkpoint;
//! - on resume, a session in flight is rebuilt from its start and the journal's attempts
//!   (`PlaySession::replay`) and goes on from there.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use learning_lab::experiment::{
    DreamRequest, ExperimentRecord, ExperimentResults, ExperimentState, Next, RunOrder, RunResult,
    RunUnit, Shard,
};
use learning_lab::memory::transfer::Kind;
use learning_lab::memory::{ExperienceRecord, PuzzleRecord, SessionRecord};
use learning_lab::profile::Profile;
use learning_lab::unit::store::active_unit;
use learning_lab::unit::LearningUnit;

use crate::checkpoint::{self, Checkpoint, InFlight};
use crate::journal::{self, Journal};
use crate::llm::{Breakers, LlmClient};
use crate::play::{self, Played};
use crate::{clock, dream, inputs, report};

/// What `experiment run` is given.
pub struct NewRun {
    /// The design file.
    pub design: PathBuf,
    /// The profile file.
    pub profiles: PathBuf,
    /// The run directory (journal and checkpoint).
    pub dir: PathBuf,
    /// The slice of the plan to play.
    pub shard: Shard,
    /// Attempt limit per session.
    pub max_attempts: usize,
    /// Dreams at barriers ask the model for item texts.
    pub dream_with_model: bool,
    /// Learning units the arms name.
    pub units: Option<PathBuf>,
    /// The edge API.
    pub edge_url: Option<String>,
    /// Runs at once (the design's when not given).
    pub concurrency: Option<usize>,
}

/// How a drive ended without an error.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every run of the slice finished.
    Finished,
    /// Ctrl-C: the runs in flight continue on resume.
    Stopped,
}

/// Starts a new run in `run.dir`.
///
/// # Errors
/// Bad inputs, a directory that holds a run already, missing credentials, I/O, or a run that
/// failed (the message says how to continue).
pub fn start(run: NewRun, halt: Arc<AtomicBool>) -> Result<Ended, String> {
    let design = inputs::design(&run.design)?;
    let all = inputs::profiles(&run.profiles)?;
    let mut profiles: Vec<Profile> = Vec::new();
    for arm in &design.arms {
        let profile = inputs::pick_profile(&all, Some(&arm.profile_id)).map_err(|e| {
            format!(
                "arm {:?} plays with profile {:?}: {e}",
                arm.id, arm.profile_id
            )
        })?;
        if !profiles.iter().any(|p| p.id == profile.id) {
            profiles.push(profile.without_secrets());
        }
    }
    let mut units = match &run.units {
        Some(path) => inputs::units(path)?,
        None => Vec::new(),
    };
    // An ablation's leave-one-out variants follow from the whole unit.
    for variant in learning_lab::experiment::variant_units(&design, &units)? {
        if !units.iter().any(|u| u.id == variant.id) {
            units.push(variant);
        }
    }
    let edge_url = inputs::edge_url(run.edge_url);
    // Fail before anything is written when a profile cannot be reached as configured.
    let breakers = Breakers::default();
    for p in &profiles {
        inputs::client(p, edge_url.as_deref(), &breakers)?;
    }
    let mut state = ExperimentState::sharded(design, run.shard).map_err(|e| e.to_string())?;
    if let Some(n) = run.concurrency {
        state.experiment.concurrency = n.max(1);
    }
    let checkpoint_path = run.dir.join(checkpoint::FILE_NAME);
    if checkpoint_path.exists() {
        return Err(format!(
            "{} already holds a run ({}): continue it with `machine-dream experiment resume \
             --dir {}`, or pick another --dir",
            run.dir.display(),
            checkpoint::FILE_NAME,
            run.dir.display()
        ));
    }
    std::fs::create_dir_all(&run.dir)
        .map_err(|e| format!("cannot create {} ({e})", run.dir.display()))?;
    let now = clock::now_ms();
    let concurrency = state.experiment.concurrency;
    let record = ExperimentRecord::new(state, run.max_attempts.max(1), run.dream_with_model, now);
    let (mut journal, import) = Journal::open(&run.dir.join(journal::FILE_NAME), now)?;
    for p in &profiles {
        journal.append_profile(p)?;
    }
    let checkpoint = Checkpoint {
        format: checkpoint::FORMAT.to_string(),
        record,
        profiles,
        units,
        edge_api_url: edge_url,
        concurrency,
        in_flight: BTreeMap::new(),
    };
    checkpoint.save(&checkpoint_path)?;
    drive(&run.dir, checkpoint, journal, import.experiences, halt)
}

/// Continues the run in `dir` after a stop, a kill or a failure (failed runs are retried).
/// `edge_url` and `concurrency` replace the stored ones when given.
///
/// # Errors
/// As [`start`].
pub fn resume(
    dir: &Path,
    edge_url: Option<String>,
    concurrency: Option<usize>,
    halt: Arc<AtomicBool>,
) -> Result<Ended, String> {
    let mut checkpoint = Checkpoint::load(&dir.join(checkpoint::FILE_NAME))?;
    let (journal, import) = Journal::open(&dir.join(journal::FILE_NAME), clock::now_ms())?;
    if let Some(url) = inputs::edge_url(edge_url) {
        checkpoint.edge_api_url = Some(url);
    }
    if let Some(n) = concurrency {
        checkpoint.concurrency = n.max(1);
        checkpoint.record.state.experiment.concurrency = n.max(1);
    }
    let state = &mut checkpoint.record.state;
    state.requeue_running();
    state.retry_failed();
    drive(dir, checkpoint, journal, import.experiences, halt)
}

/// The run's storage, shared by the run threads.
struct Shared {
    checkpoint: Checkpoint,
    checkpoint_path: PathBuf,
    journal: Journal,
    /// Journal experiences of the sessions that were in flight at the start, to replay.
    replay: Vec<ExperienceRecord>,
}

impl Shared {
    fn save(&self) -> Result<(), String> {
        self.checkpoint.save(&self.checkpoint_path)
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A run thread that panicked left nothing half-written behind (each write is whole).
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// A run thread's report.
struct Report {
    run: usize,
    outcome: Result<Option<RunResult>, String>,
}

fn drive(
    dir: &Path,
    checkpoint: Checkpoint,
    journal: Journal,
    experiences: Vec<ExperienceRecord>,
    halt: Arc<AtomicBool>,
) -> Result<Ended, String> {
    let breakers = Breakers::default();
    let mut clients: HashMap<String, LlmClient> = HashMap::new();
    for p in &checkpoint.profiles {
        clients.insert(
            p.id.clone(),
            inputs::client(p, checkpoint.edge_api_url.as_deref(), &breakers)?,
        );
    }
    let clients = Arc::new(clients);
    let in_flight: Vec<&str> = checkpoint
        .in_flight
        .values()
        .map(|f| f.session.id.as_str())
        .collect();
    let replay = experiences
        .into_iter()
        .filter(|e| in_flight.contains(&e.experience.context.session_id.as_str()))
        .collect();
    let progress = checkpoint.record.state.progress();
    let bar = progress_bar(progress.total, progress.done + progress.failed);
    let shared = Arc::new(Mutex::new(Shared {
        checkpoint,
        checkpoint_path: dir.join(checkpoint::FILE_NAME),
        journal,
        replay,
    }));
    let (tx, rx) = mpsc::channel::<Report>();
    let mut active = 0usize;
    let mut failure: Option<String> = None;
    loop {
        if !halt.load(Ordering::SeqCst) {
            let next = {
                let mut s = lock(&shared);
                let limit = s.checkpoint.concurrency.max(1);
                let next = s.checkpoint.record.state.poll_next(limit);
                if matches!(next, Next::Run { .. }) {
                    s.save()?;
                }
                next
            };
            match next {
                Next::Run { runs } => {
                    for order in runs {
                        active += 1;
                        let (shared, clients, halt, tx, bar) = (
                            shared.clone(),
                            clients.clone(),
                            halt.clone(),
                            tx.clone(),
                            bar.clone(),
                        );
                        std::thread::spawn(move || {
                            let run = order.run;
                            let outcome = play_run(&shared, &clients, order, &halt, &bar);
                            let _ = tx.send(Report { run, outcome });
                        });
                    }
                    continue;
                }
                Next::Dream(request) if active == 0 => {
                    if let Err(e) = dream_barrier(&shared, &clients, &request, &halt, &bar) {
                        failure = Some(e);
                        halt.store(true, Ordering::SeqCst);
                    }
                    continue;
                }
                Next::Finished if active == 0 => break,
                _ => {}
            }
        }
        if active == 0 {
            break;
        }
        let Ok(report) = rx.recv() else { break };
        active -= 1;
        let mut s = lock(&shared);
        match report.outcome {
            Ok(Some(result)) => {
                let line = format!(
                    "run {} ({} on {}): {} in {} attempts, {} correct",
                    report.run + 1,
                    result.arm_id,
                    result.puzzle_id,
                    if result.solved {
                        "solved"
                    } else {
                        "not solved"
                    },
                    result.attempts,
                    result.correct
                );
                if let Err(e) = s.checkpoint.record.state.handle_result(result) {
                    failure.get_or_insert(format!(
                        "the result of run {} was refused: {e}",
                        report.run + 1
                    ));
                    halt.store(true, Ordering::SeqCst);
                }
                s.checkpoint.in_flight.remove(&report.run);
                s.save()?;
                bar.inc(1);
                say(&bar, &line);
            }
            // Stopped before its next move: it continues on resume.
            Ok(None) => {}
            Err(e) => {
                let _ = s.checkpoint.record.state.handle_failure(report.run, &e);
                s.save()?;
                // Usually the model is unreachable: stop rather than fail every remaining run
                // the same way (as the app does); resume retries the failed ones.
                failure.get_or_insert(format!("run {} failed: {e}", report.run + 1));
                halt.store(true, Ordering::SeqCst);
            }
        }
    }
    bar.finish_and_clear();
    let mut s = lock(&shared);
    let progress = s.checkpoint.record.state.progress();
    let resume_hint = format!("machine-dream experiment resume --dir {}", dir.display());
    if let Some(failure) = failure {
        s.save()?;
        return Err(format!(
            "{failure}\n{} of {} runs done; the journal keeps every attempt so far. When the \
             cause is fixed, continue with: {resume_hint}",
            progress.done, progress.total
        ));
    }
    if progress.done < progress.total {
        s.save()?;
        eprintln!(
            "stopped: {} of {} runs done, every finished move is in the journal; continue \
             with: {resume_hint}",
            progress.done, progress.total
        );
        return Ok(Ended::Stopped);
    }
    let record = s.checkpoint.record.clone();
    s.journal.append(Kind::Experiment, &record.id, &record)?;
    s.save()?;
    let results = ExperimentResults::from_state(&record.state);
    println!("{}", report::summary(&results));
    println!(
        "journal: {} (import it in the app's Memory screen, or merge shards with `machine-dream \
         experiment report`)",
        dir.join(journal::FILE_NAME).display()
    );
    Ok(Ended::Finished)
}

fn progress_bar(total: usize, done: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs · ETA {eta} · {msg}",
        )
        .expect("the template is valid"),
    );
    bar.set_position(done as u64);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A line above the bar, or on stderr when there is no bar (not a terminal).
fn say(bar: &ProgressBar, line: &str) {
    if bar.is_hidden() {
        eprintln!("{line}");
    } else {
        bar.println(line);
    }
}

/// The unit a run's prompt draws from ([`RunOrder::unit`]) among the runner's units.
fn unit_of(order: &RunOrder, units: &[LearningUnit]) -> Result<Option<LearningUnit>, String> {
    match order.unit() {
        RunUnit::Named(id) => units
            .iter()
            .find(|u| u.id == id)
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                format!("learning unit {id} is not among the units given (--units): export it from the app")
            }),
        RunUnit::ActiveOf(profile) => Ok(active_unit(units, profile, None)
            .map_err(|e| e.to_string())?
            .cloned()),
        RunUnit::None => Ok(None),
    }
}

/// Plays one run to its end: its session continued from the checkpoint, or started.
fn play_run(
    shared: &Mutex<Shared>,
    clients: &HashMap<String, LlmClient>,
    order: RunOrder,
    halt: &AtomicBool,
    bar: &ProgressBar,
) -> Result<Option<RunResult>, String> {
    let (mut session, started_at, profile, unit) = {
        let mut s = lock(shared);
        let profile = s
            .checkpoint
            .profiles
            .iter()
            .find(|p| p.id == order.arm.profile_id)
            .cloned()
            .ok_or_else(|| format!("profile {} is missing", order.arm.profile_id))?;
        let (session, started_at) = match s.checkpoint.in_flight.get(&order.run) {
            Some(f) => {
                let replay: Vec<&ExperienceRecord> = s.replay.iter().collect();
                (play::rebuild(f.session.clone(), &replay)?, f.started_at_ms)
            }
            None => {
                let puzzle = order.puzzle.materialise().map_err(|e| e.to_string())?;
                let unit = unit_of(&order, &s.checkpoint.units)?;
                let record = &s.checkpoint.record;
                let start = order.session_start(
                    &record.id,
                    &record.name,
                    record.max_attempts,
                    &profile,
                    &puzzle,
                    unit.map(|u| u.id),
                );
                let now = clock::now_ms();
                let session = SessionRecord::start(start, now, clock::nonce())
                    .map_err(|e| format!("could not start: {e}"))?;
                s.checkpoint.in_flight.insert(
                    order.run,
                    InFlight {
                        session: session.clone(),
                        started_at_ms: now,
                    },
                );
                s.save()?;
                s.journal
                    .append(Kind::Puzzle, &puzzle.id, &PuzzleRecord::new(&puzzle, now))?;
                (session, now)
            }
        };
        let unit = match &session.unit_id {
            Some(id) => s.checkpoint.units.iter().find(|u| &u.id == id).cloned(),
            None => None,
        };
        (session, started_at, profile, unit)
    };
    let client = clients
        .get(&profile.id)
        .ok_or_else(|| format!("no client for profile {}", profile.id))?;
    let label = format!("run {}", order.run + 1);
    let played = play::play(
        client,
        &profile,
        &mut session,
        unit.as_ref(),
        halt,
        |experience| {
            lock(shared)
                .journal
                .append(Kind::Experience, &experience.id, experience)
                .map(|_| ())
        },
        |attempt| {
            bar.set_message(format!(
                "{label}: move {} {}",
                attempt.number,
                attempt.judgement.label()
            ))
        },
    )?;
    if played == Played::Stopped {
        return Ok(None);
    }
    lock(shared)
        .journal
        .append(Kind::Session, &session.id, &session)?;
    let duration = (clock::now_ms() - started_at).max(0.0) as u64;
    Ok(Some(RunResult::from_session(
        &order,
        &session.id,
        &session.session,
        duration,
    )))
}

/// The dream before a phase: over the experiment's sessions so far, read from the journal.
fn dream_barrier(
    shared: &Mutex<Shared>,
    clients: &HashMap<String, LlmClient>,
    request: &DreamRequest,
    halt: &AtomicBool,
    bar: &ProgressBar,
) -> Result<(), String> {
    let (profile, with_model, path) = {
        let s = lock(shared);
        let profile = s
            .checkpoint
            .profiles
            .iter()
            .find(|p| p.id == request.profile_id)
            .cloned()
            .ok_or_else(|| format!("profile {} is missing", request.profile_id))?;
        (
            profile,
            s.checkpoint.record.dream_with_model,
            s.checkpoint_path.with_file_name(journal::FILE_NAME),
        )
    };
    say(
        bar,
        &format!(
            "dreaming over {} sessions before phase {}…",
            request.session_ids.len(),
            request.phase + 1
        ),
    );
    let import = journal::read(&path, false)?;
    let experiences: Vec<ExperienceRecord> = import
        .experiences
        .into_iter()
        .filter(|e| {
            request
                .session_ids
                .contains(&e.experience.context.session_id)
        })
        .filter(|e| e.experience.context.profile_id == profile.id)
        .collect();
    let client = if with_model {
        clients.get(&profile.id)
    } else {
        None
    };
    let outcome = dream::dream(
        &profile,
        client,
        experiences,
        dream::solutions(&import.puzzles),
        clock::now_ms(),
        // An experiment's dream makes a first version from its sessions alone: the design,
        // not the profile's active unit, decides what a phase learns from.
        None,
        halt,
    )?;
    let unit = outcome.unit;
    let mut s = lock(shared);
    s.journal.append(Kind::LearningUnit, &unit.id, &unit)?;
    s.checkpoint
        .record
        .state
        .handle_dream(request.phase, &unit.id)
        .map_err(|e| format!("the dream was not recorded: {e}"))?;
    s.checkpoint.units.push(unit);
    s.save()?;
    say(bar, "dream done: the next phase plays with its unit");
    Ok(())
}
