//! Checks that keep the repository's documents honest; test-only (`cargo test -p xtask`).
//!
//! SECURITY.md proves each mitigation by naming tests in the "Proved by" column of its tables,
//! each name in backticks: a Rust test function (`fn name` marked `#[test]` or
//! `#[wasm_bindgen_test]`, in any .rs file) or the title of an end-to-end test
//! (`test("title"` or `it("title"` in tests/e2e/*.mjs). A renamed or deleted test must not
//! leave the document claiming a proof that no longer runs.

use std::fs;
use std::path::{Path, PathBuf};

/// Directories never searched.
const SKIP_DIRS: [&str; 3] = ["target", "node_modules", ".git"];

/// The repository root (xtask is one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the repository")
        .to_path_buf()
}

/// Cells of a Markdown table row (`| a | b |` → `[" a ", " b "]`).
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').collect()
}

/// The texts between pairs of backticks.
fn backticked(cell: &str) -> impl Iterator<Item = &str> + '_ {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `(line number, name)` for every backticked name in a "Proved by" column of any table.
fn proved_by_names(doc: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut column: Option<usize> = None;
    for (index, line) in doc.lines().enumerate() {
        if !line.trim_start().starts_with('|') {
            column = None; // the table ended
            continue;
        }
        let row = cells(line);
        if let Some(c) = row
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case("proved by"))
        {
            column = Some(c);
            continue;
        }
        let Some(c) = column else { continue };
        let separator = row
            .iter()
            .all(|c| c.trim().chars().all(|ch| ch == '-' || ch == ':'));
        if separator {
            continue;
        }
        if let Some(cell) = row.get(c) {
            out.extend(backticked(cell).map(|name| (index + 1, name.to_string())));
        }
    }
    out
}

/// Every file under `dir` whose name ends in `ext`, skipping [`SKIP_DIRS`].
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() {
            if !SKIP_DIRS.iter().any(|s| name == *s) {
                files(&path, ext, out);
            }
        } else if kind.is_file() && name.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

fn read_all(paths: Vec<PathBuf>) -> Vec<(PathBuf, String)> {
    paths
        .into_iter()
        .filter_map(|p| fs::read_to_string(&p).ok().map(|text| (p, text)))
        .collect()
}

/// Is `lines[at]` (which holds `fn name`) preceded by a test attribute? Walks back over the
/// attributes and comments directly above it.
fn marked_as_test(lines: &[&str], at: usize) -> bool {
    lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .any(|l| l == "#[test]" || l.starts_with("#[wasm_bindgen_test"))
}

/// Where `fn name(` occurs in Rust sources: `(file, line, is a test)`.
fn rust_fns(name: &str, rust: &[(PathBuf, String)]) -> Vec<(PathBuf, usize, bool)> {
    let needle = format!("fn {name}");
    let mut found = Vec::new();
    for (path, text) in rust {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(at) = line.find(&needle) else {
                continue;
            };
            let before_ok = at == 0 || line[..at].ends_with(char::is_whitespace);
            let after = line[at + needle.len()..].trim_start();
            if before_ok && (after.starts_with('(') || after.starts_with('<')) {
                found.push((path.clone(), i + 1, marked_as_test(&lines, i)));
            }
        }
    }
    found
}

/// Could `name` be a Rust function name?
fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_e2e_title(name: &str, e2e: &[(PathBuf, String)]) -> bool {
    let forms = [
        format!("test(\"{name}\""),
        format!("it(\"{name}\""),
        format!("test('{name}'"),
        format!("it('{name}'"),
    ];
    e2e.iter()
        .any(|(_, text)| forms.iter().any(|f| text.contains(f.as_str())))
}

#[test]
fn security_md_proved_by_names_real_tests() {
    let root = root();
    let doc_path = root.join("SECURITY.md");
    let doc = fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    let names = proved_by_names(&doc);
    assert!(
        names.len() >= 20,
        "SECURITY.md: found only {} test names in \"Proved by\" columns. The check expects Markdown \
         tables with a header cell \"Proved by\" and each test name in backticks; fix the tables \
         in SECURITY.md or this parser in xtask/src/tidy.rs.",
        names.len()
    );

    let mut rust_paths = Vec::new();
    files(&root, ".rs", &mut rust_paths);
    let rust = read_all(rust_paths);
    let mut e2e_paths = Vec::new();
    let e2e_dir = root.join("tests").join("e2e");
    if let Ok(entries) = fs::read_dir(&e2e_dir) {
        e2e_paths.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "mjs")),
        );
    }
    let e2e = read_all(e2e_paths);

    let mut problems = Vec::new();
    for (line, name) in &names {
        if is_e2e_title(name, &e2e) {
            continue;
        }
        let fns = rust_fns(name, &rust);
        if fns.iter().any(|(_, _, test)| *test) {
            continue;
        }
        let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
        match fns.first() {
            Some((path, at, _)) => problems.push(format!(
                "SECURITY.md line {line}: `{name}`: `fn {name}` at {}:{at} is not marked #[test] \
                 or #[wasm_bindgen_test]",
                shown(path)
            )),
            None if is_identifier(name) => problems.push(format!(
                "SECURITY.md line {line}: `{name}`: no test `fn {name}` in any .rs file and no \
                 test(\"{name}\" or it(\"{name}\" in tests/e2e/*.mjs"
            )),
            None => problems.push(format!(
                "SECURITY.md line {line}: `{name}`: no end-to-end test with this title \
                 (test(\"{name}\" or it(\"{name}\") in tests/e2e/*.mjs"
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "SECURITY.md names tests that do not exist:\n  {}\nFix: in SECURITY.md, write the test's \
         current name in the \"Proved by\" column (or drop the claim), or restore the test.",
        problems.join("\n  ")
    );
}

/// Regression: the committed wrangler.toml let requests without a token through
/// (`ALLOW_ANONYMOUS = "true"`), so deploying it unchanged opened the edge API to anyone
/// outside a browser. Loopback runs pass `--var ALLOW_ANONYMOUS:true` instead.
#[test]
fn regression_committed_wrangler_toml_allowed_anonymous_use() {
    let path = root().join("wrangler.toml");
    let toml = std::fs::read_to_string(&path).expect("wrangler.toml is readable");
    let setting: Vec<&str> = toml
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ALLOW_ANONYMOUS"))
        .collect();
    assert_eq!(
        setting,
        vec![r#"ALLOW_ANONYMOUS = "false""#],
        "{}: the committed edge API config must require tokens; local runs override it with --var",
        path.display()
    );
}
