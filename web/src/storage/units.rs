//! The `learning_units` store. Units are stored generically (any serde type, or
//! `serde_json::Value`) until solver-core defines `LearningUnit`: a record needs at least
//! `id`, `profile_id` and `created_at`, which the indexes use.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{stores, Page, PageCursor, Result, Storage};

impl Storage {
    /// Store a learning unit (replacing one with the same id).
    pub async fn put_unit<T: Serialize>(&self, unit: &T) -> Result<()> {
        self.put_json(stores::LEARNING_UNITS, unit).await
    }

    /// Store many learning units in ONE transaction: all or none (imports).
    pub async fn put_units<T: Serialize>(&self, units: &[T]) -> Result<()> {
        self.put_all_json(stores::LEARNING_UNITS, units).await
    }

    /// The learning unit `id`, if stored.
    pub async fn unit<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        self.get_json(stores::LEARNING_UNITS, id).await
    }

    /// Delete learning unit `id`.
    pub async fn delete_unit(&self, id: &str) -> Result<()> {
        self.delete_key(stores::LEARNING_UNITS, id).await
    }

    /// Number of learning units.
    pub async fn count_units(&self) -> Result<u32> {
        self.count_store(stores::LEARNING_UNITS).await
    }

    /// Learning units (of one profile, or all), newest first.
    pub async fn page_units<T: DeserializeOwned>(
        &self,
        profile_id: Option<&str>,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<T>> {
        let (index, value) = match profile_id {
            Some(p) => ("profile_id", Some(p.into())),
            None => ("created_at", None),
        };
        self.page_typed(
            stores::LEARNING_UNITS,
            index,
            "created_at",
            value,
            after,
            limit,
        )
        .await
    }
}
