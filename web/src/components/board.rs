//! The Sudoku board: an ARIA grid of cells; givens are read-only, the rest are inputs.

use std::collections::BTreeSet;

use leptos::prelude::*;
use solver_core::Grid;

use solver_core::format::value_char;

/// The next input cell from (`row`, `col`) in the arrow key's direction, skipping givens;
/// `None` at the edge or for other keys.
pub fn arrow_target(
    key: &str,
    row: usize,
    col: usize,
    is_input: impl Fn(usize, usize) -> bool,
    size: usize,
) -> Option<(usize, usize)> {
    let (dr, dc): (isize, isize) = match key {
        "ArrowUp" => (-1, 0),
        "ArrowDown" => (1, 0),
        "ArrowLeft" => (0, -1),
        "ArrowRight" => (0, 1),
        _ => return None,
    };
    let (mut r, mut c) = (row as isize, col as isize);
    loop {
        r += dr;
        c += dc;
        if r < 0 || c < 0 || r >= size as isize || c >= size as isize {
            return None;
        }
        if is_input(r as usize, c as usize) {
            return Some((r as usize, c as usize));
        }
    }
}

fn focus_cell(row: usize, col: usize) {
    use wasm_bindgen::JsCast;
    let selector = format!("#board input[data-row=\"{row}\"][data-col=\"{col}\"]");
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

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
                                    on:keydown=move |ev| {
                                        let is_input = |r, c| givens.with_untracked(|g| g.get(r, c).is_none());
                                        if let Some((r, c)) = arrow_target(&ev.key(), row, col, is_input, size) {
                                            ev.prevent_default();
                                            focus_cell(r, c);
                                        }
                                    }
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

#[cfg(test)]
mod tests {
    use super::arrow_target;

    #[test]
    fn arrows_skip_givens_and_stop_at_the_edge() {
        // Column 1 of row 0 is a given: moving right from (0, 0) lands on (0, 2).
        let is_input = |r: usize, c: usize| !(r == 0 && c == 1);
        assert_eq!(arrow_target("ArrowRight", 0, 0, is_input, 4), Some((0, 2)));
        assert_eq!(arrow_target("ArrowLeft", 0, 2, is_input, 4), Some((0, 0)));
        assert_eq!(arrow_target("ArrowUp", 0, 2, is_input, 4), None);
        assert_eq!(arrow_target("ArrowDown", 0, 2, is_input, 4), Some((1, 2)));
        assert_eq!(arrow_target("Enter", 0, 2, is_input, 4), None);
        let only_given_to_the_right = |r: usize, c: usize| c != 3 || r != 0;
        assert_eq!(
            arrow_target("ArrowRight", 0, 2, only_given_to_the_right, 4),
            None
        );
    }
}
