//! The runner against a real model: a tiny experiment (one 4x4 puzzle, a few attempts, JSON
//! answers, a small budget) must complete with judged attempts. It needs an OpenAI-compatible
//! server: `cargo xtask test` starts the local one and runs this test with `--ignored`,
//! passing `MD_UPSTREAM_URL` (e.g. `http://127.0.0.1:PORT`) and `MD_MODEL`.

mod common;

use common::*;
use learning_lab::experiment::{Arm, Experiment, PuzzleSet, Schedule, UnitChoice};

#[test]
#[ignore = "needs a real model server: set MD_UPSTREAM_URL and MD_MODEL (cargo xtask test does)"]
fn a_tiny_experiment_against_the_real_model_completes_with_judged_attempts() {
    let (Ok(url), Ok(model)) = (std::env::var("MD_UPSTREAM_URL"), std::env::var("MD_MODEL")) else {
        panic!(
            "NOT RUN: MD_UPSTREAM_URL and MD_MODEL are not set. This test plays against a real \
             OpenAI-compatible server; run it with `cargo xtask test`, or set \
             MD_UPSTREAM_URL=http://127.0.0.1:PORT MD_MODEL=<name> and pass --ignored"
        );
    };
    let base = url.trim_end_matches('/');
    let base = if base.ends_with("/v1") {
        base.to_string()
    } else {
        format!("{base}/v1")
    };
    let dir = temp_dir("real-llm");
    let mut local = profile("local", &base, 0.0);
    local.model = model;
    local.sampling.max_tokens = 64;
    local.timeout_ms = 120_000;
    local.retries = 1;
    local.json_output = true;
    let profiles = write_profiles(&dir, &[local]);
    let design = Experiment {
        id: "exp-real".into(),
        name: "real model".into(),
        arms: vec![Arm::numbered(0, "local", "local", UnitChoice::None, false)],
        puzzles: PuzzleSet::Generated {
            sizes: vec![4],
            bands: vec![None],
            seeds: vec![1],
        },
        runs_per_arm: 1,
        concurrency: 1,
        schedule: Schedule::Interleaved,
        early_stopping: None,
        ablation: None,
        created_at_ms: 1_700_000_000_000,
    };
    let design = write_design(&dir, &design);
    let out = dir.join("run");
    let output = run(&[
        "experiment",
        "run",
        "--design",
        design.to_str().unwrap(),
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
        "--max-attempts",
        "3",
    ]);
    assert_ok(&output);
    let imported = import(&out.join("journal.jsonl"));
    let state = journal_state(&imported);
    let result = state.done_results().next().expect("the run finished");
    assert!(result.attempts >= 1 && result.attempts <= 3, "{result:?}");
    assert_eq!(imported.experiences.len() as u64, result.attempts);
    assert_eq!(
        result.outcomes.total(),
        result.attempts,
        "every attempt judged"
    );
    for e in &imported.experiences {
        let label = e.experience.attempt.judgement.label();
        assert!(
            ["CORRECT", "INVALID", "VALID_BUT_WRONG", "UNPARSEABLE"].contains(&label),
            "{label}"
        );
    }
    println!(
        "real model: {} attempts, {} correct, outcomes {:?}",
        result.attempts, result.correct, result.outcomes
    );
}
