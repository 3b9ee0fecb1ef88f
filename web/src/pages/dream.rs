//! The Dream screen: pick a profile, choose whether the model writes the item texts, run a
//! dream, watch it phase by phase, then read what it made and what verification dropped.

use learning_lab::profile::Profile;
use learning_lab::unit::UnitOp;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::profile_select::ProfileSelect;
use crate::components::unit_detail::UnitDetail;
use crate::components::unit_versions::operation_line;
use crate::db;
use crate::drivers::dreamer::{self, DreamLive, DreamRun, Scope};
use crate::llm::CancelHandle;

#[component]
pub fn DreamPage() -> impl IntoView {
    let live = DreamLive::new();
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let profile_id = RwSignal::new(String::new());
    let use_llm = RwSignal::new(false);
    let result = RwSignal::new(None::<DreamRun>);
    let cancel = StoredValue::new_local(CancelHandle::new());

    spawn_local(async move {
        match db::profiles_for_picker().await {
            Ok((list, chosen)) => {
                profile_id.set(chosen);
                profiles.set(list);
            }
            Err(e) => live.status.set(e),
        }
    });

    let run = move |_| {
        let id = profile_id.get_untracked();
        let Some(profile) = profiles.with_untracked(|ps| ps.iter().find(|p| p.id == id).cloned())
        else {
            live.status
                .set("create a profile first (Profiles screen)".into());
            return;
        };
        let handle = CancelHandle::new();
        cancel.set_value(handle.clone());
        result.set(None);
        let llm = use_llm.get_untracked();
        spawn_local(async move {
            if let Ok(run) =
                dreamer::dream(&profile, Scope::Unconsolidated, llm, live, &handle).await
            {
                result.set(Some(run));
            }
        });
    };
    let stop = move |_| cancel.with_value(CancelHandle::cancel);

    let unit = Signal::derive(move || result.with(|r| r.as_ref().map(|r| r.unit.clone())));

    view! {
        <section aria-labelledby="dream-title" class="dream">
            <h2 id="dream-title">"Dream"</h2>
            <p class="muted">"Consolidate a profile's new experiences (at most the newest "
                {dreamer::MAX_EXPERIENCES}") into a learning unit: triage, clustering, abstraction, verification."</p>
            <form class="controls" on:submit=|ev| ev.prevent_default()>
                <ProfileSelect id="dream-profile" profiles profile_id/>
                <label><input id="dream-llm" type="checkbox" prop:checked=move || use_llm.get()
                    on:change=move |ev| use_llm.set(event_target_checked(&ev))/>
                    " Use the model for abstraction (otherwise offline)"</label>
                <div class="row">
                    <button id="dream-run" type="button" on:click=run disabled=move || live.running.get()>"Run"</button>
                    <button id="dream-stop" type="button" on:click=stop disabled=move || !live.running.get()>"Stop asking the model"</button>
                </div>
            </form>
            <p id="dream-status" role="status" aria-live="polite">{move || live.status.get()}</p>
            <div id="dream-progress" data-phase=move || live.phase.get()>
                <ol class="phases">
                    {["capture", "triage", "compression", "abstraction", "verification", "done"].into_iter().map(|p| {
                        view! { <li data-phase=p class:current=move || live.phase.get() == p>{p}</li> }
                    }).collect_view()}
                </ol>
                <progress max=move || live.total.get().max(1) value=move || live.done.get()
                    aria-label="Progress of the current phase"></progress>
            </div>
            {move || result.get().map(|run| {
                let r = run.report.clone();
                let unit_id = run.unit.id.clone();
                view! {
                    <div id="dream-result" data-unit-id=unit_id.clone()>
                        <h3>"Result"</h3>
                        <ul class="counts">
                            <li>{format!("capture: {} experiences read", r.captured)}
                                {(run.capped > 0).then(|| format!(" ({} older ones left for a later dream)", run.capped))}</li>
                            <li>{format!("triage: {} banned repeats, {} below importance, {} duplicates, {} over the cap dropped; kept {} correct, {} invalid, {} valid but wrong, {} unparseable",
                                r.banned_repeats, r.below_importance, r.duplicates, r.over_cap, r.kept[0], r.kept[1], r.kept[2], r.kept[3])}</li>
                            <li>{format!("compression: {} clusters of correct moves", r.clusters.len())}</li>
                            <li>{format!("abstraction: {} model requests, {} answers used", r.llm_requests, r.llm_answers_used)}</li>
                            <li>{format!("verification: {} of {} checks passed", r.passed, r.checked)}</li>
                            <li>{format!("{} experiences marked consolidated", run.marked)}</li>
                            <li id="dream-version">{format!("version {}{}: {}", run.unit.lineage.version,
                                r.parent_id.as_ref().map_or_else(String::new, |p| format!(" of {p}")),
                                UnitOp::summary(&r.operations))}</li>
                        </ul>
                        <div id="dream-operations">
                            <h4>"Operations"</h4>
                            {if r.operations.is_empty() {
                                view! { <p>"no items"</p> }.into_any()
                            } else {
                                view! { <ul>{r.operations.iter().map(|op| view! {
                                    <li data-op=op.name() data-item=op.item().to_string()>{operation_line(op)}</li>
                                }).collect_view()}</ul> }.into_any()
                            }}
                        </div>
                        <div id="dream-never-helped">
                            <h4>"Items that never helped"</h4>
                            {if r.parent_id.is_none() {
                                view! { <p>"no unit was active: nothing to judge yet"</p> }.into_any()
                            } else if r.never_helped.is_empty() {
                                view! { <p>"every item of the active unit was in a correct move"</p> }.into_any()
                            } else {
                                view! { <ul>{r.never_helped.iter().map(|l| view! {
                                    <li data-item=l.item_id.clone()>{format!("{} — {}: {}", l.item_id,
                                        if l.uses() == 0 { "never used".to_string() } else { format!("used in {} moves, none correct", l.uses()) },
                                        l.text)}</li>
                                }).collect_view()}</ul> }.into_any()
                            }}
                        </div>
                        <table class="clusters">
                            <caption>"Clusters"</caption>
                            <thead><tr><th scope="col">"pattern"</th><th scope="col">"size"</th><th scope="col">"members"</th><th scope="col">"empty share"</th><th scope="col">"leader"</th></tr></thead>
                            <tbody>
                                {r.clusters.iter().map(|c| view! {
                                    <tr><td>{c.pattern.name()}</td><td>{format!("{0}x{0}", c.size)}</td><td>{c.members}</td>
                                        <td>{format!("{:.0}%", c.empty_ratio * 100.0)}</td><td>{c.leader_id.clone()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <div id="dream-dropped">
                            <h4>"Dropped"</h4>
                            {if r.dropped.is_empty() {
                                view! { <p>"nothing was dropped"</p> }.into_any()
                            } else {
                                view! { <ul>{r.dropped.iter().map(|d| view! {
                                    <li>{format!("{:?}: {} — {}", d.item, d.text, d.reason)}</li>
                                }).collect_view()}</ul> }.into_any()
                            }}
                        </div>
                        <p><A href=crate::base_path::url(&format!("/units?unit={unit_id}"))>"Open the unit"</A></p>
                    </div>
                }
            })}
            {move || unit.get().map(|u| view! { <UnitDetail unit=u/> })}
        </section>
    }
}
