//! The slow work the state asks the app loop to run.

use super::super::action::Source;
use crate::pricing::Offer;
use crate::profile::Profile;
use crate::workload::Trace;
use std::path::PathBuf;
use std::sync::Arc;

/// Work for the app loop to run off the UI thread.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load or generate a trace and scale its rate; answer with [`Action::TraceLoaded`].
    LoadTrace {
        /// Tag of the answer.
        generation: u64,
        /// Where the trace comes from.
        source: Source,
        /// Rate factor.
        scale: f64,
        /// Seed for generation and scaling.
        seed: u64,
    },
    /// Simulate every offer; answer with [`Action::SimProgress`] and [`Action::Simulated`].
    Simulate {
        /// Tag of the answer.
        generation: u64,
        /// The model.
        profile: Arc<Profile>,
        /// The load.
        trace: Arc<Trace>,
        /// The offers.
        offers: Arc<Vec<Offer>>,
        /// Seed of the simulations.
        seed: u64,
    },
    /// Compute the advice; answer with [`Action::Advised`].
    Advise {
        /// Tag of the answer.
        generation: u64,
        /// What to advise on.
        request: Box<crate::advise::Request>,
    },
    /// Write the report; `overwrite` once the user said yes.
    Export {
        /// Files to write, when already chosen (after "overwrite?").
        paths: Option<Vec<PathBuf>>,
        /// Whether existing files may be replaced.
        overwrite: bool,
    },
}
