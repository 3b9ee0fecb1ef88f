//! The app's one open database, shared by every screen.
//!
//! Opening IndexedDB takes a round trip and an upgrade check; screens come and go, so the
//! handle is opened once per page load and kept here (not `Send`: it wraps JS objects, and the
//! app is single-threaded).

use std::cell::RefCell;
use std::rc::Rc;

use learning_lab::profile::Profile;
use learning_lab::unit::{store, LearningUnit, UnknownUnit};

use crate::storage::{Storage, StorageError, DB_NAME};

thread_local! {
    static OPEN: RefCell<Option<Rc<Storage>>> = const { RefCell::new(None) };
}

/// The open app database, opening (and upgrading) it on first use.
///
/// # Errors
/// When the browser refuses storage (private mode, blocked, quota): the message says so.
pub async fn open() -> Result<Rc<Storage>, StorageError> {
    if let Some(db) = OPEN.with(|open| open.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(Storage::open(DB_NAME).await?);
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::clone(&db)));
    Ok(db)
}

/// Milliseconds since the epoch, the clock every record uses.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// Every profile (a handful), oldest first, read page by page.
///
/// # Errors
/// When storage fails.
pub async fn all_profiles(db: &Storage) -> Result<Vec<Profile>, StorageError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = db.page_profiles(after.as_ref(), 100).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    all.reverse();
    Ok(all)
}

/// Every profile and the id of the one new plays start with ([`default_profile_id`]), for a
/// screen's profile picker.
///
/// # Errors
/// When storage cannot be opened or read.
pub async fn profiles_for_picker() -> Result<(Vec<Profile>, String), String> {
    let db = open().await.map_err(|e| e.to_string())?;
    offer_announced_profile(&db).await?;
    let list = all_profiles(&db).await.map_err(|e| e.to_string())?;
    let chosen = default_profile_id(&list).unwrap_or_default();
    Ok((list, chosen))
}

/// The setting that records that the announced profile was offered once: a person who
/// deletes it does not get it back on the next load.
const ANNOUNCED_OFFERED: &str = "announced_profile_offered";

/// When the deployment announces a model (`app-config.json` `defaultModel`), store the ready
/// profile for it once, as the default unless the person already chose one.
///
/// # Errors
/// Storage failures, or an announcement that is not a usable profile (the message names the
/// config field).
pub async fn offer_announced_profile(db: &Storage) -> Result<(), String> {
    let Some(model) = crate::edge::app_config()
        .await
        .and_then(|c| c.default_model)
    else {
        return Ok(());
    };
    let offered = db
        .setting(ANNOUNCED_OFFERED)
        .await
        .map_err(|e| e.to_string())?;
    if offered.as_deref() == Some(model.model.as_str()) {
        return Ok(());
    }
    let mut profile = Profile::announced(&model, now()).map_err(|e| e.to_string())?;
    let existing = all_profiles(db).await.map_err(|e| e.to_string())?;
    profile.is_default = !existing.iter().any(|p| p.is_default && p.id != profile.id);
    db.put_profile(&profile).await.map_err(|e| e.to_string())?;
    db.set_setting(ANNOUNCED_OFFERED, &model.model)
        .await
        .map_err(|e| e.to_string())
}

/// The profile new plays start with: the default one, else the first; `None` without any.
pub fn default_profile_id(profiles: &[Profile]) -> Option<String> {
    profiles
        .iter()
        .find(|p| p.is_default)
        .or(profiles.first())
        .map(|p| p.id.clone())
}

/// A random number that tells apart ids made in the same millisecond.
pub fn nonce() -> u32 {
    (js_sys::Math::random() * 1e6) as u32
}

/// The setting that pins a profile's learning unit (absent or empty: none is pinned).
pub fn active_unit_setting(profile_id: &str) -> String {
    format!("active_unit:{profile_id}")
}

/// The learning unit `profile_id`'s next play uses, by learning-lab's rule
/// ([`store::active_unit`]: the pinned one, else the newest). Storage only fetches what the
/// rule looks at: the pinned unit and the profile's newest.
///
/// # Errors
/// Storage failures, or a pinned unit that no longer exists (never a silent fallback).
pub async fn active_unit(db: &Storage, profile_id: &str) -> Result<Option<LearningUnit>, String> {
    let s = |e: StorageError| e.to_string();
    let pinned = db
        .setting(&active_unit_setting(profile_id))
        .await
        .map_err(s)?
        .filter(|id| !id.is_empty());
    let mut fetched = Vec::with_capacity(2);
    if let Some(id) = &pinned {
        fetched.extend(db.unit::<LearningUnit>(id).await.map_err(s)?);
    }
    fetched.extend(
        db.page_units::<LearningUnit>(Some(profile_id), None, 1)
            .await
            .map_err(s)?
            .items,
    );
    match store::active_unit(&fetched, profile_id, pinned.as_deref()) {
        Ok(unit) => Ok(unit.cloned()),
        Err(UnknownUnit(id)) => Err(format!(
            "the pinned learning unit {id} is gone: pick another on the Learning Units screen"
        )),
    }
}
