//! The dreamer and the units helpers against real IndexedDB in headless Chromium: a dream
//! stores its unit, marks exactly the profile's experiences consolidated and pins the unit;
//! a second dream finds nothing new; deleting the pinned unit unpins it; imports are
//! all-or-nothing.

mod support;

use learning_lab::profile::{Profile, ProviderTemplate};
use learning_lab::unit::LearningUnit;
use leptos::prelude::GetUntracked;
use support::played;
use wasm_bindgen_test::*;
use web::db;
use web::drivers::dreamer::{self, DreamLive, Scope};
use web::llm::CancelHandle;
use web::storage::ExperienceFilter;

wasm_bindgen_test_configure!(run_in_browser);

/// Stores `played(session)` as profile `profile_id`'s experiences.
async fn store_play(profile_id: &str, session: &str) -> Vec<String> {
    let (mut record, mut experiences) = played(session);
    record.profile_id = profile_id.into();
    for e in &mut experiences {
        e.experience.context.profile_id = profile_id.into();
    }
    let db = db::open().await.unwrap();
    db.put_session(&record).await.unwrap();
    db.put_experiences(&experiences).await.unwrap();
    experiences.into_iter().map(|e| e.id).collect()
}

#[wasm_bindgen_test]
async fn a_dream_stores_its_unit_marks_only_the_profiles_experiences_and_pins_the_unit() {
    let me = format!("dreamer-{}", js_sys::Math::random());
    let other = format!("other-{}", js_sys::Math::random());
    let mine = store_play(&me, &format!("{me}-s1")).await;
    let theirs = store_play(&other, &format!("{other}-s1")).await;
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1.0);
    profile.id = me.clone();
    profile.name = "dreamer".into();

    let live = DreamLive::new();
    let run = dreamer::dream(
        &profile,
        Scope::Unconsolidated,
        false,
        live,
        &CancelHandle::new(),
    )
    .await
    .expect("the dream runs offline");
    assert_eq!(
        run.report.captured,
        mine.len(),
        "only this profile's experiences"
    );
    assert_eq!(run.marked as usize, mine.len());
    assert_eq!(live.phase.get_untracked(), "done");
    assert!(!live.running.get_untracked());

    let db = db::open().await.unwrap();
    let stored: LearningUnit = db.unit(&run.unit.id).await.unwrap().expect("unit stored");
    assert_eq!(stored, run.unit);
    assert_eq!(stored.profile_id, me);
    for id in &mine {
        assert!(db.experience(id).await.unwrap().unwrap().consolidated);
    }
    for id in &theirs {
        assert!(
            !db.experience(id).await.unwrap().unwrap().consolidated,
            "another profile's experiences are left alone"
        );
    }
    let active = db::active_unit(&db, &me).await.unwrap().unwrap();
    assert_eq!(active.id, run.unit.id);

    // Nothing new to dream over: an error that says so, and no second unit.
    let again = dreamer::dream(
        &profile,
        Scope::Unconsolidated,
        false,
        DreamLive::new(),
        &CancelHandle::new(),
    )
    .await;
    assert!(again.unwrap_err().contains("no experiences"));
    assert_eq!(db.all_units(Some(&me)).await.unwrap().len(), 1);

    // An experiment's dream reads its sessions even when already consolidated.
    let by_session = dreamer::dream(
        &profile,
        Scope::Sessions(vec![format!("{me}-s1")]),
        false,
        DreamLive::new(),
        &CancelHandle::new(),
    )
    .await
    .unwrap();
    assert_eq!(by_session.report.captured, mine.len());
    assert_eq!(
        db::active_unit(&db, &me).await.unwrap().unwrap().id,
        by_session.unit.id,
        "the newest dream's unit is pinned"
    );

    // Deleting the pinned unit unpins it: the older unit is active again, no error.
    db.delete_unit(&by_session.unit).await.unwrap();
    assert_eq!(
        db::active_unit(&db, &me).await.unwrap().unwrap().id,
        run.unit.id
    );
    let left = db
        .page_experiences(&ExperienceFilter::Session(format!("{other}-s1")), None, 10)
        .await
        .unwrap();
    assert_eq!(left.items.len(), theirs.len());
}

#[wasm_bindgen_test]
async fn put_units_stores_all_or_none() {
    let db = db::open().await.unwrap();
    let good = format!("unit-good-{}", js_sys::Math::random());
    let unit = LearningUnit::empty(&good, "good", "p", 1.0);
    // The second record has no `id` (the store's key): the whole transaction fails.
    let bad = vec![
        serde_json::to_value(&unit).unwrap(),
        serde_json::json!({ "name": "no id", "profile_id": "p", "created_at": 2.0 }),
    ];
    // Typed units always have an id, so the rule is shown on the primitive `put_units` uses.
    assert!(db
        .put_all_json(web::storage::stores::LEARNING_UNITS, &bad)
        .await
        .is_err());
    assert!(db.unit(&good).await.unwrap().is_none());
    // A valid import, round-tripped through JSON lines, reads back identically.
    let text = learning_lab::unit::store::export_jsonl(std::slice::from_ref(&unit));
    let imported = learning_lab::unit::store::import_jsonl(&text).unwrap();
    db.put_units(&imported).await.unwrap();
    assert_eq!(db.unit(&good).await.unwrap(), Some(unit));
}
