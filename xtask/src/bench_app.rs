//! `cargo xtask bench-app`: the app's figures in headless Chromium on the release build —
//! first load (initial transfer, time until the board accepts a digit), a 25x25 generation,
//! a 50-puzzle 16x16 batch, 100 sequential plays through the experiment runner against a
//! scripted model (JS heap at start and end) and a dream of 10,000 experiences, each with
//! the page thread's long tasks. The script is tests/bench/app.mjs; the storage figures are
//! `cargo xtask bench-storage`'s.

use crate::bench_storage::bench_lines;
use crate::env::{dist_dir, root};
use crate::proc::{cmd, free_port};
use crate::setup::{self, Needs};
use crate::{build, Result};

const TARGETS: &str = "targets: initial transfer <= 400 KB, first load < 1 s, no task > 50 ms, \
                       the JS heap flat over 100 plays";

pub fn run(args: &[String]) -> Result {
    let runs = match args {
        [] => 3,
        [flag, n] if flag == "--runs" => n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--runs takes a positive number, not `{n}`"))?,
        [other, ..] => {
            return Err(format!(
                "unknown bench-app option `{other}` (expected --runs N)"
            ))
        }
    };
    let tools = setup::run(Needs {
        browser: true,
        model: false,
    })?;
    build::all(&tools)?;
    let xtask = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut node = cmd("node", &tools.env());
    node.current_dir(root())
        .arg("tests/bench/app.mjs")
        .env("MD_BENCH_RUNS", runs.to_string())
        .env("MD_XTASK_BIN", xtask)
        .env("MD_DIST_DIR", dist_dir())
        .env("MD_APP_PORT", free_port()?.to_string())
        // The bench's model is a scripted one reached straight from the page; the edge API
        // address the static server announces is never called.
        .env("MD_EDGE_URL", "http://127.0.0.1:9");
    let figures = bench_lines(&mut node, "the app benchmark")?;
    println!("\napp benchmarks (headless Chromium, release build, {runs} run(s)):");
    for figure in &figures {
        println!("  {figure}");
    }
    println!("  {TARGETS}");
    if figures.is_empty() {
        return Err("the benchmark printed no figures".into());
    }
    Ok(())
}
