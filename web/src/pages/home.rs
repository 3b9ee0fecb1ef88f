//! Home: the first-run welcome (three paths: play Sudoku, watch a model learn, import
//! puzzles; every step skippable, shown once unless asked for again on Help) and the example
//! puzzles of every size and band.

use learning_lab::profile::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use solver_core::human::Band;
use solver_core::library::EXAMPLES;
use solver_core::Shape;

use crate::base_path;
use crate::components::profile_select::ProfileSelect;
use crate::db;

/// The setting that says the welcome was finished or skipped ([`WELCOME_AGAIN`]: asked for
/// again on Help).
pub const WELCOME_DONE: &str = "welcome_done";
/// The value of [`WELCOME_DONE`] that shows the welcome once more.
pub const WELCOME_AGAIN: &str = "again";

/// Whether this browser has never been used: no welcome finished, no game played.
async fn first_run() -> Result<bool, String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    match db.setting(WELCOME_DONE).await.map_err(|e| e.to_string())? {
        Some(done) => Ok(done == WELCOME_AGAIN),
        None => Ok(db
            .setting("current_puzzle")
            .await
            .map_err(|e| e.to_string())?
            .is_none()),
    }
}

async fn finish_welcome() {
    if let Ok(db) = db::open().await {
        let _ = db.set_setting(WELCOME_DONE, "1").await;
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let welcome = RwSignal::new(false);
    let message = RwSignal::new(String::new());
    spawn_local(async move {
        match first_run().await {
            Ok(first) => welcome.set(first),
            Err(e) => message.set(e),
        }
    });
    let skip = move |_| {
        welcome.set(false);
        spawn_local(finish_welcome());
    };

    view! {
        <section aria-labelledby="home-title">
            <h2 id="home-title">"Welcome"</h2>
            <p class="lead">"Play Sudoku of every size with hints that teach — or watch a language model learn the game from its own mistakes, and measure whether it did."</p>
            <p class="muted">{move || message.get()}</p>
            <Show when=move || welcome.get()>
                <div id="welcome" class="welcome" role="region" aria-label="First steps">
                    <div class="row spread">
                        <h3>"Where would you like to start?"</h3>
                        <div class="row">
                            <button id="welcome-tour" type="button" class="secondary"
                                on:click=move |_| crate::components::tour::TourState::get().start()>"Take the quick tour"</button>
                            <button id="welcome-skip" type="button" class="secondary" on:click=skip>"Skip the welcome"</button>
                        </div>
                    </div>
                    <div class="cards">
                        <PlayPath/>
                        <ModelPath/>
                        <ImportPath/>
                    </div>
                </div>
            </Show>
            <Examples/>
            <p class="muted">"New here? " <A href=base_path::url("/help")>"Help"</A> " explains the verdicts, experiences, dreams and learning units, and lists the keys."</p>
        </section>
    }
}

/// Path 1: pick a size and difficulty and play.
#[component]
fn PlayPath() -> impl IntoView {
    let size = RwSignal::new(9usize);
    let band = RwSignal::new(String::from("easy"));
    let navigate = use_navigate();
    let start = move |_| {
        let (n, b) = (size.get_untracked(), band.get_untracked());
        spawn_local(finish_welcome());
        let band_part = if b == "any" {
            String::new()
        } else {
            format!("&band={b}")
        };
        navigate(
            &base_path::url(&format!("/play?size={n}{band_part}&seed=1")),
            Default::default(),
        );
    };
    let bands = std::iter::once("any")
        .chain(Band::ALL.iter().map(|b| b.name()))
        .map(|b| view! { <option value=b>{b}</option> })
        .collect_view();
    view! {
        <article class="card">
            <h4>"Play Sudoku"</h4>
            <p class="muted">"Pencil marks, undo, hints that explain each step, offline."</p>
            <label>"Size "
                <select id="welcome-size" prop:value=move || size.get().to_string()
                    on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(9))>
                    {Shape::ALL.map(|s| s.size()).map(|n| view! { <option value=n.to_string()>{format!("{n}x{n}")}</option> })}
                </select>
            </label>
            <label>"Difficulty "
                <select id="welcome-band" prop:value=move || band.get()
                    on:change=move |ev| band.set(event_target_value(&ev))>
                    {bands}
                </select>
            </label>
            <button id="welcome-play" type="button" on:click=start>"Start playing"</button>
        </article>
    }
}

/// Path 2: the model profile (the served model preselected), a connection test, a first play.
#[component]
fn ModelPath() -> impl IntoView {
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let profile_id = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    spawn_local(async move {
        match db::profiles_for_picker().await {
            Ok((list, chosen)) => {
                profile_id.set(chosen);
                profiles.set(list);
            }
            Err(e) => result.set(e),
        }
    });
    let chosen = move || {
        let id = profile_id.get_untracked();
        profiles.with_untracked(|ps| ps.iter().find(|p| p.id == id).cloned())
    };
    let test = move |_| {
        let Some(profile) = chosen() else {
            return;
        };
        result.set("testing…".into());
        spawn_local(async move {
            result.set(match crate::llm::test_connection(&profile).await {
                Ok((models, ms)) if models.contains(&profile.model) => {
                    format!("ok · {ms} ms · {} is served — press Start a first play", profile.model)
                }
                Ok((models, ms)) => format!(
                    "reached in {ms} ms, but {} is not among its models ({}): pick another profile or fix it on Profiles",
                    profile.model,
                    models.join(", ")
                ),
                Err(e) => e,
            });
        });
    };
    let navigate = use_navigate();
    let start = move |_| {
        let id = profile_id.get_untracked();
        spawn_local(finish_welcome());
        navigate(
            &base_path::url(&format!("/llm?start=1&profile={id}")),
            Default::default(),
        );
    };
    view! {
        <article class="card">
            <h4>"Watch a model learn"</h4>
            <p class="muted">"A model plays move by move; the engine judges every attempt; dreams turn attempts into lessons."</p>
            <Show when=move || !profiles.with(Vec::is_empty)
                fallback=|| view! {
                    <p>"No model is set up here yet. " <A href=base_path::url("/profiles")>"Create a profile"</A>
                    " from a template (LM Studio, Ollama, llama.cpp, or a cloud provider through the edge API)."</p>
                }>
                <ProfileSelect id="welcome-profile" profiles profile_id/>
                <div class="row">
                    <button id="welcome-test" type="button" class="secondary" on:click=test>"Test connection"</button>
                    <button id="welcome-llm" type="button" on:click=start.clone()>"Start a first play"</button>
                </div>
            </Show>
            <p id="welcome-test-result" role="status" aria-live="polite">{move || result.get()}</p>
        </article>
    }
}

/// Path 3: import puzzles into the library.
#[component]
fn ImportPath() -> impl IntoView {
    let navigate = use_navigate();
    let go = move |_| {
        spawn_local(finish_welcome());
        navigate(&base_path::url("/library"), Default::default());
    };
    view! {
        <article class="card">
            <h4>"Import puzzles"</h4>
            <p class="muted">"Paste puzzles or load a file (one per line, or upstream JSON); every problem is shown with its line, row and column, and nothing is stored unless all of it is valid."</p>
            <button id="welcome-import" type="button" class="secondary" on:click=go>"Import puzzles"</button>
        </article>
    }
}

/// Example puzzles from fixed seeds, grouped by size.
#[component]
fn Examples() -> impl IntoView {
    let sizes = Shape::ALL
        .iter()
        .map(|s| {
            let n = s.size();
            let links = EXAMPLES
                .iter()
                .filter(|e| e.size == n)
                .map(|e| {
                    let href = format!(
                        "/play?size={}&band={}&seed={}",
                        e.size,
                        e.band.name(),
                        e.seed
                    );
                    let label = format!("{} #{}", e.band.name(), e.seed);
                    view! { <li><A href=href>{label}</A></li> }
                })
                .collect_view();
            view! {
                <div class="example-size">
                    <h4>{format!("{n}x{n}")}</h4>
                    <ul class="plain">{links}</ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <section id="examples" aria-labelledby="examples-title">
            <h3 id="examples-title">"Example puzzles"</h3>
            <div class="examples">{sizes}</div>
        </section>
    }
}
