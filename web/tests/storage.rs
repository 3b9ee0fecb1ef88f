//! wasm-bindgen-test in headless Chromium: the IndexedDB storage layer, for real.

mod support;

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use learning_lab::experiment::{Experiment, ExperimentState, LearningCurve};
use learning_lab::memory::transfer::{header_line, raw_record_line, record_line, Kind};
use learning_lab::memory::PuzzleRecord;
use learning_lab::profile::{Profile, ProviderTemplate};
use learning_lab::unit::LearningUnit;
use support::{blob_of, played, put_experiences_raw, synthetic, synthetic_range, unique_db};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web::storage::{
    estimate, stores, ClearScope, EntryRecord, ExperienceFilter, ExperimentRecord, GameRecord,
    SessionFilter, Storage, SCHEMA_VERSION,
};

wasm_bindgen_test_configure!(run_in_browser);

fn puzzle() -> PuzzleRecord {
    PuzzleRecord {
        id: "9x9-seed-7".into(),
        size: 9,
        seed: Some(7.0),
        givens: ".".repeat(81),
        solution: "1".repeat(81),
        created_at: 1.0,
        name: None,
        source: None,
    }
}

#[wasm_bindgen_test]
async fn a_saved_game_reads_back_identically_after_reopening() {
    let name = unique_db("roundtrip");
    let puzzle = puzzle();
    let game = GameRecord {
        puzzle_id: puzzle.id.clone(),
        board: format!("5{}", ".".repeat(80)),
        entries: vec![EntryRecord {
            row: 0,
            col: 0,
            value: Some(5),
            at: 2.0,
        }],
        updated_at: 2.0,
        state: None,
        solved_at: None,
    };
    {
        let storage = Storage::open(&name).await.expect("open");
        storage.save_puzzle(&puzzle).await.expect("save puzzle");
        storage.save_game(&game).await.expect("save game");
        storage
            .set_setting("current_puzzle", &puzzle.id)
            .await
            .expect("setting");
    }
    // A second connection sees committed data, as a reloaded page would.
    let storage = Storage::open(&name).await.expect("reopen");
    assert_eq!(
        storage.puzzle(&puzzle.id).await.unwrap(),
        Some(puzzle.clone())
    );
    assert_eq!(storage.game(&puzzle.id).await.unwrap(), Some(game));
    assert_eq!(
        storage.setting("current_puzzle").await.unwrap().as_deref(),
        Some("9x9-seed-7")
    );
    assert_eq!(storage.puzzle("missing").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_new_database_is_created_at_the_current_schema_version() {
    let name = unique_db("schema");
    Storage::open(&name).await.expect("open").close();
    let db = Database::open(&name).await.expect("raw open");
    assert_eq!(db.version() as u32, SCHEMA_VERSION);
    let names: Vec<String> = db.object_store_names().collect();
    assert_eq!(
        names,
        vec![
            "experiences",
            "experiments",
            "games",
            "learning_units",
            "profiles",
            "puzzles",
            "search_index",
            "search_journal",
            "sessions",
            "settings"
        ]
    );
    let tx = db.transaction(stores::EXPERIENCES).build().unwrap();
    let indexes: Vec<String> = tx
        .object_store(stores::EXPERIENCES)
        .unwrap()
        .index_names()
        .collect();
    assert_eq!(
        indexes,
        vec![
            "consolidated",
            "created_at",
            "judgement.outcome",
            "profile_id",
            "session_id",
        ]
    );
}

/// Upgrade from v3: the two experience indexes v4 drops are gone, the records and the other
/// indexes stay (a list by session still pages the old records).
#[wasm_bindgen_test]
async fn a_v3_database_loses_the_unused_experience_indexes_and_keeps_its_experiences() {
    use web::storage::schema::{upgrade_between, DROPPED_IN_V4};
    let name = unique_db("from-v3");
    let v3 = Database::open(&name)
        .with_version(3u32)
        .with_on_upgrade_needed(|event, db| upgrade_between(&db, event.old_version() as u32, 3))
        .await
        .unwrap();
    {
        let tx = v3.transaction(stores::EXPERIENCES).build().unwrap();
        let before: Vec<String> = tx
            .object_store(stores::EXPERIENCES)
            .unwrap()
            .index_names()
            .collect();
        for (_, index) in DROPPED_IN_V4 {
            assert!(before.iter().any(|i| i == index), "v3 had {index}");
        }
    }
    let records = synthetic_range(&played("template").1, 0..60, 1.0e12);
    put_experiences_raw(&v3, &records).await;
    v3.close();

    let storage = Storage::open(&name).await.expect("open upgrades v3");
    assert_eq!(storage.database().version() as u32, SCHEMA_VERSION);
    let names: Vec<String> = storage.database().object_store_names().collect();
    assert!(
        !names.iter().any(|n| n.starts_with("__")),
        "the upgrade's scratch store is deleted: {names:?}"
    );
    let tx = storage
        .database()
        .transaction(stores::EXPERIENCES)
        .build()
        .unwrap();
    let after: Vec<String> = tx
        .object_store(stores::EXPERIENCES)
        .unwrap()
        .index_names()
        .collect();
    drop(tx);
    assert_eq!(
        after,
        vec![
            "consolidated",
            "created_at",
            "judgement.outcome",
            "profile_id",
            "session_id"
        ]
    );
    assert_eq!(storage.count_experiences().await.unwrap(), 60);
    let session = records[0].experience.context.session_id.clone();
    let page = storage
        .page_experiences(&ExperienceFilter::Session(session.clone()), None, 100)
        .await
        .unwrap();
    let expected = records
        .iter()
        .filter(|r| r.experience.context.session_id == session)
        .count();
    assert!(expected > 0);
    assert_eq!(page.items.len(), expected);
}

/// Upgrade from v1: a real v1 database (made the way v1 made it, values written with
/// serde-wasm-bindgen as v1 wrote them) keeps its puzzles, games and settings.
#[wasm_bindgen_test]
async fn a_v1_database_upgrades_to_the_current_version_and_keeps_its_data() {
    let name = unique_db("upgrade");
    let v1 = Database::open(&name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store("puzzles")
                .with_key_path("id".into())
                .build()?;
            db.create_object_store("games")
                .with_key_path("puzzle_id".into())
                .build()?;
            db.create_object_store("settings")
                .with_key_path("key".into())
                .build()?;
            Ok(())
        })
        .await
        .expect("v1 open");
    let tx = v1
        .transaction(["puzzles", "settings"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let mut unseeded = puzzle();
    unseeded.id = "no-seed".into();
    unseeded.seed = None;
    for p in [puzzle(), unseeded.clone()] {
        tx.object_store("puzzles")
            .unwrap()
            .put(p)
            .serde()
            .unwrap()
            .await
            .unwrap();
    }
    #[derive(serde::Serialize)]
    struct Setting {
        key: &'static str,
        value: &'static str,
    }
    tx.object_store("settings")
        .unwrap()
        .put(Setting {
            key: "current_puzzle",
            value: "9x9-seed-7",
        })
        .serde()
        .unwrap()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v1.close();

    let storage = Storage::open(&name).await.expect("open upgrades");
    assert_eq!(storage.database().version() as u32, SCHEMA_VERSION);
    assert_eq!(storage.puzzle("9x9-seed-7").await.unwrap(), Some(puzzle()));
    assert_eq!(storage.puzzle("no-seed").await.unwrap(), Some(unseeded));
    assert_eq!(
        storage.setting("current_puzzle").await.unwrap().as_deref(),
        Some("9x9-seed-7")
    );
    // The new stores work at once.
    let (session, experiences) = played("s-up");
    storage
        .save_attempt(&session, &experiences[0])
        .await
        .unwrap();
    assert_eq!(storage.count_experiences().await.unwrap(), 1);
}

#[wasm_bindgen_test]
async fn save_attempt_commits_session_and_experience_together() {
    let storage = Storage::open(&unique_db("attempt")).await.unwrap();
    let (session, experiences) = played("s1");
    storage
        .save_attempt(&session, &experiences[2])
        .await
        .unwrap();
    assert_eq!(storage.session("s1").await.unwrap(), Some(session));
    assert_eq!(
        storage.experience("s1#000003").await.unwrap(),
        Some(experiences[2].clone())
    );
}

/// Lists never load a whole store to show a page (that stops scaling long before 100k
/// experiences): they page through an index with a key range and resume exactly.
#[wasm_bindgen_test]
async fn pages_walk_an_index_newest_first_without_gaps_or_repeats() {
    let storage = Storage::open(&unique_db("paging")).await.unwrap();
    let records = synthetic(95, 5000.0); // sessions bench-00000..bench-00003
    storage.put_experiences(&records).await.unwrap();
    assert_eq!(storage.count_experiences().await.unwrap(), 95);

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = storage
            .page_experiences(&ExperienceFilter::All, cursor.as_ref(), 20)
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|r| r.created_at));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let expected: Vec<f64> = (0..95).rev().map(|i| 5000.0 + i as f64).collect();
    assert_eq!(seen, expected);

    // A filter lists one session's attempts, newest first, across pages.
    let filter = ExperienceFilter::Session("bench-00001".into());
    let first = storage.page_experiences(&filter, None, 25).await.unwrap();
    assert_eq!(first.items.len(), 25);
    assert_eq!(first.items[0].id, "bench-00001#000030");
    let second = storage
        .page_experiences(&filter, first.next_cursor.as_ref(), 25)
        .await
        .unwrap();
    assert_eq!(second.items.len(), 5);
    assert_eq!(second.items[4].id, "bench-00001#000001");
    assert_eq!(second.next_cursor, None);

    // Outcomes are indexed through `judgement.outcome`; a third of the records are correct.
    let correct = storage
        .page_experiences(&ExperienceFilter::Outcome("correct".into()), None, 100)
        .await
        .unwrap();
    assert_eq!(correct.items.len(), 32);
    assert_eq!(
        storage
            .count_experiences_where(&ExperienceFilter::Outcome("correct".into()))
            .await
            .unwrap(),
        32
    );
    assert_eq!(
        storage
            .count_experiences_where(&ExperienceFilter::All)
            .await
            .unwrap(),
        95
    );
    assert!(correct.items.iter().all(|r| r.outcome() == "CORRECT"));

    // Consolidation moves records between the two halves of the `consolidated` index.
    let ids: Vec<String> = records[..10].iter().map(|r| r.id.clone()).collect();
    let marked = storage
        .mark_consolidated(&[ids.clone(), vec!["missing".into()]].concat())
        .await
        .unwrap();
    assert_eq!(marked, 10);
    let done = storage
        .page_experiences(&ExperienceFilter::Consolidated(true), None, 100)
        .await
        .unwrap();
    assert_eq!(done.items.len(), 10);
    assert!(done.items.iter().all(|r| r.consolidated));
    let open = storage
        .page_experiences(&ExperienceFilter::Consolidated(false), None, 100)
        .await
        .unwrap();
    assert_eq!(open.items.len(), 85);
}

#[wasm_bindgen_test]
async fn sessions_page_by_state_and_most_recent_change() {
    let storage = Storage::open(&unique_db("sessions")).await.unwrap();
    for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
        let (mut session, _) = played(id);
        if id == "b" {
            session.session.pause().unwrap();
        }
        session.touch(2000.0 + i as f64);
        storage.put_session(&session).await.unwrap();
    }
    let all = storage
        .page_sessions(&SessionFilter::All, None, 10)
        .await
        .unwrap();
    let ids: Vec<&str> = all.items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["c", "b", "a"]);
    let paused = storage
        .page_sessions(&SessionFilter::State("paused".into()), None, 10)
        .await
        .unwrap();
    assert_eq!(paused.items.len(), 1);
    assert_eq!(paused.items[0].id, "b");
    assert_eq!(
        storage
            .count_sessions_where(&SessionFilter::State("running".into()))
            .await
            .unwrap(),
        2
    );
}

#[wasm_bindgen_test]
async fn search_ranks_by_reasoning_and_follows_writes() {
    let storage = Storage::open(&unique_db("search")).await.unwrap();
    let (_, experiences) = played("s1");
    storage.put_experiences(&experiences).await.unwrap();
    let hits = storage.search_experiences("naked single", 5).await.unwrap();
    assert_eq!(hits[0].0.id, "s1#000001", "{hits:?}");
    assert!(hits[0].1 > 0.0);
    // The index, once built, follows later writes without a rebuild.
    let (session, more) = played("s2");
    let mut special = more[2].clone();
    special.experience.attempt.reasoning = "xylophone strategy".into();
    storage.save_attempt(&session, &special).await.unwrap();
    let hits = storage.search_experiences("xylophone", 5).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0.id, "s2#000003");
    storage.delete_experience("s2#000003").await.unwrap();
    assert!(storage
        .search_experiences("xylophone", 5)
        .await
        .unwrap()
        .is_empty());
    storage.clear_memory(ClearScope::default()).await.unwrap();
    assert!(storage
        .search_experiences("naked", 5)
        .await
        .unwrap()
        .is_empty());
}

async fn blob_text(blob: &web_sys::Blob) -> String {
    JsFuture::from(blob.text())
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn export_then_import_restores_everything_but_tokens() {
    let source = Storage::open(&unique_db("export")).await.unwrap();
    let (session, experiences) = played("s1");
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1.0);
    profile.edge_token = Some("tok-secret".into());
    source.put_profile(&profile).await.unwrap();
    source.save_puzzle(&puzzle()).await.unwrap();
    source.put_session(&session).await.unwrap();
    source.put_experiences(&experiences).await.unwrap();
    let unit = LearningUnit::empty("u1", "scan rows", "local", 5.5);
    source.put_unit(&unit).await.unwrap();
    let design = Experiment::learning_curve("e1", "curve", &LearningCurve::new("local", 4, 1), 6);
    let experiment = ExperimentRecord::new(ExperimentState::new(design).unwrap(), 5, false, 6.0);
    source.put_experiment(&experiment).await.unwrap();
    let text = blob_text(&source.export_blob(99.0).await.unwrap()).await;
    assert!(!text.contains("tok-secret"), "tokens are never exported");
    assert_eq!(text.lines().count(), 1 + 1 + 1 + 1 + 1 + 1 + 3);

    let target = Storage::open(&unique_db("import")).await.unwrap();
    let mut local = profile.clone();
    local.edge_token = Some("tok-local".into());
    target.put_profile(&local).await.unwrap();
    let summary = target.import_text(&text).await.unwrap();
    assert_eq!(summary.experiences, 3);
    assert_eq!(summary.profiles, 1);
    for e in &experiences {
        assert_eq!(target.experience(&e.id).await.unwrap().as_ref(), Some(e));
    }
    assert_eq!(target.session("s1").await.unwrap(), Some(session));
    assert_eq!(target.puzzle("9x9-seed-7").await.unwrap(), Some(puzzle()));
    assert_eq!(target.unit("u1").await.unwrap(), Some(unit));
    assert_eq!(target.count_experiments().await.unwrap(), 1);
    assert_eq!(target.experiment("e1").await.unwrap(), Some(experiment));
    let imported = target.profile("local").await.unwrap().unwrap();
    assert_eq!(
        imported.edge_token.as_deref(),
        Some("tok-local"),
        "a local token survives an import of the same profile"
    );
    // Imported records are searchable.
    let hits = target.search_experiences("naked", 3).await.unwrap();
    assert_eq!(hits[0].0.id, "s1#000001");
}

/// An import of a corrupt file changes nothing: every line is validated first, and valid
/// lines before a bad one are not written.
#[wasm_bindgen_test]
async fn a_corrupt_import_changes_nothing() {
    let storage = Storage::open(&unique_db("corrupt")).await.unwrap();
    let (session, experiences) = played("old");
    storage
        .save_attempt(&session, &experiences[0])
        .await
        .unwrap();
    let (new_session, new_experiences) = played("new");
    let mut text = header_line(1.0);
    text.push_str(&record_line(Kind::Session, &new_session));
    text.push_str(&record_line(Kind::Experience, &new_experiences[0]));
    text.push_str(&record_line(Kind::Experience, &new_experiences[1]));
    text.push_str(&raw_record_line(Kind::Experience, r#"{"id":"broken"}"#));
    let error = storage.import_text(&text).await.unwrap_err();
    assert!(error.0.contains("line 5"), "{error}");
    assert!(error.0.starts_with("nothing was imported"), "{error}");
    assert_eq!(storage.count_experiences().await.unwrap(), 1);
    assert_eq!(storage.count_sessions().await.unwrap(), 1);
    assert_eq!(storage.session("new").await.unwrap(), None);
    // Not even the header alone: a truncated file is refused too.
    assert!(storage.import_text("").await.is_err());
}

/// Clearing memory removes exactly what its confirmation names: the scope is explicit, and
/// profiles, puzzles and settings stay unless asked.
#[wasm_bindgen_test]
async fn clear_memory_keeps_profiles_puzzles_and_settings_unless_asked() {
    let storage = Storage::open(&unique_db("clear")).await.unwrap();
    let (session, experiences) = played("s1");
    storage.put_session(&session).await.unwrap();
    storage.put_experiences(&experiences).await.unwrap();
    storage
        .put_profile(&Profile::from_template(ProviderTemplate::Ollama, "o", 1.0))
        .await
        .unwrap();
    storage.save_puzzle(&puzzle()).await.unwrap();
    storage.set_setting("k", "v").await.unwrap();
    storage
        .put_unit(&LearningUnit::empty("u1", "u1", "o", 1.0))
        .await
        .unwrap();
    storage.clear_memory(ClearScope::default()).await.unwrap();
    assert_eq!(storage.count_experiences().await.unwrap(), 0);
    assert_eq!(storage.count_sessions().await.unwrap(), 0);
    assert_eq!(storage.count_units().await.unwrap(), 0);
    assert_eq!(storage.count_profiles().await.unwrap(), 1);
    assert!(storage.puzzle("9x9-seed-7").await.unwrap().is_some());
    assert_eq!(storage.setting("k").await.unwrap().as_deref(), Some("v"));
    storage
        .clear_memory(ClearScope {
            profiles: true,
            settings: true,
        })
        .await
        .unwrap();
    assert_eq!(storage.count_profiles().await.unwrap(), 0);
    assert_eq!(storage.setting("k").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn the_storage_estimate_reports_usage_and_quota() {
    let storage = Storage::open(&unique_db("estimate")).await.unwrap();
    storage.put_experiences(&synthetic(50, 0.0)).await.unwrap();
    let estimate = estimate().await.unwrap();
    assert!(estimate.quota > 0.0, "{estimate:?}");
    assert!(estimate.usage >= 0.0 && estimate.usage <= estimate.quota);
}

/// The profile record `id` exactly as IndexedDB holds it, as JSON text.
async fn raw_profile(name: &str, id: &str) -> String {
    let db = Database::open(name).await.expect("raw open");
    let value: Option<js_sys::Object> = {
        let tx = db.transaction(stores::PROFILES).build().unwrap();
        let store = tx.object_store(stores::PROFILES).unwrap();
        store.get(id).await.unwrap()
    };
    let text = js_sys::JSON::stringify(&value.expect("stored").into())
        .unwrap()
        .as_string()
        .unwrap();
    db.close();
    text
}

#[wasm_bindgen_test]
async fn an_edge_token_is_stored_sealed_and_reads_back_in_plain_text() {
    let name = unique_db("sealed");
    let storage = Storage::open(&name).await.unwrap();
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "edge", 1.0);
    profile.edge_token = Some("md_live_plaintext_secret".into());
    storage.put_profile(&profile).await.unwrap();
    let raw = raw_profile(&name, "edge").await;
    assert!(!raw.contains("md_live_plaintext_secret"), "{raw}");
    assert!(raw.contains("edge_token_sealed"), "{raw}");
    assert_eq!(
        storage.profile("edge").await.unwrap(),
        Some(profile.clone())
    );
    assert_eq!(storage.all_profiles().await.unwrap(), vec![profile.clone()]);
    // Sealing twice uses a fresh nonce: the same token never gives the same ciphertext.
    storage.put_profile(&profile).await.unwrap();
    assert_ne!(raw_profile(&name, "edge").await, raw);
}

/// Regression: tokens were stored in plain text before they were sealed; such a record still
/// reads, and is sealed the first time it is read.
#[wasm_bindgen_test]
async fn a_token_stored_in_plain_text_is_sealed_when_read() {
    let name = unique_db("unsealed");
    let storage = Storage::open(&name).await.unwrap();
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "old", 1.0);
    profile.edge_token = Some("md_live_old_plain".into());
    storage
        .put_all_json(stores::PROFILES, std::slice::from_ref(&profile))
        .await
        .unwrap();
    assert!(raw_profile(&name, "old")
        .await
        .contains("md_live_old_plain"));
    assert_eq!(storage.profile("old").await.unwrap(), Some(profile.clone()));
    let raw = raw_profile(&name, "old").await;
    assert!(!raw.contains("md_live_old_plain"), "{raw}");
    assert_eq!(storage.profile("old").await.unwrap(), Some(profile));
}

#[wasm_bindgen_test]
async fn a_backup_holds_games_and_settings_and_a_replace_restores_exactly_the_file() {
    let source = Storage::open(&unique_db("backup")).await.unwrap();
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1.0);
    profile.edge_token = Some("tok-never-in-a-backup".into());
    source.put_profile(&profile).await.unwrap();
    source.save_puzzle(&puzzle()).await.unwrap();
    let game = GameRecord {
        puzzle_id: puzzle().id,
        board: format!("5{}", ".".repeat(80)),
        entries: Vec::new(),
        updated_at: 3.0,
        state: None,
        solved_at: None,
    };
    source.save_game(&game).await.unwrap();
    source
        .set_setting("current_puzzle", &game.puzzle_id)
        .await
        .unwrap();
    let text = blob_text(&source.export_blob(7.0).await.unwrap()).await;
    assert!(!text.contains("tok-never-in-a-backup"));
    assert!(!text.contains("edge_token_sealed"), "not even sealed");
    assert!(
        !text.contains("token_key"),
        "the token key stays in the browser"
    );
    assert!(text.contains(r#"{"kind":"game""#));
    assert!(text.contains(r#"{"kind":"setting""#));

    let target = Storage::open(&unique_db("restore")).await.unwrap();
    let (session, experiences) = played("here-only");
    target
        .save_attempt(&session, &experiences[0])
        .await
        .unwrap();
    target
        .set_setting("current_puzzle", "something-else")
        .await
        .unwrap();
    let check = target.check_backup(&blob_of(&text)).await.unwrap();
    assert_eq!(check.exported_at, 7.0);
    assert_eq!(check.in_file[Kind::Game.index()], 1);
    assert_eq!(check.in_file[Kind::Setting.index()], 1);
    assert_eq!(
        check.conflicts[Kind::Setting.index()],
        1,
        "current_puzzle is here too"
    );
    assert_eq!(check.stored[Kind::Experience.index()], 1);

    let merged = Storage::open(&unique_db("merge")).await.unwrap();
    merged
        .save_attempt(&session, &experiences[0])
        .await
        .unwrap();
    let summary = merged
        .restore_blob(&blob_of(&text), web::storage::RestoreMode::Merge)
        .await
        .unwrap();
    assert_eq!(
        (summary.games, summary.settings, summary.profiles),
        (1, 1, 1)
    );
    assert_eq!(
        merged.count_experiences().await.unwrap(),
        1,
        "a merge keeps what is here"
    );

    target
        .restore_blob(&blob_of(&text), web::storage::RestoreMode::Replace)
        .await
        .unwrap();
    assert_eq!(
        target.count_experiences().await.unwrap(),
        0,
        "a replace leaves only the file"
    );
    assert_eq!(target.count_sessions().await.unwrap(), 0);
    assert_eq!(target.game(&game.puzzle_id).await.unwrap(), Some(game));
    assert_eq!(
        target.setting("current_puzzle").await.unwrap().as_deref(),
        Some("9x9-seed-7")
    );
    let restored = target.profile("local").await.unwrap().unwrap();
    assert_eq!(restored.edge_token, None, "a backup never carries a token");
    assert!(target
        .search_experiences("naked", 3)
        .await
        .unwrap()
        .is_empty());
    // Tokens can be sealed again after a replace.
    let mut again = restored.clone();
    again.edge_token = Some("tok-after".into());
    target.put_profile(&again).await.unwrap();
    assert_eq!(target.profile("local").await.unwrap(), Some(again));
}

#[wasm_bindgen_test]
async fn a_backup_from_a_newer_app_or_cut_short_is_refused_and_nothing_changes() {
    let storage = Storage::open(&unique_db("refuse")).await.unwrap();
    let (session, experiences) = played("kept");
    storage
        .save_attempt(&session, &experiences[0])
        .await
        .unwrap();
    let newer = r#"{"format":"machine-dream-memory","version":99,"exported_at":0}"#.to_string()
        + "\n"
        + &raw_record_line(Kind::Setting, r#"{"key":"x","value":"y"}"#);
    for mode in [
        web::storage::RestoreMode::Merge,
        web::storage::RestoreMode::Replace,
    ] {
        let error = storage
            .restore_blob(&blob_of(&newer), mode)
            .await
            .unwrap_err();
        assert!(error.0.contains("newer version of the app"), "{error}");
    }
    let mut cut = header_line(1.0);
    cut.push_str(&record_line(Kind::Session, &session));
    cut.push_str(&record_line(Kind::Experience, &experiences[1])[..40]);
    let error = storage
        .restore_blob(&blob_of(&cut), web::storage::RestoreMode::Replace)
        .await
        .unwrap_err();
    assert!(error.0.contains("line 3"), "{error}");
    assert_eq!(storage.count_experiences().await.unwrap(), 1);
    assert_eq!(storage.setting("x").await.unwrap(), None);
}
