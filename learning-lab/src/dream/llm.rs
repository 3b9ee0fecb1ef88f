//! Abstraction, LLM-assisted path: the prompts the dream asks, and robust reading of answers.
//!
//! Answers are read as JSON (an object anywhere in the text, `<think>` removed), else as
//! labelled, bulleted or numbered lines, else as plain prose. What is left must look like
//! prose (enough words, mostly letters); anything else is reported as dropped, never a crash.

use serde::{Deserialize, Serialize};

use crate::play::Move;
use solver_core::format::value_char;

/// One chat request for the caller to send (OpenAI-style messages).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmRequest {
    /// System message.
    pub system: String,
    /// User message.
    pub user: String,
    /// Completion token cap.
    pub max_tokens: u32,
    /// Short description for progress displays, e.g. `strategy for cluster 3`.
    pub purpose: String,
    /// JSON Schema of the expected answer object (all fields required; strings, except the
    /// cluster request's `groups`, an array of arrays of cluster numbers). Servers
    /// that accept OpenAI `response_format: {type: "json_schema"}` (llama-server does) can be
    /// given it so small models answer in a readable shape; answers are read robustly either way.
    pub json_schema: serde_json::Value,
}

/// The schema of an answer object whose `keys` are required strings.
fn schema(keys: &[&str]) -> serde_json::Value {
    let properties: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_string(), serde_json::json!({"type": "string"})))
        .collect();
    serde_json::json!({
        "type": "object",
        "properties": properties,
        "required": keys,
        "additionalProperties": false,
    })
}

/// System message shared by all dream requests.
pub const SYSTEM: &str = "You are a Sudoku coach. You study moves a player made and write short, general advice in plain English. Never invent cells or values. Answer with one JSON object only.";

/// One move as the LLM is shown it: facts, not the board (keeps prompts small for small models).
pub struct MoveFacts<'a> {
    /// The move.
    pub mv: Move,
    /// Grid size.
    pub size: usize,
    /// Empty cells before it.
    pub empty: usize,
    /// Filled cells of the cell's row, column and box.
    pub filled: [usize; 3],
    /// Candidates of the cell.
    pub candidates: Vec<u8>,
    /// The player's reasoning (shortened here).
    pub reasoning: &'a str,
}

fn shorten(text: &str, max: usize) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= max {
        t
    } else {
        let cut: String = t.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn facts_line(i: usize, f: &MoveFacts<'_>) -> String {
    let cands: Vec<String> = f
        .candidates
        .iter()
        .map(|&v| value_char(v).to_string())
        .collect();
    let n = f.size;
    let mut line = format!(
        "{}. {} on a {n}x{n} board with {} empty cells; the cell's row had {}/{n} filled, column {}/{n}, box {}/{n}; the cell's candidates were {}.",
        i + 1,
        f.mv,
        f.empty,
        f.filled[0],
        f.filled[1],
        f.filled[2],
        if cands.is_empty() { "none".into() } else { cands.join(", ") }
    );
    let r = shorten(f.reasoning, 200);
    if !r.is_empty() {
        line.push_str(&format!(" Player's reasoning: \"{r}\""));
    }
    line
}

/// Request for a strategy from a cluster of correct moves.
pub fn strategy_request(cluster: usize, examples: &[MoveFacts<'_>], max_tokens: u32) -> LlmRequest {
    let mut user = String::from("These moves were all CORRECT:\n");
    for (i, f) in examples.iter().enumerate() {
        user.push_str(&facts_line(i, f));
        user.push('\n');
    }
    user.push_str("\nWrite one general strategy that finds moves like these. Answer exactly: {\"when\": \"<when it applies>\", \"strategy\": \"<what to do, one or two sentences>\"}");
    LlmRequest {
        system: SYSTEM.into(),
        user,
        max_tokens,
        purpose: format!("strategy for cluster {}", cluster + 1),
        json_schema: schema(&["when", "strategy"]),
    }
}

/// Request for an anti-pattern from rejected moves of one kind.
pub fn anti_pattern_request(
    kind_text: &str,
    examples: &[(Move, String)],
    max_tokens: u32,
) -> LlmRequest {
    let mut user = format!("These moves were all rejected: {kind_text}.\n");
    for (i, (mv, why)) in examples.iter().enumerate() {
        user.push_str(&format!("{}. {mv}: {why}\n", i + 1));
    }
    user.push_str("\nSay what goes wrong and how to avoid it. Answer exactly: {\"mistake\": \"<one sentence>\", \"avoid\": \"<one sentence>\"}");
    LlmRequest {
        system: SYSTEM.into(),
        user,
        max_tokens,
        purpose: format!("anti-pattern: {kind_text}"),
        json_schema: schema(&["mistake", "avoid"]),
    }
}

/// Request for a correction of one valid-but-wrong move, with the true value.
pub fn correction_request(facts: &MoveFacts<'_>, true_value: u8, max_tokens: u32) -> LlmRequest {
    let mut user = String::from("This move broke no rule but was WRONG:\n");
    user.push_str(&facts_line(0, facts));
    user.push_str(&format!(
        "\nThe solution has {} at {}.\n\nName the flawed step and the principle that avoids it. Answer exactly: {{\"flaw\": \"<one sentence>\", \"principle\": \"<one sentence>\"}}",
        value_char(true_value),
        facts.mv.cell()
    ));
    LlmRequest {
        system: SYSTEM.into(),
        user,
        max_tokens,
        purpose: format!("correction for {}", facts.mv),
        json_schema: schema(&["flaw", "principle"]),
    }
}

/// One leader cluster as the LLM is shown it in the cluster request.
pub struct ClusterFacts<'a> {
    /// Board pattern name, e.g. `hidden single`.
    pub pattern: &'a str,
    /// Members.
    pub members: usize,
    /// One-line description (the derived strategy's "when": stage, grid size, situation).
    pub description: &'a str,
    /// One or two example moves with the player's reasoning.
    pub examples: Vec<(Move, &'a str)>,
}

/// The one request of `leader+llm-merge`: which of these numbered clusters describe the same
/// idea. Answered as `{"groups": [[1,3],[2]]}` or lines like `1, 3` ([`read_grouping`]).
pub fn cluster_request(clusters: &[ClusterFacts<'_>], max_tokens: u32) -> LlmRequest {
    let mut user = String::from("These clusters group CORRECT moves:\n");
    for (i, c) in clusters.iter().enumerate() {
        user.push_str(&format!(
            "{}. {}, {} moves: {}.",
            i + 1,
            c.pattern,
            c.members,
            c.description
        ));
        // Two examples at most, short: twelve clusters must fit a small model's context.
        let shown: Vec<String> = c
            .examples
            .iter()
            .take(2)
            .map(|(mv, reasoning)| match shorten(reasoning, 50) {
                r if r.is_empty() => mv.to_string(),
                r => format!("{mv} (\"{r}\")"),
            })
            .collect();
        if !shown.is_empty() {
            user.push_str(&format!(" Examples: {}.", shown.join(", ")));
        }
        user.push('\n');
    }
    user.push_str("\nWhich clusters describe the same idea? Put every cluster number in exactly one group. Answer exactly: ");
    user.push_str(GROUPING_EXAMPLE);
    LlmRequest {
        system: SYSTEM.into(),
        user,
        max_tokens,
        purpose: "cluster".into(),
        json_schema: serde_json::json!({
            "type": "object",
            "properties": {
                "groups": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 1, "maximum": clusters.len()},
                    },
                },
            },
            "required": ["groups"],
            "additionalProperties": false,
        }),
    }
}

/// The answer shape shown in [`cluster_request`]; an answer that is exactly this grouping
/// copies the prompt (SmolLM2-135M does, under a JSON schema) and is not trusted.
const GROUPING_EXAMPLE: &str = "{\"groups\": [[1, 3], [2]]}";

/// The groups of a JSON answer `{"groups": [[1, 3], [2]]}` (numbers as strings accepted);
/// `None` when the text holds no JSON object, `Err` when it holds one of another shape.
fn json_groups(text: &str) -> Option<Result<Vec<Vec<i64>>, String>> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    if end <= start {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(&text[start..=end]).ok()?;
    let shape = || "the JSON answer has no \"groups\" list of number lists".to_string();
    let Some(groups) = value.get("groups").and_then(|g| g.as_array()) else {
        return Some(Err(shape()));
    };
    let mut out = Vec::new();
    for g in groups {
        let items: Vec<&serde_json::Value> = match g {
            serde_json::Value::Array(items) => items.iter().collect(),
            // A lone number is a group of one.
            other => vec![other],
        };
        let mut group = Vec::new();
        for v in items {
            let n = v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
            match n {
                Some(n) => group.push(n),
                None => return Some(Err(shape())),
            }
        }
        out.push(group);
    }
    Some(Ok(out))
}

/// The groups of a line answer: each line with numbers is a group (`1, 3` or
/// `Group A: 2 and 5`; what stands before a colon is a label).
fn line_groups(text: &str) -> Vec<Vec<i64>> {
    text.lines()
        .map(|l| l.rsplit_once(':').map_or(l, |(_, rest)| rest))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|w| w.parse::<i64>().ok())
                .collect::<Vec<i64>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// Reads the answer to [`cluster_request`] over `n` clusters: the groups as 0-based indices.
/// Every number must be in 1..=n and appear at most once; clusters left out stay alone.
/// `Err` says why the answer is unusable (the caller then keeps the leader clusters).
pub fn read_grouping(text: &str, n: usize) -> Result<Vec<Vec<usize>>, String> {
    let body = strip_think(text);
    let raw = match json_groups(&body) {
        Some(r) => r?,
        // A JSON answer that does not parse was cut off or is malformed: its numbers (ids,
        // counts) are no grouping.
        None if body.contains('{') => {
            return Err(format!("cut-off or malformed JSON: {}", shorten(&body, 80)))
        }
        None => line_groups(&body),
    };
    if raw == [vec![1, 3], vec![2]] {
        return Err(format!("copies the prompt's example {GROUPING_EXAMPLE}"));
    }
    if raw.iter().all(Vec::is_empty) {
        return Err(format!("no grouping in the answer: {}", shorten(&body, 80)));
    }
    let mut seen = vec![false; n];
    let mut groups = Vec::new();
    for g in raw.into_iter().filter(|g| !g.is_empty()) {
        let mut group = Vec::new();
        for k in g {
            if k < 1 || k as u64 > n as u64 {
                return Err(format!("cluster {k} does not exist (1..={n})"));
            }
            let i = (k - 1) as usize;
            if seen[i] {
                return Err(format!("cluster {k} is in more than one group"));
            }
            seen[i] = true;
            group.push(i);
        }
        groups.push(group);
    }
    Ok(groups)
}

/// Removes `<think>…</think>` (an unclosed one removes the rest).
fn strip_think(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<think>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</think>") {
            Some(end) => rest = &rest[start + end + "</think>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn json_text(text: &str, keys: &[&str]) -> Option<String> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    if end <= start {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(&text[start..=end]).ok()?;
    let obj = value.as_object()?;
    let mut parts: Vec<String> = keys
        .iter()
        .filter_map(|k| obj.get(*k).and_then(|v| v.as_str()))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && !is_placeholder(s))
        .collect();
    if parts.is_empty() {
        // Other keys: take string values in document order (serde_json keeps keys sorted, which
        // is still deterministic).
        parts = obj
            .values()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && !is_placeholder(s))
            .collect();
    }
    parts.dedup();
    // A JSON object was given: it is the answer, even when no field is usable.
    Some(join_sentences(&parts))
}

fn join_sentences(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| {
            let p = p.trim();
            if p.ends_with(['.', '!', '?']) {
                p.to_string()
            } else {
                format!("{p}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a value only echoes the prompt's template, e.g. `<one sentence>` (seen from
/// SmolLM2-135M).
fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('<') && t.ends_with('>')
}

/// Strips a list marker (`-`, `*`, `•`, `1.`, `2)`) and a short `LABEL:` prefix.
fn clean_line(line: &str) -> &str {
    let mut l = line.trim();
    l = l.trim_start_matches(['-', '*', '•', '#']).trim_start();
    let digits = l.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && l[digits..].starts_with(['.', ')', ':']) {
        l = l[digits + 1..].trim_start();
    }
    if let Some(colon) = l.find(':') {
        let label = l[..colon].trim_matches('"');
        if colon <= 20
            && label
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '_')
        {
            l = l[colon + 1..].trim_start();
        }
    }
    l.trim_matches(['"', '*', ',']).trim()
}

/// Whether a text reads as advice: ≥ 4 words of ≥ 2 letters and ≥ 60 % letters.
fn looks_like_prose(text: &str) -> Result<(), String> {
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    let visible: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    if words < 4 {
        return Err(format!("only {words} words"));
    }
    if (letters as f64) < 0.6 * visible.len() as f64 {
        return Err("mostly symbols or digits".into());
    }
    let lower: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    // Truncated answers (the token cap hit mid-sentence) end on a function word.
    const DANGLING: [&str; 16] = [
        "a", "an", "the", "to", "of", "and", "or", "is", "was", "are", "with", "which", "that",
        "in", "at", "for",
    ];
    if lower.last().is_some_and(|w| DANGLING.contains(&w.as_str())) {
        return Err("cut off mid-sentence".into());
    }
    // Degenerate loops ("a move that is not a valid move, the next move should be a move …").
    let distinct: std::collections::BTreeSet<&String> = lower.iter().collect();
    if lower.len() >= 12 && (distinct.len() as f64) < 0.55 * lower.len() as f64 {
        return Err("repeats itself".into());
    }
    Ok(())
}

/// The longest text kept from an answer (characters).
pub const MAX_ITEM_CHARS: usize = 320;

/// Reads an answer: the values of `keys` from a JSON object, else up to two cleaned lines.
/// `Err` says why the answer is unusable.
pub fn read_answer(text: &str, keys: &[&str]) -> Result<String, String> {
    let body = strip_think(text);
    let candidate = match json_text(&body, keys) {
        Some(t) if t.is_empty() => return Err("no usable field in the JSON answer".into()),
        Some(t) => t,
        None => {
            // A JSON object cut off by the token cap: its last line is incomplete.
            let cut_json = body.find('{').is_some_and(|i| !body[i..].contains('}'));
            let complete = if cut_json {
                body.trim_end()
                    .rsplit_once('\n')
                    .map_or("", |(head, _)| head)
            } else {
                body.as_str()
            };
            let lines: Vec<String> = complete
                .lines()
                .map(clean_line)
                .filter(|l| !l.is_empty() && !l.starts_with(['{', '}', '`']) && !is_placeholder(l))
                .take(2)
                .map(str::to_string)
                .collect();
            if lines.is_empty() {
                return Err("empty answer".into());
            }
            join_sentences(&lines)
        }
    };
    let candidate = candidate.split_whitespace().collect::<Vec<_>>().join(" ");
    looks_like_prose(&candidate)
        .map_err(|why| format!("unusable answer ({why}): {}", shorten(&candidate, 80)))?;
    Ok(if candidate.chars().count() > MAX_ITEM_CHARS {
        let cut: String = candidate.chars().take(MAX_ITEM_CHARS).collect();
        match cut.rfind(['.', '!', '?']) {
            Some(p) if p > 40 => cut[..=p].to_string(),
            _ => format!("{}…", cut.trim_end()),
        }
    } else {
        candidate
    })
}

/// Whether `answer` copies a run of `min_chars` or more characters of `prompt` verbatim
/// (small models often echo the examples instead of answering).
pub fn echoes(answer: &str, prompt: &str, min_chars: usize) -> bool {
    let a: Vec<char> = answer.chars().collect();
    if a.len() < min_chars {
        return false;
    }
    (0..=a.len() - min_chars).any(|i| {
        let window: String = a[i..i + min_chars].iter().collect();
        prompt.contains(&window)
    })
}

/// Cell claims `r{R}c{C}=V` (also `is V`, `: V`, `to V`) in a text, as 0-based moves; values
/// that are not symbols give value 0 (so they fail every check).
pub fn cell_claims(text: &str, size: usize) -> Vec<Move> {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let number = |mut j: usize| -> (usize, usize) {
        let mut n = 0usize;
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() && j - start < 3 {
            n = n * 10 + usize::from(b[j] - b'0');
            j += 1;
        }
        (n, j - start)
    };
    while i + 3 < b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary && b[i] == b'r' {
            let (row, rl) = number(i + 1);
            let j = i + 1 + rl;
            if rl > 0 && j < b.len() && b[j] == b'c' {
                let (col, cl) = number(j + 1);
                let mut k = j + 1 + cl;
                if cl > 0 {
                    let rest = &lower[k..];
                    let skip = ["=", " = ", " is ", ": ", " to ", "="]
                        .iter()
                        .find(|p| rest.starts_with(**p))
                        .map(|p| p.len());
                    if let Some(s) = skip {
                        k += s;
                        let token: String = lower[k..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric())
                            .collect();
                        let value = if token.len() == 1 {
                            token.chars().next().and_then(|ch| symbol_value(ch, size))
                        } else if !token.is_empty() && token.chars().all(|c| c.is_ascii_digit()) {
                            // A number that is no symbol of this grid: a claim that fails.
                            Some(
                                token
                                    .parse::<u8>()
                                    .ok()
                                    .filter(|&v| usize::from(v) <= size)
                                    .unwrap_or(0),
                            )
                        } else {
                            None
                        };
                        if let (Some(value), true) = (value, row >= 1 && col >= 1) {
                            out.push(Move::new(row - 1, col - 1, value));
                        }
                    }
                }
                i = k.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The value of a symbol (`1`–`9`, `A`–`P` for 10–25) on a grid of `size`.
fn symbol_value(ch: char, size: usize) -> Option<u8> {
    let v = match ch.to_ascii_uppercase() {
        d @ '1'..='9' => d as u8 - b'0',
        l @ 'A'..='P' => l as u8 - b'A' + 10,
        _ => return None,
    };
    (usize::from(v) <= size).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_lists_labels_and_think() {
        let keys: &[&str] = &["flaw", "principle"];
        assert_eq!(
            read_answer("<think>hmm {\"flaw\": \"x\"}</think>Here: {\"flaw\": \"The player guessed between two values\", \"principle\": \"Place only forced values\"} ok", keys),
            Ok("The player guessed between two values. Place only forced values.".into())
        );
        assert_eq!(
            read_answer(
                "1. Look at the row first\n2) Then check the box carefully.\n3. Ignored third line",
                keys
            ),
            Ok("Look at the row first. Then check the box carefully.".into())
        );
        assert_eq!(
            read_answer("Strategy: **scan every column for a missing value**", keys),
            Ok("scan every column for a missing value.".into())
        );
        // Unknown keys: the string values are used.
        assert_eq!(
            read_answer(
                "{\"advice\": \"Check the box before the row always\"}",
                keys
            ),
            Ok("Check the box before the row always.".into())
        );
    }

    #[test]
    fn gibberish_is_an_error_never_a_panic() {
        for bad in [
            "",
            "   ",
            "<think>only thinking",
            "9 9 9 | 1 2 3 ###",
            "{\"flaw\": 42}",
            "ROW: 1 COL: 1 VALUE: 1",
            "ok ok",
            "{{{{",
            "ééé ééé",
        ] {
            assert!(read_answer(bad, &["flaw"]).is_err(), "{bad:?}");
        }
        let long: String = (0..200).map(|i| format!("word{i} ")).collect();
        let read = read_answer(&long, &["x"]).unwrap();
        assert!(read.chars().count() <= MAX_ITEM_CHARS + 1);
    }

    #[test]
    fn real_small_model_failures_are_caught() {
        // Each of these is (the shape of) an answer SmolLM2-135M really gave.
        let keys: &[&str] = &["flaw", "principle"];
        let bad = [
            "{\n  \"flaw\": \"<one sentence>\",\n  \"principle\": \"<one sentence>\"\n}",
            "{\n  \"flaw\": \"The incorrect step was \",\"principle\": \"The incorrect step was \"}",
            "{\"strategy\": \"When a player makes a move that is not a valid move, the next move should be a move that is not a valid move. The next move should be a move that is not a valid move. The next move should be",
            "{\n  \"avoid\": \"wrong\",\"mistake\": \"wrong\"}",
        ];
        for b in bad {
            assert!(read_answer(b, keys).is_err(), "{b}");
        }
        // A JSON answer cut off by the token cap keeps its complete lines.
        assert_eq!(
            read_answer("{\n  \"flaw\": \"The player guessed between two candidates.\",\n  \"principle\": \"Only pl", keys),
            Ok("The player guessed between two candidates.".into())
        );
        let prompt = "1. r3c4=8 on a 9x9 board with 51 empty cells; the cell's row had 0/9 filled";
        assert!(echoes(
            "Answer: r3c4=8 on a 9x9 board with 51 empty cells; yes",
            prompt,
            40
        ));
        assert!(!echoes(
            "Check the candidates of the cell before answering.",
            prompt,
            40
        ));
    }

    #[test]
    fn cell_claims_are_found_in_their_usual_spellings() {
        assert_eq!(
            cell_claims("Put r1c1=9, then R2C3 is 4; r4c4: 7 and r5c5 to 2.", 9),
            vec![
                Move::new(0, 0, 9),
                Move::new(1, 2, 4),
                Move::new(3, 3, 7),
                Move::new(4, 4, 2)
            ]
        );
        // Not claims: no value, a word after "is", part of another word.
        assert!(cell_claims("r3c5 is the only cell; abr3c4=5", 9).is_empty());
        // A number that is no symbol of the grid is a claim that fails every check.
        assert_eq!(cell_claims("r1c1=12", 9), vec![Move::new(0, 0, 0)]);
        assert_eq!(cell_claims("r1c1=C", 16), vec![Move::new(0, 0, 12)]);
    }

    #[test]
    fn groupings_are_read_from_json_or_lines_and_validated() {
        assert_eq!(
            read_grouping("{\"groups\": [[1, 3], [2, 4]]}", 4),
            Ok(vec![vec![0, 2], vec![1, 3]])
        );
        assert!(read_grouping("{\"groups\": [[1, 3], [2]]}", 4)
            .unwrap_err()
            .contains("copies the prompt"));
        assert!(
            read_grouping("{\"groups\": [{\"id\": \"1\",\n \"type\": \"Cl", 4)
                .unwrap_err()
                .contains("cut-off")
        );
        assert_eq!(
            read_grouping(
                "<think>hm</think>Sure: ```{\"groups\": [[\"2\", 4], 1]}```",
                4
            ),
            Ok(vec![vec![1, 3], vec![0]])
        );
        assert_eq!(
            read_grouping("1, 3\nGroup B: 2 and 4", 4),
            Ok(vec![vec![0, 2], vec![1, 3]])
        );
        assert!(read_grouping("{\"groups\": [[1, 5]]}", 4)
            .unwrap_err()
            .contains("does not exist"));
        assert!(read_grouping("{\"groups\": [[1, 2], [2]]}", 4)
            .unwrap_err()
            .contains("more than one group"));
        assert!(read_grouping("[[0]]", 4)
            .unwrap_err()
            .contains("does not exist"));
        assert!(read_grouping("{\"groups\": \"all\"}", 4).is_err());
        assert!(read_grouping("{\"when\": \"x\"}", 4).is_err());
        assert!(read_grouping("these clusters are all alike", 4)
            .unwrap_err()
            .contains("no grouping"));
        assert!(read_grouping("", 4).is_err());
    }

    #[test]
    fn the_cluster_request_numbers_clusters_and_gives_a_schema() {
        let mv = Move::new(0, 1, 3);
        let facts = [
            ClusterFacts {
                pattern: "naked single",
                members: 5,
                description: "a cell has one value left",
                examples: vec![(mv, "only 3 fits"), (mv, ""), (mv, "third")],
            },
            ClusterFacts {
                pattern: "hidden single",
                members: 2,
                description: "a value has one place left",
                examples: Vec::new(),
            },
        ];
        let r = cluster_request(&facts, 128);
        assert_eq!(r.purpose, "cluster");
        assert!(r
            .user
            .contains("1. naked single, 5 moves: a cell has one value left."));
        assert!(r
            .user
            .contains("2. hidden single, 2 moves: a value has one place left.\n"));
        assert!(r.user.contains("only 3 fits"));
        assert!(!r.user.contains("third"), "at most two examples");
        assert_eq!(r.json_schema["required"][0], "groups");
        assert_eq!(
            r.json_schema["properties"]["groups"]["items"]["items"]["maximum"],
            2
        );
    }
}
