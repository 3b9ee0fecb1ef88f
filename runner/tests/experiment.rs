//! The runner end to end against a scripted upstream: a short experiment, shards merged, a
//! SIGKILL and a resume, and bad inputs.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use learning_lab::experiment::{runs_csv, ExperimentResults, ExperimentState, RunStatus};
use learning_lab::memory::transfer::{ImportReader, Kind, Limits};

/// Runs `design` (arms cold and warm) against `upstream` into `dir`; extra flags after.
fn experiment_run(
    dir: &Path,
    upstream: &Upstream,
    design: &learning_lab::experiment::Experiment,
    extra: &[&str],
) -> std::process::Output {
    let profiles = write_profiles(
        dir,
        &[
            profile("cold", &upstream.base_url, 0.0),
            profile("warm", &upstream.base_url, 0.7),
        ],
    );
    let design = write_design(dir, design);
    let out = dir.join("run");
    let mut args = vec![
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
        "--max-attempts",
        "6",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// `experiment report` of `dir/run` into `dir/report`, checked to succeed: its output and
/// the report directory.
fn report_of(dir: &Path) -> (std::process::Output, std::path::PathBuf) {
    let out = dir.join("report");
    let report = run(&[
        "experiment",
        "report",
        dir.join("run").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&report);
    (report, out)
}

/// Experiences per session in a journal: their attempt numbers in file order.
fn attempts_by_session(
    import: &learning_lab::memory::transfer::MemoryImport,
) -> BTreeMap<String, Vec<usize>> {
    let mut by = BTreeMap::<String, Vec<usize>>::new();
    for e in &import.experiences {
        by.entry(e.experience.context.session_id.clone())
            .or_default()
            .push(e.experience.attempt.number);
    }
    by
}

#[test]
fn a_short_experiment_runs_end_to_end_and_its_journal_imports_with_the_expected_counts() {
    let upstream = Upstream::start(0);
    let dir = temp_dir("e2e");
    let output = experiment_run(&dir, &upstream, &ab_design(vec![1, 2], 1), &[]);
    assert_ok(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("arm cold: 2 runs"), "{stdout}");
    let journal = dir.join("run/journal.jsonl");

    // The app's streaming import reader accepts every line, with these counts per kind.
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut reader = ImportReader::new(Limits::default());
    for line in text.split('\n') {
        reader.line(line);
    }
    let counts = reader.counts();
    let records = reader.finish().expect("the app imports the journal");
    let imported = import(&journal);
    let state = journal_state(&imported);
    assert!(state
        .status
        .iter()
        .all(|s| matches!(s, RunStatus::Done { .. })));
    let attempts: u64 = state.done_results().map(|r| r.attempts).sum();
    assert_eq!(counts[Kind::Profile.index()], 2);
    assert_eq!(
        counts[Kind::Puzzle.index()],
        2,
        "one line per puzzle, not per run"
    );
    assert_eq!(counts[Kind::Session.index()], 4);
    assert_eq!(counts[Kind::Experiment.index()], 1);
    assert_eq!(counts[Kind::Experience.index()] as u64, attempts);
    assert!(attempts >= 4);
    assert_eq!(records, 2 + 2 + 4 + 1 + attempts as usize);
    // Every finished run's session is in the journal, with its attempts numbered 1..n.
    let by = attempts_by_session(&imported);
    for r in state.done_results() {
        let session = imported
            .sessions
            .iter()
            .find(|s| s.id == r.session_id)
            .expect("its session");
        assert_eq!(session.experiment_id.as_deref(), Some("exp-runner"));
        assert_eq!(
            by[&r.session_id],
            (1..=r.attempts as usize).collect::<Vec<_>>()
        );
    }
    // The profiles carry no token; the first request's 503 was retried, not a move.
    assert!(imported.profiles.iter().all(|p| p.edge_token.is_none()));

    // report: the app's numbers, computed by learning-lab from the same runs.
    let (_, out) = report_of(&dir);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let reported: ExperimentResults = serde_json::from_value(json["results"].clone()).unwrap();
    assert_eq!(reported, ExperimentResults::from_state(&state));
    assert_eq!(
        std::fs::read_to_string(out.join("runs.csv")).unwrap(),
        runs_csv(&state)
    );
    assert!(std::fs::read_to_string(out.join("arms.csv"))
        .unwrap()
        .contains("cold"));
    // The charts are the Experiments screen's SVG for the same results.
    assert_eq!(
        std::fs::read_to_string(out.join("accuracy.svg")).unwrap(),
        learning_lab::experiment::accuracy_chart(&reported)
    );
    for chart in ["learning-curve.svg", "outcomes.svg"] {
        let svg = std::fs::read_to_string(out.join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("cold"),
            "{chart}: {svg}"
        );
    }
}

#[test]
fn two_shards_merged_equal_one_unsharded_run_in_the_report_and_the_export() {
    let upstream = Upstream::start(0);
    let design = ab_design(vec![1, 2, 3], 1);
    let whole = temp_dir("whole");
    assert_ok(&experiment_run(&whole, &upstream, &design, &[]));
    let one = temp_dir("shard1");
    let two = temp_dir("shard2");
    assert_ok(&experiment_run(
        &one,
        &upstream,
        &design,
        &["--shard", "1/2"],
    ));
    assert_ok(&experiment_run(
        &two,
        &upstream,
        &design,
        &["--shard", "2/2", "--concurrency", "1"],
    ));

    let whole_state = journal_state(&import(&whole.join("run/journal.jsonl")));
    let s1 = journal_state(&import(&one.join("run/journal.jsonl")));
    let s2 = journal_state(&import(&two.join("run/journal.jsonl")));
    assert_eq!(
        s1.progress().total + s2.progress().total,
        whole_state.runs.len()
    );
    assert!(s1.done_results().all(|r| r.run % 2 == 0));

    let out = one.join("report");
    let report = run(&[
        "experiment",
        "report",
        two.join("run/journal.jsonl").to_str().unwrap(),
        one.join("run").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&report);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let merged: ExperimentState = serde_json::from_value(json["state"].clone()).unwrap();
    assert_eq!(normalised(&merged), normalised(&whole_state));
    assert_eq!(results(&merged), results(&whole_state));
    let reported: ExperimentResults = serde_json::from_value(json["results"].clone()).unwrap();
    assert_eq!(reported, ExperimentResults::from_state(&merged));

    // export: one file the app imports, with the whole experiment once.
    let file = one.join("merged.jsonl");
    assert_ok(&run(&[
        "export",
        one.join("run").to_str().unwrap(),
        two.join("run").to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]));
    let merged_import = import(&file);
    assert_eq!(merged_import.sessions.len(), whole_state.runs.len());
    assert_eq!(merged_import.puzzles.len(), 3);
    assert_eq!(merged_import.profiles.len(), 2);
    let exported = journal_state(&merged_import);
    assert_eq!(normalised(&exported), normalised(&whole_state));

    // A journal of another experiment does not merge.
    let other = temp_dir("other");
    assert_ok(&experiment_run(
        &other,
        &upstream,
        &ab_design(vec![9], 1),
        &[],
    ));
    let refused = run(&[
        "experiment",
        "report",
        one.join("run").to_str().unwrap(),
        other.join("run").to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another experiment"));
}

#[test]
fn a_killed_run_resumes_without_losing_or_repeating_a_committed_attempt() {
    let design = ab_design(vec![1, 2], 2);
    // The reference: the same runs, never interrupted.
    let reference = temp_dir("reference");
    let fast = Upstream::start(0);
    assert_ok(&experiment_run(&reference, &fast, &design, &[]));
    let expected = journal_state(&import(&reference.join("run/journal.jsonl")));

    let slow = Upstream::start(40);
    let dir = temp_dir("killed");
    let profiles = write_profiles(
        &dir,
        &[
            profile("cold", &slow.base_url, 0.0),
            profile("warm", &slow.base_url, 0.7),
        ],
    );
    let design_path = write_design(&dir, &design);
    let out = dir.join("run");
    let mut child = runner()
        .args([
            "experiment",
            "run",
            "--design",
            design_path.to_str().unwrap(),
            "--profile",
            profiles.to_str().unwrap(),
            "--dir",
            out.to_str().unwrap(),
            "--max-attempts",
            "6",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("journal.jsonl");
    let started = Instant::now();
    // Kill once a session is half played: it has attempts in the journal and no session line.
    let mid_session = |text: &str| {
        let complete: String = text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .collect();
        let Ok(i) = learning_lab::memory::transfer::parse_import(&complete, &Limits::default())
        else {
            return false;
        };
        i.experiences.len() >= 5
            && i.experiences.iter().any(|e| {
                !i.sessions
                    .iter()
                    .any(|s| s.id == e.experience.context.session_id)
            })
    };
    loop {
        let text = std::fs::read_to_string(&journal).unwrap_or_default();
        if mid_session(&text) {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    let before = std::fs::read_to_string(&journal).unwrap();
    let committed: Vec<&str> = before
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    let before_state =
        learning_lab::memory::transfer::parse_import(&committed.concat(), &Limits::default())
            .unwrap();
    assert!(before_state.experiments.is_empty(), "killed before the end");
    assert!(mid_session(&before), "killed in the middle of a session");

    let resumed = run(&["experiment", "resume", "--dir", out.to_str().unwrap()]);
    assert_ok(&resumed);
    let after = std::fs::read_to_string(&journal).unwrap();
    // Every committed line is still there, unchanged and in place (a torn tail is cut off).
    assert!(after.starts_with(&committed.concat()));
    let imported = import(&journal); // the app's reader: no id twice
    for e in &before_state.experiences {
        let now = imported
            .experiences
            .iter()
            .find(|x| x.id == e.id)
            .expect("kept");
        assert_eq!(now, e);
    }
    // No attempt lost or repeated: every session's attempts are 1..n, and the interrupted
    // sessions went on (as many sessions as runs, none replayed from scratch).
    let state = journal_state(&imported);
    let by = attempts_by_session(&imported);
    assert_eq!(imported.sessions.len(), state.runs.len());
    assert_eq!(by.len(), state.runs.len());
    for r in state.done_results() {
        assert_eq!(
            by[&r.session_id],
            (1..=r.attempts as usize).collect::<Vec<_>>()
        );
    }
    for e in &before_state.experiences {
        assert!(state
            .done_results()
            .any(|r| r.session_id == e.experience.context.session_id));
    }
    // And the same final results as the uninterrupted run.
    assert_eq!(normalised(&state), normalised(&expected));
    assert_eq!(results(&state), results(&expected));
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn bad_inputs_get_a_clear_error_that_says_what_to_do() {
    let upstream = Upstream::start(0);
    let dir = temp_dir("bad");
    let profiles = write_profiles(
        &dir,
        &[
            profile("cold", &upstream.base_url, 0.0),
            profile("warm", &upstream.base_url, 0.7),
        ],
    );
    let p = profiles.to_str().unwrap();

    // A malformed design: named, with where it broke.
    let design = dir.join("broken.json");
    std::fs::write(&design, "{\"id\": \"x\", \"arms\": [}").unwrap();
    let out = run(&[
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        p,
        "--dir",
        dir.join("a").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("broken.json is not an experiment design") && e.contains("line 1"),
        "{e}"
    );
    assert!(!dir.join("a").exists(), "nothing written for a bad design");

    // An arm whose profile is not in the file.
    let mut lonely = ab_design(vec![1], 1);
    lonely.arms[1].profile_id = "missing".into();
    let design = write_design(&dir, &lonely);
    let out = run(&[
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        p,
        "--dir",
        dir.join("b").to_str().unwrap(),
    ]);
    let e = stderr(&out);
    assert!(
        e.contains("no profile \"missing\"") && e.contains("cold, warm"),
        "{e}"
    );

    // An edge profile without the token in the environment: refused before anything runs.
    let mut edge = profile("cold", "", 0.0);
    edge.route = learning_lab::profile::Route::Edge;
    edge.edge_token = Some("tokens-in-files-are-ignored".into());
    let edge_profiles = dir.join("edge.jsonl");
    std::fs::write(
        &edge_profiles,
        learning_lab::profile::export_profiles(&[edge, profile("warm", &upstream.base_url, 0.7)]),
    )
    .unwrap();
    let design = write_design(&dir, &ab_design(vec![1], 1));
    let out = runner()
        .args([
            "experiment",
            "run",
            "--design",
            design.to_str().unwrap(),
            "--profile",
            edge_profiles.to_str().unwrap(),
            "--dir",
            dir.join("c").to_str().unwrap(),
        ])
        .env("MD_EDGE_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("MD_EDGE_TOKEN is not set") && e.contains("cargo xtask token"),
        "{e}"
    );
    assert!(!e.contains("tokens-in-files"), "{e}");
    assert_eq!(
        upstream.requests.load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    // An unreachable server: the run stops with the reason and how to continue.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut gone = profile("cold", &format!("http://127.0.0.1:{port}/v1"), 0.0);
    gone.retries = 0;
    let mut gone_warm = gone.clone();
    gone_warm.id = "warm".into();
    let gone_profiles = dir.join("gone.jsonl");
    std::fs::write(
        &gone_profiles,
        learning_lab::profile::export_profiles(&[gone, gone_warm]),
    )
    .unwrap();
    let run_dir = dir.join("d");
    let out = run(&[
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        gone_profiles.to_str().unwrap(),
        "--dir",
        run_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.contains("could not reach the model server"), "{e}");
    assert!(
        e.contains(&format!(
            "machine-dream experiment resume --dir {}",
            run_dir.display()
        )),
        "{e}"
    );
    // Starting again over it is refused, and says to resume.
    let again = run(&[
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        gone_profiles.to_str().unwrap(),
        "--dir",
        run_dir.to_str().unwrap(),
    ]);
    assert!(
        stderr(&again).contains("already holds a run"),
        "{}",
        stderr(&again)
    );

    // Usage errors: exit 2 with the usage.
    let usage = run(&["experiment", "run", "--shard", "3/2"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("i/n") && stderr(&usage).contains("usage:"));
    let unknown = run(&["experiment", "resume", "--dir", "x", "--bogus"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown flag --bogus"));
    // Resume of a directory that holds no run.
    let nothing = run(&[
        "experiment",
        "resume",
        "--dir",
        dir.join("none").to_str().unwrap(),
    ]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stderr(&nothing).contains("is this the --dir of an `experiment run`"));
}

#[test]
fn a_held_out_run_dreams_on_training_puzzles_and_the_report_gives_each_items_ledger() {
    use learning_lab::experiment::{Arm, PuzzleSet, Schedule, UnitChoice};
    use learning_lab::unit::{ledger, ledger_csv, LearningUnit};
    let upstream = Upstream::start(0);
    let dir = temp_dir("held-out");
    let mut design = ab_design(vec![1, 2], 1);
    design.arms = vec![
        Arm::numbered(0, "before", "cold", UnitChoice::None, false),
        Arm::numbered(1, "after", "cold", UnitChoice::NewestAfterDream, false),
    ];
    design.schedule = Schedule::HeldOut {
        training: PuzzleSet::Generated {
            sizes: vec![4],
            bands: vec![None],
            seeds: vec![11, 12],
        },
        puzzles_per_dream: 2,
    };
    assert_ok(&experiment_run(&dir, &upstream, &design, &[]));
    let imported = import(&dir.join("run/journal.jsonl"));
    let units: Vec<LearningUnit> = imported
        .learning_units
        .iter()
        .map(|u| serde_json::from_value(u.clone()).unwrap())
        .collect();
    assert_eq!(units.len(), 1, "one dream, one unit");
    assert!(!units[0].items().is_empty());

    let (report, out) = report_of(&dir);
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert!(
        stdout.contains(&format!("unit {} (version 1", units[0].id)),
        "{stdout}"
    );
    // items.csv is learning-lab's ledger over the journal's experiences: the Units screen's
    // numbers for the same attempts.
    let experiences: Vec<_> = imported.experiences.iter().map(|e| &e.experience).collect();
    let l = ledger(&units[0], experiences.iter().copied());
    assert!(
        l.iter().any(|item| item.uses() > 0),
        "the after-dream arm's prompts held the unit's items"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("items.csv")).unwrap(),
        ledger_csv([(&units[0], l.as_slice())])
    );
}
