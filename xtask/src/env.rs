//! Where things live, and the environment every child process gets.

use std::path::{Path, PathBuf};

/// The repository root (xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits one level below the repository root")
        .to_path_buf()
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

/// Our cache: kept between runs so that a second `setup`/`test` is quick.
pub fn cache_dir() -> PathBuf {
    let dir = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache"))
        .join("machine-dream");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The cargo target dir for everything xtask builds: outside the checkout, so a fresh clone
/// on a machine that already built the project starts warm. A user's `CARGO_TARGET_DIR` wins.
///
/// Each checkout gets its own dir: cargo's artifact names do not depend on the checkout's
/// path and its freshness check compares mtimes, so a checkout whose files are older than
/// another checkout's artifacts would silently run that other code. CI shares one dir
/// (`target`): each CI run is a fresh clone, newer than anything built before it.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci {
        return cache_dir().join("target");
    }
    let checkout = root().display().to_string();
    cache_dir().join(format!(
        "target-{:016x}",
        crate::fingerprint::fnv1a(checkout.as_bytes())
    ))
}

pub fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

pub fn node_bin_dir() -> PathBuf {
    root().join("node_modules").join(".bin")
}

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

/// Environment shared by every build/test child: tool paths first on PATH, no downloads from
/// GitHub (trunk and worker-build are pointed at the tools `setup` installed), no telemetry.
pub fn tool_env(rust_toolchain: Option<&str>) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_default();
    let node_bin = node_bin_dir();
    let mut vars = vec![
        (
            "PATH".to_string(),
            format!(
                "{}:{}:{path}",
                cargo_bin_dir().display(),
                node_bin.display()
            ),
        ),
        (
            "CARGO_TARGET_DIR".into(),
            target_dir().display().to_string(),
        ),
        ("TRUNK_OFFLINE".into(), "true".into()),
        ("TRUNK_SKIP_VERSION_CHECK".into(), "true".into()),
        (
            "WASM_BINDGEN_BIN".into(),
            cargo_bin_dir().join("wasm-bindgen").display().to_string(),
        ),
        (
            "WASM_OPT_BIN".into(),
            node_bin.join("wasm-opt").display().to_string(),
        ),
        (
            "ESBUILD_BIN".into(),
            root()
                .join("node_modules/@esbuild/linux-x64/bin/esbuild")
                .display()
                .to_string(),
        ),
        ("CHROMEDRIVER".into(), "/usr/bin/chromedriver".into()),
        (
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER".into(),
            "wasm-bindgen-test-runner".into(),
        ),
        ("WASM_BINDGEN_TEST_TIMEOUT".into(), "60".into()),
        ("WRANGLER_SEND_METRICS".into(), "false".into()),
        ("WRANGLER_SEND_ERROR_REPORTS".into(), "false".into()),
        ("WRANGLER_HIDE_BANNER".into(), "true".into()),
        ("CLOUDFLARE_CF_FETCH_ENABLED".into(), "false".into()),
        ("WRANGLER_LOG".into(), "info".into()),
    ];
    if let Some(toolchain) = rust_toolchain {
        vars.push(("RUSTUP_TOOLCHAIN".into(), toolchain.into()));
    }
    vars
}
