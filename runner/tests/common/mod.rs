//! What the runner's tests share: a scripted OpenAI-compatible upstream inside the test (its
//! answer to a request depends on nothing but the request, so runs are reproducible whatever
//! the order, concurrency or sharding), inputs in the app's formats, and the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use learning_lab::experiment::{
    Arm, Experiment, ExperimentResults, ExperimentState, PuzzleSet, RunStatus, Schedule, UnitChoice,
};
use learning_lab::memory::transfer::{parse_import, Limits, MemoryImport};
use learning_lab::profile::{export_profiles, Profile, ProviderTemplate, Route};
use serde_json::{json, Value};

/// The scripted model server.
pub struct Upstream {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// Chat requests answered (including refused ones).
    pub requests: Arc<AtomicUsize>,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The answer to a chat request: a move picked by a hash of the messages and the
/// temperature, sometimes prose without a move; as JSON when a response format is asked for.
pub fn scripted_answer(request: &Value) -> String {
    let key = format!("{}|{}", request["messages"], request["temperature"]);
    let h = fnv1a(key.as_bytes());
    if h % 9 == 0 {
        return "I am not sure which cell to fill.".to_string();
    }
    let (row, col, value) = (h % 4 + 1, (h >> 8) % 4 + 1, (h >> 16) % 4 + 1);
    if request.get("response_format").is_some_and(|f| !f.is_null()) {
        format!("{{\"row\": {row}, \"col\": {col}, \"value\": {value}}}")
    } else {
        format!("The move is ROW: {row} COL: {col} VALUE: {value}")
    }
}

fn sse(content: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = content.chars().collect();
    for piece in chars.chunks(7) {
        let text: String = piece.iter().collect();
        let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]});
        out.push_str(&format!("data: {chunk}\n\n"));
    }
    let end = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":100,"completion_tokens":12}});
    out.push_str(&format!("data: {end}\n\ndata: [DONE]\n\n"));
    out
}

impl Upstream {
    /// Starts a server on a free port: each answer after `delay_ms`; the very first request
    /// is refused with a 503, so every run goes through the retry policy once.
    pub fn start(delay_ms: u64) -> Upstream {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a free port");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let header = |name: &str, value: &str| {
                    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
                };
                if n == 0 {
                    let r = tiny_http::Response::from_string(
                        r#"{"error":{"code":"busy","message":"warming up"}}"#,
                    )
                    .with_status_code(503)
                    .with_header(header("Content-Type", "application/json"));
                    let _ = request.respond(r);
                    continue;
                }
                std::thread::sleep(Duration::from_millis(delay_ms));
                let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let content = scripted_answer(&parsed);
                let response = if parsed["stream"] == json!(true) {
                    tiny_http::Response::from_string(sse(&content))
                        .with_header(header("Content-Type", "text/event-stream"))
                } else {
                    let completion = json!({"choices":[{"index":0,"message":{"role":"assistant","content":content},"finish_reason":"stop"}]});
                    tiny_http::Response::from_string(completion.to_string())
                        .with_header(header("Content-Type", "application/json"))
                };
                let _ = request.respond(response);
            }
        });
        Upstream {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            requests,
        }
    }
}

/// A direct profile `id` to `base_url` with this temperature, as the app exports it.
pub fn profile(id: &str, base_url: &str, temperature: f64) -> Profile {
    let mut p = Profile::from_template(ProviderTemplate::LlamaCpp, id, 1.0);
    p.name = id.to_string();
    p.route = Route::Direct {
        base_url: base_url.to_string(),
    };
    p.model = "scripted".to_string();
    p.sampling.temperature = temperature;
    p.sampling.max_tokens = 64;
    p.retries = 2;
    p.timeout_ms = 10_000;
    p.json_output = true;
    p
}

/// A fresh directory under the target dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("runner-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the profile file of `profiles` into `dir`.
pub fn write_profiles(dir: &Path, profiles: &[Profile]) -> PathBuf {
    let path = dir.join("profiles.jsonl");
    std::fs::write(&path, export_profiles(profiles)).unwrap();
    path
}

/// A/B over 4x4 puzzles: arm a plays `cold`, arm b `warm`.
pub fn ab_design(seeds: Vec<u64>, runs_per_arm: usize) -> Experiment {
    Experiment {
        id: "exp-runner".to_string(),
        name: "runner A/B".to_string(),
        arms: vec![
            Arm::numbered(0, "cold", "cold", UnitChoice::None, false),
            Arm::numbered(1, "warm", "warm", UnitChoice::None, false),
        ],
        puzzles: PuzzleSet::Generated {
            sizes: vec![4],
            bands: vec![None],
            seeds,
        },
        runs_per_arm,
        concurrency: 2,
        schedule: Schedule::Interleaved,
        early_stopping: None,
        ablation: None,
        created_at_ms: 1_700_000_000_000,
    }
}

/// Writes `design` as the app's JSON into `dir`.
pub fn write_design(dir: &Path, design: &Experiment) -> PathBuf {
    let path = dir.join("design.json");
    std::fs::write(&path, serde_json::to_string_pretty(design).unwrap()).unwrap();
    path
}

/// The runner binary with a clean credential environment.
pub fn runner() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_machine-dream"));
    for var in ["MD_EDGE_TOKEN", "MD_API_KEY", "MD_EDGE_URL"] {
        c.env_remove(var);
    }
    c
}

/// Runs the binary with `args`; the output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    runner().args(args).output().expect("the runner starts")
}

/// Panics with both streams unless the run succeeded.
pub fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A journal as the app's import reads it (panics on a file the app would refuse).
pub fn import(path: &Path) -> MemoryImport {
    let text = std::fs::read_to_string(path).unwrap();
    parse_import(&text, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The experiment state recorded in a journal.
pub fn journal_state(import: &MemoryImport) -> ExperimentState {
    assert_eq!(import.experiments.len(), 1, "one experiment record");
    let record =
        learning_lab::experiment::ExperimentRecord::from_value(import.experiments[0].clone())
            .unwrap();
    record.state
}

/// `state` without what differs between two plays of the same runs (session ids, wall time,
/// the concurrency they ran with): what must be identical.
pub fn normalised(state: &ExperimentState) -> ExperimentState {
    let mut s = state.clone();
    s.shard = None;
    s.experiment.concurrency = 1;
    for status in &mut s.status {
        if let RunStatus::Done { result } = status {
            result.session_id = String::new();
            result.duration_ms = 0;
        }
    }
    s
}

/// Results of the normalised state.
pub fn results(state: &ExperimentState) -> ExperimentResults {
    ExperimentResults::from_state(&normalised(state))
}
