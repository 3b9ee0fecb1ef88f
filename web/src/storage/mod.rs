//! IndexedDB storage: the versioned schema and typed access to each store.
//!
//! One module per store (`puzzles`, `games`, `settings`, `profiles`, `sessions`,
//! `experiences`, `units`, `experiments`), plus `schema` (versions and upgrades), `search`
//! (the saved BM25 index over experiences), `transfer` (export, import of text), `import`
//! (streamed import of a file), `maintenance` (clear, storage estimate, persistence) and
//! `housekeeping` (counts, orphans, old experiences).
//!
//! Invariants:
//! - The schema version only goes up; `schema::upgrade` brings any older database to the
//!   current one step by step, so a user's data survives every release.
//! - Every write commits its transaction before returning (indexed_db_futures rolls back
//!   uncommitted transactions), so "saved" in the UI means on disk. Writes that belong together
//!   (a session and its latest attempt; an import; a clear) share ONE transaction, so a quota
//!   error or a crash leaves nothing half-written.
//! - Lists page through indexes with a cursor and a key range, newest first; nothing loads a
//!   whole store to show a page.
//! - Values cross into IndexedDB as JSON (`serde_json` → `JSON.parse`), which is faster than
//!   field-by-field conversion for large records and keeps `Option::None` as `null`, which
//!   IndexedDB leaves out of an index (so sessions outside an experiment are not in
//!   `experiment_id`).

mod experiences;
mod experiments;
mod games;
mod housekeeping;
mod import;
mod maintenance;
mod profiles;
mod puzzles;
pub mod schema;
mod sealed;
mod search;
mod sessions;
mod settings;
mod transfer;
mod units;

use std::cell::RefCell;

use indexed_db_futures::cursor::CursorDirection;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

pub use experiences::ExperienceFilter;
pub use experiments::ExperimentRecord;
pub use games::{EntryRecord, GameRecord};
pub use housekeeping::Removed;
pub use import::{BackupCheck, RestoreMode};
pub use maintenance::{estimate, persist, persisted, ClearScope, StorageEstimate};
pub use schema::{stores, SCHEMA_VERSION};
pub use search::Progress;
pub use sessions::SessionFilter;
pub use transfer::{download, ImportSummary};

/// The app's database name. Tests use their own names so they never touch a user's data.
pub const DB_NAME: &str = "machine-dream";

/// Records queued per task in a bulk write: converting a record and queuing its put (which
/// clones it) run on the page's thread — up to about 0.8 ms each at 100,000 experiences in
/// the storage bench — so 50 keep a task under 50 ms.
pub(crate) const PUT_SLICE: usize = 200;

/// A storage failure, phrased for the person using the app.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        let text = error.to_string();
        if text.contains("QuotaExceeded") {
            StorageError(FULL.into())
        } else {
            StorageError(format!("browser storage error: {text}"))
        }
    }
}

/// Commits `tx`. When the browser aborts it, the error says why: the transaction's own error
/// (a `QuotaExceededError` for a full disk) rather than just "it was aborted".
pub(crate) async fn commit(tx: indexed_db_futures::transaction::Transaction<'_>) -> Result<()> {
    use indexed_db_futures::internals::SystemRepr;
    let raw: web_sys::IdbTransaction = tx.as_sys().clone().into();
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(error) => {
            let cause = raw.error().map(|e| e.name()).unwrap_or_default();
            if cause == "QuotaExceededError" {
                Err(StorageError(FULL.into()))
            } else {
                Err(error.into())
            }
        }
    }
}

/// What a write refused for want of space says.
const FULL: &str = "browser storage is full: nothing was written; free space on the System screen (remove orphans, delete old consolidated experiences) or download a backup and clear memory, then try again";

impl From<indexed_db_futures::error::OpenDbError> for StorageError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        StorageError(format!(
            "cannot open browser storage ({error}); private browsing or blocked storage can cause this"
        ))
    }
}

impl StorageError {
    fn js(context: &str, value: JsValue) -> StorageError {
        let text = js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .or_else(|| value.as_string())
            .unwrap_or_else(|| format!("{value:?}"));
        StorageError(format!("{context}: {text}"))
    }
}

type Result<T> = std::result::Result<T, StorageError>;

/// Where the next page starts: the sort time and id of the last item shown. Plain data, so a
/// screen can keep it in a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageCursor {
    /// `created_at` (or `updated_at` for sessions) of the last item.
    pub time: f64,
    /// Its id.
    pub id: String,
}

/// One page of a list, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Up to `limit` items.
    pub items: Vec<T>,
    /// Pass to the next call for the following page; `None` when this was the last.
    pub next_cursor: Option<PageCursor>,
}

/// An open database.
pub struct Storage {
    db: Database,
    /// The full-text index over experiences, loaded on first search and kept current by every
    /// write through this connection (see `search.rs`).
    search: RefCell<search::SearchSlot>,
}

impl Storage {
    /// Open (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Storage> {
        let db = Database::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_upgrade_needed(|event, db| {
                let old = event.old_version() as u32;
                schema::upgrade(&db, old)
            })
            .await?;
        Ok(Storage {
            db,
            search: RefCell::new(search::SearchSlot::Absent),
        })
    }

    /// Close the connection (so another one can upgrade or delete the database).
    pub fn close(self) {
        self.db.close();
    }

    /// The underlying database (for tests and benchmarks that inspect the schema).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Store `record` in `store` (replacing a record with the same key) and commit.
    async fn put_json<T: Serialize>(&self, store: &str, record: &T) -> Result<()> {
        self.put_all_json(store, std::slice::from_ref(record)).await
    }

    /// Store every record in `store` in ONE transaction: all of them, or (on any failure,
    /// e.g. a full disk) none. The primitive under every typed batch write (`put_units`,
    /// `put_experiences`); public so tests can prove the all-or-none rule with a record the
    /// store refuses, which no typed record can be.
    pub async fn put_all_json<T: Serialize>(&self, store: &str, records: &[T]) -> Result<()> {
        let values = records.iter().map(to_js).collect::<Result<Vec<_>>>()?;
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let object_store = tx.object_store(store)?;
        // Requests are queued without awaiting each: IndexedDB runs them in order and the
        // commit reports the first failure (and rolls everything back).
        for value in values {
            object_store.put(value).build()?;
        }
        commit(tx).await?;
        Ok(())
    }

    /// The record with key `key` in `store`, if any.
    async fn get_json<T: DeserializeOwned>(&self, store: &str, key: &str) -> Result<Option<T>> {
        let tx = self.db.transaction(store).build()?;
        let value: Option<js_sys::Object> = tx.object_store(store)?.get(key).await?;
        value.map(|v| from_js(v.into())).transpose()
    }

    /// Delete the record with key `key` from `store` (no error if there is none).
    async fn delete_key(&self, store: &str, key: &str) -> Result<()> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(store)?.delete(key).await?;
        commit(tx).await?;
        Ok(())
    }

    /// Number of records in `store`.
    async fn count_store(&self, store: &str) -> Result<u32> {
        let tx = self.db.transaction(store).build()?;
        let n = tx.object_store(store)?.count().await?;
        Ok(n)
    }

    /// One page of `store` through `index`, newest first. Every list index has the key path
    /// `[field, time, "id"]` (or `[time, "id"]` for the plain time index), so a page is one
    /// key range: from `[value]` up to (excluding) the last key shown — O(log n + limit)
    /// however deep the page. `filter` is the `field` value; `None` lists the whole store
    /// through the time index.
    async fn page_raw(
        &self,
        store: &str,
        index: &str,
        time_field: &str,
        filter: Option<JsValue>,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<(Vec<JsValue>, Option<PageCursor>)> {
        let key = |parts: &[JsValue]| parts.iter().collect::<js_sys::Array>();
        let top = JsValue::from(js_sys::Array::new()); // arrays sort after numbers and strings
        let (lower, upper) = match (&filter, after) {
            (Some(v), Some(c)) => (
                key(std::slice::from_ref(v)),
                key(&[v.clone(), c.time.into(), c.id.as_str().into()]),
            ),
            (Some(v), None) => (key(std::slice::from_ref(v)), key(&[v.clone(), top])),
            (None, Some(c)) => (
                key(&[f64::NEG_INFINITY.into()]),
                key(&[c.time.into(), c.id.as_str().into()]),
            ),
            (None, None) => (key(&[f64::NEG_INFINITY.into()]), key(&[top])),
        };
        let range = KeyRange::Bound(lower, false, upper, after.is_some());
        self.page_range(store, index, time_field, range, limit)
            .await
    }

    /// The key range `[value]..[value, +inf]` of one filter value (or the whole time index).
    fn filter_range(filter: Option<JsValue>) -> KeyRange<js_sys::Array> {
        let top = JsValue::from(js_sys::Array::new());
        match filter {
            Some(v) => KeyRange::Bound(
                [v.clone()].iter().collect(),
                false,
                [v, top].iter().collect(),
                false,
            ),
            None => KeyRange::Bound(
                [JsValue::from(f64::NEG_INFINITY)].iter().collect(),
                false,
                [top].iter().collect(),
                false,
            ),
        }
    }

    /// Number of records of `store` in `index` matching `filter` (all with `None`).
    async fn count_index(&self, store: &str, index: &str, filter: Option<JsValue>) -> Result<u32> {
        let tx = self.db.transaction(store).build()?;
        let source = tx.object_store(store)?;
        let n = source
            .index(index)?
            .count()
            .with_query::<js_sys::Array, _>(Self::filter_range(filter))
            .await?;
        Ok(n)
    }

    async fn page_range(
        &self,
        store: &str,
        index: &str,
        time_field: &str,
        range: KeyRange<js_sys::Array>,
        limit: u32,
    ) -> Result<(Vec<JsValue>, Option<PageCursor>)> {
        let tx = self.db.transaction(store).build()?;
        let source = tx.object_store(store)?;
        let index = source.index(index)?;
        let cursor = index
            .open_cursor()
            .with_query::<js_sys::Array, _>(range)
            .with_direction(CursorDirection::Prev)
            .await?;
        let mut items = Vec::new();
        if let Some(mut cursor) = cursor {
            // One more than asked says whether another page exists.
            while items.len() <= limit as usize {
                match cursor.next_record::<js_sys::Object>().await? {
                    Some(v) => items.push(JsValue::from(v)),
                    None => break,
                }
            }
        }
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            let last = items.last().expect("limit > 0 when more exist");
            Some(PageCursor {
                time: get_field(last, time_field).as_f64().unwrap_or(0.0),
                id: get_field(last, "id").as_string().unwrap_or_default(),
            })
        } else {
            None
        };
        Ok((items, next))
    }

    /// [`Self::page_raw`], deserialized.
    async fn page_typed<T: DeserializeOwned>(
        &self,
        store: &str,
        index: &str,
        time_field: &str,
        filter: Option<JsValue>,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<T>> {
        let (values, next_cursor) = self
            .page_raw(store, index, time_field, filter, after, limit)
            .await?;
        let items = values.into_iter().map(from_js).collect::<Result<_>>()?;
        Ok(Page { items, next_cursor })
    }
}

/// Transaction options with `durability`. Writes an attempt depends on ask for `Strict`
/// (committed = flushed to disk before the next model call); bulk writes whose source still
/// exists if the machine loses power (an import's file, a benchmark's batch) take `Relaxed`
/// (committed = handed to the operating system), which lets the browser skip a flush per
/// transaction.
pub(crate) fn durability(
    durability: indexed_db_futures::transaction::TransactionDurability,
) -> indexed_db_futures::transaction::TransactionOptions {
    let mut options = indexed_db_futures::transaction::TransactionOptions::new();
    options.set_durability(durability);
    options
}

fn get_field(value: &JsValue, field: &str) -> JsValue {
    js_sys::Reflect::get(value, &field.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Rust value → JS object, through JSON.
pub(crate) fn to_js<T: Serialize>(record: &T) -> Result<js_sys::Object> {
    let json = serde_json::to_string(record)
        .map_err(|e| StorageError(format!("cannot serialize a record: {e}")))?;
    json_to_js(&json)
}

fn json_to_js(json: &str) -> Result<js_sys::Object> {
    js_sys::JSON::parse(json)
        .map_err(|e| StorageError::js("cannot convert a record", e))?
        .dyn_into::<js_sys::Object>()
        .map_err(|_| StorageError("a record is not a JSON object".into()))
}

/// Stored JS value → its JSON text.
fn js_to_json(value: &JsValue) -> Result<String> {
    js_sys::JSON::stringify(value)
        .map_err(|e| StorageError::js("cannot read a stored record", e))?
        .as_string()
        .ok_or_else(|| StorageError("a stored record is not JSON".into()))
}

/// Stored JS value → Rust value; a record that no longer fits its type is reported, not
/// skipped, so corruption is visible.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    let json = js_to_json(&value)?;
    serde_json::from_str(&json)
        .map_err(|e| StorageError(format!("a stored record is damaged ({e})")))
}
