//! The `experiments` store: [`ExperimentRecord`]s (learning-lab's type, shared with the
//! headless runner) by id, newest first.

pub use learning_lab::experiment::ExperimentRecord;

use super::{stores, Page, PageCursor, Result, Storage};

impl Storage {
    /// Store an experiment (replacing one with the same id).
    pub async fn put_experiment(&self, experiment: &ExperimentRecord) -> Result<()> {
        self.put_json(stores::EXPERIMENTS, experiment).await
    }

    /// The experiment `id`, if stored.
    pub async fn experiment(&self, id: &str) -> Result<Option<ExperimentRecord>> {
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
    pub async fn page_experiments(
        &self,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<ExperimentRecord>> {
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
