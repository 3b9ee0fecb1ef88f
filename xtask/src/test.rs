//! `cargo xtask test`: every check, in the order that fails fastest, with one closing tally.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::env::{cache_dir, dist_dir, root, target_dir};
use crate::model_server::MODEL_ALIAS;
use crate::proc::{cmd, free_port};
use crate::serve::{start_edge_api, start_upstream};
use crate::setup::{self, Needs};
use crate::{build, gates, proc, Result};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Read the closing lines of cargo test / wasm-bindgen-test-runner and node's TAP reporter.
    fn read_line(&mut self, line: &str) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            self.passed += number_before(rest, " passed");
            self.failed += number_before(rest, " failed");
        } else if let Some(n) = line.strip_prefix("# pass ") {
            self.passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            self.failed += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
}

fn number_before(text: &str, marker: &str) -> u64 {
    text.find(marker)
        .and_then(|end| text[..end].rsplit([' ', ';', '.']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Run a test command, echoing its stdout while counting results.
fn run_counted(command: &mut Command, tally: &mut Tally) -> Result {
    println!("$ {:?}", command);
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {:?}: {e}", command.get_program()))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            println!("{line}");
            tally.read_line(&line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed ({status})", command.get_program()))
    }
}

/// The edge API's end-to-end tests (real model and scripted upstream), for `--only edge`.
const EDGE_E2E: &[&str] = &[
    "tests/e2e/edge-api.test.mjs",
    "tests/e2e/edge-scripted.test.mjs",
];

pub fn run(args: &[String]) -> Result {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (skip_e2e, only_edge, e2e_filter) = match args[..] {
        [] => (false, false, None),
        ["--skip-e2e"] => (true, false, None),
        ["--only", "edge"] => (false, true, None),
        // `--e2e NAME[,NAME…]`: build, then run only the end-to-end files whose name contains a NAME (a
        // quick loop while working on one screen; the full suite is what CI runs).
        ["--e2e", name] => (false, false, Some(name)),
        ["--gates"] => return gates_only(),
        _ => {
            return Err(format!(
                "unknown test options `{}` (use --skip-e2e, --only edge, --e2e NAME or --gates)",
                args.join(" ")
            ))
        }
    };
    if only_edge {
        // Just the worker build and the edge API's end-to-end tests: a quick loop while
        // working on worker-api (the full run stays the gate).
        let tools = setup::run(Needs {
            browser: false,
            model: true,
        })?;
        build::worker(&tools)?;
        let mut tally = Tally::default();
        end_to_end(&tools, &mut tally, EDGE_E2E)?;
        println!(
            "xtask test --only edge: {} passed, {} failed",
            tally.passed, tally.failed
        );
        return if tally.failed > 0 {
            Err("some tests failed".into())
        } else {
            Ok(())
        };
    }
    if let Some(filter) = e2e_filter {
        let tools = setup::run(Needs {
            browser: true,
            model: true,
        })?;
        build::all(&tools)?;
        let dir = root().join("tests/e2e");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| {
                name.ends_with(".test.mjs") && filter.split(',').any(|f| name.contains(f))
            })
            .map(|name| format!("tests/e2e/{name}"))
            .collect();
        if files.is_empty() {
            return Err(format!("no tests/e2e/*.test.mjs file contains {filter:?}"));
        }
        files.sort();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let mut tally = Tally::default();
        end_to_end(&tools, &mut tally, &files)?;
        println!(
            "xtask test: {} passed, {} failed",
            tally.passed, tally.failed
        );
        return if tally.failed > 0 {
            Err("some tests failed".into())
        } else {
            Ok(())
        };
    }
    let tools = setup::run(Needs {
        browser: true,
        model: !skip_e2e,
    })?;
    setup::ensure_gate_tools()?;
    let env = tools.env();
    let mut tally = Tally::default();
    let cargo = |args: &[&str]| {
        let mut c = cmd("cargo", &env);
        c.args(args).current_dir(root());
        c
    };

    proc::run(&mut cargo(&["fmt", "--all", "--", "--check"]))
        .map_err(|e| format!("{e}\nrun `cargo fmt --all` to fix the formatting"))?;
    // `solver-core/cli` builds the `sudoku` binary, so its code and its tests are included.
    proc::run(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        "solver-core/cli",
        "--",
        "-D",
        "warnings",
    ]))?;
    proc::run(&mut cargo(&[
        "clippy",
        "-p",
        "web",
        "-p",
        "worker-api",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    cheap_gates(&env)?;
    // Native tests. The covered crates' (gates::COVERED_CRATES) run once, under
    // cargo-tarpaulin, which measures their coverage (a second, plain run would only cost
    // time); their doctests, which tarpaulin does not run on stable, and the other crates'
    // tests run plainly.
    let mut plain = vec!["test", "--workspace"];
    for krate in gates::COVERED_CRATES {
        plain.extend(["--exclude", krate]);
    }
    plain.extend(["--features", "solver-core/cli"]);
    run_counted(&mut cargo(&plain), &mut tally)?;
    run_counted(
        &mut cargo(&[
            "test",
            "--doc",
            "-p",
            "solver-core",
            "-p",
            "learning-lab",
            "-p",
            "worker-api",
            "--features",
            "solver-core/cli",
        ]),
        &mut tally,
    )?;
    coverage(&env, &mut tally)?;
    // wasm-bindgen-test in headless Chromium; run from web/ so its webdriver.json is found.
    // (No `-q`: the runner rejects `--quiet`.) The LLM client's tests (web/tests/llm.rs) talk
    // to a real model server: its URL goes in at compile time as MD_LLM_TEST_URL.
    let mut wasm_tests = cmd("cargo", &env);
    let wasm_model = if skip_e2e {
        None
    } else {
        let logs = cache_dir().join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
        let (url, service) = start_upstream(&tools, None, &logs.join("wasm-model-server.log"))?;
        wasm_tests.env("MD_LLM_TEST_URL", url);
        service
    };
    wasm_tests
        .args([
            "test",
            "-p",
            "web",
            "--target",
            "wasm32-unknown-unknown",
            "--tests",
        ])
        .current_dir(root().join("web"));
    run_counted(&mut wasm_tests, &mut tally)?;
    drop(wasm_model);

    build::all(&tools)?;

    if !skip_e2e {
        end_to_end(&tools, &mut tally, &["tests/e2e/"])?;
    }
    println!(
        "xtask test: {} passed, {} failed",
        tally.passed, tally.failed
    );
    if tally.failed > 0 {
        return Err("some tests failed".into());
    }
    Ok(())
}

/// `cargo xtask test --gates`: only the CI gates, without a browser or a model server.
fn gates_only() -> Result {
    let tools = setup::run(Needs::build())?;
    setup::ensure_gate_tools()?;
    let env = tools.env();
    cheap_gates(&env)?;
    let mut tally = Tally::default();
    coverage(&env, &mut tally)?;
    println!(
        "xtask test --gates: {} passed, {} failed",
        tally.passed, tally.failed
    );
    Ok(())
}

/// Run one gate, saying how long it took.
fn timed(name: &str, gate: impl FnOnce() -> Result) -> Result {
    let start = Instant::now();
    let result = gate();
    let verdict = if result.is_ok() { "done" } else { "FAILED" };
    println!(
        "gate {name}: {verdict} in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    result
}

/// The quick gates, right after clippy: dependency policy, npm advisories, rustdoc.
fn cheap_gates(env: &[(String, String)]) -> Result {
    timed("cargo-deny", || gates::cargo_deny(env))?;
    timed("npm audit", || gates::npm_audit(env))?;
    timed("rustdoc", || gates::rustdoc(env))
}

/// solver-core's and worker-api's native tests under cargo-tarpaulin (counted in the tally),
/// then their coverage against the floor.
fn coverage(env: &[(String, String)], tally: &mut Tally) -> Result {
    timed("coverage", || {
        run_counted(&mut gates::tarpaulin(env), tally).map_err(|e| {
            format!(
                "{e}\nsolver-core's or worker-api's tests failed under cargo-tarpaulin (above); \
                 run them plainly with `cargo test -p solver-core -p worker-api --features \
                 solver-core/cli`"
            )
        })?;
        gates::check_coverage()
    })
}

/// The model server and the edge API run for the whole suite; each browser test starts its own
/// static server (`xtask static`) on the app port so it can stop it to prove offline mode.
fn end_to_end(tools: &setup::Tools, tally: &mut Tally, paths: &[&str]) -> Result {
    let logs = cache_dir().join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let (upstream, _model) = start_upstream(tools, None, &logs.join("e2e-model-server.log"))?;
    let app_port = free_port()?;
    let app_origin = format!("http://127.0.0.1:{app_port}");
    let edge_log = logs.join("e2e-edge-api.log");
    let edge = start_edge_api(tools, &upstream, MODEL_ALIAS, &app_origin, &edge_log)?;
    let xtask = std::env::current_exe().map_err(|e| e.to_string())?;

    // The headless runner against the real model (runner/tests/real_llm.rs is ignored
    // without one, so the plain native run above reports it as not run).
    let mut runner = cmd("cargo", &tools.env());
    runner
        .current_dir(root())
        .args([
            "test",
            "-p",
            "runner",
            "--test",
            "real_llm",
            "--",
            "--ignored",
        ])
        .env("MD_UPSTREAM_URL", &upstream)
        .env("MD_MODEL", MODEL_ALIAS);
    run_counted(&mut runner, tally)?;

    let mut node = cmd("node", &tools.env());
    node.current_dir(root())
        .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
        .args(paths)
        .env("MD_XTASK_BIN", xtask)
        // Built by the runner's test above (cargo builds a package's binaries for its tests).
        .env("MD_RUNNER_BIN", target_dir().join("debug/machine-dream"))
        .env("MD_DIST_DIR", dist_dir())
        .env("MD_APP_PORT", app_port.to_string())
        .env("MD_EDGE_URL", &edge.url)
        .env("MD_EDGE_LOG", &edge_log)
        .env("MD_UPSTREAM_URL", &upstream)
        .env("MD_MODEL", MODEL_ALIAS)
        .env("MD_PYTHON", setup::py_tools_python());
    run_counted(&mut node, tally)
}

/// `cargo xtask bench-edge`: the edge API's added latency (p50/p99) over a direct upstream call,
/// printed as JSON lines by tests/bench/edge-overhead.mjs. Builds the worker first.
pub fn bench_edge(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!("unknown bench-edge option `{other}`"));
    }
    let tools = setup::run(Needs {
        browser: false,
        model: false,
    })?;
    build::worker(&tools)?;
    let mut node = cmd("node", &tools.env());
    node.current_dir(root())
        .arg("tests/bench/edge-overhead.mjs");
    proc::run(&mut node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_reads_cargo_and_tap_closing_lines() {
        let mut tally = Tally::default();
        tally.read_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        tally.read_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        tally.read_line("# pass 4");
        tally.read_line("# fail 1");
        tally.read_line("unrelated 99 passed");
        assert_eq!((tally.passed, tally.failed), (19, 3));
    }
}
