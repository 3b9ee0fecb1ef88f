//! `sudoku`: the Machine Dream engine on the command line, for power users and scripts.
//!
//! Built with the `cli` feature: `cargo run -p solver-core --features cli --bin sudoku -- help`.
//! Every command reads a FILE, or standard input when FILE is `-` or absent, and writes one
//! output line per input puzzle (blank lines and lines starting with `#` are skipped and give
//! no output). See [`USAGE`] for the commands and the exit codes scripts can rely on:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every line was answered and is fine |
//! | 1 | some line was malformed, unsolvable, not unique or invalid (its output line says so) |
//! | 2 | usage error: unknown command or option, missing or bad option value |
//! | 3 | I/O error: a file could not be read, or standard output could not be written |

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{json, Value};
use solver_core::format::{parse_line, UpstreamPuzzle};
use solver_core::generate::{generate, GenerateOptions};
use solver_core::solve::{count_solutions, solve, solve_unique, SolveError};
use solver_core::symmetry::Symmetry;
use solver_core::{Band, Grid, Shape};

/// The `--help` text.
const USAGE: &str = "\
sudoku: solve, count, rate, hint, validate, convert, generate and benchmark Sudoku puzzles

USAGE: sudoku <COMMAND> [OPTIONS] [FILE|-]

Input is one puzzle per line in the one-line form ('.' or '0' empty, 1-9, A-P above 9;
81 characters for 9x9, also 16/36/144/256/625 for the other sizes), from FILE or from
standard input when FILE is '-' or absent. Blank lines and lines starting with '#' are
skipped and produce no output; every other input line produces exactly one output line.

COMMANDS:
  solve [FILE]              per line: the unique solution in one-line form, or
                            'none' (no solution, including givens that break a rule),
                            'multiple' (more than one solution), or 'error: line N: ...'
  count [--limit N] [FILE]  per line: {\"line\":N,\"count\":C,\"limit\":L} (C = min(solutions, L),
                            L defaults to 2) or {\"line\":N,\"error\":\"...\"}
  validate [FILE]           per line: {\"line\":N,\"size\":S,\"clues\":K,\"conflicts\":[...],
                            \"solutions\":0|1|2 (2 = two or more),\"unique\":bool,\"valid\":bool}
  rate [FILE]               per line: the human-technique rating as JSON (score, band,
                            techniques needed, whether guessing is needed)
  hint [FILE]               per line: {\"line\":N,\"step\":{...}} with the next human step, or
                            \"step\":null when no technique applies
  convert --to line|json|text [FILE]
                            input is one-line puzzles or upstream JSON (one object, a stream
                            of objects or an array); output one line per puzzle (line, json)
                            or a text rendering per puzzle followed by a blank line (text).
                            JSON output includes the solution when it is unique.
  generate [--size N] [--seed S] [--count K] [--symmetry none|rotational|reflectional|diagonal]
           [--band B] [--clues C] [--minimal] [--json]
                            K puzzles (default 1) with seeds S, S+1, ... (default 0), size N
                            (default 9), one per line; --json prints upstream JSON, one object
                            per line; --band easy|medium|hard|expert|diabolical targets a band;
                            --clues C stops removing clues at C; --minimal removes every clue
                            that can go
  bench [--data FILE] [--runs R]
                            benchmarks as JSON lines {\"bench\":...,\"value\":...,\"unit\":...}
                            (medians over R runs, default 5); FILE is a 9x9 line file,
                            by default the built-in top1465 collection
  help, --help, -h          this text;  --version  the version

EXIT CODES:
  0  every line was answered and is fine
  1  some line was malformed, unsolvable, not unique or invalid (its output line says so)
  2  usage error (unknown command or option, missing or bad value)
  3  I/O error (a file could not be read, or output could not be written)
";

/// A failure that ends the program, with its exit code.
enum Fail {
    /// Exit code 2.
    Usage(String),
    /// Exit code 3.
    Io(String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Io(format!("cannot write output: {e}"))
    }
}

/// Whether every line was fine (exit 0) or some was not (exit 1).
type Outcome = Result<bool, Fail>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(&args, &mut out).and_then(|ok| {
        out.flush()?;
        Ok(ok)
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Fail::Usage(message)) => {
            eprintln!("sudoku: {message}\nRun 'sudoku --help' for usage.");
            ExitCode::from(2)
        }
        Err(Fail::Io(message)) => {
            // A reader that stops early (`| head`) is not an error worth a message.
            if !message.contains("Broken pipe") {
                eprintln!("sudoku: {message}");
            }
            ExitCode::from(3)
        }
    }
}

fn run(args: &[String], out: &mut dyn Write) -> Outcome {
    let Some((command, rest)) = args.split_first() else {
        return Err(Fail::Usage("no command given".into()));
    };
    match command.as_str() {
        "help" | "--help" | "-h" => {
            out.write_all(USAGE.as_bytes())?;
            Ok(true)
        }
        "--version" | "version" => {
            writeln!(out, "sudoku {}", env!("CARGO_PKG_VERSION"))?;
            Ok(true)
        }
        "solve" => cmd_solve(&Args::parse(rest, &[])?, out),
        "count" => cmd_count(&Args::parse(rest, &["--limit"])?, out),
        "validate" => cmd_validate(&Args::parse(rest, &[])?, out),
        "rate" => cmd_rate(&Args::parse(rest, &[])?, out),
        "hint" => cmd_hint(&Args::parse(rest, &[])?, out),
        "convert" => cmd_convert(&Args::parse(rest, &["--to"])?, out),
        "generate" => cmd_generate(
            &Args::parse(
                rest,
                &[
                    "--size",
                    "--seed",
                    "--count",
                    "--symmetry",
                    "--band",
                    "--clues",
                    "--json",
                    "--minimal",
                ],
            )?,
            out,
        ),
        "bench" => cmd_bench(&Args::parse(rest, &["--data", "--runs"])?, out),
        other => Err(Fail::Usage(format!("unknown command {other:?}"))),
    }
}

/// Parsed options (`--name value`, `--name=value`, or a bare flag) and at most one FILE.
struct Args {
    options: Vec<(String, Option<String>)>,
    file: Option<String>,
}

/// Options that take no value.
const FLAGS: &[&str] = &["--json", "--minimal"];

impl Args {
    fn parse(args: &[String], allowed: &[&str]) -> Result<Args, Fail> {
        let mut parsed = Args {
            options: Vec::new(),
            file: None,
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg.starts_with("--") {
                let (name, inline) = match arg.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (arg.clone(), None),
                };
                if !allowed.contains(&name.as_str()) {
                    return Err(Fail::Usage(format!("unknown option {name}")));
                }
                if parsed.options.iter().any(|(n, _)| *n == name) {
                    return Err(Fail::Usage(format!("option {name} given twice")));
                }
                let value = if FLAGS.contains(&name.as_str()) {
                    if inline.is_some() {
                        return Err(Fail::Usage(format!("option {name} takes no value")));
                    }
                    None
                } else {
                    match inline {
                        Some(v) => Some(v),
                        None => Some(
                            iter.next()
                                .ok_or_else(|| Fail::Usage(format!("option {name} needs a value")))?
                                .clone(),
                        ),
                    }
                };
                parsed.options.push((name, value));
            } else if arg.starts_with('-') && arg != "-" {
                return Err(Fail::Usage(format!("unknown option {arg}")));
            } else if parsed.file.is_some() {
                return Err(Fail::Usage(format!("unexpected argument {arg:?}")));
            } else {
                parsed.file = Some(arg.clone());
            }
        }
        Ok(parsed)
    }

    fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// A numeric option, `default` when absent.
    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, Fail> {
        match self.value(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| Fail::Usage(format!("option {name}: {v:?} is not a valid number"))),
        }
    }

    fn no_file(&self, command: &str) -> Result<(), Fail> {
        match &self.file {
            Some(f) => Err(Fail::Usage(format!(
                "{command} takes no input file, got {f:?}"
            ))),
            None => Ok(()),
        }
    }

    /// The whole input: the file, or standard input. Invalid UTF-8 is replaced (and then
    /// reported per line by the parser), so only real I/O failures are errors here.
    fn input(&self) -> Result<String, Fail> {
        let bytes = match self.file.as_deref() {
            None | Some("-") => {
                let mut buf = Vec::new();
                io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| Fail::Io(format!("cannot read standard input: {e}")))?;
                buf
            }
            Some(path) => {
                std::fs::read(path).map_err(|e| Fail::Io(format!("cannot read {path}: {e}")))?
            }
        };
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The puzzle lines of `text`: `(1-based line number, parsed grid or error message)`.
fn puzzles(text: &str) -> impl Iterator<Item = (usize, Result<Grid, String>)> + '_ {
    text.lines().enumerate().filter_map(|(i, line)| {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let number = i + 1;
        Some((
            number,
            parse_line(trimmed).map_err(|e| format!("line {number}: {e}")),
        ))
    })
}

fn json_line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    writeln!(out, "{value}")
}

fn cmd_solve(args: &Args, out: &mut dyn Write) -> Outcome {
    let text = args.input()?;
    let mut ok = true;
    for (_, grid) in puzzles(&text) {
        let answer = match grid {
            Err(e) => format!("error: {e}"),
            Ok(grid) => match solve_unique(&grid) {
                Ok(solution) => solution.grid.to_line(),
                Err(SolveError::MultipleSolutions) => "multiple".into(),
                Err(SolveError::NoSolution | SolveError::Conflicting(_)) => "none".into(),
            },
        };
        ok &= !(answer.starts_with("error") || answer == "none" || answer == "multiple");
        writeln!(out, "{answer}")?;
    }
    Ok(ok)
}

fn cmd_count(args: &Args, out: &mut dyn Write) -> Outcome {
    let limit: usize = args.number("--limit", 2)?;
    if limit == 0 {
        return Err(Fail::Usage("option --limit must be at least 1".into()));
    }
    let text = args.input()?;
    let mut ok = true;
    for (line, grid) in puzzles(&text) {
        let value = match grid {
            Ok(grid) => {
                json!({"line": line, "count": count_solutions(&grid, limit), "limit": limit})
            }
            Err(e) => {
                ok = false;
                json!({"line": line, "error": e})
            }
        };
        json_line(out, &value)?;
    }
    Ok(ok)
}

fn cmd_validate(args: &Args, out: &mut dyn Write) -> Outcome {
    let text = args.input()?;
    let mut ok = true;
    for (line, grid) in puzzles(&text) {
        let value = match grid {
            Ok(grid) => {
                let conflicts = grid.conflicts();
                let solutions = if conflicts.is_empty() {
                    count_solutions(&grid, 2)
                } else {
                    0
                };
                let valid = conflicts.is_empty() && solutions == 1;
                ok &= valid;
                json!({
                    "line": line,
                    "size": grid.size(),
                    "clues": grid.filled_count(),
                    "conflicts": conflicts,
                    "solutions": solutions,
                    "unique": solutions == 1,
                    "valid": valid,
                })
            }
            Err(e) => {
                ok = false;
                json!({"line": line, "error": e})
            }
        };
        json_line(out, &value)?;
    }
    Ok(ok)
}

fn cmd_rate(args: &Args, out: &mut dyn Write) -> Outcome {
    json_per_valid_grid(args, out, "rating", solver_core::rate)
}

fn cmd_hint(args: &Args, out: &mut dyn Write) -> Outcome {
    json_per_valid_grid(args, out, "step", solver_core::next_step)
}

/// One JSON object per input line: `{"line", <key>: analyse(grid)}` for a grid whose givens
/// follow the rules, `{"line", "error"}` otherwise (which also makes the exit code 1).
fn json_per_valid_grid<T: serde::Serialize>(
    args: &Args,
    out: &mut dyn Write,
    key: &str,
    analyse: impl Fn(&Grid) -> T,
) -> Outcome {
    let text = args.input()?;
    let mut ok = true;
    for (line, grid) in puzzles(&text) {
        let value = match grid {
            Ok(grid) if grid.has_conflicts() => {
                ok = false;
                json!({"line": line, "error": format!("line {line}: the givens break a rule")})
            }
            Ok(grid) => {
                let mut value = json!({ "line": line });
                value[key] = serde_json::to_value(analyse(&grid))
                    .unwrap_or_else(|e| json!({"error": e.to_string()}));
                value
            }
            Err(e) => {
                ok = false;
                json!({"line": line, "error": e})
            }
        };
        json_line(out, &value)?;
    }
    Ok(ok)
}

/// Output formats of `convert`.
#[derive(Clone, Copy)]
enum To {
    Line,
    Json,
    Text,
}

fn cmd_convert(args: &Args, out: &mut dyn Write) -> Outcome {
    let to = match args.value("--to") {
        Some("line") => To::Line,
        Some("json") => To::Json,
        Some("text") => To::Text,
        Some(other) => {
            return Err(Fail::Usage(format!(
                "option --to: {other:?} is not line, json or text"
            )))
        }
        None => return Err(Fail::Usage("convert needs --to line|json|text".into())),
    };
    let text = args.input()?;
    let trimmed = text.trim_start();
    let items: Vec<Result<Grid, String>> = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        upstream_grids(trimmed)
    } else {
        puzzles(&text).map(|(_, g)| g).collect()
    };
    let mut ok = true;
    for item in items {
        match item {
            Err(e) => {
                ok = false;
                writeln!(out, "error: {e}")?;
            }
            Ok(grid) => match to {
                To::Line => writeln!(out, "{}", grid.to_line())?,
                To::Text => writeln!(out, "{}\n", grid.to_text())?,
                To::Json => {
                    let solution = solve_unique(&grid).ok().map(|s| s.grid);
                    let record = UpstreamPuzzle::from_grids(&grid, solution.as_ref());
                    let line = serde_json::to_string(&record)
                        .map_err(|e| Fail::Io(format!("cannot serialise: {e}")))?;
                    writeln!(out, "{line}")?;
                }
            },
        }
    }
    Ok(ok)
}

/// The givens of upstream JSON text: one object, a stream of objects (e.g. one per line) or
/// an array of objects. Errors name the puzzle (1-based) and serde's line and column.
fn upstream_grids(text: &str) -> Vec<Result<Grid, String>> {
    let records: Vec<Result<UpstreamPuzzle, String>> = if text.starts_with('[') {
        match serde_json::from_str::<Vec<Value>>(text) {
            Ok(values) => values
                .into_iter()
                .map(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                .collect(),
            Err(e) => vec![Err(format!("invalid puzzle JSON: {e}"))],
        }
    } else {
        let mut records = Vec::new();
        for item in serde_json::Deserializer::from_str(text).into_iter::<UpstreamPuzzle>() {
            match item {
                Ok(r) => records.push(Ok(r)),
                Err(e) => {
                    // The stream cannot resume after a syntax error.
                    records.push(Err(format!("invalid puzzle JSON: {e}")));
                    break;
                }
            }
        }
        records
    };
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.and_then(|r| r.givens().map_err(|e| e.to_string()))
                .map_err(|e| format!("puzzle {}: {e}", i + 1))
        })
        .collect()
}

fn cmd_generate(args: &Args, out: &mut dyn Write) -> Outcome {
    args.no_file("generate")?;
    let size: usize = args.number("--size", 9)?;
    Shape::new(size).map_err(|e| Fail::Usage(format!("option --size: {e}")))?;
    let seed: u64 = args.number("--seed", 0)?;
    let count: u64 = args.number("--count", 1)?;
    let symmetry: Symmetry = match args.value("--symmetry") {
        None => Symmetry::None,
        Some(s) => s
            .parse()
            .map_err(|e| Fail::Usage(format!("option --symmetry: {e}")))?,
    };
    let target_clues = match args.value("--clues") {
        None => None,
        Some(_) => Some(args.number("--clues", 0usize)?),
    };
    let band = match args.value("--band") {
        None => None,
        Some(b) => Some(
            b.parse::<solver_core::Band>()
                .map_err(|e| Fail::Usage(format!("option --band: {e}")))?,
        ),
    };
    let mut ok = true;
    for i in 0..count {
        let options = GenerateOptions {
            symmetry,
            target_clues,
            band,
            minimal: args.flag("--minimal"),
            ..GenerateOptions::new(size, seed.wrapping_add(i))
        };
        match generate(&options) {
            Ok(puzzle) if args.flag("--json") => {
                let line = serde_json::to_string(&puzzle.to_upstream())
                    .map_err(|e| Fail::Io(format!("cannot serialise: {e}")))?;
                writeln!(out, "{line}")?;
            }
            Ok(puzzle) => writeln!(out, "{}", puzzle.givens.to_line())?,
            Err(e) => {
                ok = false;
                writeln!(out, "error: seed {}: {e}", options.seed)?;
            }
        }
    }
    Ok(ok)
}

/// The median of some measurements.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The top1465 collection from the repository's `data/` folder.
const BUILT_IN_TOP1465: &str = include_str!("../../../data/top1465.txt");

fn cmd_bench(args: &Args, out: &mut dyn Write) -> Outcome {
    args.no_file("bench")?;
    let runs: usize = args.number("--runs", 5)?;
    if runs == 0 {
        return Err(Fail::Usage("option --runs must be at least 1".into()));
    }
    // Without --data the repository's top1465 collection is used; it is compiled in so that an
    // installed binary benchmarks the same puzzles wherever it runs.
    let (path, text) = match args.value("--data") {
        Some(path) => (
            path,
            std::fs::read_to_string(path)
                .map_err(|e| Fail::Io(format!("cannot read {path}: {e}")))?,
        ),
        None => ("built-in top1465", BUILT_IN_TOP1465.to_string()),
    };
    let mut grids = Vec::new();
    for (_, grid) in puzzles(&text) {
        grids.push(grid.map_err(|e| Fail::Io(format!("{path}: {e}")))?);
    }
    let n = grids.len() as f64;
    let emit = |out: &mut dyn Write, bench: &str, value: f64, unit: &str| {
        json_line(out, &json!({"bench": bench, "value": value, "unit": unit}))
    };
    let mut ok = true;

    let rates = (0..runs).map(|_| {
        let start = Instant::now();
        let mut solved = 0usize;
        for g in &grids {
            solved += usize::from(solve(g).solution().is_some());
        }
        (n / start.elapsed().as_secs_f64(), solved)
    });
    let (rates, solved): (Vec<f64>, Vec<usize>) = rates.unzip();
    ok &= solved.iter().all(|&s| s == grids.len());
    emit(out, "top1465_solve", median(rates).round(), "puzzles/s")?;

    let rates = (0..runs).map(|_| {
        let start = Instant::now();
        let mut unique = 0usize;
        for g in &grids {
            unique += usize::from(count_solutions(g, 2) == 1);
        }
        (n / start.elapsed().as_secs_f64(), unique)
    });
    let (rates, unique): (Vec<f64>, Vec<usize>) = rates.unzip();
    ok &= unique.iter().all(|&s| s == grids.len());
    emit(out, "top1465_unique", median(rates).round(), "puzzles/s")?;

    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for g in &grids {
                std::hint::black_box(solver_core::rate(g));
            }
            start.elapsed().as_secs_f64() * 1e3 / n
        })
        .collect();
    emit(out, "top1465_rate", median(times), "ms/puzzle")?;

    // The rating target is per puzzle (a hint must feel instant): the share rated in under
    // 10 ms each.
    let under_10ms = grids
        .iter()
        .filter(|g| {
            let start = Instant::now();
            std::hint::black_box(solver_core::rate(g));
            start.elapsed().as_secs_f64() < 0.010
        })
        .count();
    emit(
        out,
        "top1465_rate_under_10ms",
        100.0 * under_10ms as f64 / n,
        "%",
    )?;

    let batch = 200u64;
    let rates: Vec<f64> = (0..runs as u64)
        .map(|run| {
            let start = Instant::now();
            for seed in 0..batch {
                std::hint::black_box(generate(&GenerateOptions::new(9, run * batch + seed)).ok());
            }
            batch as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    emit(out, "generate_9x9", median(rates).round(), "puzzles/s")?;

    for shape in Shape::ALL {
        let seeds = if shape.size() >= 16 { 5 } else { 11 };
        let mut times = Vec::new();
        for seed in 0..seeds {
            let start = Instant::now();
            ok &= generate(&GenerateOptions::new(shape.size(), seed)).is_ok();
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let name = format!("generate_{0}x{0}_median", shape.size());
        emit(out, &name, median(times), "ms")?;
    }

    // Band-targeted generation: 9x9 in every band, and hard on the big grids.
    let banded = Band::ALL
        .iter()
        .map(|&band| (9, band, 11u64))
        .chain([(16, Band::Hard, 5), (25, Band::Hard, 3)]);
    for (size, band, seeds) in banded {
        let mut times = Vec::new();
        for seed in 0..seeds {
            let options = GenerateOptions {
                band: Some(band),
                ..GenerateOptions::new(size, seed)
            };
            let start = Instant::now();
            ok &= generate(&options).is_ok();
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let name = format!("generate_{size}x{size}_{band}_median");
        emit(out, &name, median(times), "ms")?;
    }
    Ok(ok)
}
