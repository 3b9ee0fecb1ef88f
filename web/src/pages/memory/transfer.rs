//! The Memory screen's file actions: export, import (streamed, checked line by line first) and clear
//! with confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{megabytes, Memory};
use crate::db;
use crate::download::picked_file;
use crate::storage::{self, ClearScope};

/// The export, import and clear controls.
#[component]
pub(super) fn Transfer(memory: Memory) -> impl IntoView {
    let Memory {
        count,
        selected,
        message,
        busy,
        ..
    } = memory;

    let export = move |_| {
        busy.set(true);
        message.set("exporting…".into());
        spawn_local(async move {
            let started = db::now();
            let result = match db::open().await {
                Ok(db) => match db.export_blob(db::now()).await {
                    Ok(blob) => {
                        storage::download(&blob, "machine-dream-memory.jsonl").map(|()| blob.size())
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(bytes) => format!(
                    "exported {} in {:.0} ms",
                    megabytes(bytes),
                    db::now() - started
                ),
                Err(e) => format!("export failed: {e}"),
            });
            busy.set(false);
        });
    };

    let import = move |ev: leptos::ev::Event| {
        busy.set(true);
        let Some(file) = picked_file(&ev) else {
            busy.set(false);
            return;
        };
        spawn_local(async move {
            message.set("checking every line before writing…".into());
            let result = match db::open().await {
                Ok(db) => db.import_blob(&file).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(summary) => format!("imported {summary}"),
                Err(e) => format!("nothing imported: {e}"),
            });
            busy.set(false);
            memory.load(false);
            memory.refresh_counts();
        });
    };

    let clear = move |_| {
        let n = count.get_untracked().unwrap_or(0);
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete all memory: {n} experiences, every session, learning unit and experiment? Profiles and settings stay. Export first if you may want it back."
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            message.set("nothing cleared".into());
            return;
        }
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.clear_memory(ClearScope::default()).await,
                Err(e) => Err(e),
            };
            message.set(match result {
                Ok(()) => "memory cleared".into(),
                Err(e) => format!("not cleared (nothing was removed): {e}"),
            });
            selected.set(None);
            memory.load(false);
            memory.refresh_counts();
        });
    };

    view! {
        <div class="row">
            <button id="memory-export" on:click=export disabled=move || busy.get()>"Export (JSON lines)"</button>
            <label class="file">"Import "
                <input id="memory-import" type="file" accept=".jsonl,.ndjson,.json" on:change=import disabled=move || busy.get()/>
            </label>
            <button id="memory-clear" class="danger" on:click=clear>"Clear memory…"</button>
        </div>
    }
}
