//! The dependency rules of ARCHITECTURE.md, checked by reading the sources: `cargo test -p
//! xtask` fails when one is broken, and the message names the file, the line and the rule.
//!
//! The checks read Rust the way a reviewer would, not the way the compiler does: comments,
//! string and char literals are blanked out first, `#[cfg(test)]` items are left out where a
//! rule allows tests (a unit test may read a fixture file), every `use` tree is expanded into
//! full paths (groups, `self`, globs, `as` renames), and every other `a::b` path in the code
//! is read as it stands (through those renames). A path breaks a rule when its segments start
//! with a forbidden path. The manifests' dependency tables are checked against allowlists, so
//! a crate that is not allowed cannot even be named through a macro.
//!
//! Std only, like the rest of xtask.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// A rule over source files.
struct Rule {
    /// What the rule says, as ARCHITECTURE.md says it (and failure messages quote it).
    name: &'static str,
    /// The files it applies to: repository-relative paths starting with one of these.
    scope: &'static [&'static str],
    /// Files inside the scope it does not apply to (prefixes).
    exempt: &'static [&'static str],
    /// Whether `#[cfg(test)]` items are left out.
    allows_tests: bool,
    /// Forbidden paths; `a::b` forbids `a::b` and everything under it.
    forbidden: &'static [&'static str],
}

/// The human-technique solver: its module and every item solver-core re-exports from it at
/// its root (kept in step with solver-core's `lib.rs` by a test below).
const HUMAN_SOLVER: &[&str] = &[
    "solver_core::human",
    "solver_core::next_step",
    "solver_core::rate",
    "solver_core::solve_steps",
    "solver_core::Band",
    "solver_core::Rating",
    "solver_core::Step",
    "solver_core::Technique",
];

/// Browser, worker and I/O paths: what a pure crate must never touch.
const PLATFORM_AND_IO: &[&str] = &[
    "web_sys",
    "js_sys",
    "wasm_bindgen",
    "wasm_bindgen_futures",
    "worker",
    "gloo_timers",
    "gloo_net",
    "indexed_db_futures",
    "leptos",
    "std::fs",
    "std::io",
    "std::net",
    "std::env",
    "std::process",
    "std::thread",
    "std::time::SystemTime",
    "std::time::Instant",
];

const RULES: &[Rule] = &[
    Rule {
        name: "the engine (solver-core) never imports the lab (learning-lab)",
        scope: &["solver-core/"],
        exempt: &[],
        allows_tests: false,
        forbidden: &["learning_lab"],
    },
    Rule {
        name: "the play protocol (learning-lab play/) never uses the human-technique solver",
        scope: &["learning-lab/src/play/"],
        exempt: &[],
        allows_tests: false,
        forbidden: HUMAN_SOLVER,
    },
    Rule {
        name: "solver-core and learning-lab use no platform types and do no I/O",
        scope: &["solver-core/src/", "learning-lab/src/"],
        exempt: &["solver-core/src/bin/"],
        allows_tests: true,
        forbidden: PLATFORM_AND_IO,
    },
    Rule {
        name: "the runner is a thin I/O adapter: it never imports the app or the edge API",
        scope: &["runner/"],
        exempt: &[],
        allows_tests: false,
        forbidden: &["web", "worker_api", "leptos", "worker"],
    },
    Rule {
        name: "the runner never gives the model the human-technique solver's help",
        scope: &["runner/src/"],
        exempt: &[],
        allows_tests: false,
        forbidden: HUMAN_SOLVER,
    },
    Rule {
        name: "web and worker-api never import each other",
        scope: &["web/"],
        exempt: &[],
        allows_tests: false,
        forbidden: &["worker_api"],
    },
    Rule {
        name: "web and worker-api never import each other",
        scope: &["worker-api/"],
        exempt: &[],
        allows_tests: false,
        forbidden: &["web"],
    },
    Rule {
        name:
            "worker-api's pure modules never touch the Workers runtime or its wasm32-only modules",
        scope: &[
            "worker-api/src/anthropic.rs",
            "worker-api/src/auth.rs",
            "worker-api/src/config.rs",
            "worker-api/src/cors.rs",
            "worker-api/src/errors.rs",
            "worker-api/src/limits.rs",
            "worker-api/src/log.rs",
            "worker-api/src/meta.rs",
            "worker-api/src/proxy.rs",
            "worker-api/src/resilience.rs",
            "worker-api/src/routes.rs",
            "worker-api/src/stream_usage.rs",
            "worker-api/src/validate.rs",
        ],
        exempt: &[],
        allows_tests: false,
        forbidden: &[
            "worker",
            "wasm_bindgen",
            "crate::handler",
            "crate::limiter",
            "crate::runtime",
            "crate::upstream",
        ],
    },
];

/// A rule over a manifest's dependency tables.
struct DependencyRule {
    name: &'static str,
    manifest: &'static str,
    /// Allowed in `[dependencies]`, `[build-dependencies]` and target-specific ones; `None`:
    /// anything not `denied`.
    allowed: Option<&'static [&'static str]>,
    /// Allowed in `[dev-dependencies]` (and target-specific ones), besides `allowed`.
    allowed_dev: &'static [&'static str],
    /// Never allowed, in any table.
    denied: &'static [&'static str],
}

const DEPENDENCY_RULES: &[DependencyRule] = &[
    DependencyRule {
        name: "solver-core depends on serde only (criterion and proptest for tests)",
        manifest: "solver-core/Cargo.toml",
        allowed: Some(&["serde", "serde_json"]),
        allowed_dev: &["criterion", "proptest"],
        denied: &[],
    },
    DependencyRule {
        name:
            "learning-lab depends on solver-core and serde only (criterion and proptest for tests)",
        manifest: "learning-lab/Cargo.toml",
        allowed: Some(&["solver-core", "serde", "serde_json"]),
        allowed_dev: &["criterion", "proptest"],
        denied: &[],
    },
    DependencyRule {
        name: "web and worker-api never import each other",
        manifest: "web/Cargo.toml",
        allowed: None,
        allowed_dev: &[],
        denied: &["worker-api", "worker"],
    },
    DependencyRule {
        name: "web and worker-api never import each other",
        manifest: "worker-api/Cargo.toml",
        allowed: None,
        allowed_dev: &[],
        denied: &["web", "learning-lab", "leptos"],
    },
    DependencyRule {
        name: "runner depends on the lab, the engine, serde, ureq, indicatif and ctrlc only \
               (tiny_http for tests)",
        manifest: "runner/Cargo.toml",
        allowed: Some(&[
            "learning-lab",
            "solver-core",
            "serde",
            "serde_json",
            "ureq",
            "indicatif",
            "ctrlc",
        ]),
        allowed_dev: &["tiny_http"],
        denied: &["web", "worker-api"],
    },
    DependencyRule {
        name: "xtask depends on no project crate (tiny_http, ctrlc and flate2 only)",
        manifest: "xtask/Cargo.toml",
        allowed: Some(&["tiny_http", "ctrlc", "flate2"]),
        allowed_dev: &[],
        denied: &[],
    },
];

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    /// Repository-relative path.
    file: String,
    /// 1-based.
    line: usize,
    rule: &'static str,
    /// What was found, e.g. `solver_core::human::rate`.
    found: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}` breaks the rule \"{}\"",
            self.file, self.line, self.found, self.rule
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Reading Rust source.

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `src` with comments, string literals and char literals replaced by spaces (newlines kept,
/// so line numbers stay), as chars.
fn blank_comments_and_literals(src: &str) -> Vec<char> {
    let mut c: Vec<char> = src.chars().collect();
    let n = c.len();
    let blank = |c: &mut Vec<char>, from: usize, to: usize| {
        for ch in c.iter_mut().take(to.min(n)).skip(from) {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    };
    let mut i = 0;
    while i < n {
        let prev_is_ident = i > 0 && is_ident_char(c[i - 1]);
        match c[i] {
            '/' if i + 1 < n && c[i + 1] == '/' => {
                let end = (i..n).find(|&k| c[k] == '\n').unwrap_or(n);
                blank(&mut c, i, end);
                i = end;
            }
            '/' if i + 1 < n && c[i + 1] == '*' => {
                let mut depth = 0;
                let mut k = i;
                while k < n {
                    if c[k] == '/' && k + 1 < n && c[k + 1] == '*' {
                        depth += 1;
                        k += 2;
                    } else if c[k] == '*' && k + 1 < n && c[k + 1] == '/' {
                        depth -= 1;
                        k += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        k += 1;
                    }
                }
                blank(&mut c, i, k);
                i = k;
            }
            'r' | 'b' | 'c' if !prev_is_ident && raw_string_start(&c, i).is_some() => {
                let (hashes, open) = raw_string_start(&c, i).expect("checked");
                let mut k = open + 1;
                while k < n {
                    if c[k] == '"' && (0..hashes).all(|h| k + 1 + h < n && c[k + 1 + h] == '#') {
                        k += 1 + hashes;
                        break;
                    }
                    k += 1;
                }
                blank(&mut c, i, k);
                i = k;
            }
            'b' | 'c' if !prev_is_ident && i + 1 < n && c[i + 1] == '"' => {
                let end = string_end(&c, i + 1);
                blank(&mut c, i, end);
                i = end;
            }
            '"' => {
                let end = string_end(&c, i);
                blank(&mut c, i, end);
                i = end;
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{1F600}'), or else a lifetime ('a), kept.
                if i + 1 < n && c[i + 1] == '\\' {
                    let end = (i + 2..n).find(|&k| c[k] == '\'').map_or(n, |k| k + 1);
                    blank(&mut c, i, end);
                    i = end;
                } else if i + 2 < n && c[i + 2] == '\'' {
                    blank(&mut c, i, i + 3);
                    i += 3;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    c
}

/// At `i`: `r"`, `r#…#"`, `br…`, `cr…`? Then (number of `#`, index of the opening quote).
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut k = i;
    if c[k] == 'b' || c[k] == 'c' {
        k += 1;
    }
    if c.get(k) != Some(&'r') {
        return None;
    }
    k += 1;
    let mut hashes = 0;
    while c.get(k) == Some(&'#') {
        hashes += 1;
        k += 1;
    }
    (c.get(k) == Some(&'"')).then_some((hashes, k))
}

/// The index after the closing quote of the string opening at `open`.
fn string_end(c: &[char], open: usize) -> usize {
    let mut k = open + 1;
    while k < c.len() {
        match c[k] {
            '\\' => k += 2,
            '"' => return k + 1,
            _ => k += 1,
        }
    }
    c.len()
}

/// Blanks every item marked `#[cfg(test)]` (to its `;` or its closing brace).
fn blank_test_items(c: &mut [char]) {
    let squeezed: Vec<(usize, char)> = c
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, ch)| !ch.is_whitespace())
        .collect();
    let pattern: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut starts = Vec::new();
    for w in 0..squeezed.len().saturating_sub(pattern.len() - 1) {
        if (0..pattern.len()).all(|p| squeezed[w + p].1 == pattern[p]) {
            starts.push((squeezed[w].0, squeezed[w + pattern.len() - 1].0 + 1));
        }
    }
    for (start, after) in starts {
        let mut depth = 0usize;
        let mut end = c.len();
        for (k, &ch) in c.iter().enumerate().skip(after) {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        for ch in c.iter_mut().take(end).skip(start) {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    }
}

/// A path the code names, with the char offset of its last segment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedPath {
    segments: Vec<String>,
    offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
}

/// The tokens of a `use` tree between `from` and `to`, with their offsets.
fn use_tokens(c: &[char], from: usize, to: usize) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let mut k = from;
    while k < to {
        let ch = c[k];
        if ch.is_whitespace() {
            k += 1;
        } else if ch == ':' && k + 1 < to && c[k + 1] == ':' {
            out.push((Token::PathSep, k));
            k += 2;
        } else if is_ident_char(ch) {
            let start = k;
            while k < to && is_ident_char(c[k]) {
                k += 1;
            }
            out.push((Token::Ident(c[start..k].iter().collect()), start));
        } else {
            out.push((
                match ch {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    '*' => Token::Star,
                    _ => {
                        k += 1;
                        continue;
                    }
                },
                k,
            ));
            k += 1;
        }
    }
    out
}

/// Expands one `use` tree into its leaves; `as` renames go into `aliases`.
fn expand_use(
    tokens: &[(Token, usize)],
    pos: &mut usize,
    prefix: &[String],
    out: &mut Vec<NamedPath>,
    aliases: &mut BTreeMap<String, Vec<String>>,
) {
    let mut segments = prefix.to_vec();
    let mut last_offset = tokens.get(*pos).map_or(0, |t| t.1);
    loop {
        match tokens.get(*pos).cloned() {
            Some((Token::PathSep, _)) => *pos += 1,
            Some((Token::Open, _)) => {
                *pos += 1;
                loop {
                    match tokens.get(*pos) {
                        Some((Token::Close, _)) => {
                            *pos += 1;
                            return;
                        }
                        Some((Token::Comma, _)) => *pos += 1,
                        None => return,
                        _ => expand_use(tokens, pos, &segments, out, aliases),
                    }
                }
            }
            Some((Token::Star, offset)) => {
                *pos += 1;
                segments.push("*".into());
                out.push(NamedPath { segments, offset });
                return;
            }
            Some((Token::Ident(name), _)) if name == "as" => {
                *pos += 1;
                if let Some((Token::Ident(alias), _)) = tokens.get(*pos).cloned() {
                    *pos += 1;
                    if alias != "_" {
                        aliases.insert(alias, segments.clone());
                    }
                }
                out.push(NamedPath {
                    segments,
                    offset: last_offset,
                });
                return;
            }
            Some((Token::Ident(name), offset)) => {
                *pos += 1;
                last_offset = offset;
                if name != "self" {
                    segments.push(name);
                }
                let continues = matches!(tokens.get(*pos), Some((Token::PathSep, _)))
                    || matches!(tokens.get(*pos), Some((Token::Ident(a), _)) if a == "as");
                if !continues {
                    out.push(NamedPath {
                        segments,
                        offset: last_offset,
                    });
                    return;
                }
            }
            _ => {
                if segments.len() > prefix.len() {
                    out.push(NamedPath {
                        segments,
                        offset: last_offset,
                    });
                }
                return;
            }
        }
    }
}

/// Whether `use`/`crate` at `k` is a keyword (not part of a longer identifier).
fn keyword_at(c: &[char], k: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    k + w.len() <= c.len()
        && c[k..k + w.len()] == w[..]
        && (k == 0 || !is_ident_char(c[k - 1]))
        && c.get(k + w.len()).is_none_or(|ch| !is_ident_char(*ch))
}

/// Every path `code` (already blanked) names: `use` leaves, `extern crate` names and inline
/// `a::b` paths, with `as` renames applied to inline paths.
fn named_paths(code: &mut [char]) -> Vec<NamedPath> {
    let mut out = Vec::new();
    let mut aliases = BTreeMap::new();
    let n = code.len();
    // `use` trees and `extern crate`, then blanked so the inline scan does not see them again.
    let mut k = 0;
    while k < n {
        if keyword_at(code, k, "use") {
            let end = (k..n).find(|&e| code[e] == ';').unwrap_or(n);
            let tokens = use_tokens(code, k + 3, end);
            let mut pos = 0;
            while pos < tokens.len() {
                let before = pos;
                expand_use(&tokens, &mut pos, &[], &mut out, &mut aliases);
                if pos == before {
                    pos += 1;
                }
            }
            for ch in code.iter_mut().take(end).skip(k) {
                if *ch != '\n' {
                    *ch = ' ';
                }
            }
            k = end;
        } else if keyword_at(code, k, "extern") {
            let end = (k..n).find(|&e| code[e] == ';').unwrap_or(n);
            let tokens = use_tokens(code, k + 6, end);
            if let [(Token::Ident(kw), _), (Token::Ident(name), offset), ..] = &tokens[..] {
                if kw == "crate" {
                    out.push(NamedPath {
                        segments: vec![name.clone()],
                        offset: *offset,
                    });
                    if let [_, _, (Token::Ident(as_kw), _), (Token::Ident(alias), _)] = &tokens[..]
                    {
                        if as_kw == "as" {
                            aliases.insert(alias.clone(), vec![name.clone()]);
                        }
                    }
                }
            }
            k = end;
        } else {
            k += 1;
        }
    }
    // Inline paths of two or more segments.
    let mut k = 0;
    while k < n {
        if is_ident_char(code[k]) && (k == 0 || !is_ident_char(code[k - 1]) && code[k - 1] != ':') {
            let mut segments = Vec::new();
            let mut e = k;
            // The offset of the last segment: where the path ends up pointing.
            let offset = loop {
                let start = e;
                while e < n && is_ident_char(code[e]) {
                    e += 1;
                }
                segments.push(code[start..e].iter().collect::<String>());
                if e + 2 < n && code[e] == ':' && code[e + 1] == ':' && is_ident_char(code[e + 2]) {
                    e += 2;
                } else {
                    break start;
                }
            };
            if segments.len() >= 2 && !segments[0].chars().next().is_some_and(char::is_numeric) {
                if let Some(full) = aliases.get(&segments[0]) {
                    let mut expanded = full.clone();
                    expanded.extend(segments.drain(1..));
                    segments = expanded;
                }
                out.push(NamedPath { segments, offset });
            }
            k = e.max(k + 1);
        } else {
            k += 1;
        }
    }
    out
}

/// Whether `path` reaches `forbidden` (or, as a glob, brings it in).
fn reaches(path: &[String], forbidden: &[&str]) -> bool {
    if path.last().is_some_and(|s| s == "*") {
        let base = &path[..path.len() - 1];
        return forbidden.len() > base.len() && base.iter().zip(forbidden).all(|(a, b)| a == b)
            || reaches(base, forbidden);
    }
    path.len() >= forbidden.len() && path.iter().zip(forbidden).all(|(a, b)| a == b)
}

fn line_of(code: &[char], offset: usize) -> usize {
    1 + code[..offset.min(code.len())]
        .iter()
        .filter(|&&c| c == '\n')
        .count()
}

/// The violations of `rule` in the source `text` of `file` (repository-relative).
fn check_source(rule: &Rule, file: &str, text: &str) -> Vec<Violation> {
    let mut code = blank_comments_and_literals(text);
    if rule.allows_tests {
        blank_test_items(&mut code);
    }
    let paths = named_paths(&mut code);
    // Offsets count chars, and blanking keeps every newline where it was.
    let code: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for path in paths {
        for f in rule.forbidden {
            let forbidden: Vec<&str> = f.split("::").collect();
            if reaches(&path.segments, &forbidden) {
                out.push(Violation {
                    file: file.to_string(),
                    line: line_of(&code, path.offset),
                    rule: rule.name,
                    found: path.segments.join("::"),
                });
                break;
            }
        }
    }
    out
}

fn applies(rule: &Rule, file: &str) -> bool {
    rule.scope.iter().any(|s| file.starts_with(s))
        && !rule.exempt.iter().any(|e| file.starts_with(e))
}

// ---------------------------------------------------------------------------------------------
// Reading manifests.

/// The dependencies a manifest declares: (name, line, is a dev-dependency).
fn manifest_dependencies(text: &str) -> Vec<(String, usize, bool)> {
    let mut out = Vec::new();
    // Some(is_dev) inside a dependency table.
    let mut table: Option<bool> = None;
    let mut depth = 0i32;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if depth > 0 {
            depth += line.matches('[').count() as i32 - line.matches(']').count() as i32;
            continue;
        }
        if line.starts_with('[') {
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            let parts: Vec<&str> = header.split('.').collect();
            table = None;
            if let Some(at) = parts.iter().rposition(|p| p.ends_with("dependencies")) {
                let is_dev = parts[at] == "dev-dependencies";
                if let Some(name) = parts.get(at + 1) {
                    // `[dependencies.foo]`: one dependency, its keys follow.
                    out.push((name.trim_matches('"').to_string(), i + 1, is_dev));
                } else {
                    table = Some(is_dev);
                }
            }
            continue;
        }
        let Some(is_dev) = table else { continue };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let name = key.split('.').next().unwrap_or(key).trim_matches('"');
        if name.is_empty() {
            continue;
        }
        let package = value
            .split_once("package")
            .and_then(|(_, rest)| rest.split('"').nth(1))
            .map(str::to_string);
        out.push((package.unwrap_or_else(|| name.to_string()), i + 1, is_dev));
        depth = value.matches('[').count() as i32 - value.matches(']').count() as i32;
    }
    out
}

fn check_manifest(rule: &DependencyRule, text: &str) -> Vec<Violation> {
    manifest_dependencies(text)
        .into_iter()
        .filter(|(name, _, is_dev)| {
            let denied = rule.denied.contains(&name.as_str());
            let allowed = match rule.allowed {
                None => true,
                Some(allowed) => {
                    allowed.contains(&name.as_str())
                        || (*is_dev && rule.allowed_dev.contains(&name.as_str()))
                }
            };
            denied || !allowed
        })
        .map(|(name, line, is_dev)| Violation {
            file: rule.manifest.to_string(),
            line,
            rule: rule.name,
            found: format!(
                "{} {name}",
                if is_dev {
                    "dev-dependency"
                } else {
                    "dependency"
                }
            ),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Walking the repository.

/// Every `.rs` file under `dir`, repository-relative, skipping build output and tooling.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !(name.starts_with('.')
                || name == "target"
                || name == "node_modules"
                || name == "dist")
            {
                rust_files(root, &path, out);
            }
        } else if name.ends_with(".rs") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn all_violations(root: &Path) -> Vec<Violation> {
    let mut files = Vec::new();
    rust_files(root, root, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in &files {
        let rules: Vec<&Rule> = RULES.iter().filter(|r| applies(r, file)).collect();
        if rules.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("{file}: cannot read: {e}"));
        for rule in rules {
            out.extend(check_source(rule, file, &text));
        }
    }
    for rule in DEPENDENCY_RULES {
        let text = std::fs::read_to_string(root.join(rule.manifest))
            .unwrap_or_else(|e| panic!("{}: cannot read: {e}", rule.manifest));
        out.extend(check_manifest(rule, &text));
    }
    out
}

#[test]
fn the_dependency_rules_hold() {
    let root = crate::env::root();
    // A rule whose files moved would silently check nothing.
    for rule in RULES {
        for scope in rule.scope {
            assert!(
                root.join(scope).exists(),
                "{scope} (in the rule \"{}\") moved: update the rules",
                rule.name
            );
        }
    }
    let violations = all_violations(&root);
    assert!(
        violations.is_empty(),
        "architecture rules broken (see ARCHITECTURE.md):\n{}",
        violations
            .iter()
            .map(Violation::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn rule(name_start: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.name.starts_with(name_start))
        .expect("a rule of that name")
}

#[test]
fn a_forbidden_import_fails_the_check_with_file_line_and_rule() {
    let play = rule("the play protocol");
    let source =
        "//! Judging a move.\n\nuse solver_core::grid::Grid;\nuse solver_core::human::rate;\n";
    let violations = check_source(play, "learning-lab/src/play/judge.rs", source);
    assert_eq!(
        violations,
        vec![Violation {
            file: "learning-lab/src/play/judge.rs".into(),
            line: 4,
            rule: play.name,
            found: "solver_core::human::rate".into(),
        }]
    );
    let message = violations[0].to_string();
    assert!(
        message.starts_with("learning-lab/src/play/judge.rs:4: "),
        "{message}"
    );
    assert!(message.contains(play.name), "{message}");
    assert!(message.contains("solver_core::human::rate"), "{message}");

    let engine = rule("the engine");
    let found = check_source(
        engine,
        "solver-core/src/solve/mod.rs",
        "fn f() { learning_lab::dream::Dream::new(); }\n",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 1);
}

#[test]
fn grouped_renamed_glob_and_inline_paths_are_all_seen() {
    let play = rule("the play protocol");
    let check = |src: &str| check_source(play, "learning-lab/src/play/x.rs", src);
    let grouped = "use solver_core::{\n    grid::Grid,\n    human::{self, Pencilmarks},\n};\n";
    let found = check(grouped);
    assert_eq!(
        found
            .iter()
            .map(|v| (v.line, v.found.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (3, "solver_core::human"),
            (3, "solver_core::human::Pencilmarks")
        ]
    );
    assert_eq!(
        check("use solver_core::rate as score;\n").len(),
        1,
        "root re-export"
    );
    assert_eq!(
        check("use solver_core::*;\n").len(),
        1,
        "a glob brings it in"
    );
    let renamed = "use solver_core as engine;\nfn f() { engine::human::next_step(); }\n";
    let found = check(renamed);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].line, found[0].found.as_str()),
        (2, "solver_core::human::next_step")
    );
    assert_eq!(
        check("fn f() { let s = solver_core::solve::solve(&g); }\n"),
        vec![]
    );
}

#[test]
fn comments_strings_and_allowed_tests_are_not_code() {
    let play = rule("the play protocol");
    let text = "// solver_core::human is never used\n/* use solver_core::human; */\n\
        const S: &str = \"solver_core::human::rate\";\nconst R: &str = r#\"use solver_core::human;\"#;\n\
        fn f<'a>(c: char) -> bool { c == '\"' }\n";
    assert_eq!(
        check_source(play, "learning-lab/src/play/x.rs", text),
        vec![]
    );

    let io = rule("solver-core and learning-lab");
    let text = "pub fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn reads() { std::fs::read_to_string(\"x\").unwrap(); }\n}\n";
    assert_eq!(
        check_source(io, "learning-lab/src/llm/chat.rs", text),
        vec![]
    );
    let text = "pub fn now() -> u128 {\n    std::time::Instant::now().elapsed().as_nanos()\n}\n";
    let found = check_source(io, "learning-lab/src/llm/chat.rs", text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].line, found[0].found.as_str()),
        (2, "std::time::Instant::now")
    );
    assert!(
        !applies(io, "solver-core/src/bin/sudoku.rs"),
        "the CLI does I/O"
    );
    assert!(applies(io, "solver-core/src/format/line.rs"));
}

#[test]
fn a_dependency_outside_the_allowlist_fails_the_check() {
    let engine = &DEPENDENCY_RULES[0];
    let manifest =
        "[package]\nname = \"solver-core\"\n\n[dependencies]\nserde = { workspace = true }\n\
        learning-lab.workspace = true\n\n[dev-dependencies]\nproptest = \"1\"\n\n\
        [target.'cfg(unix)'.dependencies]\ncriterion = \"0.5\"\n";
    let found = check_manifest(engine, manifest);
    assert_eq!(
        found
            .iter()
            .map(|v| (v.line, v.found.as_str()))
            .collect::<Vec<_>>(),
        vec![(6, "dependency learning-lab"), (12, "dependency criterion")]
    );
    assert!(found[0]
        .to_string()
        .starts_with("solver-core/Cargo.toml:6: "));
    let web = &DEPENDENCY_RULES[2];
    let found = check_manifest(web, "[dependencies.worker-api]\npath = \"../worker-api\"\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 1);
}

#[test]
fn the_human_solver_list_covers_what_solver_core_re_exports() {
    let lib = std::fs::read_to_string(crate::env::root().join("solver-core/src/lib.rs"))
        .expect("solver-core/src/lib.rs");
    let line = lib
        .lines()
        .find(|l| l.starts_with("pub use human::"))
        .expect("solver-core re-exports the human solver's items");
    let names = line
        .trim_start_matches("pub use human::")
        .trim_matches(|c: char| c == '{' || c == '}' || c == ';')
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty());
    for name in names {
        let path = format!("solver_core::{name}");
        assert!(
            HUMAN_SOLVER.contains(&path.as_str()),
            "{path} is re-exported from the human solver: add it to HUMAN_SOLVER"
        );
    }
}
