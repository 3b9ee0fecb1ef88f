//! What the LLM Play screen shows of the play in view: its id, the board with the last move,
//! the streamed reasoning and answer, stats, the last prompt, the accuracy trend and the moves.

use leptos::prelude::*;

use crate::components::board_view::{BoardView, LastMove};
use crate::components::move_list::MoveList;
use crate::components::trend::Trend;
use crate::drivers::player::Live;

/// Moves shown in the live list (the Sessions screen replays all of them).
const LIST_WINDOW: usize = 50;

/// The live view of `live.record` and its stream.
#[component]
pub(super) fn LiveView(live: Live) -> impl IntoView {
    let shape_givens = Signal::derive(move || {
        live.record.with(|r| {
            r.as_ref().map_or_else(
                || solver_core::Grid::empty(solver_core::Shape::new(4).expect("4 is a size")),
                |r| r.session.givens().clone(),
            )
        })
    });
    let board = Signal::derive(move || {
        live.record.with(|r| {
            r.as_ref()
                .map_or_else(|| shape_givens.get(), |r| r.session.board().clone())
        })
    });
    let last = Signal::derive(move || {
        live.record.with(|r| {
            let a = r.as_ref()?.session.attempts().last()?;
            let mv = a.mv()?;
            Some(LastMove {
                row: mv.row,
                col: mv.col,
                value: mv.value,
                outcome: a.judgement.label(),
            })
        })
    });
    let window = Signal::derive(move || {
        live.record.with(|r| {
            r.as_ref().map_or_else(Vec::new, |r| {
                let all = r.session.attempts();
                all[all.len().saturating_sub(LIST_WINDOW)..].to_vec()
            })
        })
    });
    let stats = Memo::new(move |_| live.record.with(|r| r.as_ref().map(|r| r.session.stats())));
    let trend = Signal::derive(move || stats.get().map(|s| s.trend).unwrap_or_default());
    let median_overhead = move || {
        live.overhead_ms.with(|v| {
            if v.is_empty() {
                return String::new();
            }
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            format!("{:.1}", sorted[sorted.len() / 2])
        })
    };

    view! {
        <p id="llm-session-id" class="muted">{move || live.record.with(|r| r.as_ref().map(|r| format!("{} · {}", r.id, r.puzzle_id)).unwrap_or_default())}</p>
        <div class="llm-live">
            <BoardView id="llm-board" givens=shape_givens board=board last=last/>
            <div class="stream">
                <h3>"Reasoning"</h3>
                <pre id="llm-reasoning" class="reasoning" aria-live="off">{move || live.reasoning.get()}</pre>
                <h3>"Answer"</h3>
                <pre id="llm-answer" class="answer" aria-live="off">{move || live.answer.get()}</pre>
            </div>
        </div>
        <p id="llm-stats"
            data-attempts=move || stats.get().map(|s| s.attempts).unwrap_or(0)
            data-correct=move || stats.get().map(|s| s.correct).unwrap_or(0)
            data-overhead-ms=median_overhead>
            {move || stats.get().map(|s| format!(
                "{} attempts · {} correct · {} invalid · {} valid but wrong · {} unparseable · accuracy {:.0}%",
                s.attempts, s.correct, s.invalid + s.banned_repeats, s.valid_but_wrong, s.unparseable, s.accuracy * 100.0
            )).unwrap_or_default()}
            {move || { let m = median_overhead(); (!m.is_empty()).then(|| format!(" · app time per move {m} ms")) }}
        </p>
        <details id="llm-prompt">
            <summary>"Last prompt sent"</summary>
            <pre class="answer">{move || live.prompt.get()}</pre>
        </details>
        <Trend trend=trend/>
        <MoveList attempts=window/>
    }
}
