//! wasm-bindgen-test in headless Chromium: the IndexedDB storage layer, for real.

use wasm_bindgen_test::*;
use web::storage::{EntryRecord, GameRecord, PuzzleRecord, Storage, SCHEMA_VERSION};

wasm_bindgen_test_configure!(run_in_browser);

fn unique_db(name: &str) -> String {
    format!("test-{name}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn a_saved_game_reads_back_identically_after_reopening() {
    let name = unique_db("roundtrip");
    let puzzle = PuzzleRecord {
        id: "9x9-seed-7".into(),
        size: 9,
        seed: Some(7.0),
        givens: ".".repeat(81),
        solution: "1".repeat(81),
        created_at: 1.0,
    };
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
    let _storage = Storage::open(&name).await.expect("open");
    // Opening again with an explicit version proves what was stored on disk.
    let db = indexed_db_futures::database::Database::open(&name)
        .await
        .expect("raw open");
    assert_eq!(db.version() as u32, SCHEMA_VERSION);
    let stores: Vec<String> = db.object_store_names().collect();
    assert_eq!(stores, vec!["games", "puzzles", "settings"]);
}
