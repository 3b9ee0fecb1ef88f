//! Rates every puzzle of top1465 and prints how many were rated in under 10 ms each, the
//! band distribution and the techniques needed:
//! `cargo run --release -p solver-core --example rate_top1465 [path/to/top1465.txt]`.

use std::collections::BTreeMap;
use std::time::Instant;

use solver_core::format::parse_lines;
use solver_core::human::rate;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../data/top1465.txt").to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let grids = parse_lines(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut times = Vec::with_capacity(grids.len());
    let mut bands: BTreeMap<String, usize> = BTreeMap::new();
    let mut hardest: BTreeMap<String, usize> = BTreeMap::new();
    let start = Instant::now();
    for g in &grids {
        let t = Instant::now();
        let r = rate(g);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let band = r
            .band
            .map_or("needs guessing".to_string(), |b| b.to_string());
        *bands.entry(band).or_default() += 1;
        if let Some(h) = r.hardest.filter(|_| !r.needs_guessing) {
            *hardest.entry(h.to_string()).or_default() += 1;
        }
    }
    let total = start.elapsed().as_secs_f64();
    let fast = times.iter().filter(|&&ms| ms < 10.0).count();
    times.sort_by(f64::total_cmp);
    println!(
        "top1465: {} puzzles rated in {:.2} s; {} ({:.1} %) under 10 ms each; median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        grids.len(),
        total,
        fast,
        100.0 * fast as f64 / grids.len() as f64,
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
    println!("bands: {bands:?}");
    println!("hardest technique of the solved ones: {hardest:?}");
}
