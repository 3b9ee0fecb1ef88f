//! Shared fixtures for the storage tests and benchmarks: real records made by learning-lab
//! (a generated puzzle, a played session), cloned into as many as a test needs.

#![allow(dead_code)]

use learning_lab::memory::{ExperienceRecord, SessionRecord, SessionStart};
use learning_lab::play::{Experience, ExperienceContext, Limits, PromptMode, ReadyPuzzle};
use learning_lab::profile::{Profile, ProviderTemplate};

/// `text` as a Blob, as a picked file would be.
pub fn blob_of(text: &str) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&text.into());
    web_sys::Blob::new_with_str_sequence(&parts).unwrap()
}

/// A database name no other test (or the app) uses.
pub fn unique_db(name: &str) -> String {
    format!("test-{name}-{}", js_sys::Math::random())
}

/// A 9x9 session with three judged attempts (correct, wrong-but-valid or invalid, unparseable),
/// and their experiences.
pub fn played(session_id: &str) -> (SessionRecord, Vec<ExperienceRecord>) {
    let puzzle = ReadyPuzzle::generate(9, 11).unwrap();
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1000.0);
    profile.model = "smollm2".into();
    let start = SessionStart {
        profile: &profile,
        puzzle: &puzzle,
        limits: Limits::default(),
        unit_id: None,
        memory: false,
        mode: PromptMode::Standard,
        experiment_id: None,
        notes: String::new(),
    };
    let mut record = SessionRecord::start(start, 1000.0, 0).unwrap();
    record.id = session_id.into();
    let session = &mut record.session;
    let empty: Vec<(usize, usize)> = (0..9)
        .flat_map(|r| (0..9).map(move |c| (r, c)))
        .filter(|&(r, c)| puzzle.givens.get(r, c).is_none())
        .collect();
    let (r, c) = empty[0];
    let right = puzzle.solution.get(r, c).unwrap();
    let wrong = if right == 9 { 1 } else { right + 1 };
    session
        .handle_answer(
            &format!(
                "The row lacks only one digit, so a naked single. ROW: {} COL: {} VALUE: {right}",
                r + 1,
                c + 1
            ),
            None,
        )
        .unwrap();
    let (r2, c2) = empty[1];
    session
        .handle_answer(
            &format!(
                "Guessing from the box. ROW: {} COL: {} VALUE: {wrong}",
                r2 + 1,
                c2 + 1
            ),
            None,
        )
        .unwrap();
    session.handle_answer("I cannot decide.", None).unwrap();
    let context = ExperienceContext {
        session_id: session_id.into(),
        puzzle_id: "9x9-seed-11".into(),
        profile_id: "local".into(),
        model: "smollm2".into(),
        ..ExperienceContext::default()
    };
    let experiences = (0..3)
        .map(|i| {
            ExperienceRecord::new(
                Experience::from_attempt(&record.session, i, context.clone()),
                1000.0 + i as f64,
            )
        })
        .collect();
    record.touch(1003.0);
    (record, experiences)
}

const WORDS: [&str; 32] = [
    "row",
    "column",
    "box",
    "candidate",
    "single",
    "naked",
    "hidden",
    "pair",
    "only",
    "digit",
    "missing",
    "because",
    "therefore",
    "place",
    "the",
    "value",
    "cell",
    "conflict",
    "already",
    "contains",
    "must",
    "be",
    "so",
    "check",
    "scan",
    "eliminate",
    "pointing",
    "claiming",
    "triple",
    "remaining",
    "options",
    "left",
];

/// `n` realistic experiences: clones of [`played`]'s three attempts spread over sessions of
/// 30 attempts, each with ~300 characters of reasoning drawn from a fixed word list by a
/// simple LCG (deterministic), created at times `start + i`.
pub fn synthetic(n: usize, start: f64) -> Vec<ExperienceRecord> {
    synthetic_range(&played("template").1, 0..n, start)
}

/// Records `range` of the sequence [`synthetic`] makes from `templates` (so a benchmark can
/// make 100,000 in batches without holding them all).
pub fn synthetic_range(
    templates: &[ExperienceRecord],
    range: std::ops::Range<usize>,
    start: f64,
) -> Vec<ExperienceRecord> {
    range
        .map(|i| {
            // Per-record seed: the same record whatever the batch boundaries.
            let mut state: u64 = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut record = templates[i % 3].clone();
            let session = format!("bench-{:05}", i / 30);
            let number = i % 30 + 1;
            record.experience.context.session_id = session.clone();
            record.experience.attempt.number = number;
            record.id = ExperienceRecord::id_for(&session, number);
            record.created_at = start + i as f64;
            let mut reasoning = String::with_capacity(340);
            while reasoning.len() < 300 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                reasoning.push_str(WORDS[(state >> 59) as usize]);
                reasoning.push(' ');
            }
            reasoning.push_str(&format!("r{}c{}", i % 9 + 1, i / 9 % 9 + 1));
            record.experience.attempt.reasoning = reasoning;
            record
        })
        .collect()
}

/// Writes `records` into the `experiences` store of a database opened at an older schema
/// version, as that version's app would have (no search journal before v3), and commits.
pub async fn put_experiences_raw(
    db: &indexed_db_futures::database::Database,
    records: &[ExperienceRecord],
) {
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    let tx = db
        .transaction("experiences")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    for record in records {
        tx.object_store("experiences")
            .unwrap()
            .put(record)
            .serde()
            .unwrap()
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}
