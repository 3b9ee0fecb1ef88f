//! Housekeeping decisions over stored keys: which records lost their parent (experiences of
//! a deleted session, games of a deleted puzzle). The storage adapter lists the keys and
//! deletes what this says; nothing here touches storage.

use std::collections::BTreeSet;

use super::record::ExperienceRecord;

/// Experience ids whose session is not in `sessions` (ids not made by
/// [`ExperienceRecord::id_for`] are orphans too: nothing can show them).
pub fn orphan_experiences<'a>(
    experience_ids: &'a [String],
    sessions: &BTreeSet<String>,
) -> Vec<&'a str> {
    experience_ids
        .iter()
        .filter(|id| ExperienceRecord::session_of(id).is_none_or(|s| !sessions.contains(s)))
        .map(String::as_str)
        .collect()
}

/// Game keys (puzzle ids) whose puzzle is not in `puzzles`.
pub fn orphan_games<'a>(game_keys: &'a [String], puzzles: &BTreeSet<String>) -> Vec<&'a str> {
    game_keys
        .iter()
        .filter(|k| !puzzles.contains(*k))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn experiences_of_deleted_sessions_are_orphans() {
        let ids = vec![
            ExperienceRecord::id_for("kept", 1),
            ExperienceRecord::id_for("gone", 1),
            ExperienceRecord::id_for("kept", 2),
            "corrupt".to_string(),
        ];
        assert_eq!(
            orphan_experiences(&ids, &set(&["kept"])),
            vec!["gone#000001", "corrupt"]
        );
        assert!(orphan_experiences(&ids[..1], &set(&["kept"])).is_empty());
    }

    #[test]
    fn games_of_deleted_puzzles_are_orphans() {
        let keys = vec!["a".to_string(), "b".to_string()];
        assert_eq!(orphan_games(&keys, &set(&["b", "c"])), vec!["a"]);
    }
}
