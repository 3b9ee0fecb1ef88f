//! The Memory screen: experiences page by page (newest first, filtered by outcome or
//! consolidation), full-text search (BM25, in wasm), one experience in detail, export and
//! import as JSON lines, clear with confirmation, and how much storage is used.

use learning_lab::memory::ExperienceRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::storage::{self, ExperienceFilter, PageCursor};

mod browse;
mod detail;
mod transfer;

use browse::Browse;
use detail::ExperienceDetail;
use transfer::Transfer;

const PAGE: u32 = 25;
const SEARCH_HITS: usize = 25;
/// Hits asked for when a filter is on, so the filtered best still fill a page.
const FILTERED_SEARCH_HITS: usize = 400;

/// Whether `record` is one the filter select's `filter` value shows (empty: every one). A search
/// keeps only those, so its hits never contradict the filter the screen shows.
fn shown_under(filter: &str, record: &ExperienceRecord) -> bool {
    match filter {
        "" => true,
        "consolidated" => record.consolidated,
        "unconsolidated" => !record.consolidated,
        outcome => record.outcome().eq_ignore_ascii_case(outcome),
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// What the screen shows, shared by its parts.
#[derive(Clone, Copy)]
struct Memory {
    /// The rows shown, with their search score when they are hits.
    items: RwSignal<Vec<(ExperienceRecord, Option<f64>)>>,
    /// Where the next page starts (`None`: no more, or search hits).
    next: RwSignal<Option<PageCursor>>,
    count: RwSignal<Option<u32>>,
    /// The filter select's value: empty, `consolidated`, `unconsolidated` or an outcome.
    filter: RwSignal<String>,
    query: RwSignal<String>,
    selected: RwSignal<Option<ExperienceRecord>>,
    message: RwSignal<String>,
    estimate: RwSignal<String>,
    busy: RwSignal<bool>,
}

impl Memory {
    fn new() -> Memory {
        Memory {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            count: RwSignal::new(None),
            filter: RwSignal::new(String::new()),
            query: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            message: RwSignal::new(String::new()),
            estimate: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
        }
    }

    /// Counts experiences and asks the browser how much storage is used.
    fn refresh_counts(self) {
        spawn_local(async move {
            if let Ok(db) = db::open().await {
                match db.count_experiences().await {
                    Ok(n) => self.count.set(Some(n)),
                    Err(e) => self.message.set(e.to_string()),
                }
            }
            self.estimate.set(match storage::estimate().await {
                Ok(e) if e.quota > 0.0 => format!(
                    "storage used: {} of {} ({:.1}%)",
                    megabytes(e.usage),
                    megabytes(e.quota),
                    100.0 * e.usage / e.quota
                ),
                Ok(e) => format!("storage used: {}", megabytes(e.usage)),
                Err(e) => e.to_string(),
            });
        });
    }

    /// The first page under the filter, or (with `append`) the next one after the rows shown.
    fn load(self, append: bool) {
        let f = match self.filter.get_untracked().as_str() {
            "" => ExperienceFilter::All,
            "consolidated" => ExperienceFilter::Consolidated(true),
            "unconsolidated" => ExperienceFilter::Consolidated(false),
            outcome => ExperienceFilter::Outcome(outcome.to_string()),
        };
        let after = if append {
            self.next.get_untracked()
        } else {
            None
        };
        spawn_local(async move {
            let page = match db::open().await {
                Ok(db) => db.page_experiences(&f, after.as_ref(), PAGE).await,
                Err(e) => Err(e),
            };
            match page {
                Ok(page) => {
                    let rows = page.items.into_iter().map(|r| (r, None));
                    if append {
                        self.items.update(|i| i.extend(rows));
                    } else {
                        self.items.set(rows.collect());
                    }
                    self.next.set(page.next_cursor);
                }
                Err(e) => self.message.set(e.to_string()),
            }
        });
    }

    /// Loads the search index in the background as the screen opens, so the first search
    /// answers at once; a database indexed for the first time shows how far it got.
    fn warm_search(self) {
        spawn_local(async move {
            let Ok(db) = db::open().await else { return };
            let progress = |stage: &str, done: usize, total: usize| {
                if total > 0 && done > 0 {
                    self.message.set(format!("{stage}: {done} of {total}…"));
                }
            };
            match db.load_search_index(&progress).await {
                Ok(_) => {
                    if self.message.get_untracked().ends_with('…') {
                        self.message.set("search index ready".into());
                    }
                }
                Err(e) => self.message.set(format!("search is unavailable: {e}")),
            }
        });
    }

    /// The best hits for the query (the first page again when it is blank).
    fn search(self) {
        let q = self.query.get_untracked();
        if q.trim().is_empty() {
            self.load(false);
            return;
        }
        self.message.set("searching…".into());
        let filter = self.filter.get_untracked();
        spawn_local(async move {
            let started = db::now();
            let wanted = if filter.is_empty() {
                SEARCH_HITS
            } else {
                FILTERED_SEARCH_HITS
            };
            let hits = match db::open().await {
                Ok(db) => db.search_experiences(&q, wanted).await,
                Err(e) => Err(e),
            };
            match hits {
                Ok(hits) => {
                    let hits: Vec<_> = hits
                        .into_iter()
                        .filter(|(r, _)| shown_under(&filter, r))
                        .take(SEARCH_HITS)
                        .collect();
                    let only = if filter.is_empty() {
                        String::new()
                    } else {
                        format!(" (only {})", filter.replace('_', " "))
                    };
                    self.message.set(format!(
                        "{} match(es) for {q:?}{only} in {:.0} ms",
                        hits.len(),
                        db::now() - started
                    ));
                    self.items
                        .set(hits.into_iter().map(|(r, s)| (r, Some(s))).collect());
                    self.next.set(None);
                }
                Err(e) => self.message.set(e.to_string()),
            }
        });
    }
}

#[component]
pub fn MemoryPage() -> impl IntoView {
    let memory = Memory::new();
    memory.load(false);
    memory.refresh_counts();
    memory.warm_search();
    let Memory {
        count,
        selected,
        message,
        estimate,
        ..
    } = memory;

    view! {
        <section aria-labelledby="memory-title">
            <h2 id="memory-title">"Memory"</h2>
            <p id="memory-count" data-count=move || count.get().map(|n| n.to_string())>
                {move || count.get().map(|n| format!("{n} experiences")).unwrap_or_else(|| "counting…".into())}
            </p>
            <p id="storage-estimate" class="muted">{move || estimate.get()}</p>
            <Browse memory/>
            {move || selected.get().map(|r| view! { <ExperienceDetail record=r/> })}
            <Transfer memory/>
            <p id="memory-message" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}
