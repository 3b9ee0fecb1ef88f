//! The app's log: the last entries, newest first, filtered by level, and a download.

use leptos::prelude::*;

use crate::download::download_text;
use crate::log::{self, LogEntry};

/// Entries shown at once (the download has every kept one).
const SHOWN: usize = 200;

fn time_of(at: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at));
    date.to_iso_string()
        .as_string()
        .unwrap_or_default()
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

#[component]
pub fn Logs() -> impl IntoView {
    let level = RwSignal::new(String::from("INFO"));
    let entries = RwSignal::new(log::entries());
    let note = RwSignal::new(String::new());
    let shown = move || -> Vec<LogEntry> {
        let level = level.get();
        entries.with(|all| {
            all.iter()
                .rev()
                .filter(|e| e.at_least(&level))
                .take(SHOWN)
                .cloned()
                .collect()
        })
    };
    let download = move |_| {
        let all = log::entries();
        note.set(
            match download_text("machine-dream-log.jsonl", &log::to_json_lines(&all)) {
                Ok(()) => format!("downloaded {} entries", all.len()),
                Err(e) => e,
            },
        );
    };
    view! {
        <section aria-labelledby="logs-title">
            <h3 id="logs-title">"Log"</h3>
            <div class="row">
                <label>"Level "
                    <select id="log-level" prop:value=move || level.get() on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="ERROR">"errors"</option>
                        <option value="WARN">"warnings and errors"</option>
                        <option value="INFO">"info and above"</option>
                        <option value="DEBUG">"everything"</option>
                    </select>
                </label>
                <button id="log-refresh" type="button" class="secondary" on:click=move |_| entries.set(log::entries())>"Refresh"</button>
                <button id="log-download" type="button" class="secondary" on:click=download>"Download"</button>
                <span class="muted" role="status">{move || note.get()}</span>
            </div>
            <Show when=move || shown().is_empty()>
                <p class="muted">"Nothing logged at this level since the page was opened."</p>
            </Show>
            <ol id="log-entries" class="log" reversed>
                {move || shown().into_iter().map(|e| view! {
                    <li data-level=e.level>
                        <time>{time_of(e.at)}</time>" "<span class="level">{e.level}</span>" "<code>{e.target.trim_start_matches("web::").to_string()}</code>" "{e.message}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
