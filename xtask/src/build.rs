//! Builds: the web app (trunk → dist/, plus the service worker's precache list) and the edge
//! API worker (worker-build → worker-api/build/).

use std::path::Path;

use crate::env::{dist_dir, root};
use crate::proc::{self, cmd};
use crate::setup::Tools;
use crate::Result;

pub fn all(tools: &Tools) -> Result {
    web(tools)?;
    worker(tools)
}

pub fn web(tools: &Tools) -> Result {
    proc::run(
        cmd("trunk", &tools.env())
            .args(["build", "--release"])
            .env("MD_BUILD_ID", build_id())
            .current_dir(root()),
    )?;
    write_service_worker(&dist_dir())?;
    crate::security::write(&dist_dir())?;
    let wasm = wasm_size(&dist_dir())?;
    println!(
        "web app built into {} ({wasm} bytes of wasm)",
        dist_dir().display()
    );
    Ok(())
}

/// What the System screen shows as the build: the commit it was built from (`+changes` when
/// the tree had uncommitted edits), or `unknown` outside a git checkout.
fn build_id() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{commit}+changes"),
            _ => commit,
        },
        None => "unknown".into(),
    }
}

pub fn worker(tools: &Tools) -> Result {
    proc::run(
        cmd("worker-build", &tools.env())
            .arg("--release")
            .current_dir(root().join("worker-api")),
    )
}

fn wasm_size(dist: &Path) -> Result<u64> {
    let entries = std::fs::read_dir(dist).map_err(|e| e.to_string())?;
    Ok(entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum())
}

/// Fill the service worker template with the list of files to precache and a version that
/// changes whenever any of them changes (so a new build replaces the old cache).
///
/// The list must be known at build time: on the first visit the page fetches the wasm before
/// the service worker controls it, so runtime caching alone would miss it.
fn write_service_worker(dist: &Path) -> Result {
    let sw_path = dist.join("sw.js");
    let template = std::fs::read_to_string(&sw_path).map_err(|e| {
        format!(
            "{}: {e} (is sw.js copied by web/index.html?)",
            sw_path.display()
        )
    })?;
    let mut files = Vec::new();
    collect_files(dist, dist, &mut files)?;
    // Not part of the shell: sw.js itself, the operator's app-config.json (fetched network-first)
    // and a static host's own control files (Cloudflare Pages reads and never serves them, so a
    // precache entry would 404 and fail the whole install).
    files.retain(|f| {
        !matches!(
            f.as_str(),
            "sw.js" | "app-config.json" | "_headers" | "_redirects"
        )
    });
    files.sort();
    let mut fingerprint = Vec::new();
    for file in &files {
        fingerprint.extend_from_slice(file.as_bytes());
        fingerprint.extend(std::fs::read(dist.join(file)).map_err(|e| e.to_string())?);
    }
    let version = format!("{:016x}", crate::fingerprint::fnv1a(&fingerprint));
    let list = std::iter::once("./".to_string())
        .chain(files.iter().map(|f| format!("./{f}")))
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let filled = template
        .replace("\"__MD_VERSION__\"", &format!("\"{version}\""))
        .replace("[/*__MD_PRECACHE__*/]", &format!("[{list}]"));
    if filled == template {
        return Err("sw.js has no __MD_VERSION__/__MD_PRECACHE__ placeholders to fill".into());
    }
    std::fs::write(&sw_path, filled).map_err(|e| e.to_string())
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}
