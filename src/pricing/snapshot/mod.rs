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
    /// The offers, in file order.
    pub offers: Vec<Offer>,
    /// How `pricing refresh` finds each offer's prices: offer id -> price field -> query.
    #[serde(skip)]
    pub queries: BTreeMap<String, OfferQueries>,
    /// Where it was read from: a path, or `builtin:NAME`.
    pub origin: String,
}

impl Snapshot {
    /// The offer with this id.
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.offers.iter().find(|o| o.id == id)
    }
}
