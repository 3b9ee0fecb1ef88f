//! The Memory screen: experiences page by page (newest first, filtered by outcome or
//! consolidation), full-text search (BM25, in wasm), one experience in detail, export and
//! import as JSON lines, clear with confirmation, and how much storage is used.

use learning_lab::memory::ExperienceRecord;
use learning_lab::play::render_board;
use leptos::prelude::*;
use leptos::task::spawn_local;
use solver_core::format::parse_line;

use crate::db;
use crate::download::read_file_text;
use crate::storage::{self, ClearScope, ExperienceFilter, PageCursor};

const PAGE: u32 = 25;
const SEARCH_HITS: usize = 25;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

#[component]
pub fn MemoryPage() -> impl IntoView {
    let items = RwSignal::new(Vec::<(ExperienceRecord, Option<f64>)>::new());
    let next = RwSignal::new(None::<PageCursor>);
    let count = RwSignal::new(None::<u32>);
    let filter = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let selected = RwSignal::new(None::<ExperienceRecord>);
    let message = RwSignal::new(String::new());
    let estimate = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let refresh_counts = move || {
        spawn_local(async move {
            if let Ok(db) = db::open().await {
                match db.count_experiences().await {
                    Ok(n) => count.set(Some(n)),
                    Err(e) => message.set(e.to_string()),
                }
            }
            estimate.set(match storage::estimate().await {
                Ok(e) if e.quota > 0.0 => format!(
                    "storage used: {} of {} ({:.1}%)",
                    megabytes(e.usage),
                    megabytes(e.quota),
                    100.0 * e.usage / e.quota
                ),
                Ok(e) => format!("storage used: {}", megabytes(e.usage)),
                Err(e) => e.to_string(),
            });
        });
    };

    let load = move |append: bool| {
        let f = match filter.get_untracked().as_str() {
            "" => ExperienceFilter::All,
            "consolidated" => ExperienceFilter::Consolidated(true),
            "unconsolidated" => ExperienceFilter::Consolidated(false),
            outcome => ExperienceFilter::Outcome(outcome.to_string()),
        };
        let after = if append { next.get_untracked() } else { None };
        spawn_local(async move {
            let page = match db::open().await {
                Ok(db) => db.page_experiences(&f, after.as_ref(), PAGE).await,
                Err(e) => Err(e),
            };
            match page {
                Ok(page) => {
                    let rows = page.items.into_iter().map(|r| (r, None));
                    if append {
                        items.update(|i| i.extend(rows));
                    } else {
                        items.set(rows.collect());
                    }
                    next.set(page.next_cursor);
                }
                Err(e) => message.set(e.to_string()),
            }
        });
    };
    load(false);
    refresh_counts();

    let search = move || {
        let q = query.get_untracked();
        if q.trim().is_empty() {
            load(false);
            return;
        }
        message.set("searching…".into());
        spawn_local(async move {
            let started = db::now();
            let hits = match db::open().await {
                Ok(db) => db.search_experiences(&q, SEARCH_HITS).await,
                Err(e) => Err(e),
            };
            match hits {
                Ok(hits) => {
                    message.set(format!(
                        "{} match(es) for {q:?} in {:.0} ms",
                        hits.len(),
                        db::now() - started
                    ));
                    items.set(hits.into_iter().map(|(r, s)| (r, Some(s))).collect());
                    next.set(None);
                }
                Err(e) => message.set(e.to_string()),
            }
        });
    };

    let export = move |_| {
        busy.set(true);
        message.set("exporting…".into());
        spawn_local(async move {
            let started = db::now();
            let result = match db::open().await {
                Ok(db) => match db.export_blob(db::now()).await {
                    Ok(blob) => {
                        storage::download(&blob, "machine-dream-memory.jsonl").map(|()| blob.size())
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(bytes) => format!(
                    "exported {} in {:.0} ms",
                    megabytes(bytes),
                    db::now() - started
                ),
                Err(e) => format!("export failed: {e}"),
            });
            busy.set(false);
        });
    };

    let import = move |ev: leptos::ev::Event| {
        busy.set(true);
        spawn_local(async move {
            let text = match read_file_text(&ev).await {
                Ok(Some(text)) => text,
                Ok(None) => {
                    busy.set(false);
                    return;
                }
                Err(e) => {
                    message.set(e);
                    busy.set(false);
                    return;
                }
            };
            message.set("checking every line before writing…".into());
            let result = match db::open().await {
                Ok(db) => db.import_text(&text).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(s) => format!(
                    "imported {} experiences, {} sessions, {} puzzles, {} learning units, {} experiments, {} profiles",
                    s.experiences, s.sessions, s.puzzles, s.learning_units, s.experiments, s.profiles
                ),
                Err(e) => format!("nothing imported: {e}"),
            });
            busy.set(false);
            load(false);
            refresh_counts();
        });
    };

    let clear = move |_| {
        let n = count.get_untracked().unwrap_or(0);
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete all memory: {n} experiences, every session, learning unit and experiment? Profiles and settings stay. Export first if you may want it back."
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            message.set("nothing cleared".into());
            return;
        }
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.clear_memory(ClearScope::default()).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(()) => "memory cleared".into(),
                Err(e) => format!("not cleared (nothing was removed): {e}"),
            });
            selected.set(None);
            load(false);
            refresh_counts();
        });
    };

    view! {
        <section aria-labelledby="memory-title">
            <h2 id="memory-title">"Memory"</h2>
            <p id="memory-count" data-count=move || count.get().map(|n| n.to_string())>
                {move || count.get().map(|n| format!("{n} experiences")).unwrap_or_else(|| "counting…".into())}
            </p>
            <p id="storage-estimate" class="muted">{move || estimate.get()}</p>
            <div class="row">
                <label>"Show "
                    <select id="memory-filter" on:change=move |ev| { filter.set(event_target_value(&ev)); query.set(String::new()); load(false) }>
                        <option value="">"all"</option>
                        <option value="correct">"correct"</option>
                        <option value="invalid">"invalid"</option>
                        <option value="valid_but_wrong">"valid but wrong"</option>
                        <option value="unparseable">"unparseable"</option>
                        <option value="unconsolidated">"not yet dreamed"</option>
                        <option value="consolidated">"dreamed"</option>
                    </select>
                </label>
                <form role="search" on:submit=move |ev| { ev.prevent_default(); search() }>
                    <label>"Search "
                        <input id="memory-search" type="search" placeholder="reasoning, feedback, r3c5…"
                            prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                    </label>
                    <button id="memory-search-go" type="submit">"Search"</button>
                </form>
            </div>
            <ul id="memory-list">
                <For each=move || items.get() key=|(r, s)| (r.id.clone(), s.map(f64::to_bits)) children=move |(r, score)| {
                    let shown = r.clone();
                    let what = r.experience.attempt.mv().map_or_else(|| "no move".to_string(), |m| m.to_string());
                    view! {
                        <li data-experience-id=r.id.clone() data-outcome=r.outcome()>
                            <button class="small" on:click=move |_| selected.set(Some(shown.clone()))>"Show"</button>
                            {format!(" {} · {what} · {} · importance {:.2}", r.id, r.outcome(), r.experience.importance)}
                            {score.map(|s| format!(" · score {s:.2}"))}
                        </li>
                    }
                }/>
            </ul>
            <Show when=move || next.with(Option::is_some)>
                <button id="memory-more" on:click=move |_| load(true)>"More"</button>
            </Show>
            {move || selected.get().map(|r| view! { <ExperienceDetail record=r/> })}
            <div class="row">
                <button id="memory-export" on:click=export disabled=move || busy.get()>"Export (JSON lines)"</button>
                <label class="file">"Import "
                    <input id="memory-import" type="file" accept=".jsonl,.ndjson,.json" on:change=import disabled=move || busy.get()/>
                </label>
                <button id="memory-clear" class="danger" on:click=clear>"Clear memory…"</button>
            </div>
            <p id="memory-message" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}

#[component]
fn ExperienceDetail(record: ExperienceRecord) -> impl IntoView {
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
            <h4>"Board before"</h4>
            <pre class="answer">{board}</pre>
            <h4>"Reasoning"</h4>
            <pre class="reasoning">{e.attempt.reasoning.clone()}</pre>
            {e.attempt.hidden_reasoning.clone().map(|h| view! { <h4>"Hidden reasoning"</h4><pre class="reasoning">{h}</pre> })}
        </article>
    }
}
