//! `ExperimentResults::from_state` (every arm's estimates, the paired and unpaired tests with
//! their bootstrap and permutation resampling, the verdicts) over a large finished experiment:
//! 3 arms × PUZZLES puzzles, timed with `Instant` so the same code can be measured natively
//! and as wasm32-wasip1 under Node. Prints one JSON line, like `sudoku bench`.
//!
//! ```text
//! cargo run --release -p learning-lab --example bench_results [PUZZLES]
//! cargo build --release -p learning-lab --example bench_results --target wasm32-wasip1
//! node tests/bench/wasi-run.mjs $CARGO_TARGET_DIR/wasm32-wasip1/release/examples/bench_results.wasm .
//! ```

use std::time::Instant;

use learning_lab::experiment::{
    Arm, Experiment, ExperimentResults, ExperimentState, OutcomeCounts, PuzzleSet, RunResult,
    Schedule, UnitChoice,
};

fn main() {
    let puzzles: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let experiment = Experiment {
        id: "bench".into(),
        name: "bench".into(),
        arms: vec![
            Arm::numbered(0, "control", "p", UnitChoice::None, false),
            Arm::numbered(1, "memory", "p", UnitChoice::None, true),
            Arm::numbered(2, "other", "q", UnitChoice::None, false),
        ],
        puzzles: PuzzleSet::Generated {
            sizes: vec![9],
            bands: vec![None],
            seeds: (0..puzzles).collect(),
        },
        runs_per_arm: 1,
        concurrency: 3,
        schedule: Schedule::Interleaved,
        early_stopping: None,
        ablation: None,
        created_at_ms: 0,
    };
    let mut state = ExperimentState::new(experiment).expect("a valid design");
    loop {
        let orders = state.poll_runs(3);
        if orders.is_empty() {
            break;
        }
        for o in orders {
            // Deterministic, varied outcomes: accuracy and solving depend on arm and run.
            let attempts = 20 + (o.run as u64 % 7);
            let arm = o.arm.id.len() as u64;
            let correct = (attempts * (3 + (o.run as u64 * 7 + arm) % 5)) / 10;
            let solved = (o.run + arm as usize) % 3 == 0;
            state
                .handle_result(RunResult {
                    run: o.run,
                    arm_id: o.arm.id.clone(),
                    puzzle_id: o.puzzle.id.clone(),
                    session_id: format!("s{}", o.run),
                    solved,
                    attempts,
                    correct,
                    outcomes: OutcomeCounts {
                        correct,
                        valid_but_wrong: attempts - correct,
                        ..OutcomeCounts::default()
                    },
                    abandon_reason: None,
                    duration_ms: 1000,
                })
                .expect("a planned run");
        }
    }
    let runs = 7;
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let results = ExperimentResults::from_state(&state);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(results.arms.len(), 3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"bench\":\"experiment_results_3x{puzzles}\",\"unit\":\"ms\",\"value\":{:.2}}}",
        times[runs / 2]
    );
}
