//! Storage benchmarks in headless Chromium: insert, page, search and export with 10,000 and
//! 100,000 realistic experiences (~300 characters of reasoning each). Built only with the
//! `bench-storage` feature; run by `cargo xtask bench-storage`, which prints the figures.
//!
//! Targets, so that a dream's 10,000 experiences load in seconds and a screen stays
//! responsive at 100k: batched insert >= 5,000/s, page < 50 ms, search < 100 ms, export of
//! 100k < 5 s.

mod support;

use support::{played, synthetic_range, unique_db};
use wasm_bindgen_test::*;
use web::storage::{ExperienceFilter, PageCursor, Storage};

wasm_bindgen_test_configure!(run_in_browser);

const BATCH: usize = 1000;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn report(line: String) {
    // `BENCH` lines are what xtask picks out of the runner's output.
    web_sys::console::log_1(&format!("BENCH {line}").into());
}

async fn bench(n: usize) {
    let storage = Storage::open(&unique_db(&format!("bench-{n}")))
        .await
        .unwrap();
    let templates = played("template").1;

    // Insert: batches of 1,000 in one transaction each; generation is not timed.
    let mut batch_ms = Vec::new();
    let mut convert_ms = Vec::new();
    let mut total_ms = 0.0;
    for first in (0..n).step_by(BATCH) {
        let records = synthetic_range(&templates, first..(first + BATCH).min(n), 1.0e12);
        // The Rust → JS conversion alone (what put_experiences does before IndexedDB), to
        // show where insert time goes.
        let t = now();
        for record in &records {
            let json = serde_json::to_string(record).unwrap();
            js_sys::JSON::parse(&json).unwrap();
        }
        convert_ms.push(now() - t);
        let t = now();
        storage.put_experiences(&records).await.unwrap();
        let dt = now() - t;
        batch_ms.push(dt);
        total_ms += dt;
    }
    assert_eq!(storage.count_experiences().await.unwrap() as usize, n);
    report(format!(
        "n={n} insert: {:.0} records/s overall, median batch of {BATCH}: {:.1} ms ({:.0}/s)",
        n as f64 / (total_ms / 1000.0),
        median(batch_ms.clone()),
        BATCH as f64 / (median(batch_ms) / 1000.0)
    ));
    report(format!(
        "n={n} insert breakdown: JSON conversion of a batch of {BATCH}: median {:.1} ms",
        median(convert_ms)
    ));

    // Page: 50 items, first page, a page 20 pages deep (cursor from the walk), and a
    // filtered page; 15 samples each.
    let mut deep: Option<PageCursor> = None;
    for _ in 0..20 {
        let page = storage
            .page_experiences(&ExperienceFilter::All, deep.as_ref(), 50)
            .await
            .unwrap();
        deep = page.next_cursor;
    }
    let session = ExperienceFilter::Session(format!("bench-{:05}", n / 30 / 2));
    let outcome = ExperienceFilter::Outcome("correct".into());
    for (label, filter, cursor) in [
        ("first page", &ExperienceFilter::All, None),
        ("page 21", &ExperienceFilter::All, deep.as_ref()),
        ("one session", &session, None),
        ("outcome=correct", &outcome, None),
    ] {
        let mut samples = Vec::new();
        for _ in 0..15 {
            let t = now();
            let page = storage.page_experiences(filter, cursor, 50).await.unwrap();
            samples.push(now() - t);
            assert!(!page.items.is_empty());
        }
        report(format!(
            "n={n} page ({label}, 50 items): median {:.1} ms",
            median(samples)
        ));
    }

    // Search: the index build (once), then queries.
    let t = now();
    let indexed = storage.build_search_index().await.unwrap();
    report(format!(
        "n={n} search index build: {:.0} ms for {indexed} records",
        now() - t
    ));
    let mut samples = Vec::new();
    for query in [
        "naked single",
        "pointing claiming triple",
        "r3c5",
        "conflict already contains",
        "the",
        "xylophone",
    ] {
        for _ in 0..3 {
            let t = now();
            storage.search_experiences(query, 20).await.unwrap();
            samples.push(now() - t);
        }
    }
    report(format!(
        "n={n} search (top 20, 6 queries x3, incl. fetching records): median {:.1} ms, max {:.1} ms",
        median(samples.clone()),
        samples.iter().cloned().fold(0.0, f64::max)
    ));

    // Export: the whole store as a Blob.
    let t = now();
    let blob = storage.export_blob(0.0).await.unwrap();
    report(format!(
        "n={n} export: {:.0} ms, {:.1} MB",
        now() - t,
        blob.size() / 1e6
    ));
    storage.close();
}

#[wasm_bindgen_test]
async fn bench_10k() {
    bench(10_000).await;
}

#[wasm_bindgen_test]
async fn bench_100k() {
    bench(100_000).await;
}
