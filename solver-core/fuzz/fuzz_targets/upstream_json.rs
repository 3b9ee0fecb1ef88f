//! The upstream JSON readers never panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use solver_core::format::UpstreamPuzzle;
use solver_core::Puzzle;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(upstream) = UpstreamPuzzle::from_json(text) {
        let _ = upstream.givens();
        let _ = upstream.solution_grid();
    }
    let _ = Puzzle::from_json(text);
});
