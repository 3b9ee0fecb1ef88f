//! `cargo xtask` — every piece of project automation, in Rust (matklad's "cargo xtask" pattern).
//!
//! Commands:
//! - `setup`  install what is missing (wasm32 target, Chromium, cargo tools, npm tools, model server)
//! - `build`  build the web app (dist/) and the edge API worker
//! - `serve`  build, start the local model server, the edge API in workerd and the app; print the URL
//! - `bench`  the engine's benchmark figures, native and wasm, with wasm/native ratios
//! - `test`   format check, clippy, CI gates (cargo-deny, npm audit, rustdoc, coverage floor),
//!   native tests, wasm tests in Chromium, end-to-end tests
//! - `token`  a new edge API client token and its hash
//! - `bench-engine-compare` our `sudoku solve` against the `sudoku` crate on top1465, as processes
//! - `bench-edge` the edge API's added latency, p50/p99
//! - `bench-app` first load, generation, 100 plays and a 10k dream in Chromium, with long tasks
//! - `bench-storage` IndexedDB insert/page/search/export at 10k and 100k experiences, in Chromium
//! - `static` serve a directory (used by the end-to-end tests, which must be able to stop the server)
//!
//! Everything is idempotent: a tool of the right version is reused, caches live in ~/.cache/machine-dream.

#[cfg(test)]
mod architecture;
mod bench;
mod bench_app;
mod bench_compare;
mod bench_storage;
mod build;
mod env;
mod fingerprint;
mod gates;
mod model_server;
mod proc;
mod security;
mod serve;
mod setup;
mod static_server;
mod test;
#[cfg(test)]
mod tidy;
mod token;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                 install what is missing (idempotent)
  build                 build the web app into dist/ and the edge API worker
  serve [options]       run the app with the edge API and a local model; prints the URL
      --port N              app port (default 8080, or a free one if 8080 is taken)
      --llm-url URL         use your own OpenAI-compatible server instead of starting the
                            bundled SmolLM2 model server (env MD_LLM_URL)
      --lm-studio           same as --llm-url http://127.0.0.1:1234
      --ollama              same as --llm-url http://127.0.0.1:11434
      --llm-model NAME      upstream model name (env MD_LLM_MODEL)
  bench                 engine benchmarks, native and wasm (WASI under Node), with ratios
  test                  run every check and test (what CI runs)
      --skip-e2e            skip the end-to-end tests (no model server needed)
      --only edge           only build the worker and run the edge API's end-to-end tests
      --e2e NAME            build, then only the end-to-end files whose name contains NAME
      --gates               only the CI gates: cargo-deny, npm audit, rustdoc, coverage
                            (env MD_REQUIRE_AUDITS=1: a missing advisory source fails)
  token LABEL           print a new edge API client token and its API_TOKENS entry (SHA-256)
  bench-engine-compare [--runs N] [--repeat K] [--data FILE]
                        our `sudoku solve` against the `sudoku` crate 0.8.0 (built offline
                        in a separate project; never a dependency), both proving uniqueness:
                        interleaved whole processes, medians and the speed ratio (>1: ours faster)
  bench-edge            measure the edge API's added latency (p50/p99) against a scripted upstream
  bench-storage [10k|100k]  IndexedDB insert, page, search and export at 10k and 100k experiences
                        (headless Chromium, release wasm), with the targets
  bench-app [--runs N]  the app in headless Chromium: first load, 25x25 generation, 16x16 batch,
                        100 sequential plays (JS heap), a dream of 10k, with long tasks
  static DIR [--port N] [--edge-api URL [--model NAME]] [--base /sub/]
                        serve DIR on 127.0.0.1 (port 0 = free port; prints `listening on URL`),
                        with --base under that path prefix only (as on a host's sub-directory);
                        --model announces the built-in model's ready profile
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "setup" => setup::run(setup::Needs::all()).and_then(|_| setup::ensure_gate_tools()),
        "build" => setup::run(setup::Needs::build()).and_then(|tools| build::all(&tools)),
        "serve" => serve::run(rest),
        "test" => test::run(rest),
        "bench" => setup::run(setup::Needs::build()).and_then(|tools| bench::run(&tools)),
        "static" => static_server::run_cli(rest),
        "token" => token::run(rest),
        "bench-engine-compare" => bench_compare::run(rest),
        "bench-edge" => test::bench_edge(rest),
        "bench-storage" => bench_storage::run(rest),
        "bench-app" => bench_app::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Result type of xtask steps: the error is a message for the user, already actionable.
pub type Result<T = ()> = std::result::Result<T, String>;
