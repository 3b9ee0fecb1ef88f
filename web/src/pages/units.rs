//! The Learning Units screen: every unit (newest first, per profile, the active one marked),
//! one unit in full — its version, lineage and operations, any version made active again
//! (rollback), the credit of each item — set active, merge, export/import as JSON lines,
//! delete with confirmation.

use std::collections::BTreeMap;

use learning_lab::profile::Profile;
use learning_lab::unit::{store, LearningUnit};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::components::unit_detail::UnitDetail;
use crate::components::unit_ledger::UnitLedger;
use crate::components::unit_versions::UnitVersions;
use crate::db;
use crate::download::{download_text, read_file_text};

#[component]
pub fn UnitsPage() -> impl IntoView {
    let list = RwSignal::new(Vec::<LearningUnit>::new());
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let active = RwSignal::new(BTreeMap::<String, String>::new());
    let selected = RwSignal::new(None::<String>);
    let ticked = RwSignal::new(Vec::<String>::new());
    let confirm_delete = RwSignal::new(None::<String>);
    let message = RwSignal::new(String::new());
    let query = use_query_map();

    let reload = move || {
        spawn_local(async move {
            let db = match db::open().await {
                Ok(db) => db,
                Err(e) => return message.set(e.to_string()),
            };
            let mut all = match db.all_units(None).await {
                Ok(all) => all,
                Err(e) => return message.set(e.to_string()),
            };
            // Ablation variants are an experiment's fixtures (a unit minus one item), not
            // units a person keeps, merges or makes active.
            all.retain(|u| u.lineage.variant_of.is_none());
            let ps = db.all_profiles().await.unwrap_or_default();
            let mut act = BTreeMap::new();
            let mut profile_ids: Vec<String> = all.iter().map(|u| u.profile_id.clone()).collect();
            profile_ids.sort();
            profile_ids.dedup();
            for p in profile_ids {
                match db::active_unit(&db, &p).await {
                    Ok(Some(u)) => {
                        act.insert(p, u.id);
                    }
                    Ok(None) => {}
                    Err(e) => message.set(e),
                }
            }
            active.set(act);
            profiles.set(ps);
            if selected.get_untracked().is_none() {
                selected.set(query.with_untracked(|q| q.get("unit")));
            }
            list.set(all);
        });
    };
    reload();

    let profile_name = move |id: &str| {
        profiles.with(|ps| {
            ps.iter()
                .find(|p| p.id == id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        })
    };
    let chosen_units = move || {
        let t = ticked.get_untracked();
        list.with_untracked(|l| {
            l.iter()
                .filter(|u| t.contains(&u.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };

    let set_active = move |unit: LearningUnit| {
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.pin_unit(&unit.profile_id, &unit.id).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => message.set(format!("{} is now active", unit.name)),
                Err(e) => message.set(e.to_string()),
            }
            reload();
        });
    };

    let merge = move |_| {
        let chosen = chosen_units();
        if chosen.len() < 2 {
            message.set("tick two or more units to merge".into());
            return;
        }
        let refs: Vec<&LearningUnit> = chosen.iter().collect();
        let id = db::new_id("unit");
        let name = format!("merge of {}", chosen.len());
        let merged = store::merge(&refs, &id, &name, db::now());
        spawn_local(async move {
            match db::open().await {
                Ok(db) => match db.put_unit(&merged).await {
                    Ok(()) => {
                        message.set(format!(
                            "merged into {} ({} items)",
                            merged.name,
                            merged.item_count()
                        ));
                        selected.set(Some(merged.id.clone()));
                        ticked.set(Vec::new());
                    }
                    Err(e) => message.set(e.to_string()),
                },
                Err(e) => message.set(e.to_string()),
            }
            reload();
        });
    };

    let export = move |_| {
        let mut chosen = chosen_units();
        if chosen.is_empty() {
            chosen = list.get_untracked();
        }
        let text = store::export_jsonl(&chosen);
        match download_text("learning-units.jsonl", &text) {
            Ok(()) => message.set(format!("exported {} units", chosen.len())),
            Err(e) => message.set(e),
        }
    };

    let import = move |ev: web_sys::Event| {
        spawn_local(async move {
            let text = match read_file_text(&ev).await {
                Ok(Some(text)) => text,
                Ok(None) => return,
                Err(e) => return message.set(e),
            };
            // Validated as a whole first: one bad unit and nothing is stored.
            let imported = match store::import_any(&text) {
                Ok(units) => units,
                Err(e) => return message.set(format!("nothing imported: {e}")),
            };
            let db = match db::open().await {
                Ok(db) => db,
                Err(e) => return message.set(e.to_string()),
            };
            if let Err(e) = db.put_units(&imported).await {
                return message.set(format!("nothing imported: {e}"));
            }
            message.set(format!("imported {} units", imported.len()));
            reload();
        });
    };

    let delete = move |unit: LearningUnit| {
        if confirm_delete.get_untracked().as_deref() != Some(unit.id.as_str()) {
            confirm_delete.set(Some(unit.id.clone()));
            message.set(format!(
                "press \"Confirm delete\" to delete {} for good",
                unit.name
            ));
            return;
        }
        confirm_delete.set(None);
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.delete_unit(&unit).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    message.set(format!("deleted {}", unit.name));
                    if selected.get_untracked().as_deref() == Some(unit.id.as_str()) {
                        selected.set(None);
                    }
                }
                Err(e) => message.set(e.to_string()),
            }
            reload();
        });
    };

    let detail = move || {
        let id = selected.get()?;
        list.with(|l| l.iter().find(|u| u.id == id).cloned())
    };

    view! {
        <section aria-labelledby="units-title" class="units">
            <h2 id="units-title">"Learning units"</h2>
            <div class="row controls">
                <button id="unit-merge" type="button" on:click=merge>"Merge ticked"</button>
                <button id="unit-export" type="button" on:click=export>"Export (JSON lines)"</button>
                <label>"Import "<input id="unit-import" type="file" accept=".jsonl,.json,application/json" on:change=import/></label>
            </div>
            <p id="units-status" role="status" aria-live="polite">{move || message.get()}</p>
            <ul id="unit-list">
                <For each=move || list.get() key=|u| (u.id.clone(), u.updated_at.to_bits()) children=move |u| {
                    let id = u.id.clone();
                    let is_active = {
                        let (p, id) = (u.profile_id.clone(), u.id.clone());
                        Signal::derive(move || active.with(|a| a.get(&p) == Some(&id)))
                    };
                    let (u1, u2) = (u.clone(), u.clone());
                    let id_tick = id.clone();
                    let id_show = id.clone();
                    let id_confirm = id.clone();
                    let created = String::from(js_sys::Date::new(&u.created_at.into()).to_iso_string());
                    view! {
                        <li data-unit-id=id.clone() data-active=move || is_active.get().to_string()>
                            <label><input type="checkbox" class="unit-tick"
                                prop:checked=move || ticked.with(|t| t.contains(&id_tick))
                                on:change={ let id = id.clone(); move |ev| {
                                    let on = event_target_checked(&ev);
                                    ticked.update(|t| { t.retain(|x| x != &id); if on { t.push(id.clone()); } });
                                }}/>
                                <span class="sr-only">"select "</span>{u.name.clone()}</label>
                            " "{move || is_active.get().then_some(view! { <strong class="active-mark">"active"</strong> })}
                            <span class="muted">{format!(" · v{} · {} · {} items · {}", u.lineage.version, profile_name(&u.profile_id), u.item_count(), created.chars().take(16).collect::<String>())}</span>
                            " "<button type="button" class="unit-show" on:click=move |_| selected.set(Some(id_show.clone()))>"Show"</button>
                            <button type="button" class="unit-activate" disabled=is_active on:click=move |_| set_active(u1.clone())>"Set active"</button>
                            <button type="button" class="unit-delete" on:click=move |_| delete(u2.clone())>
                                {move || if confirm_delete.get().as_deref() == Some(id_confirm.as_str()) { "Confirm delete" } else { "Delete" }}
                            </button>
                        </li>
                    }
                }/>
            </ul>
            {move || list.with(Vec::is_empty).then_some(view! { <p class="muted">"No learning units yet: run a dream (Dream screen)."</p> })}
            {move || detail().map(|u| {
                let profile = u.profile_id.clone();
                let active_id = Signal::derive(move || active.with(|a| a.get(&profile).cloned()));
                let units = list.get_untracked();
                let rollback = Callback::new(move |v: LearningUnit| {
                    // Rollback is learning-lab's rule: any version of the profile.
                    let ok = list.with_untracked(|l| store::make_active(l, &v.profile_id, &v.id).is_ok());
                    if ok { set_active(v) } else { message.set(format!("{} is not a unit of this profile", v.id)) }
                });
                view! {
                    <UnitVersions unit=u.clone() units active_id make_active=rollback/>
                    <UnitLedger unit=u.clone()/>
                    <UnitDetail unit=u/>
                }
            })}
        </section>
    }
}
