//! What the app starts from.

use super::super::action::{Screen, Source};
use crate::advise::Constraints;
use crate::pricing::Offer;
use crate::profile::Profile;
use std::sync::Arc;

/// What the app starts from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The measured model; `None` while it is being profiled.
    pub profile: Option<Arc<Profile>>,
    /// The model being profiled live, if any: its file and where the profile will be saved.
    pub profiling: Option<(String, String)>,
    /// Trace sources to offer.
    pub sources: Vec<Source>,
    /// The source loaded at start (an index into `sources`).
    pub first_source: usize,
    /// Price snapshot name.
    pub snapshot: String,
    /// The offers to compare.
    pub offers: Arc<Vec<Offer>>,
    /// The targets.
    pub constraints: Constraints,
    /// Seed of generated traces, rate scaling and simulations.
    pub seed: u64,
    /// The screen to open on.
    pub screen: Screen,
}
