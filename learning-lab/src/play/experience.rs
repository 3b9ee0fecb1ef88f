//! The stored record of one attempt ([`Experience`]) and its importance score.
//!
//! # Importance (0..=1)
//!
//! The score says how much an attempt is worth learning from; it must separate events (a
//! score that is high for everything lets no threshold filter). It is computed from the
//! attempt and the attempts
//! before it in the same session:
//!
//! | outcome | base |
//! |---|---|
//! | `VALID_BUT_WRONG` (legal but wrong: a subtle reasoning error) | 0.80 |
//! | `INVALID`, row/column/box conflict | 0.65 |
//! | `INVALID`, cell already filled (given or placed) | 0.45 |
//! | `UNPARSEABLE` | 0.30 |
//! | `INVALID`, banned repeat (already known to be wrong) | 0.05 |
//! | `CORRECT` | 0.20 + 0.40 × difficulty |
//!
//! - *difficulty* of a correct move ∈ 0..=1 = ½ × (empty cells / all cells) + ½ × (1 −
//!   filled peers of the cell / peers): a move made early, into a cell whose row, column and box
//!   say little, is hard; filling the last gap of a nearly full row is easy. (The technique
//!   solver is never used.)
//! - *breakthrough*: a correct move after ≥ 3 failures in a row gets +0.25.
//! - *repeat*: an error of a kind already seen in this session (same outcome; any row/column/box
//!   conflict counts as one kind; parse failures by their kind) is multiplied by 0.6; the first of its kind keeps the
//!   full base.
//! - *reasoning*: +0.05 when visible plus hidden reasoning is over 200 characters (except for
//!   banned repeats).
//! - The result is clamped to 0..=1 and rounded to 3 decimals.

use serde::{Deserialize, Serialize};

use super::judge::{InvalidReason, Judgement, Move};
use super::mode::PromptMode;
use super::session::{Attempt, PlaySession};
use solver_core::format::parse_line;

/// Timings measured by the caller (the lab has no clock), in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// Request sent → first token.
    pub first_token_ms: Option<u64>,
    /// Request sent → answer complete.
    pub total_ms: Option<u64>,
}

/// Token usage reported by the server, if it did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub prompt_tokens: Option<u32>,
    /// Completion tokens (answer and reasoning).
    pub completion_tokens: Option<u32>,
    /// Reasoning tokens, when reported separately.
    pub reasoning_tokens: Option<u32>,
}

/// Who played and how, supplied by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ContextWire", into = "ContextWire")]
pub struct ExperienceContext {
    /// Session id.
    pub session_id: String,
    /// Puzzle id.
    pub puzzle_id: String,
    /// Model name as sent to the server.
    pub model: String,
    /// Profile id.
    pub profile_id: String,
    /// Learning unit id, if one was injected.
    pub unit_id: Option<String>,
    /// How this answer was asked for: [`PromptMode::Assisted`] only when the request really
    /// restricted it to legal moves (research mode, off by default).
    pub mode: PromptMode,
    /// Timings of the request.
    pub timings: Timings,
    /// Token usage of the request.
    pub usage: TokenUsage,
}

/// The stored form of [`ExperienceContext`]: the mode as its name and the assisted-decoding
/// flag, the two fields experiences have always had. The flag is what the request did, so
/// it alone decides the mode when reading.
#[derive(Serialize, Deserialize)]
struct ContextWire {
    session_id: String,
    puzzle_id: String,
    model: String,
    profile_id: String,
    unit_id: Option<String>,
    mode: String,
    assisted_decoding: bool,
    timings: Timings,
    usage: TokenUsage,
}

impl From<ContextWire> for ExperienceContext {
    fn from(w: ContextWire) -> ExperienceContext {
        ExperienceContext {
            session_id: w.session_id,
            puzzle_id: w.puzzle_id,
            model: w.model,
            profile_id: w.profile_id,
            unit_id: w.unit_id,
            mode: PromptMode::from_assisted_decoding(w.assisted_decoding),
            timings: w.timings,
            usage: w.usage,
        }
    }
}

impl From<ExperienceContext> for ContextWire {
    fn from(c: ExperienceContext) -> ContextWire {
        ContextWire {
            session_id: c.session_id,
            puzzle_id: c.puzzle_id,
            model: c.model,
            profile_id: c.profile_id,
            unit_id: c.unit_id,
            mode: c.mode.name().to_string(),
            assisted_decoding: c.mode.assisted_decoding(),
            timings: c.timings,
            usage: c.usage,
        }
    }
}

/// One attempt as remembered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experience {
    /// Who played and how.
    #[serde(flatten)]
    pub context: ExperienceContext,
    /// The judged attempt itself: board before, proposal (never a fake move), judgement,
    /// feedback and reasoning.
    #[serde(flatten)]
    pub attempt: Attempt,
    /// Grid size.
    pub size: usize,
    /// Importance in 0..=1 (module docs).
    pub importance: f64,
    /// Ids of the learning-unit items that were in the prompt of this attempt
    /// ([`BuiltPrompt::injected_items`](super::BuiltPrompt::injected_items)); empty without a
    /// unit, and for experiences stored before items had ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub injected_items: Vec<String>,
}

impl Experience {
    /// The record of attempt `index` (0-based) of `session`.
    ///
    /// # Panics
    /// When `index` is not an attempt of the session.
    pub fn from_attempt(
        session: &PlaySession,
        index: usize,
        context: ExperienceContext,
    ) -> Experience {
        let attempts = session.attempts();
        let attempt = &attempts[index];
        Experience {
            context,
            attempt: attempt.clone(),
            size: session.board().size(),
            importance: importance(attempt, &attempts[..index]),
            injected_items: Vec::new(),
        }
    }
}

/// The kind of an error for the "first of its kind" rule; `None` for correct moves.
fn error_kind(judgement: &Judgement) -> Option<String> {
    Some(match judgement {
        Judgement::Correct => return None,
        Judgement::ValidButWrong => "vbw".into(),
        Judgement::Invalid(InvalidReason::Conflict { .. }) => "conflict".into(),
        Judgement::Invalid(InvalidReason::Given { .. } | InvalidReason::Filled { .. }) => {
            "filled".into()
        }
        Judgement::Invalid(InvalidReason::BannedRepeat) => "banned".into(),
        Judgement::Unparseable(failure) => {
            let kind = serde_json::to_value(failure)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string));
            format!("parse-{}", kind.unwrap_or_default())
        }
    })
}

/// Difficulty of the cell of a move on a board (module docs), 0..=1.
fn difficulty(board_line: &str, mv: &Move) -> f64 {
    let Ok(board) = parse_line(board_line) else {
        return 0.5;
    };
    let shape = board.shape();
    let empty = board.empty_count() as f64 / shape.cell_count() as f64;
    let peers = shape.peers(mv.row, mv.col);
    let filled = peers
        .iter()
        .filter(|&&(r, c)| board.get(r, c).is_some())
        .count();
    0.5 * empty + 0.5 * (1.0 - filled as f64 / peers.len() as f64)
}

/// Importance of `attempt` given the `earlier` attempts of its session (module docs).
pub fn importance(attempt: &Attempt, earlier: &[Attempt]) -> f64 {
    let mut score = match (&attempt.judgement, attempt.mv()) {
        (Judgement::Correct, Some(mv)) => {
            let breakthrough = if attempt.failures_before >= 3 {
                0.25
            } else {
                0.0
            };
            0.20 + 0.40 * difficulty(&attempt.board_before, mv) + breakthrough
        }
        (Judgement::Correct, None) => 0.2,
        (Judgement::ValidButWrong, _) => 0.80,
        (Judgement::Invalid(InvalidReason::Conflict { .. }), _) => 0.65,
        (Judgement::Invalid(InvalidReason::Given { .. } | InvalidReason::Filled { .. }), _) => 0.45,
        (Judgement::Unparseable(_), _) => 0.30,
        (Judgement::Invalid(InvalidReason::BannedRepeat), _) => 0.05,
    };
    if let Some(kind) = error_kind(&attempt.judgement) {
        if earlier
            .iter()
            .any(|a| error_kind(&a.judgement).as_deref() == Some(kind.as_str()))
        {
            score *= 0.6;
        }
    }
    let reasoning_len = attempt.reasoning.chars().count()
        + attempt
            .hidden_reasoning
            .as_ref()
            .map_or(0, |h| h.chars().count());
    if reasoning_len > 200 && attempt.judgement != Judgement::Invalid(InvalidReason::BannedRepeat) {
        score += 0.05;
    }
    (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::judge::ParseFailure;
    use crate::play::session::Limits;

    fn ctx() -> ExperienceContext {
        ExperienceContext {
            session_id: "s1".into(),
            puzzle_id: "p1".into(),
            model: "smollm2".into(),
            profile_id: "local".into(),
            unit_id: None,
            mode: PromptMode::Standard,
            timings: Timings {
                first_token_ms: Some(12),
                total_ms: Some(800),
            },
            usage: TokenUsage {
                prompt_tokens: Some(400),
                completion_tokens: Some(20),
                reasoning_tokens: None,
            },
        }
    }

    #[test]
    fn importance_separates_outcomes() {
        // A 9x9 game: givens = the classic board.
        let givens = parse_line(
            "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
        )
        .unwrap();
        let solution = solver_core::solve::solve_unique(&givens).unwrap().grid;
        let mut s = PlaySession::new(givens, solution, Limits::default()).unwrap();
        let answers = [
            "ROW: 1 COL: 3 VALUE: 1",        // 0 valid but wrong (first)
            "ROW: 1 COL: 3 VALUE: 1",        // 1 banned repeat
            "ROW: 5 COL: 3 VALUE: 7",        // 2 conflict (first)
            "ROW: 1 COL: 1 VALUE: 5",        // 3 filled (first)
            "The digits 1-9 must be placed", // 4 unparseable (first)
            "ROW: 5 COL: 3 VALUE: 8",        // 5 conflict again (row 5 has 8)
            "ROW: 1 COL: 3 VALUE: 4",        // 6 correct after 6 failures: breakthrough
            "ROW: 1 COL: 4 VALUE: 6",        // 7 correct, no breakthrough
            "ROW: 1 COL: 3 VALUE: 1", // 8 banned repeat again? cell now filled but banned first
        ];
        for a in answers {
            s.handle_answer(a, None).unwrap();
        }
        let scores: Vec<f64> = (0..answers.len())
            .map(|i| Experience::from_attempt(&s, i, ctx()).importance)
            .collect();
        let j: Vec<&str> = s.attempts().iter().map(|a| a.judgement.label()).collect();
        assert_eq!(
            j,
            [
                "VALID_BUT_WRONG",
                "INVALID",
                "INVALID",
                "INVALID",
                "UNPARSEABLE",
                "INVALID",
                "CORRECT",
                "CORRECT",
                "INVALID"
            ]
        );
        let (vbw, banned, conflict, filled, unparseable, conflict2, breakthrough, correct, banned2) = (
            scores[0], scores[1], scores[2], scores[3], scores[4], scores[5], scores[6], scores[7],
            scores[8],
        );
        assert!(
            vbw > conflict && conflict > filled && filled > unparseable && unparseable > banned,
            "{scores:?}"
        );
        assert!(
            conflict2 < conflict,
            "a repeated error kind scores lower: {scores:?}"
        );
        assert!(breakthrough > correct, "{scores:?}");
        assert!(
            correct > unparseable && correct < conflict,
            "plain correct moves sit mid: {scores:?}"
        );
        assert!(banned2 <= banned);
        let max = scores.iter().cloned().fold(0.0, f64::max);
        let min = scores.iter().cloned().fold(1.0, f64::min);
        assert!(max - min >= 0.7, "{scores:?}");
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    }

    #[test]
    fn correct_moves_in_harder_positions_score_higher() {
        let solution = parse_line("1234341221434321").unwrap();
        let mut nearly = solution.clone();
        nearly.set(0, 0, None);
        let mut s = PlaySession::new(nearly, solution.clone(), Limits::default()).unwrap();
        s.handle_answer("r1c1=1", None).unwrap();
        let easy = Experience::from_attempt(&s, 0, ctx()).importance;
        let mut s = PlaySession::new(
            solver_core::grid::Grid::empty(solution.shape()),
            solution,
            Limits::default(),
        )
        .unwrap();
        s.handle_answer("r1c1=1", None).unwrap();
        let hard = Experience::from_attempt(&s, 0, ctx()).importance;
        assert!(hard > easy + 0.3, "{hard} vs {easy}");
    }

    #[test]
    fn experience_serde_round_trip_keeps_parse_failures_as_failures() {
        let solution = parse_line("1234341221434321").unwrap();
        let mut s = PlaySession::new(
            solver_core::grid::Grid::empty(solution.shape()),
            solution,
            Limits::default(),
        )
        .unwrap();
        s.handle_answer("<think>long thought</think>I cannot decide.", None)
            .unwrap();
        let e = Experience::from_attempt(
            &s,
            0,
            ExperienceContext {
                mode: PromptMode::Assisted,
                ..ctx()
            },
        );
        assert_eq!(e.attempt.proposal, Err(ParseFailure::NoMove));
        assert_eq!(e.attempt.hidden_reasoning.as_deref(), Some("long thought"));
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"assisted_decoding\":true"));
        assert!(json.contains("\"mode\":\"assisted\""));
        assert!(json.contains("\"total_ms\":800"));
        let back: Experience = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }
}
