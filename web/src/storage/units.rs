//! The `learning_units` store: [`LearningUnit`]s by id, listed per profile newest first, and
//! the setting that pins a profile's unit.
//!
//! Which unit a profile plays with is learning-lab's rule (`unit::store::active_unit`); this
//! module only fetches what the rule looks at: the pinned unit and the newest.

use learning_lab::unit::LearningUnit;

use super::{stores, Page, PageCursor, Result, Storage};

/// The setting that pins `profile_id`'s unit (absent or empty: none is pinned).
fn pin_setting(profile_id: &str) -> String {
    format!("active_unit:{profile_id}")
}

impl Storage {
    /// Store a learning unit (replacing one with the same id).
    pub async fn put_unit(&self, unit: &LearningUnit) -> Result<()> {
        self.put_json(stores::LEARNING_UNITS, unit).await
    }

    /// Store many learning units in ONE transaction: all or none (imports).
    pub async fn put_units(&self, units: &[LearningUnit]) -> Result<()> {
        self.put_all_json(stores::LEARNING_UNITS, units).await
    }

    /// The learning unit `id`, if stored.
    pub async fn unit(&self, id: &str) -> Result<Option<LearningUnit>> {
        self.get_json(stores::LEARNING_UNITS, id).await
    }

    /// Deletes `unit`, and its pin if it was pinned (the newest then applies), so a pin never
    /// points at a unit deleted here.
    pub async fn delete_unit(&self, unit: &LearningUnit) -> Result<()> {
        self.delete_key(stores::LEARNING_UNITS, &unit.id).await?;
        if self.pinned_unit_id(&unit.profile_id).await?.as_deref() == Some(unit.id.as_str()) {
            self.set_setting(&pin_setting(&unit.profile_id), "").await?;
        }
        Ok(())
    }

    /// Number of learning units.
    pub async fn count_units(&self) -> Result<u32> {
        self.count_store(stores::LEARNING_UNITS).await
    }

    /// Learning units (of one profile, or all), newest first.
    pub async fn page_units(
        &self,
        profile_id: Option<&str>,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<LearningUnit>> {
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

    /// Every unit of `profile_id` (or of every profile with `None`), newest first, read page
    /// by page. Units are few (one per dream), so one list is fine.
    pub async fn all_units(&self, profile_id: Option<&str>) -> Result<Vec<LearningUnit>> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self.page_units(profile_id, after.as_ref(), 100).await?;
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// The newest unit of `profile_id`, if it has any.
    pub async fn newest_unit(&self, profile_id: &str) -> Result<Option<LearningUnit>> {
        Ok(self
            .page_units(Some(profile_id), None, 1)
            .await?
            .items
            .into_iter()
            .next())
    }

    /// The id of the unit pinned for `profile_id`, if one is.
    pub async fn pinned_unit_id(&self, profile_id: &str) -> Result<Option<String>> {
        Ok(self
            .setting(&pin_setting(profile_id))
            .await?
            .filter(|id| !id.is_empty()))
    }

    /// Pins `unit_id` as the unit `profile_id` plays with.
    pub async fn pin_unit(&self, profile_id: &str, unit_id: &str) -> Result<()> {
        self.set_setting(&pin_setting(profile_id), unit_id).await
    }
}
