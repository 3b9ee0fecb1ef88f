//! The non-LLM dream phases over 10,000 realistic experiences, timed with `Instant`, so the
//! same code can be measured natively and as wasm32-wasip1 under Node (criterion does not run
//! there). Prints one JSON line per figure, like `sudoku bench`.
//!
//! ```text
//! cargo run --release -p learning-lab --example bench_dream
//! cargo build --release -p learning-lab --example bench_dream --target wasm32-wasip1
//! node tests/bench/wasi-run.mjs $CARGO_TARGET_DIR/wasm32-wasip1/release/examples/bench_dream.wasm .
//! ```

use std::time::Instant;

use learning_lab::dream::{dream_offline, DreamOptions};

#[path = "../tests/support/scripted.rs"]
mod scripted;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let runs = 7;
    let (exps, sols) = scripted::experiences(9, 2026, count);
    let mut options = DreamOptions::new("bench", "bench", "local", 0.0);
    options.solutions = sols.into_iter().collect();
    for (name, opts) in [
        ("dream_offline", options.clone()),
        (
            "dream_offline_no_solutions",
            DreamOptions {
                solutions: Default::default(),
                ..options
            },
        ),
    ] {
        let mut times = Vec::new();
        let mut items = 0;
        for _ in 0..runs {
            let input = exps.clone();
            let start = Instant::now();
            let out = dream_offline(input, opts.clone());
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            items = out.unit.strategies.len()
                + out.unit.anti_patterns.len()
                + out.unit.corrections.len()
                + out.unit.few_shots.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"bench\":\"{name}_{count}\",\"unit\":\"ms\",\"value\":{:.2},\"items\":{items}}}",
            times[runs / 2]
        );
    }
}
