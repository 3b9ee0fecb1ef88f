//! One seed, one puzzle: the pinned fixture regenerates exactly (natively; the web crate runs
//! the same check compiled to wasm32 in Chromium).

mod common;

#[test]
fn pinned_seeds_regenerate_the_same_puzzles() {
    assert_eq!(common::seeded::check_all(), 9);
}
