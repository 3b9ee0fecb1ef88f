//! Design options of the Experiments screen beyond arms and puzzles: held-out test puzzles
//! for learning curves, and early stopping at declared checkpoints for A/B/X designs.

use learning_lab::experiment::AlphaSpending;
use leptos::prelude::*;

use crate::components::number_field::NumberField;

/// Learning curve: held-out test puzzles (every phase evaluated on them, dreams only on
/// separate training puzzles), or each phase on its own new puzzles.
#[component]
pub fn HeldOutFields(held_out: RwSignal<bool>, test_puzzles: RwSignal<usize>) -> impl IntoView {
    view! {
        <div class="row">
            <label><input id="experiment-held-out" type="checkbox" prop:checked=move || held_out.get()
                on:change=move |ev| held_out.set(event_target_checked(&ev))/>" held out: every phase plays the same test puzzles, dreams see only training puzzles (paired)"</label>
            <Show when=move || held_out.get()>
                <NumberField id="experiment-test-puzzles" label=" Test puzzles " value=test_puzzles min=1 max=500/>
            </Show>
            <span id="experiment-pairing-note" class="muted">{move || if held_out.get() {
                " every phase plays the same test puzzles: results use paired tests"
            } else {
                " each phase plays new puzzles: results use unpaired tests"
            }}</span>
        </div>
    }
}

/// A/B/X: optional early stopping, declared before the run: a look every N rounds and how α
/// is shared among the looks.
#[component]
pub fn EarlyStoppingFields(
    early_stop: RwSignal<bool>,
    checkpoint_every: RwSignal<usize>,
    spending: RwSignal<AlphaSpending>,
) -> impl IntoView {
    view! {
        <p class="muted">"Every arm plays the same puzzles (the same seeds, the same repeats), so results use paired tests."</p>
        <div class="row">
            <label><input id="experiment-early-stop" type="checkbox" prop:checked=move || early_stop.get()
                on:change=move |ev| early_stop.set(event_target_checked(&ev))/>" stop early when the answer is clear"</label>
            <Show when=move || early_stop.get()>
                <NumberField id="experiment-checkpoint-every" label=" look every " value=checkpoint_every min=1 max=1000/>
                <span>" rounds; α shared by "</span>
                <select id="experiment-alpha-spending" aria-label="How α is shared among the looks"
                    prop:value=move || spending.get().key()
                    on:change=move |ev| {
                        if let Some(s) = AlphaSpending::from_key(&event_target_value(&ev)) {
                            spending.set(s);
                        }
                    }>
                    {AlphaSpending::ALL.into_iter().map(|s| view! { <option value=s.key()>{s.name()}</option> }).collect_view()}
                </select>
            </Show>
        </div>
    }
}
