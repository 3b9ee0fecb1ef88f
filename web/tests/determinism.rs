//! solver-core compiled to wasm32 and run in Chromium generates exactly the puzzles pinned by
//! the native test: one seed gives the same puzzle on every platform.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../../solver-core/tests/common/seeded.rs"]
mod seeded;

#[wasm_bindgen_test]
fn pinned_seeds_regenerate_the_same_puzzles_in_wasm() {
    assert_eq!(seeded::check_all(), 9);
}
