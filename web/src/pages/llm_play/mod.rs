//! The LLM Play screen: pick a puzzle (a new one or one from the library), a profile and memory, then watch the
//! model play: the live board with the last move, its reasoning as it streams, every move
//! judged, accuracy, stop and resume. A session survives a reload: it is in IndexedDB.

use learning_lab::memory::SessionRecord;
use learning_lab::play::{PromptMode, Status};
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::components::number_field::NumberField;
use crate::components::profile_select::ProfileSelect;
use crate::db;
use crate::drivers::player::{self, Live, NewPlay, StopHandle};

mod live;
mod puzzle;

use live::LiveView;
use puzzle::{PuzzleChoice, PuzzleFields};

/// The setting that remembers which session the screen shows, so a reload comes back to it.
const ACTIVE_SESSION: &str = "active_llm_session";

/// Remembers `session_id` as the play the screen shows.
async fn remember(session_id: &str) -> Result<(), String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    db.set_setting(ACTIVE_SESSION, session_id)
        .await
        .map_err(|e| e.to_string())
}

#[component]
pub fn LlmPlayPage() -> impl IntoView {
    let live = Live::new();
    let handle = StoredValue::new_local(StopHandle::default());
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let profile_id = RwSignal::new(String::new());
    let max_attempts = RwSignal::new(60usize);
    let memory = RwSignal::new(false);
    let assisted = RwSignal::new(false);
    let unit = RwSignal::new(None::<LearningUnit>);
    let unit_note = RwSignal::new(String::new());
    let query = use_query_map();
    let choice = PuzzleChoice::new(query.with_untracked(|q| q.get("puzzle")), live.status);

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
        // Running from the click on, not from when the loop gets going: a second Resume
        // before then would start a second loop on the same session, both numbering the same
        // next attempt (one overwrites the other's move).
        live.running.set(true);
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

    let begin = move || {
        if live.running.get_untracked() {
            return;
        }
        let Some(profile) = chosen_profile() else {
            live.status
                .set("create a profile first (Profiles screen)".into());
            return;
        };
        let puzzle = match choice.puzzle() {
            Ok(puzzle) => puzzle,
            Err(e) => return live.status.set(e),
        };
        let (max, memory, assisted) = (
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
        // Running from the click on (a second Start would start a second play).
        live.running.set(true);
        spawn_local(async move {
            let play = NewPlay {
                puzzle,
                max_attempts: max,
                memory,
                unit_id,
                mode: PromptMode::from_assisted_decoding(assisted),
            };
            let started = match player::start(&profile, play).await {
                Ok(record) => remember(&record.id).await.map(|()| record),
                Err(e) => Err(e),
            };
            match started {
                Ok(record) => {
                    live.record.set(Some(record.clone()));
                    launch(record, profile);
                }
                Err(e) => {
                    live.running.set(false);
                    live.status.set(e);
                }
            }
        });
    };

    let start = move |_| begin();

    // `?start=1` (the welcome's "Start a first play"): start as soon as the profiles are here,
    // with the profile named by `?profile=` when there is one.
    let autostarted = StoredValue::new(false);
    Effect::new(move |_| {
        let loaded = profiles.with(|p| !p.is_empty());
        let wanted = query.with_untracked(|q| q.get("start")).as_deref() == Some("1");
        if loaded && wanted && !autostarted.get_value() {
            autostarted.set_value(true);
            if let Some(id) = query.with_untracked(|q| q.get("profile")) {
                if profiles.with_untracked(|ps| ps.iter().any(|p| p.id == id)) {
                    profile_id.set(id);
                }
            }
            begin();
        }
    });

    let resume = move |_| {
        if live.running.get_untracked() {
            return;
        }
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

    let can_resume = move || {
        !live.running.get()
            && live.record.with(|r| {
                r.as_ref()
                    .is_some_and(|r| matches!(r.session.status(), Status::Running | Status::Paused))
            })
    };
    view! {
        <section aria-labelledby="llm-title" class="llm-play">
            <h2 id="llm-title">"LLM Play"</h2>
            <form class="controls" on:submit=|ev| ev.prevent_default()>
                <ProfileSelect id="llm-profile" profiles profile_id/>
                <PuzzleFields choice/>
                <NumberField id="llm-max-attempts" label="Max attempts " value=max_attempts min=1 max=2000/>
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
            <LiveView live/>
        </section>
    }
}
