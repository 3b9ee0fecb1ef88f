//! The Profiles screen: create from a template, edit, choose the default, test the
//! connection (latency and model list), delete, export and import (never with a token).

use learning_lab::profile::{export_profiles, import_profiles, Profile, ProviderTemplate, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::download::{download_text, read_file_text};

mod editor;

use editor::ProfileEditor;

/// Reload every profile (a handful: no paging needed).
async fn load(profiles: RwSignal<Vec<Profile>>, message: RwSignal<String>) {
    match db::open().await {
        Ok(db) => match offer_then_list(&db).await {
            Ok(list) => profiles.set(list),
            Err(e) => message.set(e),
        },
        Err(e) => message.set(e.to_string()),
    }
}

/// Every profile, after storing the deployment's announced one if it is new here.
async fn offer_then_list(db: &crate::storage::Storage) -> Result<Vec<Profile>, String> {
    db::offer_announced_profile(db).await?;
    db.all_profiles().await.map_err(|e| e.to_string())
}

/// Save `profile`; when it is the default, every other profile stops being one.
async fn save(profile: Profile, others: Vec<Profile>) -> Result<(), String> {
    profile.validate().map_err(|e| e.to_string())?;
    let db = db::open().await.map_err(|e| e.to_string())?;
    for other in profile.demoted_by_saving(&others, profile.updated_at) {
        db.put_profile(&other).await.map_err(|e| e.to_string())?;
    }
    db.put_profile(&profile).await.map_err(|e| e.to_string())
}

#[component]
pub fn ProfilesPage() -> impl IntoView {
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let editing = RwSignal::new(None::<Profile>);
    let message = RwSignal::new(String::new());
    let test_result = RwSignal::new(String::new());
    let template = RwSignal::new(ProviderTemplate::LlamaCpp.key().to_string());
    spawn_local(load(profiles, message));

    let create = move |_| {
        let Some(t) = ProviderTemplate::from_key(&template.get_untracked()) else {
            return;
        };
        let id = format!("profile-{}", db::now() as u64);
        let mut p = Profile::from_template_for_app(t, &id, db::now(), crate::edge::app_port());
        p.is_default = profiles.with_untracked(Vec::is_empty);
        test_result.set(String::new());
        editing.set(Some(p));
    };

    let save_edit = move |_| {
        let Some(mut p) = editing.get_untracked() else {
            return;
        };
        p.updated_at = db::now();
        let others = profiles.get_untracked();
        spawn_local(async move {
            match save(p.clone(), others).await {
                Ok(()) => {
                    message.set(format!("saved profile {:?}", p.name));
                    editing.set(None);
                    load(profiles, message).await;
                }
                Err(e) => message.set(format!("not saved: {e}")),
            }
        });
    };

    let test_connection = move |_| {
        let Some(p) = editing.get_untracked() else {
            return;
        };
        test_result.set("testing…".into());
        spawn_local(async move {
            test_result.set(match crate::llm::test_connection(&p).await {
                Ok((models, ms)) => {
                    let listed = if models.contains(&p.model) {
                        format!("model {} is served", p.model)
                    } else {
                        format!("model {} is NOT among them: pick one of these", p.model)
                    };
                    format!(
                        "ok · {ms} ms · {} model(s): {} · {listed}",
                        models.len(),
                        models.join(", ")
                    )
                }
                Err(e) => e,
            });
        });
    };

    let delete = move |id: String| {
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.delete_profile(&id).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            message.set(match result {
                Ok(()) => "profile deleted".into(),
                Err(e) => format!("not deleted: {e}"),
            });
            editing.set(None);
            load(profiles, message).await;
        });
    };

    let export = move |_| {
        let text = export_profiles(&profiles.get_untracked());
        match download_text("machine-dream-profiles.jsonl", &text) {
            Ok(()) => message.set("exported profiles (tokens are never exported)".into()),
            Err(e) => message.set(e),
        }
    };

    let import = move |ev: leptos::ev::Event| {
        spawn_local(async move {
            let text = match read_file_text(&ev).await {
                Ok(Some(text)) => text,
                Ok(None) => return,
                Err(e) => {
                    message.set(e);
                    return;
                }
            };
            let imported = match import_profiles(&text) {
                Ok(list) => list,
                Err(e) => {
                    message.set(format!("nothing imported: {e}"));
                    return;
                }
            };
            let db = match db::open().await {
                Ok(db) => db,
                Err(e) => {
                    message.set(e.to_string());
                    return;
                }
            };
            let count = imported.len();
            let here = profiles.get_untracked();
            for p in imported {
                if let Err(e) = db.put_profile(&p.imported_among(&here)).await {
                    message.set(format!("import stopped: {e}"));
                    return;
                }
            }
            message.set(format!("imported {count} profile(s)"));
            load(profiles, message).await;
        });
    };

    let options = ProviderTemplate::ALL
        .iter()
        .map(|t| view! { <option value=t.key()>{t.label()}</option> })
        .collect_view();

    view! {
        <section aria-labelledby="profiles-title">
            <h2 id="profiles-title">"Profiles"</h2>
            <p class="muted">"A profile says how to reach a model. Keys for cloud providers live only in the edge API; this browser never stores one."</p>
            <div class="row">
                <label for="profile-template">"Template "</label>
                <select id="profile-template" on:change=move |ev| template.set(event_target_value(&ev))
                    prop:value=move || template.get()>
                    {options}
                </select>
                <button id="profile-create" on:click=create>"New profile"</button>
            </div>
            <ul id="profile-list">
                <For each=move || profiles.get() key=|p| (p.id.clone(), p.updated_at.to_bits()) children=move |p| {
                    let id = p.id.clone();
                    let edit = p.clone();
                    view! {
                        <li data-profile-id=p.id.clone()>
                            <strong>{p.name.clone()}</strong>
                            " · " {p.template.label()} " · " {p.model.clone()}
                            {match &p.route { Route::Edge => " · via edge API".to_string(), Route::Direct { base_url } => format!(" · direct {base_url}") }}
                            {p.is_default.then_some(" · default")}
                            {p.masked_token().map(|t| format!(" · token {t}"))}
                            " "
                            <button class="small" on:click=move |_| { test_result.set(String::new()); editing.set(Some(edit.clone())) }>"Edit"</button>
                            <button class="small danger" on:click=move |_| delete(id.clone())>"Delete"</button>
                        </li>
                    }
                }/>
            </ul>
            <Show when=move || profiles.with(Vec::is_empty)>
                <p class="muted" id="profiles-empty">"No profiles yet: pick a template and press New profile."</p>
            </Show>
            {move || editing.get().map(|p| view! { <ProfileEditor profile=p editing test_result on_save=save_edit on_test=test_connection/> })}
            <div class="row">
                <button id="profiles-export" on:click=export>"Export profiles"</button>
                <label class="file">"Import profiles "
                    <input id="profiles-import" type="file" accept=".jsonl,.json,application/json" on:change=import/>
                </label>
            </div>
            <p id="profiles-message" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}
