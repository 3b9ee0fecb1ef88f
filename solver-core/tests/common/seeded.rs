//! Shared by the native test (solver-core/tests/seeded.rs) and the wasm32 test in Chromium
//! (web/tests/determinism.rs): both must regenerate every pinned puzzle exactly.

use std::str::FromStr;

use solver_core::generate::{generate, GenerateOptions};
use solver_core::human::Band;
use solver_core::symmetry::Symmetry;

/// The pinned puzzles: `size seed symmetry band givens` per line.
pub const FIXTURE: &str = include_str!("../fixtures/seeded-puzzles.txt");

/// Regenerate each pinned puzzle; returns how many were checked. Panics naming the first
/// line whose puzzle differs.
pub fn check_all() -> usize {
    let mut checked = 0;
    for (number, line) in FIXTURE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [size, seed, symmetry, band, givens] = fields[..] else {
            panic!("fixture line {}: expected 5 fields", number + 1);
        };
        let options = GenerateOptions {
            symmetry: Symmetry::from_str(symmetry).expect("symmetry"),
            band: Some(Band::from_str(band).expect("band")),
            ..GenerateOptions::new(size.parse().expect("size"), seed.parse().expect("seed"))
        };
        let puzzle = generate(&options).expect("pinned options generate");
        assert_eq!(
            puzzle.givens.to_line(),
            givens,
            "fixture line {}: seed {seed} size {size} gave a different puzzle",
            number + 1
        );
        checked += 1;
    }
    checked
}
