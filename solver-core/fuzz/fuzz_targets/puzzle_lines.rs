//! The multi-puzzle line-file reader never panics, and every error names a line that exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use solver_core::format::puzzle_lines;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line_count = text.split('\n').count();
    for item in puzzle_lines(&text) {
        if let Err(error) = item {
            assert!(!error.to_string().is_empty());
            if let Some(line) = error.line {
                assert!((1..=line_count).contains(&line), "error names line {line} of {line_count}");
            }
        }
    }
});
