//! The techniques, their difficulty scale and the bands.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A solving technique a person can use.
///
/// # Difficulty scale
///
/// [`Technique::difficulty`] follows the numeric scale of Sudoku Explainer (SE), where a
/// puzzle is as hard as the hardest step it needs:
///
/// | technique | difficulty | band |
/// |---|---|---|
/// | full house (last empty cell of a unit) | 1.0 | easy |
/// | hidden single in a box | 1.2 | easy |
/// | hidden single in a row or column | 1.5 | easy |
/// | naked single | 2.3 | easy |
/// | pointing (locked candidates, box → line) | 2.6 | medium |
/// | claiming (locked candidates, line → box) | 2.8 | medium |
/// | naked pair | 3.0 | medium |
/// | X-wing | 3.2 | hard |
/// | hidden pair | 3.4 | medium |
/// | naked triple | 3.6 | hard |
/// | swordfish | 3.8 | expert |
/// | hidden triple | 4.0 | hard |
/// | XY-wing | 4.2 | expert |
/// | XYZ-wing | 4.4 | expert |
/// | W-wing | 4.4 | expert |
/// | naked quad | 5.0 | expert |
/// | jellyfish | 5.2 | expert |
/// | hidden quad | 5.4 | expert |
/// | X-chain (single-digit alternating chain: skyscraper, 2-string kite, turbot fish …) | 6.6 | diabolical |
/// | XY-chain (chain of bivalue cells, includes remote pairs) | 7.0 | diabolical |
///
/// The difficulty orders the search for the easiest next step; the [`Band`] is by kind of
/// technique (so an X-wing, 3.2, makes a puzzle *hard* while a hidden pair, 3.4, keeps it
/// *medium*, as the product's bands ask).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    /// The last empty cell of a row, column or box.
    FullHouse,
    /// A value with one place left in a box.
    HiddenSingleBox,
    /// A value with one place left in a row or column.
    HiddenSingleLine,
    /// A cell with one candidate left.
    NakedSingle,
    /// Locked candidates type 1: in a box, a value only on one line; removed from the rest of
    /// the line.
    Pointing,
    /// Locked candidates type 2: in a line, a value only in one box; removed from the rest of
    /// the box.
    Claiming,
    /// Two cells of a unit with the same two candidates.
    NakedPair,
    /// Two-line fish.
    XWing,
    /// Two values with the same two places in a unit.
    HiddenPair,
    /// Three cells of a unit with three candidates between them.
    NakedTriple,
    /// Three-line fish.
    Swordfish,
    /// Three values confined to three cells of a unit.
    HiddenTriple,
    /// Pivot `xy` with pincers `xz` and `yz`.
    XyWing,
    /// Pivot `xyz` with pincers `xz` and `yz`.
    XyzWing,
    /// Two `xy` cells joined by a strong link on `x`.
    WWing,
    /// Four cells of a unit with four candidates between them.
    NakedQuad,
    /// Four-line fish.
    Jellyfish,
    /// Four values confined to four cells of a unit.
    HiddenQuad,
    /// Alternating strong/weak chain on one value.
    XChain,
    /// Chain of bivalue cells.
    XyChain,
}

impl Technique {
    /// Every technique, easiest first: the order in which the next step is searched for.
    pub const ALL: [Technique; 20] = [
        Technique::FullHouse,
        Technique::HiddenSingleBox,
        Technique::HiddenSingleLine,
        Technique::NakedSingle,
        Technique::Pointing,
        Technique::Claiming,
        Technique::NakedPair,
        Technique::XWing,
        Technique::HiddenPair,
        Technique::NakedTriple,
        Technique::Swordfish,
        Technique::HiddenTriple,
        Technique::XyWing,
        Technique::XyzWing,
        Technique::WWing,
        Technique::NakedQuad,
        Technique::Jellyfish,
        Technique::HiddenQuad,
        Technique::XChain,
        Technique::XyChain,
    ];

    /// The Sudoku-Explainer-like difficulty (see the table on [`Technique`]).
    pub fn difficulty(self) -> f32 {
        match self {
            Technique::FullHouse => 1.0,
            Technique::HiddenSingleBox => 1.2,
            Technique::HiddenSingleLine => 1.5,
            Technique::NakedSingle => 2.3,
            Technique::Pointing => 2.6,
            Technique::Claiming => 2.8,
            Technique::NakedPair => 3.0,
            Technique::XWing => 3.2,
            Technique::HiddenPair => 3.4,
            Technique::NakedTriple => 3.6,
            Technique::Swordfish => 3.8,
            Technique::HiddenTriple => 4.0,
            Technique::XyWing => 4.2,
            Technique::XyzWing | Technique::WWing => 4.4,
            Technique::NakedQuad => 5.0,
            Technique::Jellyfish => 5.2,
            Technique::HiddenQuad => 5.4,
            Technique::XChain => 6.6,
            Technique::XyChain => 7.0,
        }
    }

    /// The band a puzzle reaches when it needs this technique.
    pub fn band(self) -> Band {
        match self {
            Technique::FullHouse
            | Technique::HiddenSingleBox
            | Technique::HiddenSingleLine
            | Technique::NakedSingle => Band::Easy,
            Technique::Pointing
            | Technique::Claiming
            | Technique::NakedPair
            | Technique::HiddenPair => Band::Medium,
            Technique::XWing | Technique::NakedTriple | Technique::HiddenTriple => Band::Hard,
            Technique::Swordfish
            | Technique::Jellyfish
            | Technique::XyWing
            | Technique::XyzWing
            | Technique::WWing
            | Technique::NakedQuad
            | Technique::HiddenQuad => Band::Expert,
            Technique::XChain | Technique::XyChain => Band::Diabolical,
        }
    }

    /// The human name, e.g. "hidden single (box)".
    pub fn name(self) -> &'static str {
        match self {
            Technique::FullHouse => "full house",
            Technique::HiddenSingleBox => "hidden single (box)",
            Technique::HiddenSingleLine => "hidden single (row/column)",
            Technique::NakedSingle => "naked single",
            Technique::Pointing => "pointing",
            Technique::Claiming => "claiming",
            Technique::NakedPair => "naked pair",
            Technique::XWing => "X-wing",
            Technique::HiddenPair => "hidden pair",
            Technique::NakedTriple => "naked triple",
            Technique::Swordfish => "swordfish",
            Technique::HiddenTriple => "hidden triple",
            Technique::XyWing => "XY-wing",
            Technique::XyzWing => "XYZ-wing",
            Technique::WWing => "W-wing",
            Technique::NakedQuad => "naked quad",
            Technique::Jellyfish => "jellyfish",
            Technique::HiddenQuad => "hidden quad",
            Technique::XChain => "X-chain",
            Technique::XyChain => "XY-chain",
        }
    }

    /// Whether this is one of the singles (it places a value rather than removing candidates).
    pub fn is_single(self) -> bool {
        self.band() == Band::Easy
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A named difficulty band, by the hardest kind of technique a puzzle needs:
///
/// - **easy**: singles only (full house, hidden single, naked single);
/// - **medium**: plus locked candidates (pointing, claiming) and naked/hidden pairs;
/// - **hard**: plus naked/hidden triples and the X-wing;
/// - **expert**: plus swordfish, jellyfish, naked/hidden quads and the XY-, XYZ- and W-wing;
/// - **diabolical**: plus chains (X-chain, XY-chain).
///
/// A puzzle that these techniques cannot finish has no band: it needs guessing (see
/// [`super::Rating::needs_guessing`]).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Singles only.
    #[default]
    Easy,
    /// Locked candidates and pairs.
    Medium,
    /// Triples and X-wings.
    Hard,
    /// Bigger fish, wings and quads.
    Expert,
    /// Chains.
    Diabolical,
}

impl Band {
    /// Every band, easiest first.
    pub const ALL: [Band; 5] = [
        Band::Easy,
        Band::Medium,
        Band::Hard,
        Band::Expert,
        Band::Diabolical,
    ];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Band::Easy => "easy",
            Band::Medium => "medium",
            Band::Hard => "hard",
            Band::Expert => "expert",
            Band::Diabolical => "diabolical",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown band name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownBand(pub String);

impl fmt::Display for UnknownBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown band {:?}; expected easy, medium, hard, expert or diabolical",
            self.0
        )
    }
}

impl std::error::Error for UnknownBand {}

impl FromStr for Band {
    type Err = UnknownBand;

    /// Case-insensitive name, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Band, UnknownBand> {
        let t = s.trim();
        Band::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownBand(s.to_string()))
    }
}
