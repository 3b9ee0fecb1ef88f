//! The `sudoku` command-line tool, run as a process: output contract and exit codes.
//! Needs the `cli` feature (`cargo test -p solver-core --features cli`).
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const EASY: &str =
    "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
const EASY_SOLUTION: &str =
    "534678912672195348198342567859761423426853791713924856961537284287419635345286179";

/// Runs `sudoku args…` with `stdin` as standard input.
fn sudoku(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sudoku"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sudoku");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> Vec<String> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn solve_prints_one_answer_per_puzzle_line() {
    let input = format!(
        "# a comment\n{EASY}\n\n{}\n11..............\n1...............\n12x.\n",
        "1....7.9..3..2...8..96..5....53..9...1..8...26....4...3......1..4......7..7...3.."
    );
    let o = sudoku(&["solve"], &input);
    assert_eq!(o.status.code(), Some(1));
    let lines = stdout(&o);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], EASY_SOLUTION);
    assert_eq!(lines[1].len(), 81);
    assert!(!lines[1].contains('.'));
    assert_eq!(lines[2], "none");
    assert_eq!(lines[3], "multiple");
    assert!(
        lines[4].starts_with("error: line 7: "),
        "the error names the line: {}",
        lines[4]
    );

    let o = sudoku(&["solve", "-"], &format!("{EASY}\n"));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), [EASY_SOLUTION]);
}

#[test]
fn solve_reads_a_file() {
    let path = std::env::temp_dir().join(format!("sudoku-cli-{}.txt", std::process::id()));
    std::fs::write(&path, format!("{EASY}\r\n{EASY}\r\n")).unwrap();
    let o = sudoku(&["solve", path.to_str().unwrap()], "");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), [EASY_SOLUTION, EASY_SOLUTION]);
}

#[test]
fn count_prints_json_lines() {
    let o = sudoku(
        &["count", "--limit", "300"],
        &format!("{EASY}\n................\nnot a puzzle\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(
        v[0],
        serde_json::json!({"line": 1, "count": 1, "limit": 300})
    );
    assert_eq!(v[1]["count"], 288);
    assert_eq!(v[2]["line"], 3);
    assert!(v[2]["error"].as_str().unwrap().starts_with("line 3:"));

    let o = sudoku(&["count", "--limit=1"], "................\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_lines(&o)[0]["count"], 1);
}

#[test]
fn validate_reports_conflicts_and_uniqueness() {
    let o = sudoku(
        &["validate"],
        &format!("{EASY}\n11..............\n................\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["clues"], 30);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["conflicts"].as_array().unwrap().len(), 2);
    assert_eq!(v[1]["conflicts"][0]["kind"], "row");
    assert_eq!(v[2]["solutions"], 2);
    assert_eq!(v[2]["unique"], false);

    let o = sudoku(&["validate"], &format!("{EASY}\n"));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn convert_between_line_json_and_text() {
    let o = sudoku(&["convert", "--to", "json"], &format!("{EASY}\n"));
    assert_eq!(o.status.code(), Some(0));
    let json = stdout(&o).join("\n");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["size"], 9);
    assert_eq!(v["grid"][0][0], 5);
    assert_eq!(v["solution"][0][2], 4);

    // A stream of objects, an array, and a pretty-printed object all convert back.
    for input in [
        format!("{json}\n{json}\n"),
        format!("[{json}, {json}]"),
        serde_json::to_string_pretty(&v).unwrap(),
    ] {
        let o = sudoku(&["convert", "--to", "line"], &input);
        assert_eq!(o.status.code(), Some(0), "{input}");
        assert!(stdout(&o).iter().all(|l| l == EASY));
    }

    let o = sudoku(&["convert", "--to", "text"], &format!("{EASY}\n"));
    let text = stdout(&o);
    assert_eq!(text[0], "5 3 . | . 7 . | . . .");
    assert_eq!(text.len(), 12, "11 rows of text and a blank line");

    let o = sudoku(&["convert", "--to", "line"], "{\"grid\": [[1, 2], [3]]}");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o)[0].starts_with("error: puzzle 1: "));
    let o = sudoku(&["convert", "--to", "line"], "{\"grid\": ");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn converts_the_upstream_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/upstream-puzzles");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let o = sudoku(&["convert", "--to", "line", path.to_str().unwrap()], "");
            assert_eq!(o.status.code(), Some(0), "{}", path.display());
            assert!(!stdout(&o).is_empty());
            files += 1;
        }
    }
    assert!(files > 0);
}

#[test]
fn generate_is_seeded_and_unique() {
    let args = [
        "generate",
        "--size",
        "9",
        "--seed",
        "7",
        "--count",
        "3",
        "--symmetry",
        "rotational",
    ];
    let a = sudoku(&args, "");
    assert_eq!(a.status.code(), Some(0));
    let lines = stdout(&a);
    assert_eq!(lines.len(), 3);
    assert_eq!(stdout(&sudoku(&args, "")), lines, "same seed, same puzzles");
    // Every generated puzzle is unique, as `solve` confirms.
    let o = sudoku(&["solve"], &(lines.join("\n") + "\n"));
    assert_eq!(o.status.code(), Some(0));

    let o = sudoku(
        &["generate", "--band", "easy", "--seed", "5", "--count", "2"],
        "",
    );
    assert_eq!(o.status.code(), Some(0));
    let lines = stdout(&o);
    let rated = json_lines(&sudoku(&["rate"], &(lines.join("\n") + "\n")));
    assert!(
        rated.iter().all(|r| r["rating"]["band"] == "easy"),
        "{rated:?}"
    );

    let o = sudoku(&["generate", "--size", "4", "--json", "--seed=3"], "");
    let v = json_lines(&o);
    assert_eq!(v[0]["size"], 4);
    assert_eq!(v[0]["seed"], 3);
    assert!(v[0]["solution"].is_array());
}

#[test]
fn rate_and_hint_print_json_lines() {
    let o = sudoku(&["rate"], &format!("{EASY}\nbad\n"));
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v[0]["line"], 1);
    assert_eq!(v[0]["rating"]["needs_guessing"], false);
    assert!(v[1]["error"].is_string());

    let o = sudoku(&["hint"], &format!("{EASY}\n{EASY_SOLUTION}\n"));
    assert_eq!(o.status.code(), Some(0));
    let v = json_lines(&o);
    assert!(!v[0]["step"]["reason"].as_str().unwrap().is_empty());
    assert!(v[1]["step"].is_null());
}

#[test]
fn usage_and_io_errors_have_their_exit_codes() {
    for args in [
        &["frobnicate"][..],
        &[],
        &["count", "--limit"],
        &["count", "--limit", "many"],
        &["count", "--limit", "0"],
        &["solve", "--fast"],
        &["solve", "a", "b"],
        &["convert"],
        &["convert", "--to", "xml"],
        &["generate", "--size", "10"],
        &["generate", "--symmetry", "spiral"],
        &["generate", "--json=yes"],
        &["generate", "--band", "impossible"],
    ] {
        let o = sudoku(args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}");
    }
    let o = sudoku(&["solve", "/nonexistent/puzzles.txt"], "");
    assert_eq!(o.status.code(), Some(3));
    let o = sudoku(&["--help"], "");
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("EXIT CODES"));
}

#[test]
fn malformed_input_never_panics() {
    let junk = "\u{0}\u{7f}ÿ\n{\"grid\":[[99]]}\n\u{1F600}\n.........\n123456789ABCDEFG\n";
    for cmd in ["solve", "count", "validate", "rate", "hint"] {
        let o = sudoku(&[cmd], junk);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(
            o.stderr.is_empty(),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_sudoku"))
        .arg("solve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\xff\xfe\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o)[0].starts_with("error: line 1"));
}
