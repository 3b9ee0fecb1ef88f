//! The Sessions screen: every play, newest first, filtered by state; one session in detail
//! with its per-20-move accuracy trend, notes, delete, and a move-by-move replay.

use learning_lab::memory::SessionRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::board_view::{BoardView, LastMove};
use crate::components::move_list::MoveList;
use crate::components::trend::Trend;
use crate::db;
use crate::storage::{Page, PageCursor, SessionFilter};

const PAGE: u32 = 20;

#[component]
pub fn SessionsPage() -> impl IntoView {
    let query = use_query_map();
    move || match query.with(|q| q.get("id")) {
        Some(id) => view! { <SessionDetail id/> }.into_any(),
        None => view! { <SessionList/> }.into_any(),
    }
}

#[component]
fn SessionList() -> impl IntoView {
    let sessions = RwSignal::new(Vec::<SessionRecord>::new());
    let next = RwSignal::new(None::<PageCursor>);
    let state = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());

    let load = move |append: bool| {
        let filter = match state.get_untracked() {
            s if s.is_empty() => SessionFilter::All,
            s => SessionFilter::State(s),
        };
        let cursor = if append { next.get_untracked() } else { None };
        spawn_local(async move {
            let page: Result<Page<SessionRecord>, String> = match db::open().await {
                Ok(db) => db
                    .page_sessions(&filter, cursor.as_ref(), PAGE)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match page {
                Ok(page) => {
                    if append {
                        sessions.update(|s| s.extend(page.items));
                    } else {
                        sessions.set(page.items);
                    }
                    next.set(page.next_cursor);
                }
                Err(e) => message.set(e),
            }
        });
    };
    load(false);

    view! {
        <section aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            <label>"State "
                <select id="sessions-state" on:change=move |ev| { state.set(event_target_value(&ev)); load(false) }>
                    <option value="">"all"</option>
                    <option value="running">"running"</option>
                    <option value="paused">"paused"</option>
                    <option value="solved">"solved"</option>
                    <option value="abandoned">"abandoned"</option>
                </select>
            </label>
            <ul id="session-list">
                <For each=move || sessions.get() key=|s| (s.id.clone(), s.updated_at.to_bits()) children=|s| {
                    let stats = s.session.stats();
                    view! {
                        <li data-session-id=s.id.clone()>
                            <A href=crate::base_path::url(&format!("/sessions?id={}", s.id))>{s.puzzle_id.clone()}</A>
                            {format!(" · {} · {} · {} attempts · accuracy {:.0}%", s.model, s.state, stats.attempts, stats.accuracy * 100.0)}
                            {s.memory.then_some(" · memory on")}
                            {s.mode.research_note().map(|n| format!(" · {n}"))}
                        </li>
                    }
                }/>
            </ul>
            <Show when=move || sessions.with(Vec::is_empty)>
                <p class="muted">"No sessions yet: start one on the LLM Play screen."</p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button id="sessions-more" on:click=move |_| load(true)>"More"</button>
            </Show>
            <p role="status">{move || message.get()}</p>
        </section>
    }
}

#[component]
fn SessionDetail(id: String) -> impl IntoView {
    let record = RwSignal::new(None::<SessionRecord>);
    let message = RwSignal::new(String::from("loading…"));
    let step = RwSignal::new(0usize);
    let notes = RwSignal::new(String::new());
    {
        let id = id.clone();
        spawn_local(async move {
            let found = match db::open().await {
                Ok(db) => db.session(&id).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match found {
                Ok(Some(r)) => {
                    step.set(r.session.attempts().len());
                    notes.set(r.notes.clone());
                    record.set(Some(r));
                    message.set(String::new());
                }
                Ok(None) => message.set(format!("no session {id}")),
                Err(e) => message.set(e),
            }
        });
    }

    let save_notes = move |_| {
        let Some(mut r) = record.get_untracked() else {
            return;
        };
        r.notes = notes.get_untracked();
        r.touch(db::now());
        spawn_local(async move {
            let saved = match db::open().await {
                Ok(db) => db.put_session(&r).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            message.set(match saved {
                Ok(()) => "notes saved".into(),
                Err(e) => format!("notes not saved: {e}"),
            });
            record.set(Some(r));
        });
    };

    let delete = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete session {} ({} attempts)? Its experiences stay in memory.",
                    r.id,
                    r.session.attempts().len()
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        spawn_local(async move {
            let deleted = match db::open().await {
                Ok(db) => db.delete_session(&r.id).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match deleted {
                Ok(()) => {
                    record.set(None);
                    message.set("deleted".into());
                }
                Err(e) => message.set(format!("not deleted: {e}")),
            }
        });
    };

    let givens = Signal::derive(move || {
        record.with(|r| {
            r.as_ref().map_or_else(
                || solver_core::Grid::empty(solver_core::Shape::new(4).expect("4 is a size")),
                |r| r.session.givens().clone(),
            )
        })
    });
    let board = Signal::derive(move || {
        let k = step.get();
        record.with(|r| {
            r.as_ref()
                .map_or_else(|| givens.get(), |r| r.session.board_after(k))
        })
    });
    let last = Signal::derive(move || {
        let k = step.get();
        record.with(|r| {
            let a = r.as_ref()?.session.attempts().get(k.checked_sub(1)?)?;
            let mv = a.mv()?;
            Some(LastMove {
                row: mv.row,
                col: mv.col,
                value: mv.value,
                outcome: a.judgement.label(),
            })
        })
    });
    let attempts = Signal::derive(move || {
        record.with(|r| {
            r.as_ref()
                .map(|r| r.session.attempts().to_vec())
                .unwrap_or_default()
        })
    });
    let total = move || record.with(|r| r.as_ref().map_or(0, |r| r.session.attempts().len()));
    let stats = Memo::new(move |_| record.with(|r| r.as_ref().map(|r| r.session.stats())));
    let trend = Signal::derive(move || stats.get().map(|s| s.trend).unwrap_or_default());

    view! {
        <section id="session-detail" aria-labelledby="session-title">
            <p><A href=crate::base_path::url("/sessions")>"← all sessions"</A></p>
            <h2 id="session-title">{move || record.with(|r| r.as_ref().map(|r| format!("Session {}", r.puzzle_id)).unwrap_or_else(|| "Session".into()))}</h2>
            <p class="muted">{move || record.with(|r| r.as_ref().map(|r| format!("{} · model {} · {} · memory {}{}", r.id, r.model, r.state, if r.memory { "on" } else { "off" }, r.mode.research_note().map(|n| format!(" · {n}")).unwrap_or_default())).unwrap_or_default())}</p>
            <p id="session-stats">{move || stats.get().map(|s| format!("{} attempts · {} correct · accuracy {:.0}%", s.attempts, s.correct, s.accuracy * 100.0)).unwrap_or_default()}</p>
            <Trend trend=trend/>
            <h3>"Replay"</h3>
            <label>{move || format!("After move {} of {} ", step.get(), total())}
                <input id="replay-slider" type="range" min="0" max=move || total().to_string()
                    prop:value=move || step.get().to_string()
                    on:input=move |ev| step.set(event_target_value(&ev).parse().unwrap_or(0))/>
            </label>
            <div class="row">
                <button id="replay-back" on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"◀ Back"</button>
                <button id="replay-forward" on:click=move |_| step.update(|s| *s = (*s + 1).min(total()))>"Forward ▶"</button>
            </div>
            <BoardView id="replay-board" givens=givens board=board last=last/>
            <MoveList attempts=attempts selected=Signal::derive(move || step.get())/>
            <h3>"Notes"</h3>
            <textarea id="session-notes" prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            <div class="row">
                <button id="session-notes-save" on:click=save_notes>"Save notes"</button>
                <button id="session-delete" class="danger" on:click=delete>"Delete session"</button>
            </div>
            <p role="status" id="session-message">{move || message.get()}</p>
        </section>
    }
}
