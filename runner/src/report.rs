//! `experiment report` and `export`: the shards' journals merged into the results the app
//! computes (learning-lab's `ExperimentResults`, CSV and JSON), and into one memory import
//! file the app opens.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use learning_lab::experiment::{
    accuracy_chart, arms_csv, export_json, learning_curve_chart, outcome_mix_chart, runs_csv,
    Estimate, ExperimentRecord, ExperimentResults, ExperimentState,
};
use learning_lab::memory::transfer::{
    header_line, parse_import, profile_line, record_line, Kind, Limits, MemoryImport,
};
use learning_lab::memory::SessionRecord;
use learning_lab::unit::{ledger, ledger_csv, ItemLedger, LearningUnit};

use crate::checkpoint::{self, Checkpoint};
use crate::{clock, journal, play};

/// One input: a journal, with the checkpoint of its run directory when there is one.
pub struct Input {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The journal's records.
    pub import: MemoryImport,
    /// The experiment: the journal's record, else (a run not finished) the checkpoint's.
    pub experiment: ExperimentRecord,
    /// Sessions in flight in the checkpoint, rebuilt from the journal's attempts.
    pub in_flight: Vec<SessionRecord>,
    /// Whether the experiment came from an unfinished run's checkpoint.
    pub unfinished: bool,
}

/// Reads `path`: a run directory (its journal and checkpoint) or a journal file.
///
/// # Errors
/// Unreadable, not a journal, or a journal without an experiment and no checkpoint.
pub fn load(path: &Path) -> Result<Input, String> {
    let (journal_path, checkpoint_path) = if path.is_dir() {
        (
            path.join(journal::FILE_NAME),
            Some(path.join(checkpoint::FILE_NAME)),
        )
    } else {
        (path.to_path_buf(), None)
    };
    let import = journal::read(&journal_path, false)?;
    let checkpoint = match checkpoint_path.filter(|p| p.exists()) {
        Some(p) => Some(Checkpoint::load(&p)?),
        None => None,
    };
    let recorded = match import.experiments.as_slice() {
        [] => None,
        [one] => Some(ExperimentRecord::from_value(one.clone()).map_err(|e| {
            format!(
                "{}: its experiment record is damaged ({e})",
                journal_path.display()
            )
        })?),
        more => {
            return Err(format!(
                "{} holds {} experiments; give one run's journal per input",
                journal_path.display(),
                more.len()
            ))
        }
    };
    let mut in_flight = Vec::new();
    if let Some(c) = &checkpoint {
        let experiences: Vec<_> = import.experiences.iter().collect();
        for f in c.in_flight.values() {
            if !import.sessions.iter().any(|s| s.id == f.session.id) {
                in_flight.push(play::rebuild(f.session.clone(), &experiences)?);
            }
        }
    }
    let (experiment, unfinished) = match (recorded, checkpoint) {
        (Some(r), _) => (r, false),
        (None, Some(c)) => (c.record, true),
        (None, None) => {
            return Err(format!(
                "{} has no experiment record: its run has not finished. Give its run \
                 directory instead (its checkpoint has the state so far), or finish it with \
                 `machine-dream experiment resume --dir …`",
                journal_path.display()
            ))
        }
    };
    Ok(Input {
        path: path.to_path_buf(),
        import,
        experiment,
        in_flight,
        unfinished,
    })
}

/// The inputs' experiments as one state (see `ExperimentState::merge`).
///
/// # Errors
/// Inputs of different experiments, or a run in two of them.
pub fn merged_state(inputs: &[Input]) -> Result<ExperimentState, String> {
    let states: Vec<ExperimentState> = inputs.iter().map(|i| i.experiment.state.clone()).collect();
    ExperimentState::merge(&states).map_err(|e| {
        let names: Vec<String> = inputs
            .iter()
            .map(|i| i.path.display().to_string())
            .collect();
        format!("cannot merge {}: {e}", names.join(", "))
    })
}

/// Says which inputs are unfinished, on stderr.
pub fn warn_unfinished(inputs: &[Input]) {
    for i in inputs.iter().filter(|i| i.unfinished) {
        let p = i.experiment.state.progress();
        eprintln!(
            "note: {} has not finished ({} of {} runs done); its finished runs are included",
            i.path.display(),
            p.done,
            p.total
        );
    }
}

/// `12.5 % [3.1, 40.0]`: a share with its interval, in percent.
fn percent(e: &Estimate) -> String {
    let [v, low, high] = [e.value, e.ci.low, e.ci.high].map(|x| 100.0 * x);
    format!("{v:.1} % [{low:.1}, {high:.1}]")
}

/// `+1.1 points [-3.8, +10.3]`: a difference of shares with its interval.
fn points(e: &Estimate) -> String {
    let [v, low, high] = [e.value, e.ci.low, e.ci.high].map(|x| 100.0 * x);
    format!("{v:+.1} points [{low:+.1}, {high:+.1}]")
}

/// A few lines on the results, for people.
pub fn summary(results: &ExperimentResults) -> String {
    let mut out = format!("experiment {} ({})\n", results.name, results.experiment_id);
    for arm in &results.arms {
        let rate = arm.solve_rate.as_ref().map_or("-".to_string(), percent);
        let accuracy = arm.accuracy.as_ref().map_or("-".to_string(), percent);
        let _ = writeln!(
            out,
            "  arm {}: {} runs, {} solved, solve rate {rate}, move accuracy {accuracy}",
            arm.label, arm.runs, arm.solved
        );
    }
    for c in &results.comparisons {
        let _ = writeln!(
            out,
            "  {} vs {}: {}",
            c.arm_id, c.control_id, c.verdict_text
        );
    }
    out.trim_end().to_string()
}

/// The files `write_results` writes, in order.
pub const RESULT_FILES: [&str; 6] = [
    "results.json",
    "arms.csv",
    "runs.csv",
    "accuracy.svg",
    "learning-curve.svg",
    "outcomes.svg",
];

/// Writes [`RESULT_FILES`] of `state` into `out`: the app's JSON and CSV downloads and its
/// three charts (the Experiments screen draws the same SVG).
///
/// # Errors
/// I/O.
pub fn write_results(state: &ExperimentState, out: &Path) -> Result<ExperimentResults, String> {
    let results = ExperimentResults::from_state(state);
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {} ({e})", out.display()))?;
    let texts = [
        export_json(state, &results),
        arms_csv(&results),
        runs_csv(state),
        accuracy_chart(&results),
        learning_curve_chart(&results),
        outcome_mix_chart(&results),
    ];
    for (name, text) in RESULT_FILES.into_iter().zip(texts) {
        let path = out.join(name);
        std::fs::write(&path, text)
            .map_err(|e| format!("cannot write {} ({e})", path.display()))?;
    }
    Ok(results)
}

/// The inputs' learning units (each once, the first input's copy; experiment variants left
/// out: their items are the unit's) with the ledger of each item over every input's
/// experiences, in the order the journals hold the units.
///
/// # Errors
/// A unit record that does not read.
pub fn unit_ledgers(inputs: &[Input]) -> Result<Vec<(LearningUnit, Vec<ItemLedger>)>, String> {
    let mut seen = BTreeSet::new();
    let mut units = Vec::new();
    for input in inputs {
        for value in &input.import.learning_units {
            let unit: LearningUnit = serde_json::from_value(value.clone()).map_err(|e| {
                format!(
                    "{}: a learning unit record is damaged ({e})",
                    input.path.display()
                )
            })?;
            if unit.lineage.variant_of.is_none() && seen.insert(unit.id.clone()) {
                units.push(unit);
            }
        }
    }
    let mut ids = BTreeSet::new();
    let experiences: Vec<_> = inputs
        .iter()
        .flat_map(|i| &i.import.experiences)
        .filter(|e| ids.insert(e.id.as_str()))
        .map(|e| &e.experience)
        .collect();
    Ok(units
        .into_iter()
        .map(|u| {
            let l = ledger(&u, experiences.iter().copied());
            (u, l)
        })
        .collect())
}

/// The units' item ledgers for people: per unit its items with uses, correct moves and lift.
pub fn ledger_summary(ledgers: &[(LearningUnit, Vec<ItemLedger>)]) -> String {
    let mut out = String::new();
    for (unit, items) in ledgers {
        let _ = writeln!(
            out,
            "unit {} (version {}, profile {}): {} items",
            unit.id,
            unit.lineage.version,
            unit.profile_id,
            items.len()
        );
        for l in items {
            let lift = l
                .lift
                .as_ref()
                .map_or("lift -".to_string(), |e| format!("lift {}", points(e)));
            let text: String = l.text.chars().take(60).collect();
            let _ = writeln!(
                out,
                "  {}: {} uses, {} correct, {lift}{} — {text}",
                l.item_id,
                l.uses(),
                l.with.correct,
                if l.never_helped() {
                    ", never helped"
                } else {
                    ""
                },
            );
        }
    }
    out.trim_end().to_string()
}

/// Writes the units' item ledgers as one CSV (`ledger_csv`'s columns).
///
/// # Errors
/// I/O.
pub fn write_ledgers(
    ledgers: &[(LearningUnit, Vec<ItemLedger>)],
    path: &Path,
) -> Result<(), String> {
    let text = ledger_csv(ledgers.iter().map(|(u, l)| (u, l.as_slice())));
    std::fs::write(path, text).map_err(|e| format!("cannot write {} ({e})", path.display()))
}

/// One memory import file of every input: each record once (the first input's copy), the
/// sessions in flight as they stand, and ONE experiment record with the merged state — so the
/// app shows the whole experiment, not one shard's slice of it.
///
/// # Errors
/// Inputs that do not merge.
pub fn export_text(inputs: &[Input]) -> Result<String, String> {
    let state = merged_state(inputs)?;
    let first = &inputs[0].experiment;
    let experiment = ExperimentRecord {
        state,
        ..first.clone()
    };
    let mut seen: Vec<BTreeSet<String>> = vec![BTreeSet::new(); Kind::ALL.len()];
    let mut lines: Vec<Vec<String>> = vec![Vec::new(); Kind::ALL.len()];
    let mut push = |kind: Kind, id: &str, line: String| {
        if seen[kind.index()].insert(id.to_string()) {
            lines[kind.index()].push(line);
        }
    };
    push(
        Kind::Experiment,
        &experiment.id,
        record_line(Kind::Experiment, &experiment),
    );
    for input in inputs {
        let i = &input.import;
        for p in &i.profiles {
            push(Kind::Profile, &p.id, profile_line(p));
        }
        for (kind, values) in [
            (Kind::Setting, &i.settings),
            (Kind::Puzzle, &i.puzzles),
            (Kind::Game, &i.games),
            (Kind::LearningUnit, &i.learning_units),
        ] {
            for v in values {
                let id = v[kind.key_field()].as_str().unwrap_or_default().to_string();
                push(kind, &id, record_line(kind, v));
            }
        }
        for s in i.sessions.iter().chain(&input.in_flight) {
            push(Kind::Session, &s.id, record_line(Kind::Session, s));
        }
        for e in &i.experiences {
            push(Kind::Experience, &e.id, record_line(Kind::Experience, e));
        }
    }
    let mut text = header_line(clock::now_ms());
    for kind in Kind::ALL {
        for line in &lines[kind.index()] {
            text.push_str(line);
        }
    }
    // The app refuses a file with one bad line; check it here, where the cause is known.
    parse_import(&text, &Limits::default())
        .map_err(|e| format!("the merged export would not import: {e}"))?;
    Ok(text)
}
