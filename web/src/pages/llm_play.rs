//! The LLM Play screen: pick a puzzle (or generate one), a profile and memory, then watch the
//! model play: the live board with the last move, its reasoning as it streams, every move
//! judged, accuracy, stop and resume. A session survives a reload: it is in IndexedDB.

use learning_lab::memory::{PuzzleRecord, SessionRecord, SessionStart};
use learning_lab::play::{Limits, PromptMode, ReadyPuzzle, Status};
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::components::board_view::{BoardView, LastMove};
use crate::components::move_list::MoveList;
use crate::components::profile_select::ProfileSelect;
use crate::components::size_select::SizeSelect;
use crate::components::trend::Trend;
use crate::db;
use crate::drivers::player::{self, Live, StopHandle};

/// The setting that remembers which session the screen shows, so a reload comes back to it.
const ACTIVE_SESSION: &str = "active_llm_session";
/// Moves shown in the live list (the Sessions screen replays all of them).
const LIST_WINDOW: usize = 50;

async fn start_session(
    profile: &Profile,
    size: usize,
    seed: u64,
    max_attempts: usize,
    memory: bool,
    unit_id: Option<String>,
    mode: PromptMode,
) -> Result<SessionRecord, String> {
    let puzzle = ReadyPuzzle::generate(size, seed)
        .map_err(|e| format!("could not generate a {size}x{size} puzzle for seed {seed}: {e}"))?;
    let now = db::now();
    let start = SessionStart {
        profile,
        puzzle: &puzzle,
        limits: Limits {
            max_attempts,
            ..Limits::default()
        },
        unit_id,
        memory,
        mode,
        experiment_id: None,
        notes: String::new(),
    };
    let record = SessionRecord::start(start, now, db::nonce())
        .map_err(|e| format!("could not start: {e}"))?;
    let db = db::open().await.map_err(|e| e.to_string())?;
    db.save_puzzle(&PuzzleRecord::new(&puzzle, now))
        .await
        .map_err(|e| e.to_string())?;
    db.put_session(&record).await.map_err(|e| e.to_string())?;
    db.set_setting(ACTIVE_SESSION, &record.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(record)
}

#[component]
pub fn LlmPlayPage() -> impl IntoView {
    let live = Live::new();
    let handle = StoredValue::new_local(StopHandle::default());
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let profile_id = RwSignal::new(String::new());
    let size = RwSignal::new(4usize);
    let seed = RwSignal::new(1u64);
    let max_attempts = RwSignal::new(60usize);
    let memory = RwSignal::new(false);
    let assisted = RwSignal::new(false);
    let unit = RwSignal::new(None::<LearningUnit>);
    let unit_note = RwSignal::new(String::new());
    let query = use_query_map();

    // The profile's active learning unit, shown and used when memory is on.
    Effect::new(move |_| {
        let id = profile_id.get();
        if id.is_empty() {
            return;
        }
        spawn_local(async move {
            let found = match db::open().await {
                Ok(db) => db::active_unit(&db, &id).await,
                Err(e) => Err(e.to_string()),
            };
            match found {
                Ok(Some(u)) => {
                    unit_note.set(format!(
                        "active learning unit: {} ({} strategies, {} anti-patterns, {} corrections, {} few-shots)",
                        u.name,
                        u.strategies.len(),
                        u.anti_patterns.len(),
                        u.corrections.len(),
                        u.few_shots.len()
                    ));
                    unit.set(Some(u));
                }
                Ok(None) => {
                    unit_note.set("no learning unit for this profile yet: play, then dream".into());
                    unit.set(None);
                }
                Err(e) => {
                    unit_note.set(e);
                    unit.set(None);
                }
            }
        });
    });

    // Load profiles and the session to show (from the URL, else the last one).
    spawn_local(async move {
        match db::profiles_for_picker().await {
            Ok((list, chosen)) => {
                profile_id.set(chosen);
                profiles.set(list);
            }
            Err(e) => live.status.set(e),
        }
        let db = match db::open().await {
            Ok(db) => db,
            Err(e) => {
                live.status.set(e.to_string());
                return;
            }
        };
        let wanted = match query.with_untracked(|q| q.get("session")) {
            Some(id) => Some(id),
            None => db.setting(ACTIVE_SESSION).await.ok().flatten(),
        };
        if let Some(id) = wanted {
            match db.session(&id).await {
                Ok(Some(record)) => {
                    live.status.set(match record.session.status() {
                        Status::Running => {
                            "this play was interrupted (the page was closed); press Resume".into()
                        }
                        Status::Paused => "paused; press Resume to go on".into(),
                        _ => "finished".into(),
                    });
                    profile_id.set(record.profile_id.clone());
                    live.record.set(Some(record));
                }
                Ok(None) => {}
                Err(e) => live.status.set(e.to_string()),
            }
        }
    });

    let chosen_profile = move || {
        let id = profile_id.get_untracked();
        profiles.with_untracked(|ps| ps.iter().find(|p| p.id == id).cloned())
    };

    let launch = move |record: SessionRecord, profile: Profile| {
        let stop = StopHandle::default();
        handle.set_value(stop.clone());
        spawn_local(async move {
            // The unit the session was started with (memory on), read again after a reload.
            let chosen = match (&record.unit_id, db::open().await) {
                (Some(id), Ok(db)) => db.unit(id).await.ok().flatten(),
                _ => None,
            };
            if record.unit_id.is_some() && chosen.is_none() {
                live.status
                    .set("the learning unit of this play is gone: playing without it".into());
            }
            player::run(record, profile, chosen, live, stop).await;
        });
    };

    let start = move |_| {
        let Some(profile) = chosen_profile() else {
            live.status
                .set("create a profile first (Profiles screen)".into());
            return;
        };
        let (size, seed, max, memory, assisted) = (
            size.get_untracked(),
            seed.get_untracked(),
            max_attempts.get_untracked(),
            memory.get_untracked(),
            assisted.get_untracked(),
        );
        let unit_id = if memory {
            unit.with_untracked(|u| u.as_ref().map(|u| u.id.clone()))
        } else {
            None
        };
        // The status line describes the new play from now on, not the one before it.
        live.status.set(if memory && unit_id.is_none() {
            "memory is on, but this profile has no learning unit yet: playing without one".into()
        } else {
            "starting a new play…".into()
        });
        spawn_local(async move {
            let mode = PromptMode::from_assisted_decoding(assisted);
            match start_session(&profile, size, seed, max, memory, unit_id, mode).await {
                Ok(record) => {
                    live.record.set(Some(record.clone()));
                    launch(record, profile);
                }
                Err(e) => live.status.set(e),
            }
        });
    };

    let resume = move |_| {
        let Some(record) = live.record.get_untracked() else {
            return;
        };
        let profile =
            profiles.with_untracked(|ps| ps.iter().find(|p| p.id == record.profile_id).cloned());
        match profile {
            Some(profile) => launch(record, profile),
            None => live
                .status
                .set("the profile of this play was deleted; start a new play".into()),
        }
    };

    let stop = move |_| {
        handle.with_value(StopHandle::stop);
        live.status.set("stopping…".into());
    };

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
    let can_resume = move || {
        !live.running.get()
            && live.record.with(|r| {
                r.as_ref()
                    .is_some_and(|r| matches!(r.session.status(), Status::Running | Status::Paused))
            })
    };
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
        <section aria-labelledby="llm-title" class="llm-play">
            <h2 id="llm-title">"LLM Play"</h2>
            <form class="controls" on:submit=|ev| ev.prevent_default()>
                <ProfileSelect id="llm-profile" profiles profile_id/>
                <SizeSelect id="llm-size" size=size/>
                <label>"Seed "
                    <input id="llm-seed" type="number" min="0" prop:value=move || seed.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { seed.set(v) } }/>
                </label>
                <label>"Max attempts "
                    <input id="llm-max-attempts" type="number" min="1" max="2000" prop:value=move || max_attempts.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<usize>() { max_attempts.set(v.clamp(1, 2000)) } }/>
                </label>
                <label><input id="llm-memory" type="checkbox" prop:checked=move || memory.get()
                    on:change=move |ev| memory.set(event_target_checked(&ev))/>" Memory (inject the active learning unit)"</label>
                <label><input id="llm-assisted" type="checkbox" prop:checked=move || assisted.get()
                    on:change=move |ev| assisted.set(event_target_checked(&ev))/>
                    " Assisted decoding (research mode: the server may only answer legal moves; labelled in every record)"</label>
                <p id="llm-unit" class="muted" data-unit-id=move || unit.with(|u| u.as_ref().map(|u| u.id.clone()))>{move || unit_note.get()}</p>
                <div class="row">
                    <button id="llm-start" type="button" on:click=start disabled=move || live.running.get()>"Start"</button>
                    <button id="llm-stop" type="button" on:click=stop disabled=move || !live.running.get()>"Stop"</button>
                    <button id="llm-resume" type="button" on:click=resume disabled=move || !can_resume()>"Resume"</button>
                </div>
            </form>
            <p id="llm-status" role="status" aria-live="polite">{move || live.status.get()}</p>
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
        </section>
    }
}
