//! Reading a move out of a model's answer.
//!
//! # Rules
//!
//! 1. `<think>…</think>` blocks (case-insensitive) are hidden reasoning and are never searched
//!    for a move. An unclosed `<think>` hides everything after it; a `</think>` without an
//!    opening tag hides everything before it (some chat templates put the opening tag in the
//!    prompt).
//! 2. In the visible answer three forms are recognised:
//!    - **line form** `ROW: r COL: c VALUE: v` — keywords case-insensitive (`COLUMN` and `VAL`
//!      too), separated by `:`, `=`, spaces or markdown (`**ROW:** 3`, `Row 3, Col 5,
//!      Value 7`); the three parts must come in this order, before the next `ROW`;
//!    - **JSON** `{"row": r, "col": c, "value": v}` (also `"column"`), anywhere in the text,
//!      also inside a fenced block, values as numbers or strings;
//!    - **Sudoku-Bench** `r3c5=7`, `r3c5: 7`, `R3C5 = 7` (also `→`, `->`, `is`).
//! 3. Values above 9 may be written as letters `A`–`P` (either case) in grids larger than 9x9,
//!    or as numbers `10`–`25`.
//! 4. **Several moves in one answer:** the line form and JSON are *explicit answers*; the one
//!    that starts last in the text wins (models state a final answer after thinking aloud).
//!    `r{row}c{col}` mentions count only when there is no explicit answer (they are common in
//!    reasoning), and then the last one wins. Candidates inside a JSON object (e.g. in its
//!    `reasoning` string) belong to that object.
//! 5. The winning candidate is range-checked: a row, column or value outside the grid is a
//!    [`ParseFailure`] naming it — earlier candidates are not tried instead.
//! 6. Without any complete candidate: a started line-form answer gives
//!    [`ParseFailure::Incomplete`], an empty answer [`ParseFailure::Empty`], else
//!    [`ParseFailure::NoMove`].
//!
//! The reasoning is the text after a `REASONING:` marker if there is one, else the JSON
//! `reasoning` field of the winning object if any, else the whole visible answer.

use serde::{Deserialize, Serialize};

use super::judge::{Move, ParseFailure};

/// A model's answer taken apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedResponse {
    /// The move, or why none could be read.
    pub proposal: Result<Move, ParseFailure>,
    /// Visible reasoning (see the module rules).
    pub reasoning: String,
    /// The content of `<think>` blocks, if any.
    pub hidden_reasoning: Option<String>,
}

/// Parses `text` (the full answer) for a grid of `size`.
pub fn parse_response(text: &str, size: usize) -> ParsedResponse {
    let (visible, hidden) = split_think(text);
    let visible = visible.trim();
    if visible.is_empty() {
        return ParsedResponse {
            proposal: Err(ParseFailure::Empty),
            reasoning: String::new(),
            hidden_reasoning: hidden,
        };
    }
    let json = json_candidates(visible);
    let inside_json = |pos: usize| json.iter().any(|j| pos > j.start && pos < j.end);
    let (lines, incomplete) = line_candidates(visible, size);
    let mut explicit: Vec<Candidate> = json.iter().map(|j| j.candidate.clone()).collect();
    explicit.extend(lines.into_iter().filter(|c| !inside_json(c.start)));
    explicit.sort_by_key(|c| c.start);
    let winner = explicit.pop().or_else(|| {
        let mut bench: Vec<Candidate> = bench_candidates(visible, size)
            .into_iter()
            .filter(|c| !inside_json(c.start))
            .collect();
        bench.sort_by_key(|c| c.start);
        bench.pop()
    });
    let proposal = match &winner {
        Some(c) => c.to_move(size),
        None => Err(match incomplete {
            Some(missing) => ParseFailure::Incomplete { missing },
            None => ParseFailure::NoMove,
        }),
    };
    let reasoning = marker_reasoning(visible)
        .or_else(|| winner.and_then(|c| c.reasoning))
        .unwrap_or_else(|| visible.to_string());
    ParsedResponse {
        proposal,
        reasoning,
        hidden_reasoning: hidden,
    }
}

/// Splits off `<think>` content: `(visible, hidden)`.
fn split_think(text: &str) -> (String, Option<String>) {
    let lower = text.to_ascii_lowercase();
    let mut visible = String::new();
    let mut hidden: Vec<&str> = Vec::new();
    let mut pos = 0;
    // A closing tag before any opening tag: everything before it is hidden.
    if let Some(close) = lower.find("</think>") {
        if lower[..close].find("<think>").is_none() {
            hidden.push(text[..close].trim());
            pos = close + "</think>".len();
        }
    }
    while let Some(open) = lower[pos..].find("<think>").map(|i| i + pos) {
        visible.push_str(&text[pos..open]);
        let body = open + "<think>".len();
        match lower[body..].find("</think>").map(|i| i + body) {
            Some(close) => {
                hidden.push(text[body..close].trim());
                pos = close + "</think>".len();
            }
            None => {
                hidden.push(text[body..].trim());
                pos = text.len();
            }
        }
    }
    visible.push_str(&text[pos..]);
    let hidden = (!hidden.is_empty()).then(|| hidden.join("\n\n"));
    (visible, hidden)
}

/// A move as written (1-based, value as text), with where it starts.
#[derive(Clone, Debug)]
struct Candidate {
    start: usize,
    row: String,
    col: String,
    value: String,
    reasoning: Option<String>,
}

impl Candidate {
    fn to_move(&self, size: usize) -> Result<Move, ParseFailure> {
        let coord = |s: &str| s.parse::<usize>().ok().filter(|n| (1..=size).contains(n));
        let row = coord(&self.row).ok_or_else(|| ParseFailure::RowOutOfRange {
            found: self.row.clone(),
            size,
        })?;
        let col = coord(&self.col).ok_or_else(|| ParseFailure::ColumnOutOfRange {
            found: self.col.clone(),
            size,
        })?;
        let value = value_of(&self.value, size).ok_or_else(|| ParseFailure::ValueOutOfRange {
            found: self.value.clone(),
            size,
        })?;
        Ok(Move::new(row - 1, col - 1, value))
    }
}

/// A value token: a number, or one letter `A`–`P` meaning 10–25.
fn value_of(token: &str, size: usize) -> Option<u8> {
    let n = if let Ok(n) = token.parse::<usize>() {
        n
    } else {
        let mut chars = token.chars();
        match (chars.next(), chars.next()) {
            (Some(ch @ ('a'..='p' | 'A'..='P')), None) => {
                ch.to_ascii_uppercase() as usize - 'A' as usize + 10
            }
            _ => return None,
        }
    };
    (1..=size).contains(&n).then_some(n as u8)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Skips separator characters (spaces, markdown, `:`, `=`) from `i`.
fn skip_separators(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && b" \t\r\n*_:=#`\"'(),-[".contains(&bytes[i]) {
        // `-` only as part of `->`/`-` separators, never a sign in front of a digit.
        if bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            break;
        }
        i += 1;
    }
    i
}

/// Reads a number (`\d+`) or, if `letters`, a single letter not followed by a word character.
/// `bytes` is the lower-cased text, `original` the text itself: in grids up to 9x9 only an
/// upper-case letter counts (so the article in "value: a digit" is not read as a value).
fn read_token(
    bytes: &[u8],
    original: &[u8],
    i: usize,
    letters: bool,
    size: usize,
) -> Option<(String, usize)> {
    let mut j = i;
    if bytes.get(j) == Some(&b'-') {
        j += 1;
    }
    let digits_start = j;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    if j > digits_start {
        if j < bytes.len() && bytes[j].is_ascii_alphabetic() {
            return None;
        }
        return Some((String::from_utf8_lossy(&bytes[i..j]).into_owned(), j));
    }
    if letters && j == i && i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        if bytes.get(i + 1).is_some_and(|&b| is_word(b))
            || (size <= 9 && !original[i].is_ascii_uppercase())
        {
            return None;
        }
        return Some(((original[i] as char).to_string(), i + 1));
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Row,
    Col,
    Value,
}

/// Line-form candidates, plus the missing parts of the last started-but-incomplete one.
fn line_candidates(text: &str, size: usize) -> (Vec<Candidate>, Option<String>) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut keys: Vec<(Key, usize, String)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if i > 0 && is_word(bytes[i - 1]) || !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let rest = &lower[i..];
        let found = [
            ("column", Key::Col),
            ("value", Key::Value),
            ("row", Key::Row),
            ("col", Key::Col),
            ("val", Key::Value),
        ]
        .into_iter()
        .find(|(word, _)| {
            rest.starts_with(word) && !bytes.get(i + word.len()).is_some_and(|&b| is_word(b))
        });
        let Some((word, key)) = found else {
            i += 1;
            continue;
        };
        let after = skip_separators(bytes, i + word.len());
        match read_token(bytes, text.as_bytes(), after, key == Key::Value, size) {
            Some((token, end)) => {
                keys.push((key, i, token));
                i = end;
            }
            None => i += word.len(),
        }
    }
    let mut out = Vec::new();
    let mut incomplete = None;
    for (k, &(key, start, ref row)) in keys.iter().enumerate() {
        if key != Key::Row {
            continue;
        }
        let mut col = None;
        let mut value = None;
        for &(key2, _, ref token) in &keys[k + 1..] {
            match key2 {
                Key::Row => break,
                Key::Col if col.is_none() => col = Some(token.clone()),
                Key::Value if col.is_some() && value.is_none() => value = Some(token.clone()),
                _ => {}
            }
        }
        match (col, value) {
            (Some(col), Some(value)) => out.push(Candidate {
                start,
                row: row.clone(),
                col,
                value,
                reasoning: None,
            }),
            (Some(_), None) => incomplete = Some("VALUE".to_string()),
            (None, _) => incomplete = Some("COL and VALUE".to_string()),
        }
    }
    (out, incomplete)
}

/// A JSON object candidate and its byte span.
struct JsonCandidate {
    start: usize,
    end: usize,
    candidate: Candidate,
}

/// Every balanced `{…}` that parses as a JSON object with row, col and value.
fn json_candidates(text: &str) -> Vec<JsonCandidate> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let Some(end) = matching_brace(bytes, i) else {
            i += 1;
            continue;
        };
        if let Some(candidate) = json_move(&text[i..end], i) {
            out.push(JsonCandidate {
                start: i,
                end,
                candidate,
            });
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// End (exclusive) of the object opening at `open`, skipping braces inside strings.
fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn json_move(object: &str, start: usize) -> Option<Candidate> {
    let value: serde_json::Value = serde_json::from_str(object).ok()?;
    let map = value.as_object()?;
    let field = |names: &[&str]| {
        names.iter().find_map(|n| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .and_then(|(_, v)| match v {
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    serde_json::Value::String(s) => Some(s.trim().to_string()),
                    _ => None,
                })
        })
    };
    let row = field(&["row", "r"])?;
    let col = field(&["col", "column", "c"])?;
    let value = field(&["value", "val", "v", "digit"])?;
    let reasoning = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("reasoning"))
        .and_then(|(_, v)| v.as_str().map(str::to_string));
    Some(Candidate {
        start,
        row,
        col,
        value,
        reasoning,
    })
}

/// `r{row}c{col}` followed by `=`, `:`, `->`, `→` or `is`, then a value.
fn bench_candidates(text: &str, size: usize) -> Vec<Candidate> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'r' || (i > 0 && is_word(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let Some((row, j)) = read_digits(bytes, i + 1) else {
            i += 1;
            continue;
        };
        if bytes.get(j) != Some(&b'c') {
            i += 1;
            continue;
        }
        let Some((col, mut k)) = read_digits(bytes, j + 1) else {
            i += 1;
            continue;
        };
        while k < bytes.len() && b" \t*".contains(&bytes[k]) {
            k += 1;
        }
        let sep = ["=", ":", "->", "\u{2192}", "is "]
            .into_iter()
            .find(|s| lower[k..].starts_with(s));
        let Some(sep) = sep else {
            i = k;
            continue;
        };
        let v = skip_separators(bytes, k + sep.len());
        if let Some((value, end)) = read_token(bytes, text.as_bytes(), v, true, size) {
            out.push(Candidate {
                start: i,
                row,
                col,
                value,
                reasoning: None,
            });
            i = end;
        } else {
            i = k;
        }
    }
    out
}

fn read_digits(bytes: &[u8], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    (j > i).then(|| (String::from_utf8_lossy(&bytes[i..j]).into_owned(), j))
}

/// Text after a `REASONING:` marker (markdown tolerated), up to the end, if present.
fn marker_reasoning(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.rfind("reasoning")?;
    let rest = &text[at + "reasoning".len()..];
    let rest = rest.trim_start_matches(['*', '_', ' ']);
    let rest = rest.strip_prefix(':')?;
    let rest = rest.trim_start_matches(['*', '_']).trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(text: &str, size: usize) -> Result<Move, ParseFailure> {
        parse_response(text, size).proposal
    }

    fn m(r: usize, c: usize, v: u8) -> Result<Move, ParseFailure> {
        Ok(Move::new(r - 1, c - 1, v))
    }

    // Real SmolLM2-135M outputs, recorded from llama-server at temperature 0.
    #[test]
    fn smollm2_grammar_output() {
        let p = parse_response("ROW: 1 COL: 4 VALUE: 1\nThe answer is 1.", 4);
        assert_eq!(p.proposal, m(1, 4, 1));
        assert_eq!(p.reasoning, "ROW: 1 COL: 4 VALUE: 1\nThe answer is 1.");
        assert_eq!(p.hidden_reasoning, None);
        assert_eq!(
            mv(
                "ROW: 5 COL: 3 VALUE: 7\nThen one short sentence of reasoning.",
                9
            ),
            m(5, 3, 7)
        );
        assert_eq!(
            mv(
                "ROW: 1 COL: 4 VALUE: 2\nThis is a valid Sudoku puzzle. \u{2026}",
                4
            ),
            m(1, 4, 2)
        );
    }

    #[test]
    fn smollm2_json_output() {
        let p = parse_response(
            r#"{"row": 1, "col": 4, "value": 1, "reasoning": "1. 1. 1. 1"}"#,
            4,
        );
        assert_eq!(p.proposal, m(1, 4, 1));
        assert_eq!(p.reasoning, "1. 1. 1. 1");
        assert_eq!(
            mv(r#"{"row": 1, "col": 3, "value": 1, "reasoning": "1"}"#, 9),
            m(1, 3, 1)
        );
        // Gemma-3-270m: values as strings.
        assert_eq!(
            mv(r#"{"row": 1, "col": 4, "value": "1", "reasoning": "x"}"#, 4),
            m(1, 4, 1)
        );
    }

    #[test]
    fn smollm2_rambling_is_unparseable() {
        let ramble = "1. The first empty cell is the row, the second empty cell is the column, and the third empty cell is the value. The answer is:\n\nRow: 1, Column: 4, 2x2 Box: 1, 3, 2x2\n\nThis is a classic example of a Sudoku puzzle.";
        assert_eq!(
            mv(ramble, 4),
            Err(ParseFailure::Incomplete {
                missing: "VALUE".into()
            })
        );
        let digits = "The digits 1-9 must be placed in the 9x9 grid of 1-9, with each row, column, and 3x3 box containing each digit once.";
        assert_eq!(mv(digits, 9), Err(ParseFailure::NoMove));
        let dot = "The digits 1-9 must be placed in the grid. The digit that must go there is '.'";
        assert_eq!(mv(dot, 9), Err(ParseFailure::NoMove));
        assert_eq!(mv("   \n", 9), Err(ParseFailure::Empty));
    }

    #[test]
    fn line_form_tolerates_case_markdown_and_punctuation() {
        assert_eq!(mv("**ROW:** 3 **COL:** 5 **VALUE:** 7", 9), m(3, 5, 7));
        assert_eq!(mv("row=3, column=5, value=7", 9), m(3, 5, 7));
        assert_eq!(mv("Row 3, Col 5, Value 7.", 9), m(3, 5, 7));
        assert_eq!(mv("- ROW: `3`\n- COL: `5`\n- VALUE: `7`", 9), m(3, 5, 7));
        assert_eq!(
            mv("ROW: 3 COL: 5\nREASONING: only 7 fits", 9),
            Err(ParseFailure::Incomplete {
                missing: "VALUE".into()
            })
        );
    }

    #[test]
    fn json_in_fences_and_with_other_keys() {
        let text = "Let me think.\n```json\n{\"row\": \"2\", \"column\": 6, \"value\": 9}\n```";
        assert_eq!(mv(text, 9), m(2, 6, 9));
        // Braces inside strings do not break the object.
        assert_eq!(
            mv(
                r#"{"reasoning": "set {1,2}", "row": 1, "col": 1, "value": 3}"#,
                9
            ),
            m(1, 1, 3)
        );
        // An object without a move is ignored.
        assert_eq!(mv(r#"{"answer": 5}"#, 9), Err(ParseFailure::NoMove));
    }

    #[test]
    fn sudoku_bench_forms() {
        assert_eq!(mv("r3c5=7", 9), m(3, 5, 7));
        assert_eq!(mv("My move: r3c5: 7", 9), m(3, 5, 7));
        assert_eq!(mv("R3C5 = 7", 9), m(3, 5, 7));
        assert_eq!(mv("r3c5 \u{2192} 7", 9), m(3, 5, 7));
        assert_eq!(mv("r3c5 is 7", 9), m(3, 5, 7));
        // A mere mention of a cell is not a move.
        assert_eq!(mv("Look at r3c5 first.", 9), Err(ParseFailure::NoMove));
    }

    #[test]
    fn last_explicit_answer_wins_and_bench_mentions_only_as_fallback() {
        let text = "ROW: 1 COL: 1 VALUE: 2\nWait, actually:\nROW: 4 COL: 4 VALUE: 9";
        assert_eq!(mv(text, 9), m(4, 4, 9));
        let text = "ROW: 2 COL: 2 VALUE: 5\nREASONING: r2c3=5 is impossible since r1c1=5.";
        assert_eq!(mv(text, 9), m(2, 2, 5));
        assert_eq!(
            parse_response(text, 9).reasoning,
            "r2c3=5 is impossible since r1c1=5."
        );
        let text = "r1c1=2 fails, so r9c9=8";
        assert_eq!(mv(text, 9), m(9, 9, 8));
        let text = r#"ROW: 1 COL: 1 VALUE: 1 then {"row": 2, "col": 2, "value": 2, "reasoning": "not ROW: 3 COL: 3 VALUE: 3"}"#;
        assert_eq!(mv(text, 9), m(2, 2, 2));
    }

    #[test]
    fn out_of_range_parts_name_the_reason() {
        assert_eq!(
            mv("ROW: 10 COL: 1 VALUE: 1", 9),
            Err(ParseFailure::RowOutOfRange {
                found: "10".into(),
                size: 9
            })
        );
        assert_eq!(
            mv("ROW: 1 COL: 0 VALUE: 1", 9),
            Err(ParseFailure::ColumnOutOfRange {
                found: "0".into(),
                size: 9
            })
        );
        let err = mv("r1c1=5", 4).unwrap_err();
        assert_eq!(err.to_string(), "value 5 is not one of 1-4");
        let err = mv(r#"{"row": 1, "col": 2, "value": "Q"}"#, 16).unwrap_err();
        assert_eq!(err.to_string(), "value Q is not one of 1-9, A-G");
        assert_eq!(
            mv("ROW: -1 COL: 2 VALUE: 3", 9).unwrap_err().to_string(),
            "row -1 is outside 1-9"
        );
    }

    #[test]
    fn letters_for_big_grids() {
        // In small grids a lower-case letter is prose, an upper-case one a wrong value.
        assert_eq!(
            mv("ROW: 1 COL: 2 VALUE: a digit", 9),
            Err(ParseFailure::Incomplete {
                missing: "VALUE".into()
            })
        );
        assert_eq!(
            mv("ROW: 1 COL: 2 VALUE: B", 9).unwrap_err().to_string(),
            "value B is not one of 1-9"
        );
        assert_eq!(mv("ROW: 12 COL: 16 VALUE: G", 16), m(12, 16, 16));
        assert_eq!(mv("r1c2=a", 16), m(1, 2, 10));
        assert_eq!(mv("ROW: 1 COL: 2 VALUE: 14", 16), m(1, 2, 14));
        assert_eq!(mv("ROW: 1 COL: 1 VALUE: P", 25), m(1, 1, 25));
    }

    #[test]
    fn think_blocks_are_hidden_reasoning() {
        let p = parse_response(
            "<think>ROW: 9 COL: 9 VALUE: 9 maybe?</think>\nROW: 1 COL: 2 VALUE: 3",
            9,
        );
        assert_eq!(p.proposal, m(1, 2, 3));
        assert_eq!(
            p.hidden_reasoning.as_deref(),
            Some("ROW: 9 COL: 9 VALUE: 9 maybe?")
        );
        // Unclosed: everything after the tag is hidden, so no move.
        let p = parse_response("ROW: 1 COL: 2 VALUE: 3 <THINK>hmm ROW: 4", 9);
        assert_eq!(p.proposal, m(1, 2, 3));
        assert_eq!(p.hidden_reasoning.as_deref(), Some("hmm ROW: 4"));
        let p = parse_response("<think>still thinking about r1c1=2", 9);
        assert_eq!(p.proposal, Err(ParseFailure::Empty));
        // Closing tag only (opening tag was in the template).
        let p = parse_response("r5c5=1 hmm</think>r1c1=4", 9);
        assert_eq!(p.proposal, m(1, 1, 4));
        assert_eq!(p.hidden_reasoning.as_deref(), Some("r5c5=1 hmm"));
    }

    #[test]
    fn non_ascii_text_around_moves() {
        assert_eq!(
            mv("Ich wähle → ROW: 2 • COL: 3 — VALUE: 4 ✅", 9),
            m(2, 3, 4)
        );
        assert_eq!(
            mv("ü{\"row\": 1, \"col\": 1, \"value\": 1}é", 9),
            m(1, 1, 1)
        );
        assert_eq!(mv("日本 r9c9＝1 ré", 9), Err(ParseFailure::NoMove));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_moves_are_in_range(text in "\\PC{0,200}", size in proptest::sample::select(vec![4usize, 6, 9, 12, 16, 25])) {
            let p = parse_response(&text, size);
            if let Ok(mv) = p.proposal {
                proptest::prop_assert!(mv.row < size && mv.col < size);
                proptest::prop_assert!((1..=size).contains(&usize::from(mv.value)));
            }
        }

        #[test]
        fn never_panics_on_move_like_text(parts in proptest::collection::vec(proptest::sample::select(vec!["ROW", "col", ":", " ", "1", "12", "=", "r3c", "{", "}", "\"row\"", ",", "<think>", "</think>", "VALUE", "A", "é", "*"]), 0..40)) {
            let text: String = parts.concat();
            let _ = parse_response(&text, 16);
        }
    }
}
