//! Installs what the project needs, skipping whatever is already there at the right version.
//!
//! The wasm32 target takes the ordinary route first (`rustup target add`). On machines where
//! rustup's download server is unreachable it falls back to Debian's rustc-web toolchain with a
//! wasm32 std built once into its sysroot (see ARCHITECTURE.md, "Toolchain routes").

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::{self, cache_dir, cargo_bin_dir, root};
use crate::fingerprint::fnv1a;
use crate::model_server::{self, ModelServer};
use crate::proc::{self, cmd, output};
use crate::Result;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WORKER_BUILD_VERSION: &str = "0.8.7";
/// The CI gates' tools (`cargo xtask test`): cargo-deny 0.20 needs rustc >= 1.88.
pub const CARGO_DENY_VERSION: &str = "0.20.2";
pub const TARPAULIN_VERSION: &str = "0.37.5";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What a command needs installed.
#[derive(Clone, Copy)]
pub struct Needs {
    pub browser: bool,
    pub model: bool,
}

impl Needs {
    pub fn all() -> Needs {
        Needs {
            browser: true,
            model: true,
        }
    }
    pub fn build() -> Needs {
        Needs {
            browser: false,
            model: false,
        }
    }
}

/// What `setup` found or installed, for the steps that follow.
pub struct Tools {
    /// `Some("debian")` on the fallback route; `None` means rustup's default toolchain.
    pub rust_toolchain: Option<String>,
    pub model_server: Option<ModelServer>,
}

impl Tools {
    pub fn env(&self) -> Vec<(String, String)> {
        env::tool_env(self.rust_toolchain.as_deref())
    }
}

pub fn run(needs: Needs) -> Result<Tools> {
    if needs.browser {
        ensure_apt(
            &["chromium", "chromium-driver"],
            &["/usr/bin/chromium", "/usr/bin/chromedriver"],
        )?;
    }
    let rust_toolchain = ensure_wasm_target()?;
    ensure_cargo_tools()?;
    ensure_npm()?;
    if needs.model {
        ensure_py_tools()?;
    }
    let env = env::tool_env(rust_toolchain.as_deref());
    // trunk builds with `--offline`, so every crate must already be in ~/.cargo/registry.
    proc::run(cmd("cargo", &env).arg("fetch").current_dir(root()))?;
    let model_server = if needs.model {
        Some(model_server::ensure()?)
    } else {
        None
    };
    Ok(Tools {
        rust_toolchain,
        model_server,
    })
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// Install Debian packages unless every path in `present` already exists.
fn ensure_apt(packages: &[&str], present: &[&str]) -> Result {
    if present.iter().all(|p| Path::new(p).exists()) {
        return Ok(());
    }
    let list = packages.join(" ");
    if !Path::new("/usr/bin/apt-get").exists() {
        return Err(format!(
            "missing {present:?}; install the equivalent of Debian's `{list}` with your package manager"
        ));
    }
    if !is_root() {
        return Err(format!(
            "missing {present:?}; run `sudo apt-get install -y {list}` once, then run this again"
        ));
    }
    let apt_env = [("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())];
    proc::run(cmd("apt-get", &apt_env).args(["update", "-qq"]))?;
    proc::run(
        cmd("apt-get", &apt_env)
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages),
    )
}

/// Whether rustup's default toolchain has the wasm32 std installed.
fn wasm_std_installed() -> bool {
    let mut rustc = Command::new("rustc");
    let Some(dir) = output(rustc.args(["--print", "target-libdir", "--target", WASM_TARGET]))
    else {
        return false;
    };
    std::fs::read_dir(dir.trim()).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    })
}

/// Route A: rustup's target. Route B: Debian's rustc-web with a wasm32 std we build once.
fn ensure_wasm_target() -> Result<Option<String>> {
    let route_file = cache_dir().join("rust-route");
    let remembered = std::fs::read_to_string(&route_file).unwrap_or_default();
    // MD_RUST_ROUTE=debian forces the fallback, to exercise it on a machine where rustup works.
    let forced = std::env::var("MD_RUST_ROUTE").is_ok_and(|route| route == "debian");
    if forced || remembered.trim() == "debian" {
        println!("using route B (Debian rustc-web) for wasm32");
        return route_b(&route_file);
    }
    if wasm_std_installed() {
        return Ok(None);
    }
    println!("installing the {WASM_TARGET} target (route A: rustup)");
    let route_a =
        proc::run(Command::new("timeout").args(["300", "rustup", "target", "add", WASM_TARGET]));
    if route_a.is_ok() && wasm_std_installed() {
        let _ = std::fs::write(&route_file, "rustup\n");
        return Ok(None);
    }
    println!("rustup could not install {WASM_TARGET}; falling back to route B (Debian rustc-web)");
    route_b(&route_file)
}

/// Every step checks before it acts, so this is cheap once done and repairs a partial setup.
fn route_b(route_file: &Path) -> Result<Option<String>> {
    ensure_apt(
        &[
            "rustc-web",
            "cargo-web",
            "rust-web-src",
            "rust-web-clippy",
            "rustfmt-web",
            // rust-web-llvm ships /usr/bin/rust-lld -> lld-22, rustc's default wasm linker; it
            // is only a recommendation of rustc-web, which --no-install-recommends skips.
            "rust-web-llvm",
            "lld-22",
        ],
        &[
            "/usr/bin/rustc",
            "/usr/lib/rustlib/src/rust/library/Cargo.lock",
            "/usr/bin/lld-22",
            "/usr/bin/rust-lld",
        ],
    )?;
    build_debian_wasm_sysroot()?;
    proc::run(Command::new("rustup").args(["toolchain", "link", "debian", "/usr"]))?;
    std::fs::write(route_file, "debian\n").map_err(|e| e.to_string())?;
    Ok(Some("debian".into()))
}

/// Build wasm32 std with Debian's rustc (-Zbuild-std, once) and install the rlibs where that
/// rustc looks for them. Afterwards plain `cargo build --target wasm32-unknown-unknown` works
/// with no nightly flags, and so do trunk, worker-build and wasm-bindgen-test.
fn build_debian_wasm_sysroot() -> Result {
    let dest = output(Command::new("/usr/bin/rustc").args([
        "--print",
        "target-libdir",
        "--target",
        WASM_TARGET,
    ]))
    .ok_or("Debian's rustc cannot print its wasm32 target-libdir")?;
    let dest = PathBuf::from(dest.trim());
    let version = output(Command::new("/usr/bin/rustc").arg("-V")).unwrap_or_default();
    let stamp = dest.join(format!(
        ".built-by-{}",
        version.trim().replace([' ', '(', ')'], "_")
    ));
    if stamp.exists() {
        return Ok(());
    }
    let work = std::env::temp_dir().join(format!("md-wasm-sysroot-{}", std::process::id()));
    std::fs::create_dir_all(work.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        work.join("Cargo.toml"),
        "[package]\nname = \"sysroot-dummy\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[profile.release]\ndebug = 0\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(work.join("src/lib.rs"), "pub fn f() {}\n").map_err(|e| e.to_string())?;
    proc::run(
        Command::new("/usr/bin/cargo")
            .current_dir(&work)
            .env("RUSTC", "/usr/bin/rustc")
            .env("RUSTDOC", "/usr/bin/rustdoc")
            .env("RUSTC_BOOTSTRAP", "1")
            // Keep bitcode so `lto = true` release builds can use these rlibs.
            .env("RUSTFLAGS", "-Cembed-bitcode=yes")
            .env("CARGO_TARGET_DIR", work.join("target"))
            .args(["build", "--release", "--target", WASM_TARGET])
            .arg("-Zbuild-std=std,panic_abort,panic_unwind,proc_macro,test"),
    )?;
    std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
    let deps = work.join("target").join(WASM_TARGET).join("release/deps");
    for entry in std::fs::read_dir(&deps)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("lib")
            && name.ends_with(".rlib")
            && !name.starts_with("libsysroot_dummy-")
        {
            std::fs::copy(entry.path(), dest.join(&name)).map_err(|e| e.to_string())?;
        }
    }
    std::fs::write(&stamp, "").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock missing ({e}); run `cargo generate-lockfile`"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn has_version(binary: &str, version: &str) -> bool {
    output(Command::new(cargo_bin_dir().join(binary)).arg("--version"))
        .is_some_and(|v| v.split_whitespace().any(|word| word == version))
}

fn ensure_cargo_tools() -> Result {
    let wasm_bindgen = locked_wasm_bindgen_version()?;
    if !has_version("wasm-bindgen", &wasm_bindgen) {
        // Not --locked: its lock pins a webpki-roots release the registry here does not have.
        proc::run(
            Command::new("cargo").args(["install", &format!("wasm-bindgen-cli@{wasm_bindgen}")]),
        )?;
    }
    if !has_version("worker-build", WORKER_BUILD_VERSION) {
        proc::run(Command::new("cargo").args([
            "install",
            &format!("worker-build@{WORKER_BUILD_VERSION}"),
            "--locked",
        ]))?;
    }
    if !has_version("trunk", TRUNK_VERSION) {
        // trunk 0.22 needs rustc >= 1.96.1; 0.21.14 is the last that builds here. Its own fat-LTO
        // profile costs ~5 extra minutes on 2 cores for no benefit to us.
        proc::run(
            Command::new("cargo")
                .env("CARGO_PROFILE_RELEASE_LTO", "off")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
                .args(["install", &format!("trunk@{TRUNK_VERSION}"), "--locked"]),
        )?;
    }
    Ok(())
}

/// The tools of the CI gates (`gates.rs`): cargo-deny and cargo-tarpaulin. Only the test
/// command and `setup` need them, so `serve` and `build` do not wait for them.
pub fn ensure_gate_tools() -> Result {
    if !has_version("cargo-deny", CARGO_DENY_VERSION) {
        proc::run(Command::new("cargo").args([
            "install",
            &format!("cargo-deny@{CARGO_DENY_VERSION}"),
            "--locked",
        ]))?;
    }
    if !has_version("cargo-tarpaulin", TARPAULIN_VERSION) {
        // Without default features: they are the Coveralls upload (git2, HTTP client), which
        // we do not use, and they double the build time.
        proc::run(Command::new("cargo").args([
            "install",
            &format!("cargo-tarpaulin@{TARPAULIN_VERSION}"),
            "--locked",
            "--no-default-features",
        ]))?;
    }
    Ok(())
}

/// `npm ci` when node_modules does not match package-lock.json.
fn ensure_npm() -> Result {
    let lock = std::fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("package-lock.json missing: {e}"))?;
    let stamp = root().join("node_modules/.machine-dream-lock");
    let wanted = format!("{:016x}", fnv1a(&lock));
    let installed = std::fs::read_to_string(&stamp).unwrap_or_default();
    if installed.trim() == wanted && env::node_bin_dir().join("wrangler").exists() {
        return Ok(());
    }
    proc::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root()),
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| e.to_string())
}

/// The pinned official `openai` Python client, used by the edge API's end-to-end test.
pub const OPENAI_PY_VERSION: &str = "3.51.0";

/// The venv's python (`~/.cache/machine-dream/py-tools`).
pub fn py_tools_python() -> std::path::PathBuf {
    crate::env::cache_dir().join("py-tools/bin/python")
}

/// A cached venv with the pinned `openai` client (idempotent: a stamp records the version).
fn ensure_py_tools() -> Result {
    let dir = crate::env::cache_dir().join("py-tools");
    let stamp = dir.join(".machine-dream-openai");
    if py_tools_python().exists()
        && std::fs::read_to_string(&stamp).unwrap_or_default().trim() == OPENAI_PY_VERSION
    {
        return Ok(());
    }
    proc::run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    proc::run(
        Command::new(dir.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check"])
            .arg(format!("openai=={OPENAI_PY_VERSION}")),
    )?;
    std::fs::write(&stamp, OPENAI_PY_VERSION).map_err(|e| e.to_string())
}
