//! wasm-bindgen-test in headless Chromium: the saved search index. Whatever the order of writes,
//! reloads, tabs and damage, the index a connection loads equals one rebuilt from the records
//! the store holds, and searches after a reload return the same hits.

mod support;

use std::cell::RefCell;

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use learning_lab::memory::transfer::{header_line, record_line, Kind};
use learning_lab::memory::Bm25Index;
use support::{blob_of, played, put_experiences_raw, synthetic_range, unique_db};
use wasm_bindgen_test::*;
use web::storage::schema::upgrade_between;
use web::storage::{stores, ExperienceFilter, Storage};

wasm_bindgen_test_configure!(run_in_browser);

/// The index made from scratch from what the store holds now.
async fn rebuilt(storage: &Storage) -> Bm25Index {
    let mut index = Bm25Index::new();
    let mut after = None;
    loop {
        let page = storage
            .page_experiences(&ExperienceFilter::All, after.as_ref(), 500)
            .await
            .unwrap();
        for record in &page.items {
            index.add(&record.id, &record.search_text());
        }
        match page.next_cursor {
            Some(cursor) => after = Some(cursor),
            None => return index,
        }
    }
}

async fn assert_loaded_equals_rebuild(storage: &Storage) {
    storage.load_search_index(&|_, _, _| {}).await.unwrap();
    let loaded = storage.loaded_search_index().expect("loaded");
    let fresh = rebuilt(storage).await;
    assert_eq!(loaded.len(), fresh.len());
    assert!(loaded == fresh, "the loaded index differs from a rebuild");
}

async fn ids_and_scores(storage: &Storage, query: &str) -> Vec<(String, f64)> {
    storage
        .search_experiences(query, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|(record, score)| (record.id, score))
        .collect()
}

const QUERIES: [&str; 4] = [
    "naked single",
    "xylophone",
    "pointing triple",
    "r1c2 conflict",
];

#[wasm_bindgen_test]
async fn writes_after_the_snapshot_are_replayed_and_a_reload_finds_the_same_hits() {
    let name = unique_db("saved-index");
    let templates = played("template").1;
    let storage = Storage::open(&name).await.unwrap();
    for first in (0..600).step_by(200) {
        let batch = synthetic_range(&templates, first..first + 200, 1.0e12);
        storage.put_experiences(&batch).await.unwrap();
    }
    // The first search indexes the store once and saves the snapshot.
    assert!(!ids_and_scores(&storage, "naked").await.is_empty());
    assert_eq!(storage.search_journal_len().await.unwrap(), 0);

    // Writes of every kind after the snapshot: an attempt, a replaced text, a deletion.
    let (session, more) = played("s2");
    let mut special = more[2].clone();
    special.experience.attempt.reasoning = "xylophone strategy".into();
    storage.save_attempt(&session, &special).await.unwrap();
    let mut replaced = synthetic_range(&templates, 10..11, 1.0e12);
    replaced[0].experience.attempt.reasoning = "xylophone again, pointing".into();
    storage.put_experiences(&replaced).await.unwrap();
    storage
        .delete_experience(&replaced[0].id.replace("#000011", "#000012"))
        .await
        .unwrap();
    assert_eq!(storage.search_journal_len().await.unwrap(), 3);
    assert_loaded_equals_rebuild(&storage).await;
    let mut before = Vec::new();
    for query in QUERIES {
        before.push(ids_and_scores(&storage, query).await);
    }
    storage.close();

    // A reload: snapshot + journal give the same index and the same hits.
    let reloaded = Storage::open(&name).await.unwrap();
    assert_loaded_equals_rebuild(&reloaded).await;
    for (query, want) in QUERIES.iter().zip(&before) {
        assert_eq!(&ids_and_scores(&reloaded, query).await, want, "{query}");
    }
    // A long journal is folded into a new snapshot at load.
    let batch = synthetic_range(&templates, 600..1200, 1.0e12);
    reloaded.put_experiences(&batch).await.unwrap();
    reloaded.close();
    let again = Storage::open(&name).await.unwrap();
    // The three short entries were replayed, not folded; the batch makes the replay long.
    assert_eq!(again.search_journal_len().await.unwrap(), 4);
    assert_loaded_equals_rebuild(&again).await;
    assert_eq!(again.search_journal_len().await.unwrap(), 0);
}

/// Saving the snapshot takes the index out of its slot for a while (it is encoded and
/// written a slice at a time); an attempt committed meanwhile must still be searchable then,
/// and after a reload.
#[wasm_bindgen_test]
async fn a_write_committed_while_the_snapshot_is_saved_is_found_then_and_after_a_reload() {
    let name = unique_db("save-while-writing");
    let templates = played("template").1;
    let storage = std::rc::Rc::new(Storage::open(&name).await.unwrap());
    storage
        .put_experiences(&synthetic_range(&templates, 0..400, 1.0e12))
        .await
        .unwrap();
    storage.load_search_index(&|_, _, _| {}).await.unwrap();
    let (done, saved) = futures_channel::oneshot::channel();
    let saver = storage.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = done.send(saver.save_search_snapshot().await);
    });
    // Runs while the save waits on IndexedDB.
    let (session, more) = played("s-during");
    let mut special = more[1].clone();
    special.experience.attempt.reasoning = "zeppelin written during the save".into();
    storage.save_attempt(&session, &special).await.unwrap();
    saved.await.unwrap().unwrap();
    assert_eq!(ids_and_scores(&storage, "zeppelin").await.len(), 1);
    assert_loaded_equals_rebuild(&storage).await;
    let Ok(storage) = std::rc::Rc::try_unwrap(storage) else {
        panic!("the save's task still holds the storage");
    };
    storage.close();
    let reloaded = Storage::open(&name).await.unwrap();
    assert_eq!(ids_and_scores(&reloaded, "zeppelin").await.len(), 1);
    assert_loaded_equals_rebuild(&reloaded).await;
}

#[wasm_bindgen_test]
async fn another_tabs_writes_survive_either_tab_saving_the_snapshot() {
    let name = unique_db("two-tabs");
    let templates = played("template").1;
    let a = Storage::open(&name).await.unwrap();
    a.put_experiences(&synthetic_range(&templates, 0..30, 1.0e12))
        .await
        .unwrap();
    a.load_search_index(&|_, _, _| {}).await.unwrap();
    let b = Storage::open(&name).await.unwrap();
    b.load_search_index(&|_, _, _| {}).await.unwrap();

    // B writes; A writes and saves: A's snapshot must not claim to cover B's entry.
    let (session, more) = played("tab-b");
    let mut from_b = more[0].clone();
    from_b.experience.attempt.reasoning = "xylophone from tab b".into();
    b.save_attempt(&session, &from_b).await.unwrap();
    let mut from_a = synthetic_range(&templates, 30..31, 1.0e12);
    from_a[0].experience.attempt.reasoning = "zeppelin from tab a".into();
    a.put_experiences(&from_a).await.unwrap();
    a.save_search_snapshot().await.unwrap();
    // B's snapshot is now stale: saving it must write nothing.
    let mut late = more[1].clone();
    late.experience.attempt.reasoning = "quartz from tab b".into();
    b.save_attempt(&session, &late).await.unwrap();
    b.save_search_snapshot().await.unwrap();
    a.close();
    b.close();

    let c = Storage::open(&name).await.unwrap();
    assert_loaded_equals_rebuild(&c).await;
    for (query, id) in [
        ("xylophone", &from_b.id),
        ("zeppelin", &from_a[0].id),
        ("quartz", &late.id),
    ] {
        let hits = ids_and_scores(&c, query).await;
        assert_eq!(hits.len(), 1, "{query}: {hits:?}");
        assert_eq!(&hits[0].0, id);
    }
}

#[wasm_bindgen_test]
async fn a_v2_database_is_indexed_once_then_loads_from_its_snapshot() {
    let name = unique_db("from-v2");
    let v2 = Database::open(&name)
        .with_version(2u32)
        .with_on_upgrade_needed(|event, db| upgrade_between(&db, event.old_version() as u32, 2))
        .await
        .unwrap();
    let records = synthetic_range(&played("template").1, 0..450, 1.0e12);
    put_experiences_raw(&v2, &records).await;
    v2.close();

    let stages = RefCell::new(Vec::<String>::new());
    let note = |stage: &str, _: usize, _: usize| stages.borrow_mut().push(stage.into());
    let upgraded = Storage::open(&name).await.unwrap();
    assert_eq!(upgraded.load_search_index(&note).await.unwrap(), 450);
    assert!(stages.borrow().iter().any(|s| s == "indexing experiences"));
    assert_loaded_equals_rebuild(&upgraded).await;
    upgraded.close();

    stages.borrow_mut().clear();
    let reloaded = Storage::open(&name).await.unwrap();
    assert_eq!(reloaded.load_search_index(&note).await.unwrap(), 450);
    assert!(
        !stages.borrow().iter().any(|s| s == "indexing experiences"),
        "the second load reads the snapshot: {:?}",
        stages.borrow()
    );
}

#[wasm_bindgen_test]
async fn a_damaged_snapshot_is_rebuilt_from_the_records() {
    let name = unique_db("damaged-index");
    let storage = Storage::open(&name).await.unwrap();
    storage
        .put_experiences(&synthetic_range(&played("template").1, 0..90, 1.0e12))
        .await
        .unwrap();
    let want = ids_and_scores(&storage, "naked single").await;
    let tx = storage
        .database()
        .transaction(stores::SEARCH_INDEX)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let part = js_sys::Object::new();
    js_sys::Reflect::set(&part, &"key".into(), &"part-0000000000".into()).unwrap();
    let junk = js_sys::Uint8Array::from(&b"MDBM25\x00\x01\xff\xff"[..]);
    js_sys::Reflect::set(&part, &"bytes".into(), &junk).unwrap();
    tx.object_store(stores::SEARCH_INDEX)
        .unwrap()
        .put(part)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close();

    let reloaded = Storage::open(&name).await.unwrap();
    assert_eq!(ids_and_scores(&reloaded, "naked single").await, want);
    assert_loaded_equals_rebuild(&reloaded).await;
}

#[wasm_bindgen_test]
async fn an_import_is_indexed_and_a_truncated_one_changes_nothing() {
    let name = unique_db("import-index");
    let records = synthetic_range(&played("template").1, 0..120, 1.0e12);
    let mut text = header_line(1.0);
    for record in &records {
        text.push_str(&record_line(Kind::Experience, record));
    }
    let storage = Storage::open(&name).await.unwrap();
    assert_eq!(storage.import_text(&text).await.unwrap().experiences, 120);
    assert_eq!(storage.search_journal_len().await.unwrap(), 0);
    assert_loaded_equals_rebuild(&storage).await;

    let mut more = synthetic_range(&played("template").1, 120..130, 1.0e12);
    more[0].experience.attempt.reasoning = "xylophone".into();
    let mut cut = header_line(1.0);
    for record in &more {
        cut.push_str(&record_line(Kind::Experience, record));
    }
    cut.truncate(cut.len() - 40);
    assert!(storage.import_text(&cut).await.is_err());
    assert_eq!(storage.count_experiences().await.unwrap(), 120);
    assert!(ids_and_scores(&storage, "xylophone").await.is_empty());
    storage.close();
    let reloaded = Storage::open(&name).await.unwrap();
    assert_loaded_equals_rebuild(&reloaded).await;
    assert!(ids_and_scores(&reloaded, "xylophone").await.is_empty());
}

#[wasm_bindgen_test]
async fn a_streamed_import_writes_everything_or_nothing() {
    let name = unique_db("streamed-import");
    let records = synthetic_range(&played("template").1, 0..1500, 1.0e12);
    let (session, _) = played("s-imported");
    let mut text = header_line(1.0);
    text.push_str(&record_line(Kind::Session, &session));
    for record in &records {
        text.push_str(&record_line(Kind::Experience, record));
    }
    let storage = Storage::open(&name).await.unwrap();
    let summary = storage.import_blob(&blob_of(&text)).await.unwrap();
    assert_eq!((summary.experiences, summary.sessions), (1500, 1));
    assert_eq!(storage.count_experiences().await.unwrap(), 1500);
    for record in [&records[0], &records[777], &records[1499]] {
        assert_eq!(
            storage.experience(&record.id).await.unwrap().as_ref(),
            Some(record)
        );
    }
    assert_eq!(storage.session("s-imported").await.unwrap(), Some(session));
    assert_loaded_equals_rebuild(&storage).await;

    // Cut anywhere in the middle of a line: refused, and nothing of it is stored.
    let mut more = synthetic_range(&played("template").1, 1500..1600, 1.0e12);
    more[0].experience.attempt.reasoning = "xylophone".into();
    let mut cut = header_line(1.0);
    for record in &more {
        cut.push_str(&record_line(Kind::Experience, record));
    }
    cut.truncate(cut.len() - 25);
    let error = storage.import_blob(&blob_of(&cut)).await.unwrap_err();
    assert!(error.0.contains("line 101"), "{error}");
    assert_eq!(storage.count_experiences().await.unwrap(), 1500);
    assert!(ids_and_scores(&storage, "xylophone").await.is_empty());
    storage.close();
    let reloaded = Storage::open(&name).await.unwrap();
    assert_loaded_equals_rebuild(&reloaded).await;
}
