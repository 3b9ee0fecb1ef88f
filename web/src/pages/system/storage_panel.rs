//! Storage: records per store, the browser's estimate of use and quota, and persistent
//! storage (asked for, and the browser's answer).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::storage;

/// Records per store, refreshed after every action that changes them.
#[derive(Clone, Copy)]
pub struct StoreCounts {
    pub counts: RwSignal<Vec<(&'static str, u32)>>,
    pub error: RwSignal<String>,
}

impl StoreCounts {
    pub fn new() -> StoreCounts {
        StoreCounts {
            counts: RwSignal::new(Vec::new()),
            error: RwSignal::new(String::new()),
        }
    }

    /// Read the counts again.
    pub fn refresh(self) {
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => db.store_counts().await,
                Err(e) => Err(e),
            };
            match result {
                Ok(counts) => {
                    self.counts.set(counts);
                    self.error.set(String::new());
                }
                Err(e) => self.error.set(e.to_string()),
            }
        });
    }

    /// The count of `store` as last read.
    pub fn of(self, store: &str) -> u32 {
        self.counts
            .with_untracked(|c| c.iter().find(|(s, _)| *s == store).map_or(0, |(_, n)| *n))
    }
}

fn megabytes(bytes: f64) -> String {
    if bytes < 1_000_000.0 {
        format!("{:.0} kB", bytes / 1_000.0)
    } else {
        format!("{:.1} MB", bytes / 1_000_000.0)
    }
}

#[component]
pub fn StoragePanel(counts: StoreCounts) -> impl IntoView {
    let estimate = RwSignal::new(String::from("reading…"));
    let persisted = RwSignal::new(None::<bool>);
    let persist_note = RwSignal::new(String::new());
    spawn_local(async move {
        estimate.set(match storage::estimate().await {
            Ok(e) if e.quota > 0.0 => format!(
                "{} used of the {} the browser allows ({:.1} %)",
                megabytes(e.usage),
                megabytes(e.quota),
                100.0 * e.usage / e.quota
            ),
            Ok(e) => format!("{} used", megabytes(e.usage)),
            Err(e) => e.to_string(),
        });
        match storage::persisted().await {
            Ok(p) => persisted.set(Some(p)),
            Err(e) => persist_note.set(e.to_string()),
        }
    });
    let ask = move |_| {
        spawn_local(async move {
            match storage::persist().await {
                Ok(true) => {
                    persisted.set(Some(true));
                    persist_note.set("the browser agreed: it will not evict this app's data under storage pressure".into());
                }
                Ok(false) => persist_note.set(
                    "the browser said no (it decides by how the site is used: installing the app or bookmarking it helps); keep backups".into(),
                ),
                Err(e) => persist_note.set(e.to_string()),
            }
        });
    };
    view! {
        <section aria-labelledby="storage-title">
            <h3 id="storage-title">"Storage"</h3>
            <p id="storage-estimate">{move || estimate.get()}</p>
            <table id="store-counts" class="list">
                <thead><tr><th scope="col">"Store"</th><th scope="col">"Records"</th></tr></thead>
                <tbody>
                    <For each=move || counts.counts.get() key=|(s, n)| (*s, *n) children=|(store, n)| view! {
                        <tr data-store=store data-count=n><td>{store.replace('_', " ")}</td><td>{n}</td></tr>
                    }/>
                </tbody>
            </table>
            <p class="problems" hidden=move || counts.error.with(String::is_empty)>{move || counts.error.get()}</p>
            <div class="row">
                <span id="storage-persisted" data-persisted=move || persisted.get().map(|p| p.to_string())>
                    {move || match persisted.get() {
                        Some(true) => "Persistent storage: granted",
                        Some(false) => "Persistent storage: not granted (the browser may evict data when the disk is full)",
                        None => "Persistent storage: unknown",
                    }}
                </span>
                <button id="storage-persist" type="button" class="secondary" on:click=ask
                    disabled=move || persisted.get() == Some(true)>"Ask to keep my data"</button>
            </div>
            <p id="storage-persist-note" role="status" aria-live="polite">{move || persist_note.get()}</p>
        </section>
    }
}
