//! Prompts: the system prompt per grid size, board rendering, and the user prompt trimmed to
//! a token budget.
//!
//! # Token estimate and budget
//!
//! Tokens are estimated as `ceil(chars / 4)` ([`estimate_tokens`]): close to real BPE counts
//! for English and digit-heavy boards, and deliberately simple so every platform agrees. The
//! budget ([`TokenBudget::for_size`]) covers system + user prompt. When the full prompt is over
//! it, parts are dropped in this order until it fits: oldest history lines, then banned moves
//! (from the end of the sorted list, summarised as `+k more banned`), then learning-unit items
//! (corrections, then anti-patterns, then strategies, last first). The rules, the board, the
//! last feedback, the empty-cell count and the question are never dropped; every budget is
//! large enough for them (tested for every size), so the result never overflows.

use serde::{Deserialize, Serialize};

use super::judge::{symbol_range, Move};
use solver_core::format::value_char;
use solver_core::grid::{Grid, Shape};

/// What a learning unit contributes to a prompt (a plain stand-in for the real learning unit).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptUnit {
    /// Strategies to try, most relevant first.
    pub strategies: Vec<String>,
    /// Mistakes to avoid, most relevant first.
    pub anti_patterns: Vec<String>,
    /// Reasoning corrections, most relevant first.
    pub corrections: Vec<String>,
    /// The unit item id of each line, in the order strategies, anti-patterns, corrections
    /// (empty for lines not taken from a unit); the prompt reports which of them it kept.
    #[serde(default)]
    pub ids: Vec<String>,
}

/// Everything the user prompt is built from.
#[derive(Clone, Debug)]
pub struct PromptInput<'a> {
    /// The current board (givens plus correct placements).
    pub board: &'a Grid,
    /// Feedback sentence on the previous attempt, if any.
    pub last_feedback: Option<&'a str>,
    /// Recent attempts, oldest first, already rendered (e.g. `Move 4: r3c5=7 → INVALID (…)`).
    pub history: &'a [String],
    /// Banned moves (sorted); every one is shown unless the budget trims them.
    pub banned: &'a [Move],
    /// Learning-unit items to inject, if any.
    pub unit: Option<&'a PromptUnit>,
}

/// Token budget for one request's prompt (system + user).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBudget {
    /// Maximum estimated prompt tokens.
    pub max_prompt_tokens: usize,
}

impl TokenBudget {
    /// The default budget for a grid size: 4 → 1,200, 6 → 1,500, 9 → 2,500, 12 → 3,500,
    /// 16 → 5,000, 25 → 9,000 tokens (other sizes: 2,500). Small local models have 2k–8k
    /// context windows and need room left for the answer.
    pub fn for_size(size: usize) -> TokenBudget {
        let max_prompt_tokens = match size {
            4 => 1_200,
            6 => 1_500,
            12 => 3_500,
            16 => 5_000,
            25 => 9_000,
            _ => 2_500,
        };
        TokenBudget { max_prompt_tokens }
    }
}

/// Estimated tokens of a text: `ceil(chars / 4)`.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// What the budget removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trimmed {
    /// History lines dropped (oldest first).
    pub history: usize,
    /// Banned moves not listed.
    pub banned: usize,
    /// Learning-unit items dropped.
    pub unit_items: usize,
}

impl Trimmed {
    /// Whether anything was dropped.
    pub fn any(&self) -> bool {
        self.history + self.banned + self.unit_items > 0
    }
}

/// A finished prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltPrompt {
    /// The system message.
    pub system: String,
    /// The user message.
    pub user: String,
    /// Estimated tokens of both.
    pub estimated_tokens: usize,
    /// What the budget removed.
    pub trimmed: Trimmed,
    /// Ids of the unit items in the user prompt (after trimming), in prompt order: what the
    /// experience of the answer records as injected.
    pub injected_items: Vec<String>,
}

/// The system prompt for a grid shape: rules with the box shape, coordinates, symbols, the
/// feedback vocabulary, the banned-move rule and the output format.
pub fn system_prompt(shape: Shape) -> String {
    let n = shape.size();
    let (h, w) = (shape.box_height(), shape.box_width());
    let symbols = symbol_range(n);
    let letters = if n > 9 {
        format!(
            " Values above 9 are letters: A = 10 … {} = {n}.",
            value_char(n as u8)
        )
    } else {
        String::new()
    };
    format!(
        "You are playing a {n}x{n} Sudoku, one move at a time.\n\
         RULES: the grid has {n} rows, {n} columns and {n} boxes of {h}x{w} cells ({h} rows high, {w} columns wide). \
         Each row, each column and each box must contain each of the symbols {symbols} exactly once.{letters}\n\
         NOTATION: rows and columns are numbered 1-{n} from the top-left; r3c5 is row 3, column 5. \
         `_` is an empty cell; `|` and `-` lines only separate boxes.\n\
         FEEDBACK after each move: CORRECT (placed on the board), INVALID (breaks a rule, fills a \
         non-empty cell or repeats a banned move; not placed), VALID_BUT_WRONG (breaks no rule now \
         but is not the solution; not placed), UNPARSEABLE (no move could be read).\n\
         BANNED MOVES: every INVALID or VALID_BUT_WRONG move is banned for the rest of the game; \
         never propose a banned move again.\n\
         OUTPUT: first the move on one line exactly like\n\
         ROW: r COL: c VALUE: v\n\
         then REASONING: at most two short sentences. Choose one empty cell and the value that must go there. \
         Commit to one move; do not list alternatives."
    )
}

/// The board for a prompt: a column header, one line per row (`R3: 5 3 _ | _ 7 _ | _ _ _`),
/// and separator lines between bands of boxes.
pub fn render_board(grid: &Grid) -> String {
    let shape = grid.shape();
    let n = shape.size();
    let (h, w) = (shape.box_height(), shape.box_width());
    let label = if n > 9 { 4 } else { 3 };
    // Column numbers: one header line of units digits, plus a tens line for grids above 9.
    let header_line = |digit: &dyn Fn(usize) -> char| {
        let mut line = format!("{:label$} ", "");
        for c in 0..n {
            if c > 0 && c % w == 0 {
                line.push_str("  ");
            }
            line.push(digit(c + 1));
            line.push(' ');
        }
        line.trim_end().to_string()
    };
    let mut header = String::new();
    if n > 9 {
        header.push_str(&header_line(&|k| {
            if k >= 10 {
                char::from(b'0' + (k / 10) as u8)
            } else {
                ' '
            }
        }));
        header.push('\n');
    }
    header.push_str(&header_line(&|k| char::from(b'0' + (k % 10) as u8)));
    // Separator under the cells: `-` everywhere, `+` where a row line has `|`.
    let mut separator = format!("{:label$} ", "");
    for c in 0..n {
        if c > 0 && c % w == 0 {
            separator.push_str("+-");
        }
        separator.push_str("--");
    }
    separator.pop();
    let mut out = String::new();
    out.push_str(header.trim_end());
    out.push('\n');
    for (r, row) in grid.rows().iter().enumerate() {
        if r > 0 && r % h == 0 {
            out.push_str(separator.trim_end());
            out.push('\n');
        }
        let mut line = format!("{:<label$} ", format!("R{}:", r + 1));
        for (c, &v) in row.iter().enumerate() {
            if c > 0 && c % w == 0 {
                line.push_str("| ");
            }
            line.push(if v == 0 { '_' } else { value_char(v) });
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Builds the user prompt, trimming history, banned moves and unit items to fit `budget`.
pub fn build_prompt(input: &PromptInput<'_>, budget: TokenBudget) -> BuiltPrompt {
    let system = system_prompt(input.board.shape());
    let mut history = input.history.len();
    let mut banned = input.banned.len();
    let unit_total = input.unit.map_or(0, |u| {
        u.strategies.len() + u.anti_patterns.len() + u.corrections.len()
    });
    let mut unit_items = unit_total;
    loop {
        let user = render_user(input, history, banned, unit_items);
        let estimated_tokens = estimate_tokens(&system) + estimate_tokens(&user);
        let fits = estimated_tokens <= budget.max_prompt_tokens;
        if fits || (history == 0 && banned == 0 && unit_items == 0) {
            let injected_items = input.unit.map_or_else(Vec::new, |u| {
                u.ids.iter().take(unit_items).cloned().collect()
            });
            return BuiltPrompt {
                system,
                user,
                estimated_tokens,
                injected_items,
                trimmed: Trimmed {
                    history: input.history.len() - history,
                    banned: input.banned.len() - banned,
                    unit_items: unit_total - unit_items,
                },
            };
        }
        if history > 0 {
            history -= 1;
        } else if banned > 0 {
            banned -= 1;
        } else {
            unit_items -= 1;
        }
    }
}

/// The user prompt keeping the newest `history` lines, the first `banned` banned moves and the
/// first `unit_items` unit items (strategies, then anti-patterns, then corrections).
fn render_user(
    input: &PromptInput<'_>,
    history: usize,
    banned: usize,
    unit_items: usize,
) -> String {
    let mut out = String::new();
    if let Some(feedback) = input.last_feedback {
        out.push_str("LAST MOVE: ");
        out.push_str(feedback);
        out.push_str("\n\n");
    }
    out.push_str("CURRENT BOARD:\n");
    out.push_str(&render_board(input.board));
    if let Some(unit) = input.unit {
        let mut left = unit_items;
        let mut section = |title: &str, items: &[String], out: &mut String| {
            let take = items.len().min(left);
            left -= take;
            if take > 0 {
                out.push('\n');
                out.push_str(title);
                out.push('\n');
                for item in &items[..take] {
                    out.push_str("- ");
                    out.push_str(item);
                    out.push('\n');
                }
            }
        };
        section("STRATEGIES THAT HELP:", &unit.strategies, &mut out);
        section("COMMON MISTAKES TO AVOID:", &unit.anti_patterns, &mut out);
        section("REASONING TRAPS TO AVOID:", &unit.corrections, &mut out);
    }
    if history > 0 {
        out.push_str("\nYOUR RECENT ATTEMPTS:\n");
        for line in &input.history[input.history.len() - history..] {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !input.banned.is_empty() {
        out.push_str("\nBANNED MOVES (never propose these again):\n");
        let shown: Vec<String> = input.banned[..banned].iter().map(Move::to_string).collect();
        for chunk in shown.chunks(10) {
            out.push_str(&chunk.join(", "));
            out.push('\n');
        }
        let hidden = input.banned.len() - banned;
        if hidden > 0 {
            out.push_str(&format!("(+{hidden} more banned)\n"));
        }
    }
    out.push_str(&format!(
        "\nEmpty cells remaining: {}\nWhat is your next move?",
        input.board.empty_count()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use solver_core::format::parse_line;

    #[test]
    fn system_prompt_names_box_shape_symbols_and_vocabulary() {
        let six = system_prompt(Shape::SIX);
        assert!(six.contains("6x6"));
        assert!(six.contains("boxes of 2x3 cells"));
        assert!(six.contains("symbols 1-6"));
        for word in [
            "CORRECT",
            "INVALID",
            "VALID_BUT_WRONG",
            "UNPARSEABLE",
            "BANNED",
            "ROW: r COL: c VALUE: v",
        ] {
            assert!(six.contains(word), "{word}");
        }
        let sixteen = system_prompt(Shape::SIXTEEN);
        assert!(sixteen.contains("1-9, A-G"));
        assert!(sixteen.contains("A = 10 … G = 16"));
        assert!(!six.contains("A = 10"));
    }

    #[test]
    fn board_rendering_with_box_separators() {
        let grid = parse_line("1..4.41.2.4..3.1").unwrap();
        assert_eq!(
            render_board(&grid),
            "    1 2   3 4\nR1: 1 _ | _ 4\nR2: _ 4 | 1 _\n    ----+----\nR3: 2 _ | 4 _\nR4: _ 3 | _ 1\n"
        );
        let big = Grid::empty(Shape::SIXTEEN);
        let text = render_board(&big);
        assert_eq!(text.lines().count(), 2 + 16 + 3);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].trim(), "1 1 1   1 1 1 1");
        assert_eq!(lines[1], "     1 2 3 4   5 6 7 8   9 0 1 2   3 4 5 6");
        assert_eq!(lines[6], "     --------+---------+---------+--------");
        assert!(text.contains("R16: _ _ _ _ | _"));
    }

    fn input<'a>(
        board: &'a Grid,
        history: &'a [String],
        banned: &'a [Move],
        unit: Option<&'a PromptUnit>,
    ) -> PromptInput<'a> {
        PromptInput {
            board,
            last_feedback: Some("INVALID: 4 is already in row 1 at r1c4."),
            history,
            banned,
            unit,
        }
    }

    #[test]
    fn user_prompt_has_every_part_in_order() {
        let board = parse_line("1..4.41.2.4..3.1").unwrap();
        let history = vec!["Move 1: r1c2=4 → INVALID (4 is already in row 1 at r1c4)".to_string()];
        let banned = vec![Move::new(0, 1, 4)];
        let unit = PromptUnit {
            strategies: vec!["Look for a row missing one value.".into()],
            anti_patterns: vec!["Placing into a given cell.".into()],
            corrections: vec!["Check the box too.".into()],
            ids: vec![],
        };
        let p = build_prompt(
            &input(&board, &history, &banned, Some(&unit)),
            TokenBudget::for_size(4),
        );
        assert!(!p.trimmed.any());
        let order = [
            "LAST MOVE: INVALID",
            "CURRENT BOARD:",
            "STRATEGIES",
            "COMMON MISTAKES",
            "REASONING TRAPS",
            "YOUR RECENT ATTEMPTS",
            "BANNED MOVES",
            "r1c2=4",
            "Empty cells remaining: 8",
            "What is your next move?",
        ];
        let mut at = 0;
        for part in order {
            let found = p.user[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part} missing after {at}:\n{}", p.user));
            at += found;
        }
        assert_eq!(
            p.estimated_tokens,
            estimate_tokens(&p.system) + estimate_tokens(&p.user)
        );
    }

    #[test]
    fn injected_items_are_the_ids_of_the_unit_lines_the_budget_kept() {
        let board = parse_line("1..4.41.2.4..3.1").unwrap();
        let unit = PromptUnit {
            strategies: vec!["s".repeat(300), "t".repeat(300)],
            anti_patterns: vec!["a".repeat(300)],
            corrections: vec!["c".repeat(300)],
            ids: vec!["st-1".into(), "st-2".into(), "ap-1".into(), "co-1".into()],
        };
        let all = build_prompt(
            &input(&board, &[], &[], Some(&unit)),
            TokenBudget {
                max_prompt_tokens: 100_000,
            },
        );
        assert_eq!(all.injected_items, ["st-1", "st-2", "ap-1", "co-1"]);
        // Room for all but the last line: the correction goes, its id with it.
        let tight = build_prompt(
            &input(&board, &[], &[], Some(&unit)),
            TokenBudget {
                max_prompt_tokens: all.estimated_tokens - 10,
            },
        );
        assert_eq!(tight.trimmed.unit_items, 1);
        assert_eq!(tight.injected_items, ["st-1", "st-2", "ap-1"]);
        let none = build_prompt(&input(&board, &[], &[], None), TokenBudget::for_size(4));
        assert!(none.injected_items.is_empty());
    }

    #[test]
    fn budget_trims_history_then_banned_then_unit_never_the_board() {
        for shape in Shape::ALL {
            let board = Grid::empty(shape);
            let history: Vec<String> = (1..=200).map(|k| format!("Move {k}: r1c1=1 → VALID_BUT_WRONG (a long reason to fill the budget quickly)")).collect();
            let banned: Vec<Move> = (0..shape.size())
                .flat_map(|r| (0..shape.size()).map(move |c| Move::new(r, c, 1)))
                .collect();
            let unit = PromptUnit {
                strategies: vec!["s".repeat(400); 20],
                anti_patterns: vec!["a".repeat(400); 20],
                corrections: vec!["c".repeat(400); 20],
                ids: vec![],
            };
            let budget = TokenBudget::for_size(shape.size());
            let p = build_prompt(&input(&board, &history, &banned, Some(&unit)), budget);
            assert!(
                p.estimated_tokens <= budget.max_prompt_tokens,
                "{shape}: {}",
                p.estimated_tokens
            );
            assert!(p.user.contains(&render_board(&board)));
            assert!(p.user.contains("What is your next move?"));
            assert!(p.trimmed.history > 0, "{shape}");
            // History goes first, then banned moves, then unit items.
            if p.trimmed.banned > 0 {
                assert_eq!(p.trimmed.history, 200, "{shape}");
            }
            if p.trimmed.unit_items > 0 {
                assert_eq!(p.trimmed.banned, banned.len(), "{shape}");
            }
            // The mandatory part alone fits with room for the answer.
            let bare = build_prompt(&input(&board, &[], &[], None), budget);
            assert!(
                bare.estimated_tokens * 2 <= budget.max_prompt_tokens,
                "{shape}: {}",
                bare.estimated_tokens
            );
        }
    }

    #[test]
    fn budget_drops_oldest_history_first_and_summarises_banned() {
        let board = parse_line("1..4.41.2.4..3.1").unwrap();
        let history: Vec<String> = (1..=200)
            .map(|k| format!("Move {k}: r1c1=1 → INVALID (some reason text)"))
            .collect();
        let p = build_prompt(
            &input(&board, &history, &[], None),
            TokenBudget::for_size(4),
        );
        assert!(p.trimmed.history > 0 && p.trimmed.history < 200);
        assert_eq!(p.trimmed.banned, 0);
        assert!(p.user.contains("Move 200:"));
        assert!(!p.user.contains("Move 1:"));
        // With only history and a small board, the 4x4 budget keeps a useful tail.
        assert!(200 - p.trimmed.history >= 10);

        let banned: Vec<Move> = (0..4)
            .flat_map(|r| (0..4).flat_map(move |c| (1..=4).map(move |v| Move::new(r, c, v))))
            .collect();
        let tight = TokenBudget {
            max_prompt_tokens: estimate_tokens(&system_prompt(Shape::FOUR)) + 120,
        };
        let p = build_prompt(&input(&board, &[], &banned, None), tight);
        assert!(p.trimmed.banned > 0);
        assert!(p
            .user
            .contains(&format!("(+{} more banned)", p.trimmed.banned)));
        assert!(p.estimated_tokens <= tight.max_prompt_tokens);
    }
}
