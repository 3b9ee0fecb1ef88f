//! A person's board: an ARIA grid over a [`Game`], with pencil marks, hint and check
//! highlights, for every size. Keys are read by `solver_core::game::key_action`; this component
//! only turns them into calls on the game and moves the focus.

use std::collections::BTreeSet;

use leptos::prelude::*;
use solver_core::format::value_char;
use solver_core::game::{key_action, Game, KeyAction};

use crate::game::parse_entry;

fn focus_cell(row: usize, col: usize) {
    use wasm_bindgen::JsCast;
    let selector = format!("#board [data-row=\"{row}\"][data-col=\"{col}\"]");
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// What the board asks its screen to do besides editing the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardCommand {
    /// A cell was edited (value, mark or clear): save, and say what it means there.
    Edited {
        /// Row, 0-based.
        row: usize,
        /// Column, 0-based.
        col: usize,
    },
    /// The game changed otherwise (undo, redo): save it.
    Changed,
    /// Space: switch pencil mode.
    TogglePencil,
    /// `?`: the next hint press.
    Hint,
}

/// The board. `pencil` says whether values typed become marks; `wrong` are the cells the last
/// check found wrong; `highlight` are the current hint's cells. Every change to the game is
/// reported through `on_command` so the screen saves it.
#[component]
pub fn GameBoard(
    game: RwSignal<Game>,
    pencil: Signal<bool>,
    wrong: Signal<BTreeSet<(usize, usize)>>,
    highlight: Signal<BTreeSet<(usize, usize)>>,
    selected: RwSignal<(usize, usize)>,
    on_command: Callback<BoardCommand>,
) -> impl IntoView {
    let act = move |row: usize, col: usize, action: KeyAction| {
        let size = game.with_untracked(Game::size);
        let edited = matches!(
            action,
            KeyAction::Value(_) | KeyAction::Mark(_) | KeyAction::Clear
        );
        let changed = match action {
            KeyAction::Value(v) if pencil.get_untracked() => game
                .try_update(|g| g.toggle_mark(row, col, v))
                .unwrap_or(false),
            KeyAction::Value(v) => game
                .try_update(|g| g.enter(row, col, Some(v)))
                .unwrap_or(false),
            KeyAction::Mark(v) => game
                .try_update(|g| g.toggle_mark(row, col, v))
                .unwrap_or(false),
            KeyAction::Clear => game
                .try_update(|g| g.enter(row, col, None))
                .unwrap_or(false),
            KeyAction::Undo => game.try_update(Game::undo).unwrap_or(false),
            KeyAction::Redo => game.try_update(Game::redo).unwrap_or(false),
            KeyAction::Move(dr, dc) => {
                let r = row as isize + dr;
                let c = col as isize + dc;
                if (0..size as isize).contains(&r) && (0..size as isize).contains(&c) {
                    selected.set((r as usize, c as usize));
                    focus_cell(r as usize, c as usize);
                }
                false
            }
            KeyAction::TogglePencil => {
                on_command.run(BoardCommand::TogglePencil);
                false
            }
            KeyAction::Hint => {
                on_command.run(BoardCommand::Hint);
                false
            }
        };
        if changed && edited {
            on_command.run(BoardCommand::Edited { row, col });
        } else if changed {
            on_command.run(BoardCommand::Changed);
        }
    };

    move || {
        let shape = game.with(|g| g.givens().shape());
        let size = shape.size();
        let (box_h, box_w) = (shape.box_height(), shape.box_width());
        let rows = (0..size)
            .map(|row| {
                let cells = (0..size)
                    .map(|col| {
                        cell(
                            row, col, size, box_h, box_w, game, wrong, highlight, selected, act,
                        )
                    })
                    .collect_view();
                view! { <div role="row" class="board-row">{cells}</div> }
            })
            .collect_view();
        view! {
            <div id="board" role="grid" aria-label=format!("{size} by {size} Sudoku")
                class="board" class:pencil=move || pencil.get() style=format!("--size: {size}")>
                {rows}
            </div>
        }
    }
}

/// "row 3 column 5, 7", "row 3 column 5, given 7", "row 3 column 5, candidates 1 4 9" or
/// "row 3 column 5, empty": what a screen reader says for a cell.
fn cell_label(game: &Game, row: usize, col: usize) -> String {
    let place = format!("row {} column {}", row + 1, col + 1);
    match game.value(row, col) {
        Some(v) if game.is_given(row, col) => format!("{place}, given {}", value_char(v)),
        Some(v) => format!("{place}, {}", value_char(v)),
        None => {
            let marks: Vec<String> = game
                .marks(row, col)
                .iter()
                .map(|v| value_char(v).to_string())
                .collect();
            if marks.is_empty() {
                format!("{place}, empty")
            } else {
                format!("{place}, candidates {}", marks.join(" "))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn cell(
    row: usize,
    col: usize,
    size: usize,
    box_h: usize,
    box_w: usize,
    game: RwSignal<Game>,
    wrong: Signal<BTreeSet<(usize, usize)>>,
    highlight: Signal<BTreeSet<(usize, usize)>>,
    selected: RwSignal<(usize, usize)>,
    act: impl Fn(usize, usize, KeyAction) + Copy + 'static,
) -> impl IntoView {
    let edge_right = (col + 1).is_multiple_of(box_w) && col + 1 != size;
    let edge_bottom = (row + 1).is_multiple_of(box_h) && row + 1 != size;
    let given = game.with_untracked(|g| g.is_given(row, col));
    let value = move || {
        game.with(|g| {
            g.value(row, col)
                .map(|v| value_char(v).to_string())
                .unwrap_or_default()
        })
    };
    let conflict = move || {
        game.with(|g| {
            !given && g.value(row, col).is_some() && !g.board().conflicts_at(row, col).is_empty()
        })
    };
    let marks = move || {
        game.with(|g| {
            let marks = g.marks(row, col);
            (1..=size as u8)
                .map(|v| {
                    let shown = marks.contains(v);
                    view! { <span class:on=shown>{if shown { value_char(v).to_string() } else { String::new() }}</span> }
                })
                .collect_view()
        })
    };
    let mark_cols = (size as f64).sqrt().ceil() as usize;
    view! {
        <div role="gridcell" class="cell-wrap"
            class:box-right=edge_right class:box-bottom=edge_bottom
            aria-selected=move || (selected.get() == (row, col)).to_string()>
            <input class="cell" class:given=given readonly=given
                inputmode="text" autocomplete="off" spellcheck="false"
                class:conflict=conflict
                class:wrong=move || wrong.with(|w| w.contains(&(row, col)))
                class:hinted=move || highlight.with(|h| h.contains(&(row, col)))
                data-conflict=move || conflict().then_some("true")
                data-given=given.then_some("true")
                data-row=row data-col=col
                tabindex=move || if selected.get() == (row, col) { "0" } else { "-1" }
                aria-label=move || game.with(|g| cell_label(g, row, col))
                prop:value=value
                on:focus=move |_| selected.set((row, col))
                on:keydown=move |ev| {
                    let size = game.with_untracked(Game::size);
                    let action = key_action(&ev.key(), &ev.code(), ev.ctrl_key() || ev.meta_key(), ev.shift_key(), size);
                    match action {
                        Some(KeyAction::Move(..)) | Some(KeyAction::Undo) | Some(KeyAction::Redo)
                        | Some(KeyAction::TogglePencil) | Some(KeyAction::Hint) => {
                            ev.prevent_default();
                            act(row, col, action.expect("matched"));
                        }
                        Some(other) => {
                            ev.prevent_default();
                            if !given {
                                act(row, col, other);
                            }
                        }
                        None => {}
                    }
                }
                // Typing that did not arrive as a key (a phone keyboard, paste): read the text.
                on:input=move |ev| {
                    let size = game.with_untracked(Game::size);
                    match parse_entry(&event_target_value(&ev), size) {
                        Ok(Some(v)) => act(row, col, KeyAction::Value(v)),
                        Ok(None) => act(row, col, KeyAction::Clear),
                        Err(_) => {}
                    }
                    // Show the game's value again, whatever was typed.
                    game.update(|_| {});
                }
            />
            <div class="marks" aria-hidden="true" style=format!("--mark-cols: {mark_cols}")
                class:hidden=move || game.with(|g| g.value(row, col).is_some())>
                {marks}
            </div>
        </div>
    }
}
