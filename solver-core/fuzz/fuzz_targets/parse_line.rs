//! The one-line parser never panics; what it accepts prints back to itself, and the rules and
//! the technique rater never panic on it, conflicts included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use solver_core::format::parse_line;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(grid) = parse_line(text) {
        let line = grid.to_line();
        assert_eq!(parse_line(&line).expect("printed form parses"), grid);
        let _ = grid.conflicts();
        if grid.size() <= 9 {
            let _ = solver_core::rate(&grid);
            let _ = solver_core::next_step(&grid);
        }
    }
});
