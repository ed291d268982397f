//! A [`Snapshot`]: the offers of one dated price file, and where to find them
//! (shipped in the binary, a folder, or a file the user names: see [`find`]).
//! The type lives here and the finding in a child module, so the file reader
//! can build a `Snapshot` without depending on the code that calls it.

mod find;

pub use find::{builtin, builtin_names, builtin_text, find, load_dir, load_snapshot, DEFAULT_DIR};

use super::offer::Offer;
use super::query::OfferQueries;
use serde::Serialize;
use std::collections::BTreeMap;

/// The offers of one price file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Name, e.g. `study-2020`, `current`, `aws-2026-11-29`.
    pub name: String,
    /// When its prices were read (YYYY-MM-DD or YYYY-MM).
    pub date: String,
    /// What it is for.
    pub description: String,
    /// The offers in their default regions, in file order.
    pub offers: Vec<Offer>,
    /// The same offers priced in other regions (ids `ID@REGION`), in file
    /// order; see [`crate::pricing::region`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regional: Vec<Offer>,
    /// How `pricing refresh` finds each offer's prices: offer id -> price field -> query.
    #[serde(skip)]
    pub queries: BTreeMap<String, OfferQueries>,
    /// Where it was read from: a path, or `builtin:NAME`.
    pub origin: String,
}

impl Snapshot {
    /// The offer with this id, in any region.
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.all().find(|o| o.id == id)
    }

    /// Every offer: the default-region ones, then the other regions'.
    pub fn all(&self) -> impl Iterator<Item = &Offer> {
        self.offers.iter().chain(self.regional.iter())
    }

    /// Puts each offer among the default-region ones or the regional ones by its id.
    pub fn set_offers(&mut self, all: Vec<Offer>) {
        let (regional, offers) = all
            .into_iter()
            .partition(|o| o.id.contains(super::region::SEP));
        self.offers = offers;
        self.regional = regional;
    }
}
