//! Full-text search over experiences: learning-lab's [`Bm25Index`], built in this connection.
//!
//! The index is built lazily on the first search by walking the `experiences` store with a
//! cursor, one record at a time; it keeps term statistics only, never texts, so memory is
//! bounded by the vocabulary. Afterwards every write through this `Storage` updates it, and a
//! search returns ids that are then fetched by key. The build runs on the main thread, between
//! cursor steps (each step yields to the event loop); moving it to a worker is left for when a
//! profile with 100k+ attempts shows it is needed.
//!
//! Writes made while the build walks the store cannot be lost: IndexedDB runs a readwrite
//! transaction on `experiences` only after the build's readonly one finishes, and the built
//! index is installed right after the build's last request.

use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;
use learning_lab::memory::{Bm25Index, ExperienceRecord};

use super::{from_js, stores, Result, Storage};

impl Storage {
    /// Add (or replace) these records in the index, if it has been built.
    pub(crate) fn index_experiences(&self, records: &[ExperienceRecord]) {
        if let Some(index) = self.search.borrow_mut().as_mut() {
            for record in records {
                index.add(&record.id, &record.search_text());
            }
        }
    }

    /// Drop a deleted record from the index, if it has been built.
    pub(crate) fn unindex_experience(&self, id: &str) {
        if let Some(index) = self.search.borrow_mut().as_mut() {
            index.remove(id);
        }
    }

    /// Forget the index (after clears and imports); the next search rebuilds it.
    pub(crate) fn reset_search(&self) {
        *self.search.borrow_mut() = None;
    }

    /// Build the search index now (the first search does this by itself). Returns the number
    /// of experiences indexed.
    pub async fn build_search_index(&self) -> Result<usize> {
        let mut index = Bm25Index::new();
        {
            let tx = self.db.transaction(stores::EXPERIENCES).build()?;
            let store = tx.object_store(stores::EXPERIENCES)?;
            // Every key is a string, and every string is >= "".
            let all = KeyRange::LowerBound(js_sys::JsString::from(""), false);
            let cursor = store
                .open_cursor()
                .with_query::<js_sys::JsString, _>(all)
                .await?;
            if let Some(mut cursor) = cursor {
                while let Some(value) = cursor.next_record::<js_sys::Object>().await? {
                    let record: ExperienceRecord = from_js(value.into())?;
                    index.add(&record.id, &record.search_text());
                }
            }
        }
        let n = index.len();
        *self.search.borrow_mut() = Some(index);
        Ok(n)
    }

    /// The `k` experiences that best match `query` (BM25 over move, outcome, feedback and
    /// reasoning), best first, with their scores.
    pub async fn search_experiences(
        &self,
        query: &str,
        k: usize,
    ) -> Result<Vec<(ExperienceRecord, f64)>> {
        if self.search.borrow().is_none() {
            self.build_search_index().await?;
        }
        let hits = self
            .search
            .borrow()
            .as_ref()
            .map(|index| index.search(query, k))
            .unwrap_or_default();
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
}
