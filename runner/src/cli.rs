//! The command line: parsing into a [`Command`], and running one.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use learning_lab::experiment::Shard;
use learning_lab::memory::transfer::Kind;
use learning_lab::memory::{PuzzleRecord, SessionRecord, SessionStart};
use learning_lab::play::{Limits, PromptMode, ReadyPuzzle, Status};
use learning_lab::unit::store::active_unit;
use learning_lab::unit::LearningUnit;

use crate::experiment::{self, Ended, NewRun};
use crate::llm::Breakers;
use crate::play::Played;
use crate::{clock, dream, inputs, journal, play, report};

/// How to call it.
pub const USAGE: &str = "\
usage:
  machine-dream experiment run --design FILE --profile FILE --dir DIR
        [--shard I/N] [--max-attempts N] [--concurrency N] [--units FILE]
        [--dream-with-model] [--edge-url URL]
  machine-dream experiment resume --dir DIR [--concurrency N] [--edge-url URL]
  machine-dream experiment report INPUT... [--out DIR]
  machine-dream export INPUT... --out FILE
  machine-dream play --profile FILE [--profile-id ID] --dir DIR [--size N] [--seed S]
        [--max-attempts N] [--memory --units FILE] [--edge-url URL]
  machine-dream dream --profile FILE [--profile-id ID] --dir DIR [--with-model]
        [--edge-url URL]

FILE formats are the app's: --profile is a profile export (JSON lines), --design an
experiment design (JSON), --units a learning-unit export. INPUT is a run directory or a
journal file. DIR holds journal.jsonl (the app's memory import format) and checkpoint.json.
Credentials come from the environment only: MD_EDGE_TOKEN (edge API client token),
MD_API_KEY (a direct OpenAI-compatible provider's key), MD_EDGE_URL (or --edge-url).
Exit codes: 0 done, 1 failed (the message says what to do), 2 bad usage, 130 stopped.";

/// A parsed command.
pub enum Command {
    /// `--help`.
    Help,
    /// `experiment run`.
    Run(NewRun),
    /// `experiment resume`.
    Resume {
        dir: PathBuf,
        edge_url: Option<String>,
        concurrency: Option<usize>,
    },
    /// `experiment report`.
    Report {
        inputs: Vec<PathBuf>,
        out: Option<PathBuf>,
    },
    /// `export`.
    Export { inputs: Vec<PathBuf>, out: PathBuf },
    /// `play`.
    Play(PlayArgs),
    /// `dream`.
    Dream {
        profiles: PathBuf,
        profile_id: Option<String>,
        dir: PathBuf,
        with_model: bool,
        edge_url: Option<String>,
    },
}

/// `play`'s arguments.
pub struct PlayArgs {
    profiles: PathBuf,
    profile_id: Option<String>,
    dir: PathBuf,
    size: usize,
    seed: u64,
    max_attempts: usize,
    memory: bool,
    units: Option<PathBuf>,
    edge_url: Option<String>,
}

/// The words of a command line, consumed flag by flag.
pub struct Args {
    words: Vec<String>,
}

impl Args {
    /// The words after the program name.
    ///
    /// # Errors
    /// Never; a `Result` to chain with [`parse`].
    pub fn new(words: Vec<String>) -> Result<Args, String> {
        Ok(Args { words })
    }

    fn value(&mut self, flag: &str) -> Result<Option<String>, String> {
        let Some(i) = self.words.iter().position(|w| w == flag) else {
            return Ok(None);
        };
        if i + 1 >= self.words.len() || self.words[i + 1].starts_with("--") {
            return Err(format!("{flag} needs a value"));
        }
        let value = self.words.remove(i + 1);
        self.words.remove(i);
        Ok(Some(value))
    }

    fn required(&mut self, flag: &str) -> Result<String, String> {
        self.value(flag)?
            .ok_or_else(|| format!("{flag} is required"))
    }

    fn number<T: std::str::FromStr>(&mut self, flag: &str) -> Result<Option<T>, String> {
        self.value(flag)?
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{flag} wants a whole number, not {v:?}"))
            })
            .transpose()
    }

    fn switch(&mut self, flag: &str) -> bool {
        match self.words.iter().position(|w| w == flag) {
            Some(i) => {
                self.words.remove(i);
                true
            }
            None => false,
        }
    }

    /// The words left, which must all be positional.
    fn rest(self) -> Result<Vec<String>, String> {
        match self.words.iter().find(|w| w.starts_with("--")) {
            Some(flag) => Err(format!("unknown flag {flag}")),
            None => Ok(self.words),
        }
    }

    fn done(self) -> Result<(), String> {
        match self.rest()?.first() {
            Some(word) => Err(format!("unexpected argument {word:?}")),
            None => Ok(()),
        }
    }
}

/// Reads a command.
///
/// # Errors
/// Unknown commands or flags, missing values.
pub fn parse(mut args: Args) -> Result<Command, String> {
    if args.words.is_empty() || args.switch("--help") || args.switch("-h") {
        return Ok(Command::Help);
    }
    let first = args.words.remove(0);
    match first.as_str() {
        "experiment" => {
            if args.words.is_empty() {
                return Err("experiment needs run, resume or report".into());
            }
            let sub = args.words.remove(0);
            match sub.as_str() {
                "run" => {
                    let shard = match args.value("--shard")? {
                        Some(text) => Shard::parse(&text).map_err(|e| e.to_string())?,
                        None => Shard::WHOLE,
                    };
                    let run = NewRun {
                        design: args.required("--design")?.into(),
                        profiles: args.required("--profile")?.into(),
                        dir: args.required("--dir")?.into(),
                        shard,
                        max_attempts: args.number("--max-attempts")?.unwrap_or(30),
                        dream_with_model: args.switch("--dream-with-model"),
                        units: args.value("--units")?.map(PathBuf::from),
                        edge_url: args.value("--edge-url")?,
                        concurrency: args.number("--concurrency")?,
                    };
                    args.done()?;
                    Ok(Command::Run(run))
                }
                "resume" => {
                    let command = Command::Resume {
                        dir: args.required("--dir")?.into(),
                        edge_url: args.value("--edge-url")?,
                        concurrency: args.number("--concurrency")?,
                    };
                    args.done()?;
                    Ok(command)
                }
                "report" => {
                    let out = args.value("--out")?.map(PathBuf::from);
                    let inputs: Vec<PathBuf> =
                        args.rest()?.into_iter().map(PathBuf::from).collect();
                    if inputs.is_empty() {
                        return Err("report needs at least one run directory or journal".into());
                    }
                    Ok(Command::Report { inputs, out })
                }
                other => Err(format!(
                    "unknown experiment command {other:?} (run, resume, report)"
                )),
            }
        }
        "export" => {
            let out = args.required("--out")?.into();
            let inputs: Vec<PathBuf> = args.rest()?.into_iter().map(PathBuf::from).collect();
            if inputs.is_empty() {
                return Err("export needs at least one run directory or journal".into());
            }
            Ok(Command::Export { inputs, out })
        }
        "play" => {
            let play = PlayArgs {
                profiles: args.required("--profile")?.into(),
                profile_id: args.value("--profile-id")?,
                dir: args.required("--dir")?.into(),
                size: args.number("--size")?.unwrap_or(4),
                seed: args.number("--seed")?.unwrap_or(1),
                max_attempts: args.number("--max-attempts")?.unwrap_or(30),
                memory: args.switch("--memory"),
                units: args.value("--units")?.map(PathBuf::from),
                edge_url: args.value("--edge-url")?,
            };
            args.done()?;
            Ok(Command::Play(play))
        }
        "dream" => {
            let command = Command::Dream {
                profiles: args.required("--profile")?.into(),
                profile_id: args.value("--profile-id")?,
                dir: args.required("--dir")?.into(),
                with_model: args.switch("--with-model"),
                edge_url: args.value("--edge-url")?,
            };
            args.done()?;
            Ok(command)
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

/// How a command ended without an error.
pub enum Done {
    /// Completed.
    Finished,
    /// Stopped by Ctrl-C; it can be continued.
    Stopped,
}

impl From<Ended> for Done {
    fn from(e: Ended) -> Done {
        match e {
            Ended::Finished => Done::Finished,
            Ended::Stopped => Done::Stopped,
        }
    }
}

/// Runs `command`; `halt` is set by Ctrl-C.
///
/// # Errors
/// What went wrong and what to do about it.
pub fn execute(command: Command, halt: Arc<AtomicBool>) -> Result<Done, String> {
    match command {
        Command::Help => Ok(Done::Finished),
        Command::Run(run) => experiment::start(run, halt).map(Done::from),
        Command::Resume {
            dir,
            edge_url,
            concurrency,
        } => experiment::resume(&dir, edge_url, concurrency, halt).map(Done::from),
        Command::Report { inputs, out } => {
            let inputs = inputs
                .iter()
                .map(|p| report::load(p))
                .collect::<Result<Vec<_>, _>>()?;
            report::warn_unfinished(&inputs);
            let state = report::merged_state(&inputs)?;
            let results = match &out {
                Some(dir) => report::write_results(&state, dir)?,
                None => learning_lab::experiment::ExperimentResults::from_state(&state),
            };
            println!("{}", report::summary(&results));
            let ledgers = report::unit_ledgers(&inputs)?;
            if !ledgers.is_empty() {
                println!("{}", report::ledger_summary(&ledgers));
            }
            if let Some(dir) = out {
                report::write_ledgers(&ledgers, &dir.join("items.csv"))?;
                let files: Vec<&str> = report::RESULT_FILES
                    .into_iter()
                    .chain(["items.csv"])
                    .collect();
                println!("wrote {} into {}", files.join(", "), dir.display());
            }
            Ok(Done::Finished)
        }
        Command::Export { inputs, out } => {
            let inputs = inputs
                .iter()
                .map(|p| report::load(p))
                .collect::<Result<Vec<_>, _>>()?;
            report::warn_unfinished(&inputs);
            let text = report::export_text(&inputs)?;
            std::fs::write(&out, text)
                .map_err(|e| format!("cannot write {} ({e})", out.display()))?;
            println!(
                "wrote {}: import it in the app (Memory → Import)",
                out.display()
            );
            Ok(Done::Finished)
        }
        Command::Play(args) => free_play(args, &halt),
        Command::Dream {
            profiles,
            profile_id,
            dir,
            with_model,
            edge_url,
        } => {
            let profile =
                inputs::pick_profile(&inputs::profiles(&profiles)?, profile_id.as_deref())?;
            let client = if with_model {
                Some(inputs::client(
                    &profile,
                    inputs::edge_url(edge_url).as_deref(),
                    &Breakers::default(),
                )?)
            } else {
                None
            };
            let path = dir.join(journal::FILE_NAME);
            let (mut journal, import) = journal::Journal::open(&path, clock::now_ms())?;
            let experiences: Vec<_> = import
                .experiences
                .iter()
                .filter(|e| e.experience.context.profile_id == profile.id)
                .cloned()
                .collect();
            // The profile's active unit in the journal (the newest) is evolved, not replaced.
            let units: Vec<LearningUnit> = import
                .learning_units
                .iter()
                .filter_map(|u| serde_json::from_value(u.clone()).ok())
                .collect();
            let parent = active_unit(&units, &profile.id, None)
                .map_err(|e| e.to_string())?
                .cloned();
            let outcome = dream::dream(
                &profile,
                client.as_ref(),
                experiences,
                dream::solutions(&import.puzzles),
                clock::now_ms(),
                parent,
                &halt,
            )?;
            journal.append(Kind::LearningUnit, &outcome.unit.id, &outcome.unit)?;
            let unit_file = dir.join(format!("{}.json", outcome.unit.id));
            std::fs::write(
                &unit_file,
                learning_lab::unit::store::export_json(
                    std::slice::from_ref(&outcome.unit),
                    clock::now_ms(),
                ),
            )
            .map_err(|e| format!("cannot write {} ({e})", unit_file.display()))?;
            let lineage = &outcome.unit.lineage;
            println!(
                "unit {} v{}{} ({} items: {}) from {} experiences; in the journal and in {}",
                outcome.unit.id,
                lineage.version,
                lineage
                    .parent_id
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" of {p}")),
                outcome.unit.item_count(),
                learning_lab::unit::UnitOp::summary(&outcome.report.operations),
                outcome.report.captured,
                unit_file.display()
            );
            for item in &outcome.report.never_helped {
                println!(
                    "never helped: {} ({} moves) {}",
                    item.item_id,
                    item.uses(),
                    item.text
                );
            }
            Ok(Done::Finished)
        }
    }
}

/// `play`: one session of a generated puzzle, journaled move by move.
fn free_play(args: PlayArgs, halt: &AtomicBool) -> Result<Done, String> {
    let profile = inputs::pick_profile(
        &inputs::profiles(&args.profiles)?,
        args.profile_id.as_deref(),
    )?;
    let client = inputs::client(
        &profile,
        inputs::edge_url(args.edge_url).as_deref(),
        &Breakers::default(),
    )?;
    let units = match &args.units {
        Some(path) => inputs::units(path)?,
        None => Vec::new(),
    };
    let unit = if args.memory {
        active_unit(&units, &profile.id, None)
            .map_err(|e| e.to_string())?
            .cloned()
    } else {
        None
    };
    let puzzle = ReadyPuzzle::generate(args.size, args.seed).map_err(|e| {
        format!(
            "could not generate a {0}x{0} puzzle for seed {1}: {e}",
            args.size, args.seed
        )
    })?;
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {} ({e})", args.dir.display()))?;
    let now = clock::now_ms();
    let (mut journal, _) = journal::Journal::open(&args.dir.join(journal::FILE_NAME), now)?;
    let mut record = SessionRecord::start(
        SessionStart {
            profile: &profile,
            puzzle: &puzzle,
            limits: Limits {
                max_attempts: args.max_attempts.max(1),
                ..Limits::default()
            },
            unit_id: unit.as_ref().map(|u| u.id.clone()),
            memory: args.memory,
            mode: PromptMode::Standard,
            experiment_id: None,
            notes: String::new(),
        },
        now,
        clock::nonce(),
    )
    .map_err(|e| format!("could not start: {e}"))?;
    journal.append_profile(&profile.without_secrets())?;
    journal.append(Kind::Puzzle, &puzzle.id, &PuzzleRecord::new(&puzzle, now))?;
    let played = play::play(
        &client,
        &profile,
        &mut record,
        unit.as_ref(),
        halt,
        |e| journal.append(Kind::Experience, &e.id, e).map(|_| ()),
        |a| {
            eprintln!(
                "move {}: {} — {}",
                a.number,
                a.judgement.label(),
                a.feedback
            )
        },
    );
    if !matches!(played, Ok(Played::Ended)) {
        // Stopped or failed: recorded as paused, as the app shows an interrupted play.
        let _ = record.session.pause();
        record.touch(clock::now_ms());
    }
    journal.append(Kind::Session, &record.id, &record)?;
    let stats = record.session.stats();
    let how = match record.session.status() {
        Status::Solved => "solved".to_string(),
        Status::Abandoned(reason) => format!("ended: {reason}"),
        _ => "paused".to_string(),
    };
    println!(
        "{how}: {} attempts, {} correct; journal {}",
        stats.attempts,
        stats.correct,
        args.dir.join(journal::FILE_NAME).display()
    );
    match played {
        Ok(Played::Ended) => Ok(Done::Finished),
        Ok(Played::Stopped) => Ok(Done::Stopped),
        Err(e) => Err(e),
    }
}
