//! Abstraction, LLM-assisted path: the prompts the dream asks, and robust reading of answers.
//!
//! Answers are read as JSON (an object anywhere in the text, `<think>` removed), else as
//! labelled, bulleted or numbered lines, else as plain prose. What is left must look like
//! prose (enough words, mostly letters); anything else is reported as dropped, never a crash.

use serde::{Deserialize, Serialize};

use crate::format::value_char;
use crate::play::Move;

/// One chat request for the caller to send (OpenAI-style messages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmRequest {
    /// System message.
    pub system: String,
    /// User message.
    pub user: String,
    /// Completion token cap.
    pub max_tokens: u32,
    /// Short description for progress displays, e.g. `strategy for cluster 3`.
    pub purpose: String,
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
    }
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
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        // Other keys: take string values in document order (serde_json keeps keys sorted, which
        // is still deterministic).
        parts = obj
            .values()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    (!parts.is_empty()).then(|| join_sentences(&parts))
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

/// Strips a list marker (`-`, `*`, `•`, `1.`, `2)`) and a short `LABEL:` prefix.
fn clean_line(line: &str) -> &str {
    let mut l = line.trim();
    l = l.trim_start_matches(['-', '*', '•', '#']).trim_start();
    let digits = l.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && l[digits..].starts_with(['.', ')', ':']) {
        l = l[digits + 1..].trim_start();
    }
    if let Some(colon) = l.find(':') {
        let label = &l[..colon];
        if colon <= 20
            && label
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '_')
        {
            l = l[colon + 1..].trim_start();
        }
    }
    l.trim_matches(['"', '*']).trim()
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
    Ok(())
}

/// The longest text kept from an answer (characters).
pub const MAX_ITEM_CHARS: usize = 320;

/// Reads an answer: the values of `keys` from a JSON object, else up to two cleaned lines.
/// `Err` says why the answer is unusable.
pub fn read_answer(text: &str, keys: &[&str]) -> Result<String, String> {
    let body = strip_think(text);
    let candidate = match json_text(&body, keys) {
        Some(t) => t,
        None => {
            let lines: Vec<String> = body
                .lines()
                .map(clean_line)
                .filter(|l| !l.is_empty() && !l.starts_with(['{', '}', '`']))
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
        let long = "word ".repeat(200);
        let read = read_answer(&long, &["x"]).unwrap();
        assert!(read.chars().count() <= MAX_ITEM_CHARS + 1);
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
}
