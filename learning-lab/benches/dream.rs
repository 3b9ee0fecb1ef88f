//! Criterion benchmark: the non-LLM dream phases (capture, triage, compression, derived
//! abstraction, verification) over 10,000 realistic experiences — real play sessions on
//! generated 9x9 puzzles with scripted answers (see `tests/support/scripted.rs`).
//!
//! `cargo bench -p learning-lab --bench dream`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use learning_lab::dream::{dream_offline, DreamOptions};

#[path = "../tests/support/scripted.rs"]
mod scripted;

fn dream(c: &mut Criterion) {
    let (exps, sols) = scripted::experiences(9, 2026, 10_000);
    let mut options = DreamOptions::new("bench", "bench", "local", 0.0);
    options.solutions = sols.into_iter().collect();
    let mut group = c.benchmark_group("dream");
    group.sample_size(10);
    group.throughput(Throughput::Elements(exps.len() as u64));
    group.bench_function("offline_10k_9x9", |b| {
        b.iter_batched(
            || exps.clone(),
            |e| black_box(dream_offline(e, options.clone())),
            criterion::BatchSize::LargeInput,
        )
    });
    // Without a solution lookup, corrections and few-shots solve their boards.
    let mut unsolved = options.clone();
    unsolved.solutions.clear();
    group.bench_function("offline_10k_9x9_no_solutions", |b| {
        b.iter_batched(
            || exps.clone(),
            |e| black_box(dream_offline(e, unsolved.clone())),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, dream);
criterion_main!(benches);
