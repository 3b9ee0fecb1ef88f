//! Housekeeping for the System screen: records per store, and the optimize actions —
//! remove orphans (experiences of deleted sessions, games of deleted puzzles) and delete
//! consolidated experiences older than a date. Which records are orphans is decided by
//! `learning_lab::memory::housekeeping`; this module lists keys and deletes.
//!
//! Each action deletes in ONE readwrite transaction: all of its records go, or (a full disk,
//! a closed tab) none do.

use std::collections::BTreeSet;

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use learning_lab::memory::housekeeping::{orphan_experiences, orphan_games};
use wasm_bindgen::JsValue;

use super::search::journal;
use super::{stores, Result, Storage};

/// What an optimize action removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removed {
    pub experiences: usize,
    pub games: usize,
}

impl Storage {
    /// Records in every store, in [`stores::ALL`] order.
    pub async fn store_counts(&self) -> Result<Vec<(&'static str, u32)>> {
        let tx = self.db.transaction(stores::ALL.as_slice()).build()?;
        let mut counts = Vec::with_capacity(stores::ALL.len());
        for name in stores::ALL {
            counts.push((name, tx.object_store(name)?.count().await?));
        }
        Ok(counts)
    }

    /// Every key of `store` (all are strings).
    pub(super) async fn keys_of(&self, store: &str) -> Result<Vec<String>> {
        // Read a batch of keys per request: converting 100,000 keys at once was one task of
        // ~80 ms; each batch is a task of its own.
        const KEYS_BATCH: u32 = 5_000;
        let mut keys: Vec<String> = Vec::new();
        loop {
            let tx = self.db.transaction(store).build()?;
            let range = match keys.last() {
                Some(last) => KeyRange::LowerBound(js_sys::JsString::from(last.as_str()), true),
                None => KeyRange::LowerBound(js_sys::JsString::from(""), false),
            };
            let batch = tx
                .object_store(store)?
                .get_all_keys::<JsValue>()
                .with_query::<js_sys::JsString, _>(range)
                .with_limit(KEYS_BATCH)
                .await?
                .map(|k| k.map(|k| k.as_string().unwrap_or_default()))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let full = batch.len() == KEYS_BATCH as usize;
            keys.extend(batch);
            if !full {
                return Ok(keys);
            }
        }
    }

    /// Remove experiences whose session is gone and games whose puzzle is gone.
    pub async fn remove_orphans(&self) -> Result<Removed> {
        let sessions: BTreeSet<String> =
            self.keys_of(stores::SESSIONS).await?.into_iter().collect();
        let puzzles: BTreeSet<String> = self.keys_of(stores::PUZZLES).await?.into_iter().collect();
        let experience_ids = self.keys_of(stores::EXPERIENCES).await?;
        let game_keys = self.keys_of(stores::GAMES).await?;
        let experiences = orphan_experiences(&experience_ids, &sessions);
        let games = orphan_games(&game_keys, &puzzles);
        self.delete_keys(&[
            (stores::EXPERIENCES, experiences.as_slice()),
            (stores::GAMES, games.as_slice()),
        ])
        .await?;
        tracing::info!(
            experiences = experiences.len(),
            games = games.len(),
            "orphans removed"
        );
        Ok(Removed {
            experiences: experiences.len(),
            games: games.len(),
        })
    }

    /// Delete consolidated experiences created before `before` (ms since the epoch): their
    /// lessons live on in the learning units dreamt from them.
    pub async fn delete_consolidated_before(&self, before: f64) -> Result<usize> {
        // The `consolidated` index is keyed `[consolidated, created_at, id]`: the range
        // `[1] .. [1, before]` is exactly "consolidated, created before `before`".
        let lower: js_sys::Array = [JsValue::from(1)].iter().collect();
        let upper: js_sys::Array = [JsValue::from(1), JsValue::from(before)].iter().collect();
        let ids = {
            let tx = self.db.transaction(stores::EXPERIENCES).build()?;
            let store = tx.object_store(stores::EXPERIENCES)?;
            let index = store.index("consolidated")?;
            let mut ids = Vec::new();
            let cursor = index
                .open_key_cursor()
                .with_query::<js_sys::Array, _>(KeyRange::Bound(lower, false, upper, true))
                .await?;
            if let Some(mut cursor) = cursor {
                while cursor.next_key::<JsValue>().await?.is_some() {
                    if let Some(id) = cursor.primary_key::<JsValue>()?.and_then(|k| k.as_string()) {
                        ids.push(id);
                    }
                }
            }
            ids
        };
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.delete_keys(&[(stores::EXPERIENCES, refs.as_slice())])
            .await?;
        tracing::info!(
            deleted = ids.len(),
            before,
            "old consolidated experiences deleted"
        );
        Ok(ids.len())
    }

    /// Delete every `(store, keys)` in one transaction; deleted experiences go into the
    /// search journal in the same transaction and leave the in-memory index.
    async fn delete_keys(&self, batches: &[(&str, &[&str])]) -> Result<()> {
        let mut names: Vec<&str> = batches
            .iter()
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(store, _)| *store)
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        let experiences: Vec<&str> = batches
            .iter()
            .filter(|(store, _)| *store == stores::EXPERIENCES)
            .flat_map(|(_, keys)| keys.iter().copied())
            .collect();
        if !experiences.is_empty() {
            names.push(stores::SEARCH_JOURNAL);
        }
        let tx = self
            .db
            .transaction(names.as_slice())
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        for (store, keys) in batches.iter().filter(|(_, keys)| !keys.is_empty()) {
            let object_store = tx.object_store(store)?;
            for key in *keys {
                object_store.delete(*key).build()?;
            }
        }
        let seq = if experiences.is_empty() {
            None
        } else {
            Some(journal(&tx, &experiences).await?)
        };
        super::commit(tx).await?;
        if let Some(seq) = seq {
            self.index_remove(&experiences, seq);
        }
        Ok(())
    }
}
