//! Full-text search over experiences: learning-lab's [`Bm25Index`], kept on disk.
//!
//! Two stores hold the index. `search_index` has the last saved snapshot of the whole index
//! (`Bm25Index::to_snapshot`, in parts of [`PART_BYTES`]) and a `meta` record saying which
//! journal entries it covers. `search_journal` gets one entry — the ids written — in the SAME
//! transaction as every write that changes an experience's text (`save_attempt`,
//! `put_experiences`, `delete_experience`, imports); so snapshot + journal always describe the
//! committed store, whatever tab wrote and whenever a tab closed.
//!
//! Loading reads the snapshot, decodes it a slice at a time, replays the journal entries after
//! it (fetching those records: a replayed id that is gone is removed) and, when that replay
//! was long, saves a new snapshot ("compaction") and drops the journal entries it covers. A
//! database without a snapshot (new, upgraded from v2, or after a clear) is indexed once by
//! walking the store in small batches, then saved. Every CPU slice on the page's thread stays
//! small: the walk, the decode and the replay yield to the event loop between slices.
//!
//! Compaction writes only if the snapshot on disk is still the one this connection started
//! from: another tab that compacted in between dropped journal entries this tab never saw,
//! and overwriting its snapshot would lose them.

use std::collections::BTreeSet;

use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use learning_lab::memory::{Bm25Index, ExperienceRecord, SnapshotDecoder, SnapshotEncoder};
use wasm_bindgen::{JsCast, JsValue};

use super::{from_js, get_field, stores, Result, Storage, StorageError};

/// Size of one saved snapshot part.
const PART_BYTES: usize = 4 << 20;
/// Records read and indexed per slice of a full walk (a few ms each in release wasm).
const WALK_BATCH: u32 = 100;
/// Snapshot items (documents, postings) decoded or encoded per slice.
const STEP_BUDGET: usize = 200_000;
/// Replaying more journal entries than this at load saves a new snapshot.
const COMPACT_AFTER: usize = 500;
/// The `search_index` key of the record that says what the snapshot covers.
const META_KEY: &str = "meta";

/// A write this connection committed while the index was loading (or being saved), applied
/// once it is back.
pub(crate) enum Change {
    Put(Vec<ExperienceRecord>, u64),
    Remove(Vec<String>, u64),
}

/// The loaded index and what it reflects.
pub(crate) struct SearchState {
    index: Bm25Index,
    /// Every journal entry up to this sequence number is reflected in `index`.
    covered: u64,
    /// Entries after `covered` written by this connection (and so already in `index`).
    own: BTreeSet<u64>,
    /// The snapshot's `covered` when this connection last read or wrote it (`None`: there was
    /// no snapshot); compaction writes only if the disk still says this.
    base: Option<u64>,
}

/// Where this connection's index is.
#[derive(Default)]
pub(crate) enum SearchSlot {
    /// Not loaded: the next search loads it.
    #[default]
    Absent,
    /// Being loaded, or saved as a snapshot; writes committed meanwhile wait here.
    Loading(Vec<Change>),
    /// Loaded and kept current by this connection's writes.
    Ready(SearchState),
}

/// Progress of a load: `(done, total)` records or snapshot items.
pub type Progress<'a> = &'a dyn Fn(&str, usize, usize);

/// Lets the page's event loop run (paint, input) between slices of work.
async fn yield_now() {
    TimeoutFuture::new(0).await;
}

/// Queues the journal entry for `ids` in `tx` (which must include `search_journal`) and returns
/// its sequence number once IndexedDB assigned it.
pub(crate) async fn journal(tx: &Transaction<'_>, ids: &[&str]) -> Result<u64> {
    let entry = js_sys::Object::new();
    let list: js_sys::Array = ids.iter().map(|id| JsValue::from_str(id)).collect();
    js_sys::Reflect::set(&entry, &"ids".into(), &list)
        .map_err(|e| StorageError::js("cannot build a search journal entry", e))?;
    let seq: f64 = tx
        .object_store(stores::SEARCH_JOURNAL)?
        .put(entry)
        .with_key_type::<f64>()
        .await?;
    Ok(seq as u64)
}

/// What a readonly look at the search stores found.
struct OnDisk {
    /// The snapshot bytes and the journal sequence they cover.
    snapshot: Option<(Vec<u8>, u64)>,
    /// Journal entries after the snapshot, oldest first: `(seq, ids)`.
    journal: Vec<(u64, Vec<String>)>,
}

fn entry_of(value: &JsValue) -> (u64, Vec<String>) {
    let seq = get_field(value, "seq").as_f64().unwrap_or(0.0) as u64;
    let ids = get_field(value, "ids")
        .dyn_into::<js_sys::Array>()
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    (seq, ids)
}

impl Storage {
    /// Applies committed records (journal entry `seq`) to the index, or queues them while the
    /// index loads.
    pub(crate) fn index_put(&self, records: &[ExperienceRecord], seq: u64) {
        match &mut *self.search.borrow_mut() {
            SearchSlot::Absent => {}
            SearchSlot::Loading(queued) => queued.push(Change::Put(records.to_vec(), seq)),
            SearchSlot::Ready(state) => apply_put(state, records, seq),
        }
    }

    /// Applies a committed deletion of `ids` (journal entry `seq`), or queues it while the
    /// index loads.
    pub(crate) fn index_remove(&self, ids: &[&str], seq: u64) {
        let change = Change::Remove(ids.iter().map(|id| id.to_string()).collect(), seq);
        match &mut *self.search.borrow_mut() {
            SearchSlot::Absent => {}
            SearchSlot::Loading(queued) => queued.push(change),
            SearchSlot::Ready(state) => apply(state, change),
        }
    }

    /// Forget the in-memory index (after a clear); the next search loads it again.
    pub(crate) fn reset_search(&self) {
        *self.search.borrow_mut() = SearchSlot::Absent;
    }

    /// Number of journal entries not yet folded into the saved snapshot (for tests and the
    /// benchmark).
    pub async fn search_journal_len(&self) -> Result<u32> {
        self.count_store(stores::SEARCH_JOURNAL).await
    }

    /// Rebuild the index from the experiences themselves and save it, replacing any saved
    /// snapshot. Returns the number of experiences indexed.
    pub async fn build_search_index(&self) -> Result<usize> {
        self.wait_while_loading().await;
        *self.search.borrow_mut() = SearchSlot::Loading(Vec::new());
        let base = self.read_disk(false).await.map(|d| d.snapshot.map(|s| s.1));
        let result = match base {
            Ok(base) => self.walk_and_install(base, &|_, _, _| {}).await,
            Err(e) => Err(e),
        };
        self.finish_load(result).await
    }

    /// Load the index (from its snapshot, or by indexing every experience once when there is
    /// none) unless it is loaded; `progress` hears how far it got. Returns the number of
    /// experiences indexed.
    pub async fn load_search_index(&self, progress: Progress<'_>) -> Result<usize> {
        self.wait_while_loading().await;
        if let SearchSlot::Ready(state) = &*self.search.borrow() {
            return Ok(state.index.len());
        }
        *self.search.borrow_mut() = SearchSlot::Loading(Vec::new());
        let result = self.load_from_disk(progress).await;
        self.finish_load(result).await
    }

    async fn wait_while_loading(&self) {
        while matches!(&*self.search.borrow(), SearchSlot::Loading(_)) {
            TimeoutFuture::new(10).await;
        }
    }

    /// Installs a loaded state (applying the writes queued meanwhile), or forgets a failed load.
    async fn finish_load(&self, loaded: Result<(SearchState, bool)>) -> Result<usize> {
        let queued = match std::mem::take(&mut *self.search.borrow_mut()) {
            SearchSlot::Loading(queued) => queued,
            // Cleared while loading: what was loaded is stale; the next search loads again.
            _ => return loaded.map(|(state, _)| state.index.len()),
        };
        let (mut state, compact) = loaded?;
        for change in queued {
            apply(&mut state, change);
        }
        let n = state.index.len();
        *self.search.borrow_mut() = SearchSlot::Ready(state);
        if compact {
            self.save_search_snapshot().await?;
        }
        Ok(n)
    }

    async fn read_disk(&self, with_snapshot: bool) -> Result<OnDisk> {
        let tx = self
            .db
            .transaction([stores::SEARCH_INDEX, stores::SEARCH_JOURNAL])
            .build()?;
        let index = tx.object_store(stores::SEARCH_INDEX)?;
        let meta: Option<JsValue> = index.get(META_KEY).await?;
        let mut snapshot = None;
        let mut covered = None;
        if let Some(meta) = meta {
            let seq = get_field(&meta, "covered").as_f64().unwrap_or(0.0) as u64;
            covered = Some(seq);
            if with_snapshot {
                let parts = get_field(&meta, "parts").as_f64().unwrap_or(0.0) as u32;
                let mut bytes = Vec::new();
                for part in 0..parts {
                    let value: Option<JsValue> = index.get(part_key(part).as_str()).await?;
                    let data = value
                        .map(|v| get_field(&v, "bytes"))
                        .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
                        .ok_or_else(|| {
                            StorageError(format!(
                                "the saved search index lacks part {part}; it will be rebuilt"
                            ))
                        })?;
                    bytes.extend_from_slice(&data.to_vec());
                }
                snapshot = Some((bytes, seq));
            } else {
                snapshot = Some((Vec::new(), seq));
            }
        }
        let after = covered.map_or(0.0, |c| c as f64);
        let entries: Vec<JsValue> = tx
            .object_store(stores::SEARCH_JOURNAL)?
            .get_all()
            .with_query::<f64, _>(KeyRange::LowerBound(after, true))
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(OnDisk {
            snapshot,
            journal: entries.iter().map(entry_of).collect(),
        })
    }

    async fn load_from_disk(&self, progress: Progress<'_>) -> Result<(SearchState, bool)> {
        let disk = self.read_disk(true).await?;
        let Some((bytes, covered)) = disk.snapshot else {
            return self.walk_and_install(None, progress).await;
        };
        let total = bytes.len();
        let decoded = match SnapshotDecoder::new(bytes) {
            Ok(mut decoder) => loop {
                match decoder.step(STEP_BUDGET) {
                    Ok(true) => break decoder.finish(),
                    Ok(false) => {
                        progress("loading the search index", 0, total);
                        yield_now().await;
                    }
                    Err(e) => break Err(e),
                }
            },
            Err(e) => Err(e),
        };
        let Ok(index) = decoded else {
            // A damaged snapshot is never trusted: the records themselves are the truth.
            return self.walk_and_install(Some(covered), progress).await;
        };
        let mut state = SearchState {
            index,
            covered,
            own: BTreeSet::new(),
            base: Some(covered),
        };
        let replayed = self.replay(&mut state, disk.journal, progress).await?;
        Ok((state, replayed > COMPACT_AFTER))
    }

    /// Indexes every experience, a batch per slice, then replays what was written meanwhile.
    /// `base` is what the snapshot on disk covers (`None`: no snapshot).
    async fn walk_and_install(
        &self,
        base: Option<u64>,
        progress: Progress<'_>,
    ) -> Result<(SearchState, bool)> {
        // Every write after this point has a journal entry after `start`, replayed below, so
        // records changed between the walk's batches are indexed as they finally are.
        let start = self.last_journal_seq().await?;
        let total = self.count_store(stores::EXPERIENCES).await? as usize;
        let mut index = Bm25Index::new();
        let mut last: Option<String> = None;
        loop {
            let batch = self.experiences_after(last.as_deref(), WALK_BATCH).await?;
            let Some(tail) = batch.last() else { break };
            last = Some(tail.id.clone());
            for record in &batch {
                index.add(&record.id, &record.search_text());
            }
            progress("indexing experiences", index.len(), total);
            yield_now().await;
        }
        let mut state = SearchState {
            index,
            covered: start,
            own: BTreeSet::new(),
            base,
        };
        let journal = self.read_disk(false).await?.journal;
        let journal = journal
            .into_iter()
            .filter(|(seq, _)| *seq > start)
            .collect();
        self.replay(&mut state, journal, progress).await?;
        Ok((state, true))
    }

    /// The sequence number of the newest journal entry (0 when empty).
    async fn last_journal_seq(&self) -> Result<u64> {
        let tx = self.db.transaction(stores::SEARCH_JOURNAL).build()?;
        let store = tx.object_store(stores::SEARCH_JOURNAL)?;
        let cursor = store
            .open_key_cursor()
            .with_direction(indexed_db_futures::cursor::CursorDirection::Prev)
            .await?;
        let Some(mut cursor) = cursor else {
            return Ok(0);
        };
        let key: Option<f64> = cursor.next_key().await?;
        Ok(key.unwrap_or(0.0) as u64)
    }

    /// Up to `limit` experiences with ids after `after`, in id order.
    async fn experiences_after(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ExperienceRecord>> {
        let tx = self.db.transaction(stores::EXPERIENCES).build()?;
        let range = match after {
            Some(id) => KeyRange::LowerBound(js_sys::JsString::from(id), true),
            None => KeyRange::LowerBound(js_sys::JsString::from(""), false),
        };
        let values: Vec<JsValue> = tx
            .object_store(stores::EXPERIENCES)?
            .get_all()
            .with_query::<js_sys::JsString, _>(range)
            .with_limit(limit)
            .await?
            .collect::<std::result::Result<_, _>>()?;
        values.into_iter().map(from_js).collect()
    }

    /// Applies journal entries to `state` by reading their records as they are now; returns
    /// how many ids were replayed.
    async fn replay(
        &self,
        state: &mut SearchState,
        journal: Vec<(u64, Vec<String>)>,
        progress: Progress<'_>,
    ) -> Result<usize> {
        let Some(last) = journal.last().map(|(seq, _)| *seq) else {
            return Ok(0);
        };
        let ids: BTreeSet<String> = journal.into_iter().flat_map(|(_, ids)| ids).collect();
        let ids: Vec<String> = ids.into_iter().collect();
        for (done, chunk) in ids.chunks(WALK_BATCH as usize).enumerate() {
            let found = self.experiences_by_id(chunk).await?;
            // A replayed id that is gone is removed; one walk for the whole chunk.
            state.index.remove_all(chunk.iter().map(String::as_str));
            state
                .index
                .add_all(found.iter().map(|r| (r.id.clone(), r.search_text())));
            progress(
                "catching up with recent writes",
                done * WALK_BATCH as usize,
                ids.len(),
            );
            yield_now().await;
        }
        state.covered = state.covered.max(last);
        Ok(ids.len())
    }

    /// Saves the loaded index as the snapshot and drops the journal entries it covers, unless
    /// another tab saved one since this connection read it (then nothing is written).
    ///
    /// The index at 100,000 experiences is ~14 MB of snapshot: it is encoded a slice at a
    /// time and written a part per task. Meanwhile the index is out of its slot, so writes
    /// queue as they do during a load, and searches wait for it.
    pub async fn save_search_snapshot(&self) -> Result<()> {
        self.wait_while_loading().await;
        let taken = std::mem::replace(
            &mut *self.search.borrow_mut(),
            SearchSlot::Loading(Vec::new()),
        );
        let SearchSlot::Ready(mut state) = taken else {
            *self.search.borrow_mut() = taken;
            return Ok(());
        };
        let saved = self.write_snapshot(&state).await;
        let queued = match std::mem::take(&mut *self.search.borrow_mut()) {
            SearchSlot::Loading(queued) => queued,
            // Cleared while saving: the state is stale; the next search loads again.
            _ => return saved.map(|_| ()),
        };
        if let Ok(Some(new_covered)) = saved {
            state.covered = state.covered.max(new_covered);
            state.own.retain(|seq| *seq > new_covered);
            state.base = Some(new_covered);
        }
        for change in queued {
            apply(&mut state, change);
        }
        *self.search.borrow_mut() = SearchSlot::Ready(state);
        saved.map(|_| ())
    }

    /// Writes `state` as the snapshot; `Some(covered)` when written, `None` when another tab's
    /// snapshot is on disk.
    async fn write_snapshot(&self, state: &SearchState) -> Result<Option<u64>> {
        let mut encoder = SnapshotEncoder::new(&state.index);
        while !encoder.step(STEP_BUDGET) {
            yield_now().await;
        }
        let bytes = encoder.finish();
        let tx = self
            .db
            .transaction([stores::SEARCH_INDEX, stores::SEARCH_JOURNAL])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let index = tx.object_store(stores::SEARCH_INDEX)?;
        let meta: Option<JsValue> = index.get(META_KEY).await?;
        let on_disk = meta.map(|m| get_field(&m, "covered").as_f64().unwrap_or(0.0) as u64);
        if on_disk != state.base {
            return Ok(None);
        }
        let journal = tx.object_store(stores::SEARCH_JOURNAL)?;
        let after: Vec<f64> = journal
            .get_all_keys()
            .with_query::<f64, _>(KeyRange::LowerBound(state.covered as f64, true))
            .await?
            .collect::<std::result::Result<_, _>>()?;
        // The snapshot also holds this connection's own later writes; it covers up to the
        // first entry written by someone else.
        let mut new_covered = state.covered;
        for seq in after {
            let seq = seq as u64;
            if !state.own.contains(&seq) {
                break;
            }
            new_covered = seq;
        }
        let mut n = 0;
        for (i, chunk) in bytes.chunks(PART_BYTES).enumerate() {
            let part = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&part, &"key".into(), &part_key(i as u32).into());
            let _ = js_sys::Reflect::set(
                &part,
                &"bytes".into(),
                &js_sys::Uint8Array::from(chunk).into(),
            );
            // Awaited one by one: each part is copied into IndexedDB in a task of its own, and
            // the transaction stays active from one completion to the next put.
            index.put(part).await?;
            n += 1;
        }
        drop(bytes);
        index
            .delete::<String, _>(KeyRange::Bound(
                part_key(n),
                false,
                part_key(u32::MAX),
                false,
            ))
            .build()?;
        let meta = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&meta, &"key".into(), &META_KEY.into());
        let _ = js_sys::Reflect::set(&meta, &"covered".into(), &(new_covered as f64).into());
        let _ = js_sys::Reflect::set(&meta, &"parts".into(), &f64::from(n).into());
        index.put(meta).build()?;
        if new_covered > 0 {
            journal
                .delete::<f64, _>(KeyRange::UpperBound(new_covered as f64, false))
                .build()?;
        }
        super::commit(tx).await?;
        Ok(Some(new_covered))
    }

    /// The `k` experiences that best match `query` (BM25 over move, outcome, feedback and
    /// reasoning), best first, with their scores. Loads the index first if needed.
    pub async fn search_experiences(
        &self,
        query: &str,
        k: usize,
    ) -> Result<Vec<(ExperienceRecord, f64)>> {
        self.load_search_index(&|_, _, _| {}).await?;
        let hits = match &*self.search.borrow() {
            SearchSlot::Ready(state) => state.index.search(query, k),
            _ => Vec::new(),
        };
        let ids: Vec<String> = hits.iter().map(|(id, _)| id.clone()).collect();
        let records = self.experiences_by_id(&ids).await?;
        // A record deleted by another tab is skipped; scores follow their ids.
        Ok(records
            .into_iter()
            .filter_map(|r| {
                let score = hits.iter().find(|(id, _)| *id == r.id)?.1;
                Some((r, score))
            })
            .collect())
    }

    /// The loaded index, for tests that compare it with a rebuild.
    pub fn loaded_search_index(&self) -> Option<Bm25Index> {
        match &*self.search.borrow() {
            SearchSlot::Ready(state) => Some(state.index.clone()),
            _ => None,
        }
    }
}

fn part_key(part: u32) -> String {
    format!("part-{part:010}")
}

fn apply(state: &mut SearchState, change: Change) {
    match change {
        Change::Put(records, seq) => apply_put(state, &records, seq),
        Change::Remove(ids, seq) => {
            state.index.remove_all(ids.iter().map(String::as_str));
            mark_own(state, seq);
        }
    }
}

fn apply_put(state: &mut SearchState, records: &[ExperienceRecord], seq: u64) {
    // One walk of the posting lists for the records that replace indexed ones.
    state
        .index
        .add_all(records.iter().map(|r| (r.id.clone(), r.search_text())));
    mark_own(state, seq);
}

fn mark_own(state: &mut SearchState, seq: u64) {
    if seq > state.covered {
        state.own.insert(seq);
    }
}
