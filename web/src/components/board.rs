//! The Sudoku board: an ARIA grid of cells; givens are read-only, the rest are inputs.

use std::collections::BTreeSet;

use leptos::prelude::*;
use solver_core::Grid;

use solver_core::format::value_char;

/// Render `board` (the current values) over `givens` (the fixed clues). Typing calls
/// `on_entry(row, col, text)` with the raw text; the caller decides what it means.
#[component]
pub fn Board(
    givens: Signal<Grid>,
    board: Signal<Grid>,
    conflicts: Signal<BTreeSet<(usize, usize)>>,
    on_entry: Callback<(usize, usize, String)>,
) -> impl IntoView {
    move || {
        let givens_now = givens.get();
        let shape = givens_now.shape();
        let size = shape.size();
        let (box_h, box_w) = (shape.box_height(), shape.box_width());
        let rows = (0..size)
            .map(|row| {
                let cells = (0..size)
                    .map(|col| {
                        let edge_right = (col + 1) % box_w == 0 && col + 1 != size;
                        let edge_bottom = (row + 1) % box_h == 0 && row + 1 != size;
                        let label = format!("row {} column {}", row + 1, col + 1);
                        let conflict = move || conflicts.with(|set| set.contains(&(row, col)));
                        if let Some(value) = givens_now.get(row, col) {
                            view! {
                                <div role="gridcell" class="cell given" aria-readonly="true"
                                    class:box-right=edge_right class:box-bottom=edge_bottom
                                    class:conflict=conflict
                                    data-row=row data-col=col aria-label=label>
                                    {value_char(value).to_string()}
                                </div>
                            }
                            .into_any()
                        } else {
                            let value = move || {
                                board.with(|b| b.get(row, col).map(|v| value_char(v).to_string()).unwrap_or_default())
                            };
                            view! {
                                <input role="gridcell" class="cell" inputmode="numeric" autocomplete="off"
                                    class:box-right=edge_right class:box-bottom=edge_bottom
                                    class:conflict=conflict
                                    data-conflict=move || conflict().then_some("true")
                                    data-row=row data-col=col aria-label=label
                                    prop:value=value
                                    on:input=move |ev| on_entry.run((row, col, event_target_value(&ev)))
                                />
                            }
                            .into_any()
                        }
                    })
                    .collect_view();
                view! { <div role="row" class="board-row">{cells}</div> }
            })
            .collect_view();
        view! {
            <div id="board" role="grid" aria-label=format!("{size} by {size} Sudoku")
                class="board" style=format!("--size: {size}")>
                {rows}
            </div>
        }
    }
}
