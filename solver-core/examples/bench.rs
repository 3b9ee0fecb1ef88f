//! Quick timing without a benchmark framework:
//! `cargo run --release -p solver-core --example bench [path/to/top1465.txt]`.

use std::time::Instant;

use solver_core::format::parse_lines;
use solver_core::generate::{generate, GenerateOptions};
use solver_core::solve::{count_solutions, solve};
use solver_core::symmetry::Symmetry;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../data/top1465.txt").to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let grids = parse_lines(&text).unwrap_or_else(|e| panic!("{path}: {e}"));

    let start = Instant::now();
    let mut guesses = 0;
    for g in &grids {
        guesses += solve(g).into_solution().expect("solvable").guesses;
    }
    let solve_time = start.elapsed();
    let start = Instant::now();
    for g in &grids {
        assert_eq!(count_solutions(g, 2), 1);
    }
    let unique_time = start.elapsed();
    println!(
        "top1465: {} puzzles; solve {:.1} µs/puzzle ({} guesses avg); uniqueness check {:.1} µs/puzzle",
        grids.len(),
        solve_time.as_secs_f64() * 1e6 / grids.len() as f64,
        guesses / grids.len() as u64,
        unique_time.as_secs_f64() * 1e6 / grids.len() as f64,
    );

    for size in [4, 6, 9, 12, 16, 25] {
        let seeds = if size >= 16 { 3 } else { 10 };
        let mut clues = Vec::new();
        let start = Instant::now();
        let mut worst = 0.0f64;
        for seed in 0..seeds {
            let t = Instant::now();
            let p = generate(&GenerateOptions {
                size,
                seed,
                symmetry: Symmetry::None,
                target_clues: None,
                band: None,
                minimal: false,
            })
            .expect("generate");
            worst = worst.max(t.elapsed().as_secs_f64());
            clues.push(p.clue_count());
        }
        println!(
            "generate {size}x{size}: {:.1} ms avg, {:.1} ms worst over {seeds} seeds; clues {:?}",
            start.elapsed().as_secs_f64() * 1e3 / seeds as f64,
            worst * 1e3,
            clues
        );
    }
    if let Some(seed) = std::env::args().nth(2).and_then(|s| s.parse().ok()) {
        for size in [4, 9] {
            let p = generate(&GenerateOptions::new(size, seed)).expect("generate");
            println!(
                "{size} seed {seed}: {} {}",
                p.givens.to_line(),
                p.solution.to_line()
            );
        }
    }
}
