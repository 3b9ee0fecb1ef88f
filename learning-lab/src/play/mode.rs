//! [`PromptMode`]: how a play asks the model for its moves.

use serde::{Deserialize, Serialize};

/// How a play asks the model for its moves.
///
/// Stored records keep the two fields they always had — `mode` (the name) and
/// `assisted_decoding` (a bool) — so exports stay readable both ways; [`PromptMode::name`] and
/// [`PromptMode::assisted_decoding`] write them, [`PromptMode::from_stored`] reads them back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptMode {
    /// The prompt alone: the model answers freely (in the move schema when its profile asks
    /// for JSON output, which constrains the format only).
    #[default]
    Standard,
    /// Research mode, opt-in: answers are restricted to the legal moves of the board
    /// (assisted decoding). Labelled in every record, so it is never mistaken for the model's
    /// own skill.
    Assisted,
}

impl PromptMode {
    /// Both modes, the default first.
    pub const ALL: [PromptMode; 2] = [PromptMode::Standard, PromptMode::Assisted];

    /// The stored name: `standard` or `assisted`.
    pub fn name(self) -> &'static str {
        match self {
            PromptMode::Standard => "standard",
            PromptMode::Assisted => "assisted",
        }
    }

    /// Whether answers are restricted to legal moves.
    pub fn assisted_decoding(self) -> bool {
        self == PromptMode::Assisted
    }

    /// [`PromptMode::Assisted`] when `assisted` is true, else [`PromptMode::Standard`].
    pub fn from_assisted_decoding(assisted: bool) -> PromptMode {
        if assisted {
            PromptMode::Assisted
        } else {
            PromptMode::Standard
        }
    }

    /// The mode of a stored play or arm from its two fields: assisted when either says so
    /// (records made by experiment arms said `standard` with `assisted_decoding: true`);
    /// any other name reads as standard, as it always did.
    pub fn from_stored(name: &str, assisted_decoding: bool) -> PromptMode {
        PromptMode::from_assisted_decoding(assisted_decoding || name == PromptMode::Assisted.name())
    }

    /// What a screen adds after a record to flag research mode (`None` for standard).
    pub fn research_note(self) -> Option<&'static str> {
        self.assisted_decoding()
            .then_some("assisted decoding (research mode)")
    }
}

impl std::fmt::Display for PromptMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flags_agree() {
        for mode in PromptMode::ALL {
            assert_eq!(
                PromptMode::from_stored(mode.name(), mode.assisted_decoding()),
                mode
            );
            assert_eq!(
                serde_json::to_value(mode).unwrap(),
                serde_json::Value::String(mode.name().into())
            );
        }
        assert_eq!(PromptMode::default(), PromptMode::Standard);
        assert_eq!(PromptMode::Standard.research_note(), None);
        assert!(PromptMode::Assisted.research_note().is_some());
    }

    #[test]
    fn stored_fields_read_leniently() {
        // An experiment arm's play: `standard` with the flag set.
        assert_eq!(
            PromptMode::from_stored("standard", true),
            PromptMode::Assisted
        );
        assert_eq!(
            PromptMode::from_stored("assisted", false),
            PromptMode::Assisted
        );
        assert_eq!(
            PromptMode::from_stored("compact", false),
            PromptMode::Standard
        );
    }
}
