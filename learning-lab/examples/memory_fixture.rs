//! Writes a memory import file (the app's format) of `COUNT` realistic experiences of one
//! profile — real plays on generated 9x9 puzzles by the scripted player of
//! `tests/support/scripted.rs`, every attempt judged by the engine — with the profile and
//! the puzzles, for browser tests and benchmarks at scale.
//!
//! ```text
//! cargo run -p learning-lab --example memory_fixture -- COUNT OUT.jsonl [PROFILE_ID]
//! ```

use learning_lab::memory::transfer::{header_line, profile_line, record_line, Kind};
use learning_lab::memory::{ExperienceRecord, PuzzleRecord};
use learning_lab::profile::{Profile, ProviderTemplate};

#[path = "../tests/support/scripted.rs"]
mod scripted;

/// Seeds of the fixture's puzzles start here (the same file every time).
const SEED: u64 = 2026;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), Some(out)) = (args.first().and_then(|a| a.parse().ok()), args.get(1)) else {
        eprintln!("usage: memory_fixture COUNT OUT.jsonl [PROFILE_ID]");
        std::process::exit(2);
    };
    let profile_id = args.get(2).map_or("fixture", String::as_str);
    let (experiences, solutions) = scripted::experiences(9, SEED, count);

    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "scripted", 1.0);
    profile.id = profile_id.to_string();
    profile.name = format!("{profile_id} fixture");
    let mut text = header_line(1.0);
    text.push_str(&profile_line(&profile));
    for (id, solution) in &solutions {
        let seed: u64 = id
            .trim_start_matches('p')
            .parse()
            .expect("puzzle ids are p{seed}");
        let puzzle = scripted::puzzle(9, seed);
        let record = PuzzleRecord {
            id: id.clone(),
            size: 9,
            seed: Some(seed as f64),
            givens: puzzle.givens.to_line(),
            solution: solution.clone(),
            created_at: 1.0,
            name: None,
            source: Some(PuzzleRecord::GENERATED.to_string()),
        };
        text.push_str(&record_line(Kind::Puzzle, &record));
    }
    for (n, (_, mut experience)) in experiences.into_iter().enumerate() {
        experience.context.profile_id = profile_id.to_string();
        experience.context.session_id = format!("{profile_id}-{}", experience.context.session_id);
        let record = ExperienceRecord {
            id: format!(
                "{}#{:06}",
                experience.context.session_id, experience.attempt.number
            ),
            created_at: 1_000.0 + n as f64,
            consolidated: false,
            experience,
        };
        text.push_str(&record_line(Kind::Experience, &record));
    }
    std::fs::write(out, text).unwrap_or_else(|e| {
        eprintln!("cannot write {out}: {e}");
        std::process::exit(1);
    });
}
