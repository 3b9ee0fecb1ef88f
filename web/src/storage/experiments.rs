//! The `experiments` store: [`ExperimentRecord`]s by id, newest first.

use learning_lab::experiment::ExperimentState;
use serde::{Deserialize, Serialize};

use super::{stores, Page, PageCursor, Result, Storage};

/// An experiment as stored: learning-lab's state plus the run settings the design does not
/// carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentRecord {
    /// The experiment's id (the store's key).
    pub id: String,
    /// Creation time, ms since the epoch (the store's index).
    pub created_at: f64,
    /// Its name.
    pub name: String,
    /// Attempt limit of every session.
    pub max_attempts: usize,
    /// Whether dreams at barriers ask the model for item texts.
    pub dream_with_model: bool,
    /// The plan and every result so far.
    pub state: ExperimentState,
}

impl ExperimentRecord {
    /// The record of a new experiment, created at `created_at` (ms).
    pub fn new(
        state: ExperimentState,
        max_attempts: usize,
        dream_with_model: bool,
        created_at: f64,
    ) -> ExperimentRecord {
        ExperimentRecord {
            id: state.experiment.id.clone(),
            created_at,
            name: state.experiment.name.clone(),
            max_attempts,
            dream_with_model,
            state,
        }
    }
}

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
