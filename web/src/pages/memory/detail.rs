//! One experience in full: outcome, feedback, who played how, the board before, reasoning.

use learning_lab::memory::ExperienceRecord;
use learning_lab::play::render_board;
use leptos::prelude::*;
use solver_core::format::parse_line;

/// The detail of `record` (`#experience-detail`).
#[component]
pub fn ExperienceDetail(record: ExperienceRecord) -> impl IntoView {
    let e = &record.experience;
    let board = parse_line(&e.attempt.board_before)
        .map(|g| render_board(&g))
        .unwrap_or_else(|err| format!("(board does not parse: {err})"));
    let timing = match (e.context.timings.first_token_ms, e.context.timings.total_ms) {
        (Some(first), Some(total)) => format!("first token {first} ms, answer {total} ms"),
        (None, Some(total)) => format!("answer {total} ms"),
        _ => "no timings".into(),
    };
    view! {
        <article id="experience-detail" class="editor">
            <h3>{format!("{} — {}", record.id, record.outcome())}</h3>
            <p>{e.attempt.feedback.clone()}</p>
            <p class="muted">{format!(
                "model {} · profile {} · unit {} · mode {}{} · importance {:.3} · {timing}",
                e.context.model, e.context.profile_id,
                e.context.unit_id.clone().unwrap_or_else(|| "none".into()),
                e.context.mode,
                e.context.mode.research_note().map(|n| format!(" · {n}")).unwrap_or_default(),
                e.importance
            )}</p>
            <p id="experience-injected" class="muted">{if e.injected_items.is_empty() {
                "no learning-unit items in its prompt".to_string()
            } else {
                format!("unit items in its prompt: {}", e.injected_items.join(", "))
            }}</p>
            <h4>"Board before"</h4>
            <pre class="answer">{board}</pre>
            <h4>"Reasoning"</h4>
            <pre class="reasoning">{e.attempt.reasoning.clone()}</pre>
            {e.attempt.hidden_reasoning.clone().map(|h| view! { <h4>"Hidden reasoning"</h4><pre class="reasoning">{h}</pre> })}
        </article>
    }
}
