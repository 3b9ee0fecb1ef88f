//! `cargo xtask bench-storage`: the IndexedDB storage benchmarks in headless Chromium.
//!
//! Runs `web/tests/storage_bench.rs` (compiled only with web's `bench-storage` feature) as a
//! release wasm-bindgen-test — the same optimisation settings the app ships with — and prints
//! its `BENCH` lines (insert, page, search — first ever, first after a reload, warm — export
//! and streamed import at 10,000 and 100,000 experiences, each with the page thread's longest
//! task and its count of tasks over 50 ms from the Long Tasks API) with the targets
//! (web/tests/storage_bench.rs) next to them.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::env::root;
use crate::proc::cmd;
use crate::setup::{self, Needs};
use crate::Result;

const TARGETS: &str = "targets: batched insert >= 5,000/s, page < 50 ms, search < 100 ms, \
                       first search after a reload < 1,000 ms, export of 100k < 5,000 ms, \
                       no task > 50 ms";

pub fn run(args: &[String]) -> Result {
    // `10k` or `100k` runs one size only (the 100k run alone takes most of the time).
    let only = match args {
        [] => None,
        [size] if size == "10k" || size == "100k" => Some(format!("bench_{size}")),
        [other, ..] => {
            return Err(format!(
                "unknown bench-storage option `{other}` (expected `10k` or `100k`)"
            ))
        }
    };
    let tools = setup::run(Needs {
        browser: true,
        model: false,
    })?;
    let mut command = cmd("cargo", &tools.env());
    command
        .args([
            "test",
            "-p",
            "web",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "bench-storage",
            "--test",
            "storage_bench",
            "--",
            "--nocapture",
        ])
        .args(only)
        // 100,000 inserts, an index build and an export take minutes in a slow browser.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "1800")
        // Run from web/ so its webdriver.json (Chromium flags) is found.
        .current_dir(root().join("web"));
    let figures = bench_lines(&mut command, "the storage benchmark")?;
    println!("\nstorage benchmarks (headless Chromium, release wasm):");
    for figure in &figures {
        println!("  {figure}");
    }
    println!("  {TARGETS}");
    if figures.is_empty() {
        return Err("the benchmark printed no figures".into());
    }
    Ok(())
}

/// Runs `command`, echoing its output, and returns what follows `BENCH ` on its lines.
pub(crate) fn bench_lines(command: &mut std::process::Command, what: &str) -> Result<Vec<String>> {
    println!("$ {command:?}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    let mut figures = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            println!("{line}");
            if let Some(at) = line.find("BENCH ") {
                figures.push(line[at + 6..].to_string());
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    Ok(figures)
}
