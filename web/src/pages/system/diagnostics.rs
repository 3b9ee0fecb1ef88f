//! Diagnostics: the edge API's health and latency, each profile's model reachable or not
//! (with the error and what to change), the app's version and build, the database schema and
//! the service worker.

use learning_lab::profile::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::edge::{self, EdgeStatus};
use crate::storage::SCHEMA_VERSION;

/// The app version and the build (the commit `cargo xtask` built it from).
fn version() -> String {
    format!(
        "{} (build {})",
        env!("CARGO_PKG_VERSION"),
        option_env!("MD_BUILD_ID").unwrap_or("unknown")
    )
}

/// The service worker's state, in words.
fn service_worker_state() -> String {
    let Some(window) = web_sys::window() else {
        return "no window".into();
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return "not available (the page is not served over HTTPS or localhost)".into();
    }
    match navigator.service_worker().controller() {
        Some(worker) => format!(
            "{:?}: it controls this page, so the app opens offline",
            worker.state()
        )
        .to_lowercase(),
        None => "not controlling this page yet (it takes over after the next load)".into(),
    }
}

/// One profile's check.
#[derive(Clone)]
struct ProfileCheck {
    id: String,
    name: String,
    /// `None` while checking; the models and ms, or the error with its fix.
    outcome: Option<Result<(usize, u64), String>>,
}

#[component]
pub fn Diagnostics() -> impl IntoView {
    let edge_line = RwSignal::new(String::from("edge API: checking…"));
    let edge_ok = RwSignal::new(None::<bool>);
    let checks = RwSignal::new(Vec::<ProfileCheck>::new());
    let schema = RwSignal::new(String::new());
    let worker = RwSignal::new(service_worker_state());

    let check_edge = move || {
        spawn_local(async move {
            let started = db::now();
            let status = edge::check().await;
            let ms = db::now() - started;
            edge_ok.set(Some(matches!(status, EdgeStatus::Ok { .. })));
            edge_line.set(match status {
                EdgeStatus::Ok { .. } => format!("{} · answered in {ms:.0} ms", status.text()),
                other => other.text(),
            });
        });
    };
    check_edge();
    spawn_local(async move {
        schema.set(match db::open().await {
            Ok(db) => format!(
                "IndexedDB schema version {} (this build expects {SCHEMA_VERSION})",
                db.database().version()
            ),
            Err(e) => e.to_string(),
        });
    });

    let check_profiles = move || {
        spawn_local(async move {
            let profiles: Vec<Profile> = match db::open().await {
                Ok(db) => db.all_profiles().await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            checks.set(
                profiles
                    .iter()
                    .map(|p| ProfileCheck {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        outcome: None,
                    })
                    .collect(),
            );
            for profile in profiles {
                let outcome = crate::llm::test_connection(&profile)
                    .await
                    .map(|(models, ms)| (models.len(), ms));
                checks.update(|all| {
                    if let Some(c) = all.iter_mut().find(|c| c.id == profile.id) {
                        c.outcome = Some(outcome);
                    }
                });
            }
        });
    };
    check_profiles();

    view! {
        <section aria-labelledby="diagnostics-title">
            <h3 id="diagnostics-title">"Diagnostics"</h3>
            <dl class="facts">
                <dt>"Edge API"</dt>
                <dd id="diag-edge" data-ok=move || edge_ok.get().map(|b| b.to_string())>{move || edge_line.get()}</dd>
                <dt>"App"</dt>
                <dd id="diag-version">{version()}</dd>
                <dt>"Database"</dt>
                <dd id="diag-schema">{move || schema.get()}</dd>
                <dt>"Service worker"</dt>
                <dd id="diag-service-worker">{move || worker.get()}</dd>
            </dl>
            <h4>"Profiles"</h4>
            <Show when=move || checks.with(Vec::is_empty)>
                <p class="muted">"No profiles yet (Profiles screen)."</p>
            </Show>
            <ul id="diag-profiles" class="plain">
                <For each=move || checks.get() key=|c| (c.id.clone(), c.outcome.clone().map(|o| o.is_ok())) children=|c| {
                    let (state, text) = match &c.outcome {
                        None => ("checking", "checking…".to_string()),
                        Some(Ok((models, ms))) => ("ok", format!("reachable: {models} models listed in {ms} ms")),
                        Some(Err(e)) => ("failed", e.clone()),
                    };
                    view! { <li data-profile-id=c.id.clone() data-state=state><strong>{c.name.clone()}</strong>": "{text}</li> }
                }/>
            </ul>
            <div class="row">
                <button id="diag-recheck" type="button" class="secondary"
                    on:click=move |_| { check_edge(); check_profiles(); worker.set(service_worker_state()); }>"Check again"</button>
            </div>
        </section>
    }
}
