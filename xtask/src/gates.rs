//! The CI gates of `cargo xtask test`: the dependency policy (cargo-deny, `deny.toml`), npm
//! advisories, rustdoc with warnings denied, and line coverage against a committed floor
//! (`xtask/coverage-floor.toml`). Every failure says what to do about it.
//!
//! The two advisory checks need data these machines cannot always get (the RustSec database is
//! a git repository on GitHub; the npm audit endpoint is a POST the registry may refuse). When
//! it is missing they say `SKIPPED` and why, plainly, never a silent pass; with
//! `MD_REQUIRE_AUDITS=1` they fail instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::{cargo_bin_dir, root, target_dir};
use crate::proc::{self, cmd};
use crate::Result;

type Env = [(String, String)];

/// Points below the floor that coverage may drop before the gate fails.
const COVERAGE_TOLERANCE: f64 = 3.0;
const FLOOR_FILE: &str = "xtask/coverage-floor.toml";
/// The crates whose coverage is measured (their native tests run under cargo-tarpaulin).
pub const COVERED_CRATES: [&str; 3] = ["solver-core", "learning-lab", "worker-api"];

/// An advisory check without its data: `SKIPPED` and why, or a failure with
/// `MD_REQUIRE_AUDITS=1` (for a machine that has network).
fn skipped(check: &str, why: &str) -> Result {
    if std::env::var("MD_REQUIRE_AUDITS").is_ok_and(|v| v == "1" || v == "true") {
        return Err(format!(
            "{check}: FAILED (MD_REQUIRE_AUDITS is set) — {why}"
        ));
    }
    println!("{check}: SKIPPED — {why}");
    Ok(())
}

fn cargo(env: &Env) -> Command {
    let mut c = cmd("cargo", env);
    c.current_dir(root());
    c
}

/// `cargo deny check bans licenses sources`, then `advisories` if the database is here.
pub fn cargo_deny(env: &Env) -> Result {
    // --offline: the crates are fetched by setup; cargo-deny must not try the network (the
    // advisory database, its std-replacement data).
    proc::run(cargo(env).args(["deny", "--offline", "check", "bans", "licenses", "sources"]))
        .map_err(|e| {
            format!(
                "{e}\ncargo-deny rejected the dependency graph (details above; the policy is deny.toml):\n\
                 - a licence not in [licenses] allow: check that it is acceptable before adding it;\n\
                 - a duplicate crate version: unify it (`cargo update -p NAME`, `cargo tree -d` shows \
                 who wants which), or if our dependencies force it, add a [bans] skip with a reason;\n\
                 - a source other than crates.io: depend on the crates.io release instead.\n\
                 Run `cargo deny --offline check bans licenses sources` to check again."
            )
        })?;
    advisories(env)
}

/// Where cargo-deny keeps the RustSec database: `$CARGO_HOME/advisory-dbs/`, then the URL's
/// last segment and its XxHash64 (cargo-deny's `url_to_db_path`, for the default URL).
fn advisory_db() -> PathBuf {
    let cargo_home = cargo_bin_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    cargo_home.join("advisory-dbs/advisory-db-3157b0e258782691")
}

fn advisories(env: &Env) -> Result {
    let db = advisory_db();
    if !(db.join(".git").exists() && db.join("crates").is_dir()) {
        let why = format!(
            "no RustSec database at {}; a maintainer with network gets it with \
             `cargo deny fetch db` (in the repository root), then this check runs offline \
             against it",
            db.display()
        );
        return skipped("advisories", &why);
    }
    proc::run(cargo(env).args(["deny", "--offline", "check", "advisories"])).map_err(|e| {
        format!(
            "{e}\ncargo-deny's advisory check failed (details above). Either a dependency has a \
             RustSec advisory: upgrade it (`cargo update -p NAME`, the advisory names the fixed \
             versions), or if there is no fix and it does not affect us, add \
             {{ id = \"RUSTSEC-…\", reason = \"…\" }} to [advisories] ignore in deny.toml; or \
             the database at {} is stale (\"repository is stale\": older than 90 days): refresh \
             it with `cargo deny fetch db`.",
            db.display()
        )
    })
}

/// `npm audit --audit-level=high` over package-lock.json (the npm tools).
pub fn npm_audit(env: &Env) -> Result {
    let shown = "npm audit --audit-level=high";
    println!("$ {shown}");
    let out = cmd("npm", env)
        .args(["audit", "--audit-level=high"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    if out.status.success() {
        return Ok(());
    }
    if stdout.contains("npm audit report") {
        return Err(format!(
            "`{shown}` found high or critical advisories in the npm tools (above). \
             `npm audit fix` (never --force) moves only the transitive packages, inside the ranges \
             our exact pins allow: run it, rerun the tests and commit package-lock.json. If the fix \
             needs a newer pin (\"fix available via `npm audit fix --force`\"), that changes \
             behaviour: wrangler stays 4.86.0 while Node is 20 and binaryen must stay 132, so \
             decide it deliberately, in its own commit."
        ));
    }
    // No report: the audit endpoint did not answer (unreachable, or refused as here: the
    // registry these machines reach allows only GET and the audit is a POST).
    let reason = stderr
        .lines()
        .chain(stdout.lines())
        .find(|line| line.contains("audit") || line.contains("ERR"))
        .map(|line| line.trim().to_string())
        .unwrap_or_else(|| format!("exit {}", out.status));
    let why = format!(
        "the registry's audit endpoint did not answer ({reason}); a maintainer with network \
         runs `{shown}` in the repository root"
    );
    skipped("npm audit", &why)
}

/// rustdoc with warnings denied (broken intra-doc links, bad code blocks, …), built the way
/// clippy checks the crates: natively with the CLI, and worker-api for wasm32 too, where its
/// Workers-only modules compile.
pub fn rustdoc(env: &Env) -> Result {
    let hint = |e: String, again: &str| {
        format!(
            "{e}\nrustdoc found problems in doc comments (above: a broken intra-doc link usually \
             means a renamed or private item; write the path that resolves, or plain `code`). \
             Check again with `RUSTDOCFLAGS=\"-D warnings\" {again}`."
        )
    };
    let native =
        "cargo doc --no-deps -p solver-core -p learning-lab -p worker-api --features solver-core/cli";
    proc::run(
        cargo(env)
            .args(native.split(' ').skip(1))
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
    .map_err(|e| hint(e, native))?;
    let wasm = "cargo doc --no-deps -p worker-api --target wasm32-unknown-unknown";
    proc::run(
        cargo(env)
            .args(wasm.split(' ').skip(1))
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
    .map_err(|e| hint(e, wasm))
}

pub fn coverage_dir() -> PathBuf {
    target_dir().join("coverage")
}

/// worker-api's modules that only exist on wasm32 (`#[cfg(target_arch = "wasm32")] mod x;` in
/// its lib.rs): native tests cannot reach them (the end-to-end tests do), so they are not
/// counted.
fn wasm_only_modules() -> Vec<String> {
    let lib = std::fs::read_to_string(root().join("worker-api/src/lib.rs")).unwrap_or_default();
    let lines: Vec<&str> = lib.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == "#[cfg(target_arch = \"wasm32\")]")
        .filter_map(|pair| {
            let rest = pair[1]
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            let name = rest.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(format!("worker-api/src/{name}.rs"))
        })
        .collect()
}

/// The native tests of solver-core and worker-api under cargo-tarpaulin: the same test targets
/// (lib, bins, integration tests; the CLI tests' `sudoku` processes count too) that
/// `cargo test --features solver-core/cli` runs, except doctests (run separately). The llvm
/// engine needs only the profiler runtime in std (rustup's and Debian's have it), no
/// llvm-tools; ptrace cannot follow the CLI tests' processes. Its own target dir, since the
/// instrumented build would otherwise invalidate the plain one.
pub fn tarpaulin(env: &Env) -> Command {
    let mut c = cargo(env);
    // Its INFO log names every profile file; keep the lines that say which binary runs.
    c.env(
        "RUST_LOG",
        "cargo_tarpaulin=warn,cargo_tarpaulin::process_handling=info",
    );
    c.args([
        "tarpaulin",
        "--engine",
        "llvm",
        "--skip-clean",
        "--color",
        "never",
    ])
    .arg("--target-dir")
    .arg(target_dir().join("tarpaulin"));
    for krate in COVERED_CRATES {
        c.args(["-p", krate]);
    }
    c.args(["--features", "solver-core/cli"]);
    // Test helpers and the other crates' files are not what we measure.
    for pattern in [
        "web/*",
        "xtask/*",
        "solver-core/tests/*",
        "learning-lab/tests/*",
    ] {
        c.args(["--exclude-files", pattern]);
    }
    for file in wasm_only_modules() {
        c.arg("--exclude-files").arg(file);
    }
    // Its default: a test binary silent for 60 s is killed; human.rs runs longer instrumented.
    c.args(["--timeout", "600", "--out", "Lcov", "--output-dir"])
        .arg(coverage_dir());
    c
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Lines {
    covered: u64,
    coverable: u64,
}

impl Lines {
    fn percent(self) -> f64 {
        if self.coverable == 0 {
            0.0
        } else {
            100.0 * self.covered as f64 / self.coverable as f64
        }
    }
}

/// Covered/coverable lines per crate from an lcov report (`SF:` path, `LF:`/`LH:` counts).
fn per_crate(lcov: &str, checkout: &Path) -> Vec<(String, Lines)> {
    let mut totals: Vec<(String, Lines)> = COVERED_CRATES
        .iter()
        .map(|k| (k.to_string(), Lines::default()))
        .collect();
    let mut current: Option<usize> = None;
    for line in lcov.lines() {
        if let Some(path) = line.strip_prefix("SF:") {
            let relative = Path::new(path)
                .strip_prefix(checkout)
                .unwrap_or(Path::new(path));
            current = totals
                .iter()
                .position(|(k, _)| relative.starts_with(Path::new(k).join("src")));
        } else if let (Some(i), Some(n)) = (current, line.strip_prefix("LF:")) {
            totals[i].1.coverable += n.trim().parse::<u64>().unwrap_or(0);
        } else if let (Some(i), Some(n)) = (current, line.strip_prefix("LH:")) {
            totals[i].1.covered += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
    totals
}

/// `name = 12.3` lines of the floor file (comments with `#`).
fn parse_floor(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter_map(|line| {
            let (name, value) = line.split_once('=')?;
            let name = name.trim().trim_matches('"').to_string();
            Some((name, value.trim().parse().ok()?))
        })
        .collect()
}

/// A crate's figure against its floor: `Err` with the message when it dropped too far.
fn judge(name: &str, percent: f64, floor: Option<f64>) -> std::result::Result<String, String> {
    let Some(floor) = floor else {
        return Err(format!(
            "coverage: {name} {percent:.2}% has no floor in {FLOOR_FILE}; add `{name} = {:.1}`",
            (percent * 10.0).floor() / 10.0
        ));
    };
    if percent + COVERAGE_TOLERANCE < floor {
        return Err(format!(
            "coverage: {name} is at {percent:.2}%, more than {COVERAGE_TOLERANCE} points below its \
             floor of {floor:.1}% ({FLOOR_FILE}). Add tests for the code that is not covered (the \
             lcov report is in {}), or, if the drop is deliberate (code moved out of the crate, \
             tests moved elsewhere), lower `{name}` in {FLOOR_FILE} to the new figure in the same \
             commit and say why in its message.",
            coverage_dir().join("lcov.info").display()
        ));
    }
    let mut note = format!("coverage: {name} {percent:.2}% (floor {floor:.1}%)");
    if percent >= floor + COVERAGE_TOLERANCE {
        note.push_str(&format!(
            "; well above the floor: raise `{name}` in {FLOOR_FILE} to {:.1} to keep it",
            (percent * 10.0).floor() / 10.0
        ));
    }
    Ok(note)
}

/// Read tarpaulin's lcov report, print and store the figure per crate
/// (`<target>/coverage/coverage.json`), and hold each against its floor.
pub fn check_coverage() -> Result {
    let lcov_path = coverage_dir().join("lcov.info");
    let lcov = std::fs::read_to_string(&lcov_path)
        .map_err(|e| format!("coverage: no report at {} ({e})", lcov_path.display()))?;
    let figures = per_crate(&lcov, &root());
    let json = figures
        .iter()
        .map(|(name, lines)| {
            format!(
                "  \"{name}\": {{ \"covered\": {}, \"coverable\": {}, \"percent\": {:.2} }}",
                lines.covered,
                lines.coverable,
                lines.percent()
            )
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let json_path = coverage_dir().join("coverage.json");
    std::fs::write(&json_path, format!("{{\n{json}\n}}\n"))
        .map_err(|e| format!("cannot write {}: {e}", json_path.display()))?;
    let floor_text = std::fs::read_to_string(root().join(FLOOR_FILE))
        .map_err(|e| format!("coverage: cannot read {FLOOR_FILE}: {e}"))?;
    let floors = parse_floor(&floor_text);
    let mut failures = Vec::new();
    for (name, lines) in &figures {
        let floor = floors.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
        match judge(name, lines.percent(), floor) {
            Ok(note) => println!("{note} — {}/{} lines", lines.covered, lines.coverable),
            Err(message) => failures.push(message),
        }
    }
    println!("coverage figures written to {}", json_path.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_is_summed_per_crate_by_path() {
        let lcov = "TN:\nSF:/c/solver-core/src/a.rs\nDA:1,1\nLF:10\nLH:7\nend_of_record\n\
                    SF:/c/solver-core/src/b/c.rs\nLF:10\nLH:3\nend_of_record\n\
                    SF:/c/worker-api/src/x.rs\nLF:4\nLH:4\nend_of_record\n\
                    SF:/c/web/src/y.rs\nLF:50\nLH:0\nend_of_record\n";
        let figures = per_crate(lcov, Path::new("/c"));
        assert_eq!(
            figures[0],
            (
                "solver-core".to_string(),
                Lines {
                    covered: 10,
                    coverable: 20
                }
            )
        );
        let worker_api = figures
            .iter()
            .find(|(name, _)| name == "worker-api")
            .unwrap();
        assert_eq!(worker_api.1.percent(), 100.0);
        let lab = figures
            .iter()
            .find(|(name, _)| name == "learning-lab")
            .unwrap();
        assert_eq!(
            lab.1.coverable, 0,
            "a crate without lines counts zero, not another's"
        );
    }

    #[test]
    fn floor_file_and_tolerance() {
        let floors = parse_floor("# floors\nsolver-core = 90.5 # today\n\"worker-api\" = 80\n");
        assert_eq!(
            floors,
            vec![("solver-core".into(), 90.5), ("worker-api".into(), 80.0)]
        );
        assert!(judge("solver-core", 87.6, Some(90.5)).is_ok());
        let err = judge("solver-core", 87.4, Some(90.5)).unwrap_err();
        assert!(err.contains("87.40%") && err.contains("90.5%") && err.contains(FLOOR_FILE));
        assert!(judge("solver-core", 94.0, Some(90.5))
            .unwrap()
            .contains("raise"));
        assert!(judge("new-crate", 50.0, None).is_err());
    }

    #[test]
    fn wasm_only_modules_are_read_from_lib_rs() {
        let modules = wasm_only_modules();
        assert!(modules.contains(&"worker-api/src/handler.rs".to_string()));
        assert!(!modules.iter().any(|m| m.ends_with("/auth.rs")));
    }
}
