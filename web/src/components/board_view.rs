//! A read-only board for watching a model play or replaying a session: givens, placed values,
//! and the cell of the latest move highlighted with its outcome.

use leptos::prelude::*;
use solver_core::format::value_char;
use solver_core::Grid;

/// The move to highlight: cell, the value proposed and the outcome label.
#[derive(Clone, Debug, PartialEq)]
pub struct LastMove {
    pub row: usize,
    pub col: usize,
    pub value: u8,
    /// `CORRECT`, `INVALID`, `VALID_BUT_WRONG`.
    pub outcome: &'static str,
}

/// Render `board` over `givens`; `last` marks the cell of the latest move. A rejected move is
/// shown in its cell (struck through) so the viewer sees what was tried.
#[component]
pub fn BoardView(
    givens: Signal<Grid>,
    board: Signal<Grid>,
    last: Signal<Option<LastMove>>,
    #[prop(into)] id: String,
) -> impl IntoView {
    move || {
        let givens_now = givens.get();
        let board_now = board.get();
        let last_now = last.get();
        let shape = givens_now.shape();
        let size = shape.size();
        let (box_h, box_w) = (shape.box_height(), shape.box_width());
        let rows = (0..size)
            .map(|row| {
                let cells = (0..size)
                    .map(|col| {
                        let given = givens_now.get(row, col).is_some();
                        let placed = board_now.get(row, col);
                        let highlight = last_now.as_ref().filter(|m| m.row == row && m.col == col);
                        let (text, outcome) = match (placed, highlight) {
                            (_, Some(m)) if m.outcome != "CORRECT" => {
                                (value_char(m.value).to_string(), Some(m.outcome))
                            }
                            (Some(v), h) => (value_char(v).to_string(), h.map(|m| m.outcome)),
                            (None, _) => (String::new(), None),
                        };
                        let label = match outcome {
                            Some(o) => format!(
                                "row {} column {}: {text}, last move, {o}",
                                row + 1,
                                col + 1
                            ),
                            None if text.is_empty() => {
                                format!("row {} column {}: empty", row + 1, col + 1)
                            }
                            None => format!("row {} column {}: {text}", row + 1, col + 1),
                        };
                        view! {
                            <div role="gridcell" aria-readonly="true" class="cell"
                                class:given=given
                                class:box-right=(col + 1) % box_w == 0 && col + 1 != size
                                class:box-bottom=(row + 1) % box_h == 0 && row + 1 != size
                                class:last-move=outcome.is_some()
                                class:rejected=outcome.is_some_and(|o| o != "CORRECT")
                                data-row=row data-col=col data-outcome=outcome
                                aria-label=label>
                                {text}
                            </div>
                        }
                    })
                    .collect_view();
                view! { <div role="row" class="board-row">{cells}</div> }
            })
            .collect_view();
        view! {
            <div id=id.clone() role="grid" aria-label=format!("{size} by {size} Sudoku, read only")
                class="board view" style=format!("--size: {size}")>
                {rows}
            </div>
        }
    }
}
