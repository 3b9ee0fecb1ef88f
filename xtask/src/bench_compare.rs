//! `cargo xtask bench-engine-compare`: our `sudoku solve` against the `sudoku` crate (0.8.0)
//! on top1465, as whole processes, at equal work (both prove every solution unique).
//!
//! The `sudoku` crate is AGPL-3.0, so it never becomes a dependency of a workspace crate:
//! this writes a tiny standalone cargo project (its own `[workspace]`, its own target dir)
//! under our target dir, builds it offline from the local registry, and only runs the binary.
//! Its release profile copies ours for the engine (opt-level 3, fat LTO, one codegen unit,
//! abort on panic), so the compilers get the same chance.
//!
//! Both programs read the same line file, solve every puzzle with a uniqueness proof and
//! print one line per puzzle (the solution, or `none` / `multiple`); the outputs must be
//! identical and every line a solution. The runs alternate (ours, theirs, ours, …) so machine
//! load hits both alike; the figures are medians of wall time per process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::env::{root, target_dir};
use crate::proc;
use crate::Result;

const USAGE: &str = "\
usage: cargo xtask bench-engine-compare [--runs N] [--repeat K] [--data FILE]
  --runs N     timed processes per side, interleaved (default 7)
  --repeat K   the input is FILE repeated K times, so a process runs long enough to time
               well against start-up (default 10)
  --data FILE  a 9x9 one-line puzzle file (default data/top1465.txt)";

const MANIFEST: &str = r#"# Written by `cargo xtask bench-engine-compare`; not part of the Machine Dream workspace.
[package]
name = "bench-compare"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
sudoku = "=0.8.0"

# The same settings as the workspace's release profile for solver-core.
[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
"#;

const MAIN: &str = r#"// Written by `cargo xtask bench-engine-compare`.
// Reads a one-line puzzle file; per puzzle prints the solution when it is unique, else
// `none` or `multiple` — the same output as `sudoku solve`.
use std::io::Write;

fn main() {
    let path = std::env::args().nth(1).expect("usage: bench-compare FILE");
    let text = std::fs::read_to_string(&path).expect("cannot read the puzzle file");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let sudoku = sudoku::Sudoku::from_str_line(line).expect("not a 9x9 one-line puzzle");
        let mut solution = [[0u8; 81]];
        // Up to two solutions: the uniqueness proof.
        match sudoku.solutions_up_to_buffer(&mut solution, 2) {
            0 => writeln!(out, "none"),
            1 => {
                let solved = sudoku::Sudoku::from_bytes(solution[0]).expect("a solved grid");
                writeln!(out, "{}", solved.to_str_line())
            }
            _ => writeln!(out, "multiple"),
        }
        .expect("cannot write");
    }
}
"#;

struct Options {
    runs: usize,
    repeat: usize,
    data: PathBuf,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        runs: 7,
        repeat: 10,
        data: root().join("data/top1465.txt"),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        let number = |name: &str, text: String| match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name} must be a positive number, not `{text}`")),
        };
        match arg.as_str() {
            "--runs" => options.runs = number("--runs", value("--runs")?)?,
            "--repeat" => options.repeat = number("--repeat", value("--repeat")?)?,
            "--data" => options.data = PathBuf::from(value("--data")?),
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
        }
    }
    Ok(options)
}

/// Writes `text` to `path` unless it already holds it, so cargo's freshness check (mtimes)
/// does not rebuild an unchanged project.
fn write_if_changed(path: &Path, text: &str) -> Result {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One whole process: its wall time in seconds and its standard output.
fn timed(program: &Path, args: &[&std::ffi::OsStr]) -> Result<(f64, String)> {
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    // `sudoku solve` exits 1 when a line is not uniquely solvable; the output check says
    // which, so only a crash or a missing output is an error here.
    if out.stdout.is_empty() {
        return Err(format!(
            "{} printed nothing ({})",
            program.display(),
            out.status
        ));
    }
    Ok((seconds, String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn emit(bench: &str, value: f64, unit: &str) {
    println!("{{\"bench\":\"{bench}\",\"value\":{value},\"unit\":\"{unit}\"}}");
}

pub fn run(args: &[String]) -> Result {
    let options = parse(args)?;
    let text = std::fs::read_to_string(&options.data)
        .map_err(|e| format!("cannot read {}: {e}", options.data.display()))?;
    let puzzles: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if puzzles.is_empty() || puzzles.iter().any(|p| p.len() != 81) {
        return Err(format!(
            "{} must hold 9x9 puzzles, one 81-character line each",
            options.data.display()
        ));
    }

    let target = target_dir();
    let project = target.join("bench-compare");
    write_if_changed(&project.join("Cargo.toml"), MANIFEST)?;
    write_if_changed(&project.join("src/main.rs"), MAIN)?;
    let project_target = project.join("target");
    proc::run(
        Command::new("cargo")
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", &project_target)
            .args(["build", "--release", "--offline", "--quiet"]),
    )
    .map_err(|e| {
        format!("{e}\n(the comparison needs the `sudoku` crate 0.8.0 in the local cargo registry)")
    })?;
    proc::run(
        crate::bench::build_sudoku_cli(&mut Command::new("cargo"))
            .env("CARGO_TARGET_DIR", &target)
            .arg("--quiet"),
    )?;
    let theirs_bin = project_target.join("release/bench-compare");
    let ours_bin = target.join("release/sudoku");

    let input = project.join("input.txt");
    let mut repeated = String::with_capacity((puzzles.len() * 82) * options.repeat);
    for _ in 0..options.repeat {
        for p in &puzzles {
            repeated.push_str(p);
            repeated.push('\n');
        }
    }
    std::fs::write(&input, &repeated)
        .map_err(|e| format!("cannot write {}: {e}", input.display()))?;
    let total = puzzles.len() * options.repeat;

    // `sudoku solve FILE`: `solve` always proves uniqueness (a second solution prints
    // `multiple`).
    let ours = || timed(&ours_bin, &["solve".as_ref(), input.as_os_str()]);
    let theirs = || timed(&theirs_bin, &[input.as_os_str()]);

    // One untimed run each warms the page cache and checks the answers.
    let (_, our_answer) = ours()?;
    let (_, their_answer) = theirs()?;
    let lines: Vec<&str> = our_answer.lines().collect();
    if lines.len() != total {
        return Err(format!(
            "`sudoku solve` answered {} of {total} puzzles",
            lines.len()
        ));
    }
    if let Some((i, line)) = lines.iter().enumerate().find(|(_, l)| l.len() != 81) {
        return Err(format!(
            "puzzle {} has no unique solution by `sudoku solve`: {line}",
            i + 1
        ));
    }
    if our_answer != their_answer {
        let at = our_answer
            .lines()
            .zip(their_answer.lines())
            .position(|(a, b)| a != b)
            .map_or(total, |i| i + 1);
        return Err(format!(
            "the two solvers disagree (first at puzzle {at}); both should find the unique solutions"
        ));
    }
    let checksum = our_answer.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });

    let (mut ours_s, mut theirs_s) = (Vec::new(), Vec::new());
    for run in 0..options.runs {
        let (a, out_a) = ours()?;
        let (b, out_b) = theirs()?;
        if out_a != our_answer || out_b != their_answer {
            return Err(format!("run {run}: the output changed between runs"));
        }
        ours_s.push(a);
        theirs_s.push(b);
    }
    let (ours_med, theirs_med) = (median(ours_s), median(theirs_s));
    eprintln!(
        "{total} puzzles ({} x {}), all unique, outputs identical (FNV-1a {checksum:016x}); \
         {} interleaved runs each",
        puzzles.len(),
        options.repeat,
        options.runs
    );
    let ms = |s: f64| (s * 1e4).round() / 10.0;
    emit("engine_compare_ours_ms", ms(ours_med), "ms");
    emit("engine_compare_sudoku_crate_ms", ms(theirs_med), "ms");
    let rate = |s: f64| (total as f64 / s).round();
    emit("engine_compare_ours", rate(ours_med), "puzzles/s");
    emit("engine_compare_sudoku_crate", rate(theirs_med), "puzzles/s");
    let ratio = (theirs_med / ours_med * 1000.0).round() / 1000.0;
    emit("engine_compare_speed_ratio", ratio, "x");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_median() {
        let o = parse(&["--runs".into(), "3".into(), "--repeat".into(), "2".into()]).unwrap();
        assert_eq!((o.runs, o.repeat), (3, 2));
        assert!(parse(&["--runs".into(), "0".into()]).is_err());
        assert!(parse(&["--bogus".into()]).is_err());
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
