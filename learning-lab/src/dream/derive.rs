//! Abstraction, offline path: item texts derived from the data itself, with no language model.
//! Every sentence states only what the engine can see on the boards.

use crate::play::Move;
use crate::unit::{MistakeKind, Pattern};
use solver_core::format::{parse_line, value_char};
use solver_core::grid::{Grid, Unit};

/// The game stage of an empty share: early (≥ 60 % empty), late (≤ 25 %), else middle.
pub fn stage(empty_ratio: f64) -> &'static str {
    if empty_ratio >= 0.6 {
        "early in the game"
    } else if empty_ratio <= 0.25 {
        "late in the game"
    } else {
        "in the middle game"
    }
}

/// `(when, text)` of a strategy for a cluster of correct moves.
pub fn strategy_text(pattern: Pattern, size: usize, empty_ratio: f64) -> (String, String) {
    let (clause, text) = match pattern {
        Pattern::NakedSingle => (
            "a cell's row, column and box together already hold every value but one",
            "List the values seen in the cell's row, column and box; if exactly one value is missing from all three, that value goes in the cell.",
        ),
        Pattern::HiddenSingle => (
            "a value is missing from a row, column or box and only one of its empty cells can take it",
            "Pick a value missing from a unit, cross out every empty cell of the unit whose row, column or box already has it; when one cell is left, place the value there.",
        ),
        Pattern::NearlyFullUnit => (
            "a row, column or box has only one or two empty cells",
            "Work on the fullest row, column or box first: name its missing values, then test each against the crossing row, column and box of each gap.",
        ),
        Pattern::Other => (
            "no cell or value is forced at a glance",
            "Write the candidates of the cells in the fullest units and eliminate values seen in their row, column and box until one placement is forced; do not guess.",
        ),
    };
    (
        format!("{} on {size}x{size} boards, {clause}", stage(empty_ratio)),
        text.to_string(),
    )
}

/// Offline text of an anti-pattern.
pub fn anti_pattern_text(kind: MistakeKind) -> String {
    match kind {
        MistakeKind::RowConflict => "Proposing a value that is already in the cell's row: read the whole row before answering.",
        MistakeKind::ColumnConflict => "Proposing a value that is already in the cell's column: read the column top to bottom before answering.",
        MistakeKind::BoxConflict => "Proposing a value that is already in the cell's box: find the box's rows and columns and check every cell of it.",
        MistakeKind::FilledCell => "Choosing a cell that is not empty: only cells shown as '.' can take a value; givens and placed values never change.",
        MistakeKind::Format => "Answers without a readable move: end every answer with one line ROW: r COL: c VALUE: v, numbers only.",
    }
    .to_string()
}

/// Offline text of a correction: how many candidates the cell had, so the guess is visible.
pub fn correction_text(board: &str, wrong: &Move) -> String {
    let cands = parse_line(board)
        .ok()
        .map(|g| g.candidates(wrong.row, wrong.col))
        .filter(|c| !c.is_empty());
    match cands {
        Some(c) if c.len() > 1 => {
            let list: Vec<String> = c.iter().map(|v| value_char(v).to_string()).collect();
            format!(
                "{} still had {} candidates ({}); picking one that merely fits is a guess. Place a value only when it is the cell's last candidate or the value's last place in a unit.",
                wrong.cell(),
                c.len(),
                list.join(", ")
            )
        }
        _ => format!(
            "A value that breaks no rule at {} is not yet proven; check that no other value fits the cell before answering.",
            wrong.cell()
        ),
    }
}

/// Why a correct move is forced, from the board alone (for few-shot examples).
pub fn few_shot_reasoning(grid: &Grid, mv: &Move, pattern: Pattern) -> String {
    let v = value_char(mv.value);
    let cell = mv.cell();
    match pattern {
        Pattern::NakedSingle => format!(
            "the row, column and box of {cell} hold every value except {v}, so {v} is its only candidate"
        ),
        Pattern::HiddenSingle => {
            let shape = grid.shape();
            for unit in Unit::ALL {
                let index = shape.unit_index(unit, mv.row, mv.col);
                let places = shape
                    .unit_cells(unit, index)
                    .filter(|&(r, c)| grid.get(r, c).is_none() && grid.candidates(r, c).contains(mv.value))
                    .count();
                if places == 1 {
                    return format!(
                        "{v} is missing from {unit} {} and {cell} is the only empty cell of that {unit} that can take it",
                        index + 1
                    );
                }
            }
            format!("{v} has no other place in a unit of {cell}")
        }
        Pattern::NearlyFullUnit | Pattern::Other => {
            let c = grid.candidates(mv.row, mv.col);
            let list: Vec<String> = c.iter().map(|x| value_char(x).to_string()).collect();
            format!(
                "{cell} can hold {}; eliminating the others through their crossing units leaves {v}",
                list.join(", ")
            )
        }
    }
}
