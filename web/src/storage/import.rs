//! Streamed import of an export (`File`/`Blob`), all or nothing, in flat memory: the Memory
//! screen's import (merge) and the System screen's restore (a check with counts and conflicts,
//! then merge or replace).
//!
//! Two passes over the file's stream (`Blob.stream()`), cut into lines by learning-lab's
//! `LineSplitter` and checked by its `ImportReader`:
//!
//! 1. Check: every line is validated and dropped; nothing is written and no write lock is
//!    taken. A bad file is refused here with its bad lines by number.
//! 2. Write: the stream is read again and each record is put into ONE readwrite transaction
//!    as it arrives. A transaction commits by itself once it has no request pending at the end
//!    of a task, and reading the stream is not an IndexedDB request; so the write loop keeps
//!    one cheap request in flight at all times and queues the records that the reading task
//!    hands over from inside that request's completion, where the transaction is active. Any
//!    failure (a full disk, a file that changed since pass 1) drops the transaction
//!    uncommitted: nothing is written.
//!
//! Memory stays bounded by a chunk of the stream plus [`QUEUE_LIMIT`] records, not by the
//! file; only the imported experience ids (for the search journal) grow with it.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode};
use learning_lab::memory::transfer::{Accepted, ImportReader, Kind, Limits, LineSplitter, Piece};
use learning_lab::memory::ExperienceRecord;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::profiles;
use super::search::journal;
use super::transfer::store_of;
use super::{durability, stores, to_js, ImportSummary, Result, Storage, StorageError};

/// Records read ahead of the write loop at most.
const QUEUE_LIMIT: usize = 500;
/// Bytes of the stream split into lines and checked between looks at the clock.
const SLICE_BYTES: usize = 16 << 10;
/// Work after which reading yields to the event loop (ms).
const SLICE_MS: f64 = 12.0;

/// Reads `blob` as a stream and hands every line to `each` (`false` from `each` stops);
/// between slices it waits while `full()` says the consumer is behind.
async fn stream_lines(
    blob: &web_sys::Blob,
    limit: usize,
    mut each: impl FnMut(Piece<'_>) -> bool,
    full: impl Fn() -> bool,
) -> Result<()> {
    let fail = |e| StorageError::js("cannot read the file", e);
    let reader: web_sys::ReadableStreamDefaultReader = blob.stream().get_reader().unchecked_into();
    let mut splitter = LineSplitter::new(limit);
    let mut go_on = true;
    let mut slice_start = js_sys::Date::now();
    while go_on {
        let result = JsFuture::from(reader.read()).await.map_err(fail)?;
        let done = js_sys::Reflect::get(&result, &"done".into())
            .map_err(fail)?
            .as_bool()
            .unwrap_or(true);
        if done {
            splitter.finish(|piece| {
                if go_on {
                    go_on = each(piece);
                }
            });
            return Ok(());
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&result, &"value".into())
            .map_err(fail)?
            .unchecked_into();
        // A stream's chunk can be megabytes (thousands of lines); it is checked a slice at a
        // time and the loop yields once a slice of work has run for SLICE_MS, so no task of an
        // import runs for long.
        let bytes = chunk.to_vec();
        for slice in bytes.chunks(SLICE_BYTES) {
            splitter.push(slice, |piece| {
                if go_on {
                    go_on = each(piece);
                }
            });
            if !go_on {
                break;
            }
            if js_sys::Date::now() - slice_start >= SLICE_MS || full() {
                gloo_timers::future::TimeoutFuture::new(0).await;
                while full() {
                    gloo_timers::future::TimeoutFuture::new(1).await;
                }
                slice_start = js_sys::Date::now();
            }
        }
    }
    let _ = JsFuture::from(reader.cancel()).await;
    Ok(())
}

/// Feeds one piece to the reader: the record, if the line was a valid one.
fn check(reader: &mut ImportReader, piece: Piece<'_>) -> Option<Accepted> {
    match piece {
        Piece::Line(bytes) => reader.line_bytes(bytes),
        Piece::Overlong(len) => {
            reader.overlong_line(len);
            None
        }
    }
}

/// How a restore treats what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreMode {
    /// Records in the file replace stored ones with the same id; everything else stays.
    Merge,
    /// Everything stored is deleted first (in the same transaction): afterwards the app holds
    /// exactly the file. The token key stays, so profiles made later can seal their token.
    Replace,
}

/// What a backup file holds, checked whole, before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupCheck {
    /// When the file was made (ms since the epoch).
    pub exported_at: f64,
    /// The file's format version.
    pub version: u32,
    /// Records per kind in the file (in `Kind::ALL` order).
    pub in_file: [usize; Kind::ALL.len()],
    /// Of those, records whose id is already stored (a merge replaces them).
    pub conflicts: [usize; Kind::ALL.len()],
    /// Records per kind stored now (a replace deletes them).
    pub stored: [usize; Kind::ALL.len()],
}

/// The one setting a file never writes: the token key belongs to this browser.
fn is_local_only(record: &Accepted) -> bool {
    matches!(record, Accepted::Setting(_)) && record.key() == super::sealed::TOKEN_KEY
}

/// What the reading task hands the write loop.
#[derive(Default)]
struct Handover {
    records: VecDeque<Accepted>,
    /// The stream is read to its end (or failed: `error`).
    finished: bool,
    error: Option<StorageError>,
    /// The write loop gave up: the reading task stops.
    cancelled: bool,
}

impl Storage {
    /// Import a JSON-lines export from a file, streamed: checked whole first, then written
    /// in ONE transaction. Records replace stored ones with the same id; a local profile with
    /// the same id keeps its token.
    ///
    /// # Errors
    /// The bad lines by number, a file that cannot be read, or a storage error such as a full
    /// disk: in every case nothing is written.
    pub async fn import_blob(&self, blob: &web_sys::Blob) -> Result<ImportSummary> {
        self.check_backup(blob).await?;
        self.write_blob(blob, RestoreMode::Merge).await
    }

    /// Pass 1 alone: every line of `blob` checked, with counts per kind and the records whose
    /// id is already stored. Nothing is written.
    ///
    /// # Errors
    /// The bad lines by number (a corrupt or cut file, one from a newer app), or a file that
    /// cannot be read.
    pub async fn check_backup(&self, blob: &web_sys::Blob) -> Result<BackupCheck> {
        let limits = Limits::default();
        let mut stored_keys = Vec::with_capacity(Kind::ALL.len());
        for kind in Kind::ALL {
            let keys: HashSet<String> = self.keys_of(store_of(kind)).await?.into_iter().collect();
            stored_keys.push(keys);
        }
        let mut conflicts = [0; Kind::ALL.len()];
        let mut reader = ImportReader::new(limits);
        stream_lines(
            blob,
            limits.max_line_bytes,
            |piece| {
                if let Some(record) = check(&mut reader, piece) {
                    let slot = record.kind().index();
                    if stored_keys[slot].contains(record.key()) {
                        conflicts[slot] += 1;
                    }
                }
                true
            },
            || false,
        )
        .await?;
        let in_file = reader.counts();
        let header = reader.header().cloned();
        reader.finish().map_err(|e| StorageError(e.to_string()))?;
        let header = header.ok_or_else(|| StorageError("the file has no header".into()))?;
        Ok(BackupCheck {
            exported_at: header.exported_at,
            version: header.version,
            in_file,
            conflicts,
            stored: std::array::from_fn(|i| stored_keys[i].len()),
        })
    }

    /// Restore a backup: checked whole first ([`Storage::check_backup`]), then written in ONE
    /// transaction, merged into what is stored or replacing all of it.
    ///
    /// # Errors
    /// As [`Storage::import_blob`]: in every case nothing is written or deleted.
    pub async fn restore_blob(
        &self,
        blob: &web_sys::Blob,
        mode: RestoreMode,
    ) -> Result<ImportSummary> {
        self.check_backup(blob).await?;
        let summary = self.write_blob(blob, mode).await?;
        tracing::info!(?mode, "restored {summary}");
        Ok(summary)
    }

    /// Pass 2 of a checked file.
    async fn write_blob(&self, blob: &web_sys::Blob, mode: RestoreMode) -> Result<ImportSummary> {
        let limits = Limits::default();
        if mode == RestoreMode::Merge {
            // The index is loaded first, so imported records go into it directly instead of
            // being replayed from the journal one by one. A replace rebuilds it instead.
            self.load_search_index(&|_, _, _| {}).await?;
        }

        // Pass 2: read again in a task of its own, writing as records arrive.
        let handover = Rc::new(RefCell::new(Handover::default()));
        {
            let handover = Rc::clone(&handover);
            let blob = blob.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut reader = ImportReader::new(limits);
                let result = stream_lines(
                    &blob,
                    limits.max_line_bytes,
                    |piece| {
                        if let Some(record) = check(&mut reader, piece) {
                            handover.borrow_mut().records.push_back(record);
                        }
                        !handover.borrow().cancelled
                    },
                    || {
                        let h = handover.borrow();
                        h.records.len() >= QUEUE_LIMIT && !h.cancelled
                    },
                )
                .await;
                let verdict = result.and_then(|()| {
                    reader.finish().map(|_| ()).map_err(|e| {
                        StorageError(format!("the file changed while it was imported: {e}"))
                    })
                });
                let mut handover = handover.borrow_mut();
                handover.error = verdict.err();
                handover.finished = true;
            });
        }
        let written = self.write_streamed(&handover, mode).await;
        if written.is_err() || mode == RestoreMode::Replace {
            handover.borrow_mut().cancelled = true;
            // Records may have entered the in-memory index before the write failed; after a
            // replace the next search indexes the new store from scratch.
            self.reset_search();
        }
        written
    }

    /// Pass 2's write loop: one transaction, one request always in flight.
    async fn write_streamed(
        &self,
        handover: &Rc<RefCell<Handover>>,
        mode: RestoreMode,
    ) -> Result<ImportSummary> {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| store_of(*k)).collect();
        names.push(stores::SEARCH_JOURNAL);
        names.push(stores::SEARCH_INDEX);
        // Relaxed durability: the file is still there if the machine loses power.
        let tx = self
            .db
            .transaction(names.as_slice())
            .with_mode(TransactionMode::Readwrite)
            .with_options(durability(TransactionDurability::Relaxed))
            .build()?;
        if mode == RestoreMode::Replace {
            let settings = tx.object_store(stores::SETTINGS)?;
            let token_key: Option<JsValue> = settings.get(super::sealed::TOKEN_KEY).await?;
            for name in &names {
                tx.object_store(name)?.clear()?;
            }
            if let Some(token_key) = token_key {
                settings
                    .put(token_key.unchecked_into::<js_sys::Object>())
                    .build()?;
            }
        }
        let mut summary = ImportSummary::default();
        let mut indexed: Vec<ExperienceRecord> = Vec::new();
        loop {
            let batch: Vec<Accepted> = {
                let mut h = handover.borrow_mut();
                if let Some(error) = h.error.take() {
                    return Err(error);
                }
                if h.finished && h.records.is_empty() {
                    break;
                }
                // A slice per turn: queuing a put clones the record on this thread.
                let n = h.records.len().min(super::PUT_SLICE);
                h.records.drain(..n).collect()
            };
            for record in batch {
                if is_local_only(&record) {
                    continue;
                }
                let kind = record.kind();
                let store = tx.object_store(store_of(kind))?;
                match record {
                    Accepted::Profile(profile) => {
                        let existing: Option<js_sys::Object> =
                            store.get(profile.id.as_str()).await?;
                        store
                            .put(profiles::over_local(&profile, existing.as_ref())?)
                            .build()?;
                    }
                    Accepted::Experience(record) => {
                        store.put(to_js(&record)?).build()?;
                        if mode == RestoreMode::Merge {
                            indexed.push(record);
                        }
                    }
                    Accepted::Session(record) => {
                        store.put(to_js(&record)?).build()?;
                    }
                    Accepted::Puzzle(value)
                    | Accepted::LearningUnit(value)
                    | Accepted::Experiment(value)
                    | Accepted::Game(value)
                    | Accepted::Setting(value) => {
                        store.put(to_js(&value)?).build()?;
                    }
                }
                summary.add(kind);
            }
            // The request in flight: it completes after the puts queued before it, and its
            // completion is where the next batch is queued. A slice with experiences writes
            // its own journal entry as that request: one entry of every id at the end would
            // convert and clone 100,000 ids in one task.
            let ping = tx.object_store(stores::SEARCH_JOURNAL)?;
            if indexed.is_empty() {
                let _: Option<JsValue> = ping.get(0.0).await?;
            } else {
                let ids: Vec<&str> = indexed.iter().map(|r| r.id.as_str()).collect();
                let seq = journal(&tx, &ids).await?;
                // Into the in-memory index now, so the records need not be kept; undone by
                // `reset_search` if the transaction fails.
                self.index_put(&indexed, seq);
                indexed.clear();
            }
            // Waiting for the stream: keep a request in flight meanwhile (the reading task
            // runs between their completions).
            while {
                let h = handover.borrow();
                h.records.is_empty() && !h.finished
            } {
                let _: Option<JsValue> = ping.get(0.0).await?;
            }
        }
        if mode == RestoreMode::Replace {
            // The search stores were cleared with the rest: with no snapshot, the next load
            // indexes the restored experiences from the store itself.
            super::commit(tx).await?;
            return Ok(summary);
        }
        super::commit(tx).await?;
        // The import is committed; a snapshot that cannot be saved now is rebuilt from the
        // journal on the next load, so its failure is not the import's.
        let _ = self.save_search_snapshot().await;
        Ok(summary)
    }
}
