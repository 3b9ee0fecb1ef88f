//! The `experiences` store: one [`ExperienceRecord`] per attempt, keyed `{session}#{n:06}`.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode};
use learning_lab::memory::ExperienceRecord;
use wasm_bindgen::JsValue;

use super::search::journal;
use super::{durability, stores, to_js, Page, PageCursor, Result, Storage};

/// Which experiences a list shows (newest first).
#[derive(Debug, Clone, PartialEq)]
pub enum ExperienceFilter {
    /// Every experience.
    All,
    /// One session's attempts.
    Session(String),
    /// One profile's attempts.
    Profile(String),
    /// Attempts with one outcome (`correct`, `invalid`, `valid_but_wrong`, `unparseable`: the
    /// stored `judgement.outcome`).
    Outcome(String),
    /// Consolidated by a dream, or not yet.
    Consolidated(bool),
}

impl ExperienceFilter {
    fn index(&self) -> (&'static str, Option<JsValue>) {
        match self {
            ExperienceFilter::All => ("created_at", None),
            ExperienceFilter::Session(v) => ("session_id", Some(v.into())),
            ExperienceFilter::Profile(v) => ("profile_id", Some(v.into())),
            ExperienceFilter::Outcome(v) => ("judgement.outcome", Some(v.into())),
            ExperienceFilter::Consolidated(v) => ("consolidated", Some(u8::from(*v).into())),
        }
    }
}

impl Storage {
    /// Store one experience (replacing one with the same id). Prefer
    /// [`Storage::save_attempt`] during play: it commits the session with it.
    pub async fn put_experience(&self, record: &ExperienceRecord) -> Result<()> {
        self.put_experiences(std::slice::from_ref(record)).await
    }

    /// Store many experiences in ONE transaction, with their search journal entry: all or
    /// none. A bulk write, so with relaxed durability (see `durability`); play commits its
    /// attempts through [`Storage::save_attempt`].
    pub async fn put_experiences(&self, records: &[ExperienceRecord]) -> Result<()> {
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let tx = self
            .db
            .transaction([stores::EXPERIENCES, stores::SEARCH_JOURNAL])
            .with_mode(TransactionMode::Readwrite)
            .with_options(durability(TransactionDurability::Relaxed))
            .build()?;
        let store = tx.object_store(stores::EXPERIENCES)?;
        // Queued without awaiting each: IndexedDB runs them in order and the commit reports
        // the first failure (and rolls everything back). Queuing a put clones the record on
        // this thread, so a big batch is queued a slice at a time: the slice's last put is
        // awaited, and the next slice is queued from its completion (a new task, where the
        // transaction is still active) — no task of a 1,000-record batch runs for long.
        // The records are converted a slice at a time too.
        for slice in records.chunks(super::PUT_SLICE) {
            let last = slice.len() - 1;
            for (i, record) in slice.iter().enumerate() {
                let value = to_js(record)?;
                if i == last {
                    store.put(value).await?;
                } else {
                    store.put(value).build()?;
                }
            }
        }
        let seq = journal(&tx, &ids).await?;
        super::commit(tx).await?;
        self.index_put(records, seq);
        Ok(())
    }

    /// The experience `id`, if stored.
    pub async fn experience(&self, id: &str) -> Result<Option<ExperienceRecord>> {
        self.get_json(stores::EXPERIENCES, id).await
    }

    /// The experiences with these ids, in the same order; missing ids are skipped.
    pub async fn experiences_by_id(&self, ids: &[String]) -> Result<Vec<ExperienceRecord>> {
        let tx = self.db.transaction(stores::EXPERIENCES).build()?;
        let store = tx.object_store(stores::EXPERIENCES)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let value: Option<js_sys::Object> = store.get(id.as_str()).await?;
            if let Some(value) = value {
                out.push(super::from_js(value.into())?);
            }
        }
        Ok(out)
    }

    /// Delete experience `id`.
    pub async fn delete_experience(&self, id: &str) -> Result<()> {
        let tx = self
            .db
            .transaction([stores::EXPERIENCES, stores::SEARCH_JOURNAL])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::EXPERIENCES)?.delete(id).build()?;
        let seq = journal(&tx, &[id]).await?;
        super::commit(tx).await?;
        self.index_remove(&[id], seq);
        Ok(())
    }

    /// Number of experiences.
    pub async fn count_experiences(&self) -> Result<u32> {
        self.count_store(stores::EXPERIENCES).await
    }

    /// Number of experiences matching `filter` (counted by the index, nothing loaded).
    pub async fn count_experiences_where(&self, filter: &ExperienceFilter) -> Result<u32> {
        let (index, value) = filter.index();
        self.count_index(stores::EXPERIENCES, index, value).await
    }

    /// Experiences matching `filter`, newest first.
    pub async fn page_experiences(
        &self,
        filter: &ExperienceFilter,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<ExperienceRecord>> {
        let (index, value) = filter.index();
        self.page_typed(
            stores::EXPERIENCES,
            index,
            "created_at",
            value,
            after,
            limit,
        )
        .await
    }

    /// Marks these experiences consolidated (a dream used them), in ONE transaction. Ids
    /// not stored are ignored; returns how many were marked.
    pub async fn mark_consolidated(&self, ids: &[String]) -> Result<u32> {
        let tx = self
            .db
            .transaction(stores::EXPERIENCES)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(stores::EXPERIENCES)?;
        let mut marked = 0;
        for id in ids {
            let value: Option<js_sys::Object> = store.get(id.as_str()).await?;
            let Some(value) = value else { continue };
            // Only the flag changes, so the stored object is edited in place rather than
            // round-tripped through Rust.
            js_sys::Reflect::set(&value, &"consolidated".into(), &1.into())
                .map_err(|e| super::StorageError::js("cannot mark an experience", e))?;
            store.put(value).build()?;
            marked += 1;
        }
        super::commit(tx).await?;
        Ok(marked)
    }
}
