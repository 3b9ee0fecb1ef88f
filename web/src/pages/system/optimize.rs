//! Optimize: real work, with the counts before and after — remove orphan records, rebuild
//! the search index, delete consolidated experiences older than a date.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::storage_panel::StoreCounts;
use crate::db;
use crate::storage::stores;

/// Milliseconds since the epoch of a `yyyy-mm-dd` date input (midnight, local time).
fn date_ms(text: &str) -> Option<f64> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!(
        "{text}T00:00:00"
    )));
    let ms = date.get_time();
    ms.is_finite().then_some(ms)
}

#[component]
pub fn Optimize(counts: StoreCounts) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let before_date = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);

    let orphans = move |_| {
        busy.set(true);
        let (experiences, games) = (counts.of(stores::EXPERIENCES), counts.of(stores::GAMES));
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.remove_orphans().await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(r) => format!(
                    "removed {} orphan experiences (experiences {experiences} → {}) and {} orphan games (games {games} → {})",
                    r.experiences,
                    experiences.saturating_sub(r.experiences as u32),
                    r.games,
                    games.saturating_sub(r.games as u32)
                ),
                Err(e) => format!("nothing removed: {e}"),
            });
            counts.refresh();
            busy.set(false);
        });
    };
    let reindex = move |_| {
        busy.set(true);
        message.set("rebuilding the search index…".into());
        spawn_local(async move {
            let started = db::now();
            let result = match db::open().await {
                Ok(db) => db.build_search_index().await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(n) => format!(
                    "search index rebuilt: {n} experiences indexed in {:.0} ms",
                    db::now() - started
                ),
                Err(e) => format!("the search index was not rebuilt: {e}"),
            });
            busy.set(false);
        });
    };
    let delete_old = move |_| {
        let Some(before) = date_ms(&before_date.get_untracked()) else {
            message.set("choose a date first".into());
            return;
        };
        if !confirmed.get_untracked() {
            message.set("tick the box to confirm: deleted experiences cannot be brought back (export first to keep them)".into());
            return;
        }
        busy.set(true);
        let experiences = counts.of(stores::EXPERIENCES);
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.delete_consolidated_before(before).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(n) => format!(
                    "deleted {n} consolidated experiences (experiences {experiences} → {})",
                    experiences.saturating_sub(n as u32)
                ),
                Err(e) => format!("nothing deleted: {e}"),
            });
            confirmed.set(false);
            counts.refresh();
            busy.set(false);
        });
    };
    view! {
        <section aria-labelledby="optimize-title">
            <h3 id="optimize-title">"Optimize"</h3>
            <div class="row">
                <button id="optimize-orphans" type="button" on:click=orphans disabled=move || busy.get()>"Remove orphan records"</button>
                <button id="optimize-reindex" type="button" class="secondary" on:click=reindex disabled=move || busy.get()>"Rebuild the search index"</button>
            </div>
            <form class="controls" on:submit=|ev| ev.prevent_default()>
                <label>"Delete consolidated experiences created before "
                    <input id="optimize-before" type="date" prop:value=move || before_date.get()
                        on:input=move |ev| before_date.set(event_target_value(&ev))/></label>
                <label><input id="optimize-confirm" type="checkbox" prop:checked=move || confirmed.get()
                    on:change=move |ev| confirmed.set(event_target_checked(&ev))/>" I understand they cannot be brought back (their lessons stay in the learning units)"</label>
                <div class="row">
                    <button id="optimize-delete-old" type="button" class="danger" on:click=delete_old disabled=move || busy.get()>"Delete them"</button>
                </div>
            </form>
            <p id="optimize-status" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}
