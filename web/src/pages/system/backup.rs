//! Backup and restore of everything: one streamed file out; a file in is checked whole first
//! (counts per kind, records already here), then merged or replacing all, in one transaction.

use learning_lab::memory::transfer::Kind;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::storage_panel::StoreCounts;
use crate::db;
use crate::download::picked_file;
use crate::storage::{self, BackupCheck, RestoreMode};

/// A checked file waiting for the person's choice.
#[derive(Clone)]
struct Pending {
    file: web_sys::File,
    check: BackupCheck,
}

/// `yyyy-mm-dd hh:mm` (local time) of `ms` since the epoch.
fn when(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

#[component]
pub fn Backup(counts: StoreCounts) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let pending: RwSignal<Option<Pending>, LocalStorage> = RwSignal::new_local(None);

    let backup = move |_| {
        busy.set(true);
        message.set("writing the backup…".into());
        spawn_local(async move {
            let now = db::now();
            let result = match db::open().await {
                Ok(db) => db.export_blob(now).await,
                Err(e) => Err(e),
            };
            let result = result.and_then(|blob| {
                let name = format!(
                    "machine-dream-backup-{}.jsonl",
                    when(now).replace([' ', ':'], "-")
                );
                storage::download(&blob, &name).map(|()| blob.size())
            });
            message.set(match result {
                Ok(bytes) => format!(
                    "backup downloaded ({:.1} MB): everything but edge API tokens, which stay in this browser",
                    bytes / 1e6
                ),
                Err(e) => format!("no backup written: {e}"),
            });
            busy.set(false);
        });
    };

    let pick = move |ev: leptos::ev::Event| {
        let Some(file) = picked_file(&ev) else { return };
        busy.set(true);
        pending.set(None);
        message.set("checking every line of the file…".into());
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.check_backup(&file).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(check) => {
                    message.set(format!(
                        "the file is valid (made {}, format {}): choose how to restore it",
                        when(check.exported_at),
                        check.version
                    ));
                    pending.set(Some(Pending { file, check }));
                }
                Err(e) => message.set(format!(
                    "this file cannot be restored, nothing was changed: {e}"
                )),
            }
            busy.set(false);
        });
    };

    let restore = move |mode: RestoreMode| {
        let Some(Pending { file, .. }) = pending.get_untracked() else {
            return;
        };
        if mode == RestoreMode::Replace {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(
                        "Replace everything stored here with the file? Records that are not in the file are deleted.",
                    )
                    .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                message.set("nothing restored".into());
                return;
            }
        }
        busy.set(true);
        message.set("restoring…".into());
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.restore_blob(&file, mode).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(summary) => format!("restored: {summary}"),
                Err(e) => format!("nothing was restored (everything is as it was): {e}"),
            });
            pending.set(None);
            counts.refresh();
            busy.set(false);
        });
    };

    let summary = move || {
        pending.get().map(|Pending { check, .. }| {
            let rows = Kind::ALL
                .iter()
                .map(|kind| {
                    let i = kind.index();
                    view! {
                        <tr>
                            <th scope="row">{kind.plural()}</th>
                            <td>{check.in_file[i]}</td>
                            <td>{check.conflicts[i]}</td>
                            <td>{check.stored[i]}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table id="restore-summary" class="counts">
                    <caption>"What the file holds"</caption>
                    <thead><tr>
                        <th scope="col">"kind"</th>
                        <th scope="col">"in the file"</th>
                        <th scope="col">"same id already here"</th>
                        <th scope="col">"stored here now"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="row">
                    <button id="restore-merge" type="button" disabled=move || busy.get()
                        on:click=move |_| restore(RestoreMode::Merge)>"Merge: the file's records replace those with the same id"</button>
                    <button id="restore-replace" type="button" class="danger" disabled=move || busy.get()
                        on:click=move |_| restore(RestoreMode::Replace)>"Replace everything with the file"</button>
                    <button id="restore-cancel" type="button" class="secondary"
                        on:click=move |_| { pending.set(None); message.set("nothing restored".into()); }>"Cancel"</button>
                </div>
            }
        })
    };

    view! {
        <section aria-labelledby="backup-title">
            <h3 id="backup-title">"Backup and restore"</h3>
            <p class="hint">"One file with everything: profiles (without their edge API token), puzzles, games, settings, sessions, experiences, learning units and experiments."</p>
            <div class="row">
                <button id="backup-download" type="button" on:click=backup disabled=move || busy.get()>"Download a backup"</button>
                <label class="file">"Restore from a file "
                    <input id="restore-file" type="file" accept=".jsonl,.ndjson,.json" on:change=pick disabled=move || busy.get()/>
                </label>
            </div>
            {summary}
            <p id="backup-status" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}
