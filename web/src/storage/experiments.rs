//! The `experiments` store. Experiments are stored generically (any serde type, or
//! `serde_json::Value`) until solver-core defines `Experiment`: a record needs at least `id`
//! and `created_at`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{stores, Page, PageCursor, Result, Storage};

impl Storage {
    /// Store an experiment (replacing one with the same id).
    pub async fn put_experiment<T: Serialize>(&self, experiment: &T) -> Result<()> {
        self.put_json(stores::EXPERIMENTS, experiment).await
    }

    /// The experiment `id`, if stored.
    pub async fn experiment<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        self.get_json(stores::EXPERIMENTS, id).await
    }

    /// Delete experiment `id`.
    pub async fn delete_experiment(&self, id: &str) -> Result<()> {
        self.delete_key(stores::EXPERIMENTS, id).await
    }

    /// Number of experiments.
    pub async fn count_experiments(&self) -> Result<u32> {
        self.count_store(stores::EXPERIMENTS).await
    }

    /// Experiments, newest first.
    pub async fn page_experiments<T: DeserializeOwned>(
        &self,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<T>> {
        self.page_typed(
            stores::EXPERIMENTS,
            "created_at",
            "created_at",
            None,
            after,
            limit,
        )
        .await
    }
}
