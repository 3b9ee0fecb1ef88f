//! A profile's learning units in storage and which one is active.
//!
//! The choice is the setting `active_unit:{profile_id}` (see `db::active_unit`); without it
//! the profile's newest unit is active. Deleting a unit clears its pin, so a pin never points
//! at a unit that is gone because of this screen.

use learning_lab::unit::LearningUnit;

use crate::storage::{Storage, StorageError};

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

/// The unit `profile_id` plays with (the pinned one, else its newest): see
/// [`db::active_unit`](crate::db::active_unit).
///
/// # Errors
/// Storage failures, or a pinned unit that is gone.
pub async fn active_unit(db: &Storage, profile_id: &str) -> Result<Option<LearningUnit>, String> {
    crate::db::active_unit(db, profile_id).await
}

/// Makes `unit_id` the unit `profile_id` plays with.
///
/// # Errors
/// When storage fails.
pub async fn set_active(db: &Storage, profile_id: &str, unit_id: &str) -> Result<(), StorageError> {
    db.set_setting(&crate::db::active_unit_setting(profile_id), unit_id)
        .await
}

/// Deletes `unit`, and its "active" choice if it was chosen (the newest then applies).
///
/// # Errors
/// When storage fails.
pub async fn delete(db: &Storage, unit: &LearningUnit) -> Result<(), StorageError> {
    db.delete_unit(&unit.id).await?;
    let key = crate::db::active_unit_setting(&unit.profile_id);
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
