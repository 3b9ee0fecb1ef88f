//! `cargo xtask bench`: the engine's benchmark figures natively and as wasm, in one run.
//!
//! The same `sudoku bench` code is built twice — native release and `wasm32-wasip1` run under
//! Node's WASI — so the wasm/native ratio compares identical work on the same machine at the
//! same moment. Output: the JSON lines of both runs (with a `"platform"` field) and one ratio
//! line per throughput figure.

use std::process::Command;

use crate::env::{root, target_dir};
use crate::proc::{self, cmd, output};
use crate::setup::Tools;
use crate::Result;

const WASI_TARGET: &str = "wasm32-wasip1";

fn sudoku_bench(command: &mut Command) -> Result<Vec<(String, f64, String)>> {
    let text = output(command).ok_or("`sudoku bench` failed")?;
    Ok(text
        .lines()
        .filter_map(|line| {
            // {"bench":"…","unit":"…","value":…} as written by serde_json (keys sorted).
            let field = |key: &str| {
                let start = line.find(&format!("\"{key}\":"))? + key.len() + 3;
                let rest = &line[start..];
                let end = rest.find([',', '}'])?;
                Some(rest[..end].trim_matches('"').to_string())
            };
            Some((
                field("bench")?,
                field("value")?.parse().ok()?,
                field("unit")?,
            ))
        })
        .collect())
}

/// `command` (a `cargo` command) made to build the release `sudoku` CLI from the workspace.
pub fn build_sudoku_cli(command: &mut Command) -> &mut Command {
    command.current_dir(root()).args([
        "build",
        "--release",
        "-p",
        "solver-core",
        "--features",
        "cli",
        "--bin",
        "sudoku",
    ])
}

pub fn run(tools: &Tools) -> Result {
    let env = tools.env();
    let cargo_build = |target: Option<&str>| {
        let mut c = cmd("cargo", &env);
        build_sudoku_cli(&mut c);
        if let Some(t) = target {
            c.args(["--target", t]);
        }
        c
    };
    proc::run(&mut cargo_build(None))?;
    if proc::run(Command::new("rustup").args(["target", "add", WASI_TARGET])).is_err() {
        return Err(format!(
            "the wasm half needs the {WASI_TARGET} target (`rustup target add {WASI_TARGET}`)"
        ));
    }
    proc::run(&mut cargo_build(Some(WASI_TARGET)))?;

    let data = root().join("data");
    let native_bin = target_dir().join("release/sudoku");
    let wasm_bin = target_dir().join(WASI_TARGET).join("release/sudoku.wasm");
    let top1465 = data.join("top1465.txt");
    let native = sudoku_bench(
        Command::new(&native_bin)
            .args(["bench", "--data"])
            .arg(&top1465),
    )?;
    let wasm = sudoku_bench(
        Command::new("node")
            .arg("--no-warnings")
            .arg(root().join("tests/bench/wasi-run.mjs"))
            .arg(&wasm_bin)
            .arg(&data)
            .args(["bench", "--data", "/data/top1465.txt"]),
    )?;
    for (platform, figures) in [("native", &native), ("wasm", &wasm)] {
        for (bench, value, unit) in figures.iter() {
            println!(
                "{{\"bench\":\"{bench}\",\"platform\":\"{platform}\",\"value\":{value},\"unit\":\"{unit}\"}}"
            );
        }
    }
    for (bench, native_value, unit) in &native {
        let Some((_, wasm_value, _)) = wasm.iter().find(|(b, _, _)| b == bench) else {
            continue;
        };
        // Throughput: native/wasm; times: wasm/native — either way, "how many times slower".
        let slowdown = if unit.ends_with("/s") {
            native_value / wasm_value
        } else {
            wasm_value / native_value
        };
        if unit != "%" {
            println!(
                "{{\"bench\":\"{bench}_wasm_slowdown\",\"value\":{slowdown:.2},\"unit\":\"x\"}}"
            );
        }
    }
    Ok(())
}
