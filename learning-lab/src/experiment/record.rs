//! The experiment as the app stores it and a headless runner writes it: learning-lab's
//! [`ExperimentState`] plus the run settings the design does not carry. One type for both, so
//! a runner's journal opens in the app (memory import, kind `experiment`).

use serde::{Deserialize, Serialize};

use super::plan::ExperimentState;

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

    /// Reads a record from the JSON the app stores (a memory import's `experiment` line),
    /// checking that its state fits together ([`ExperimentState::from_json`]).
    ///
    /// # Errors
    /// Not such a record, or an inconsistent state.
    pub fn from_value(value: serde_json::Value) -> Result<ExperimentRecord, serde_json::Error> {
        let record: ExperimentRecord = serde_json::from_value(value)?;
        // Re-read the state through its own checks: indexing a damaged plan must not panic.
        ExperimentState::from_json(&record.state.to_json())?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;

    #[test]
    fn a_record_round_trips_through_the_stored_json_and_takes_its_id_from_the_design() {
        let state = ExperimentState::new(ab(1, vec![1, 2])).unwrap();
        let record = ExperimentRecord::new(state, 30, true, 5.0);
        assert_eq!(record.id, record.state.experiment.id);
        assert_eq!(record.name, record.state.experiment.name);
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(value["created_at"], 5.0);
        assert_eq!(ExperimentRecord::from_value(value).unwrap(), record);
        let mut damaged = serde_json::to_value(&record).unwrap();
        damaged["state"]["status"] = serde_json::json!([]);
        assert!(ExperimentRecord::from_value(damaged).is_err());
    }
}
