//! Criterion benchmarks: the exact solver on top1465 (first solution, and with the uniqueness
//! check), 9×9 generation, and generation of every size.
//!
//! `cargo bench -p solver-core` (the release profile optimises solver-core at opt-level 3).
//! The same figures as JSON lines, medians over runs: `sudoku bench` (feature `cli`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use solver_core::format::parse_lines;
use solver_core::generate::{generate, GenerateOptions};
use solver_core::solve::{count_solutions, solve};
use solver_core::{Band, Grid, Shape};

fn top1465() -> Vec<Grid> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/top1465.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_lines(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn solver(c: &mut Criterion) {
    let grids = top1465();
    let mut group = c.benchmark_group("top1465");
    group.throughput(Throughput::Elements(grids.len() as u64));
    group.sample_size(20);
    group.bench_function("solve", |b| {
        b.iter(|| {
            for g in &grids {
                black_box(solve(black_box(g)));
            }
        });
    });
    group.bench_function("unique", |b| {
        b.iter(|| {
            for g in &grids {
                assert_eq!(count_solutions(black_box(g), 2), 1);
            }
        });
    });
    group.finish();
}

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for shape in Shape::ALL {
        let mut seed = 0u64;
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{0}x{0}", shape.size())),
            &shape.size(),
            |b, &size| {
                b.iter(|| {
                    seed += 1;
                    black_box(generate(&GenerateOptions::new(size, seed)).expect("generate"))
                });
            },
        );
    }
    group.finish();
}

fn rating(c: &mut Criterion) {
    let grids = top1465();
    let mut group = c.benchmark_group("top1465");
    group.sample_size(10);
    group.throughput(Throughput::Elements(grids.len() as u64));
    group.bench_function("rate", |b| {
        b.iter(|| {
            grids
                .iter()
                .map(|g| black_box(solver_core::rate(g)).steps)
                .sum::<usize>()
        })
    });
    group.finish();
}

fn generation_by_band(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate_9x9_band");
    group.sample_size(10);
    for band in Band::ALL {
        let mut seed = 0u64;
        group.bench_with_input(BenchmarkId::from_parameter(band), &band, |b, &band| {
            b.iter(|| {
                seed += 1;
                let options = GenerateOptions {
                    band: Some(band),
                    ..GenerateOptions::new(9, seed)
                };
                black_box(generate(&options).expect("generate"))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, solver, rating, generation, generation_by_band);
criterion_main!(benches);
