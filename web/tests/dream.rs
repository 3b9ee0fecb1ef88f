//! The dreamer's storage steps and the units helpers against real IndexedDB in headless
//! Chromium: marking consolidates exactly the given experiences, pinning makes a unit active,
//! deleting the pinned unit unpins it; imports are all-or-nothing.

mod support;

use learning_lab::unit::LearningUnit;
use support::played;
use wasm_bindgen_test::*;
use web::db;
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
async fn the_dreamers_storage_steps_mark_only_the_given_experiences_and_pin_the_unit() {
    // The dream itself runs in the engine worker (e2e: tests/e2e/dream-worker.test.mjs);
    // what it stores afterwards is these steps, against real IndexedDB.
    let me = format!("dreamer-{}", js_sys::Math::random());
    let other = format!("other-{}", js_sys::Math::random());
    let mine = store_play(&me, &format!("{me}-s1")).await;
    let theirs = store_play(&other, &format!("{other}-s1")).await;
    let db = db::open().await.unwrap();

    let first = LearningUnit::empty(&format!("unit-{me}-1"), "first", &me, 1.0);
    db.put_unit(&first).await.unwrap();
    assert_eq!(
        db.mark_consolidated(&mine).await.unwrap() as usize,
        mine.len()
    );
    db.pin_unit(&me, &first.id).await.unwrap();
    for id in &mine {
        assert!(db.experience(id).await.unwrap().unwrap().consolidated);
    }
    for id in &theirs {
        assert!(
            !db.experience(id).await.unwrap().unwrap().consolidated,
            "another profile's experiences are left alone"
        );
    }
    assert_eq!(
        db::active_unit(&db, &me).await.unwrap().unwrap().id,
        first.id
    );
    let mine_left = db
        .page_experiences(&ExperienceFilter::Consolidated(false), None, 10_000)
        .await
        .unwrap();
    assert!(
        mine_left
            .items
            .iter()
            .all(|r| r.experience.context.profile_id != me),
        "nothing of this profile is left to dream over"
    );

    // A newer unit pinned is the active one; deleting it unpins it and the older is active.
    let second = LearningUnit::empty(&format!("unit-{me}-2"), "second", &me, 2.0);
    db.put_unit(&second).await.unwrap();
    db.pin_unit(&me, &second.id).await.unwrap();
    assert_eq!(
        db::active_unit(&db, &me).await.unwrap().unwrap().id,
        second.id
    );
    db.delete_unit(&second).await.unwrap();
    assert_eq!(
        db::active_unit(&db, &me).await.unwrap().unwrap().id,
        first.id
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
