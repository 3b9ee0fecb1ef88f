//! The list of judged attempts: number, move, outcome and the feedback sentence.

use learning_lab::play::Attempt;
use leptos::prelude::*;

/// One row per attempt, newest last; `selected` (1-based attempt number) is marked for replay.
#[component]
pub fn MoveList(
    attempts: Signal<Vec<Attempt>>,
    #[prop(optional)] selected: Option<Signal<usize>>,
) -> impl IntoView {
    view! {
        <ol class="move-list" aria-label="Moves and their judgements">
            <For
                each=move || attempts.get()
                key=|a| a.number
                children=move |a| {
                    let outcome = a.judgement.label();
                    let what = a.mv().map_or_else(|| "no move".to_string(), |m| m.to_string());
                    let number = a.number;
                    let is_selected = move || selected.is_some_and(|s| s.get() == number);
                    view! {
                        <li class="move" class:selected=is_selected data-outcome=outcome
                            value=number>
                            <span class="move-what">{what}</span>
                            " "
                            <span class=format!("outcome {}", outcome.to_lowercase())>{outcome}</span>
                            <span class="feedback muted">{a.feedback.clone()}</span>
                        </li>
                    }
                }
            />
        </ol>
    }
}
