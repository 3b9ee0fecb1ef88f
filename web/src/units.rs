//! A profile's learning units in storage and which one is active.
//!
//! The choice is the setting `active_unit:{profile_id}`; without it (or when it names a unit
//! that was deleted) the profile's newest unit is active — solver-core's
//! `unit::store::active_unit` decides, this module only reads and writes.

use solver_core::unit::{store, LearningUnit};

use crate::storage::{Storage, StorageError};

/// The setting key holding the unit chosen for `profile_id`.
pub fn active_key(profile_id: &str) -> String {
    format!("active_unit:{profile_id}")
}

/// Every unit of `profile_id` (or of every profile with `None`), newest first, read page by
/// page. Units are few (one per dream) so one list is fine.
///
/// # Errors
/// When storage fails.
pub async fn all_units(
    db: &Storage,
    profile_id: Option<&str>,
) -> Result<Vec<LearningUnit>, StorageError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = db
            .page_units::<LearningUnit>(profile_id, after.as_ref(), 100)
            .await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(all)
}

/// The unit `profile_id` plays with: the chosen one, else its newest. A chosen id that no
/// longer exists falls back to the newest (the choice is stale, not the person's intent for a
/// new play) — deleting a unit clears its choice, so this only happens after an import/clear.
///
/// # Errors
/// When storage fails.
pub async fn active_unit(
    db: &Storage,
    profile_id: &str,
) -> Result<Option<LearningUnit>, StorageError> {
    let units = all_units(db, Some(profile_id)).await?;
    let chosen = db.setting(&active_key(profile_id)).await?;
    let chosen = chosen.filter(|id| !id.is_empty() && units.iter().any(|u| &u.id == id));
    Ok(store::active_unit(&units, profile_id, chosen.as_deref())
        .ok()
        .flatten()
        .cloned())
}

/// Makes `unit_id` the unit `profile_id` plays with.
///
/// # Errors
/// When storage fails.
pub async fn set_active(db: &Storage, profile_id: &str, unit_id: &str) -> Result<(), StorageError> {
    db.set_setting(&active_key(profile_id), unit_id).await
}

/// Deletes `unit`, and its "active" choice if it was chosen (the newest then applies).
///
/// # Errors
/// When storage fails.
pub async fn delete(db: &Storage, unit: &LearningUnit) -> Result<(), StorageError> {
    db.delete_unit(&unit.id).await?;
    let key = active_key(&unit.profile_id);
    if db.setting(&key).await?.as_deref() == Some(unit.id.as_str()) {
        db.set_setting(&key, "").await?;
    }
    Ok(())
}

/// A fresh id for a unit or experiment (`{prefix}-{ms}-{random}`).
pub fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        crate::db::now() as u64,
        (js_sys::Math::random() * 1e6) as u32
    )
}
