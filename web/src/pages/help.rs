//! Help: what the four verdicts mean, what experiences, dreams and learning units are, the
//! board's keys, and a way to see the welcome again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::db;
use crate::pages::home::{WELCOME_AGAIN, WELCOME_DONE};

#[component]
pub fn HelpPage() -> impl IntoView {
    let navigate = use_navigate();
    let welcome_again = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Ok(db) = db::open().await {
                let _ = db.set_setting(WELCOME_DONE, WELCOME_AGAIN).await;
            }
            navigate(&crate::base_path::url("/"), Default::default());
        });
    };
    view! {
        <section aria-labelledby="help-title" class="help">
            <h2 id="help-title">"Help"</h2>
            <h3>"The four verdicts"</h3>
            <p>"The engine judges every move a model proposes against the puzzle's one solution. The verdict is the model's only teacher: it gets no hints and no solver help."</p>
            <dl class="verdicts">
                <dt><span class="outcome correct">"CORRECT"</span></dt>
                <dd>"The value is the solution's: it is placed on the board."</dd>
                <dt><span class="outcome invalid">"INVALID"</span></dt>
                <dd>"The move breaks a rule (the value is already in the row, column or box), the cell is already filled, or the model repeated a move it was told is wrong. Nothing is placed."</dd>
                <dt><span class="outcome valid_but_wrong">"VALID_BUT_WRONG"</span></dt>
                <dd>"Legal right now, but not the solution's value: it would lead to a dead end later. Nothing is placed."</dd>
                <dt><span class="outcome unparseable">"UNPARSEABLE"</span></dt>
                <dd>"The answer did not contain a move the app could read."</dd>
            </dl>
            <h3>"Experiences, dreams and learning units"</h3>
            <dl>
                <dt>"Experience"</dt>
                <dd>"One attempt of a model: the board it saw, what it answered, the verdict. Every attempt is stored before the next request, so nothing is lost when a tab closes."</dd>
                <dt>"Dream"</dt>
                <dd>"Consolidation of experiences in five phases: capture, triage (drop repeats and noise), compression (group similar moves), abstraction (write the lesson), verification (the engine checks every example)."</dd>
                <dt>"Learning unit"</dt>
                <dd>"What a dream produces: strategies, anti-patterns, corrections and worked examples. With memory on, a play puts the items relevant to the board into the model's prompt. Experiments show, with confidence intervals, whether that helped."</dd>
            </dl>
            <h3>"Keys on the board"</h3>
            <table class="keys">
                <thead><tr><th scope="col">"Key"</th><th scope="col">"What it does"</th></tr></thead>
                <tbody>
                    <tr><td>"1–9, A–P"</td><td>"Enter a value (A–P are 10–25 on big grids); a pencil mark in pencil mode"</td></tr>
                    <tr><td>"Shift + value"</td><td>"Toggle a pencil mark, whatever the mode"</td></tr>
                    <tr><td>"Space"</td><td>"Pencil mode on or off"</td></tr>
                    <tr><td>"Arrow keys"</td><td>"Move between cells"</td></tr>
                    <tr><td>"Backspace, Delete, 0"</td><td>"Clear the cell"</td></tr>
                    <tr><td>"Ctrl+Z, Ctrl+Y"</td><td>"Undo, redo (Ctrl+Shift+Z redoes too)"</td></tr>
                    <tr><td>"?"</td><td>"Hint: first where to look, then why, then apply it"</td></tr>
                </tbody>
            </table>
            <h3>"Start over"</h3>
            <div class="row">
                <button id="help-tour" type="button" on:click=move |_| crate::components::tour::TourState::get().start()>"Take the quick tour"</button>
                <button id="help-welcome" type="button" class="secondary" on:click=welcome_again>"Show the welcome again"</button>
            </div>
        </section>
    }
}
