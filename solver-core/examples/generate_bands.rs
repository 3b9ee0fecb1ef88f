//! Times band-targeted generation per size and band:
//! `cargo run --release -p solver-core --example generate_bands [seeds]`.

use std::time::Instant;

use solver_core::generate::{generate, GenerateOptions};
use solver_core::human::{rate, Band};

fn main() {
    let seeds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // Throughput: unique easy 9x9.
    let n = 2_000u64;
    let start = Instant::now();
    for seed in 0..n {
        let p = generate(&GenerateOptions {
            band: Some(Band::Easy),
            ..GenerateOptions::new(9, seed)
        })
        .expect("easy 9x9");
        std::hint::black_box(p);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"generate_9x9_easy\",\"value\":{:.0},\"unit\":\"puzzles/s\"}}",
        n as f64 / secs
    );
    for size in [4, 6, 9, 12, 16, 25] {
        for band in Band::ALL {
            let mut times = Vec::new();
            let mut ok = 0;
            let mut clues = 0;
            for seed in 0..seeds {
                let t = Instant::now();
                let r = generate(&GenerateOptions {
                    band: Some(band),
                    ..GenerateOptions::new(size, seed)
                });
                times.push(t.elapsed().as_secs_f64() * 1e3);
                if let Ok(p) = r {
                    assert_eq!(rate(&p.givens).band, Some(band));
                    ok += 1;
                    clues += p.givens.filled_count();
                }
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{size}x{size} {band}: {ok}/{seeds} reached, median {:.1} ms, max {:.1} ms, mean clues {}",
                times[times.len() / 2],
                times[times.len() - 1],
                clues / ok.max(1)
            );
        }
    }
}
