//! The demo's inputs, shared by the plain `advisor` run and the interactive
//! screen so that both show the same recommendation.

use crate::advise::{Constraints, Request};
use crate::pricing::snapshot::{self, Snapshot};
use crate::profile::Profile;
use crate::workload::generate::Preset;
use crate::workload::Trace;
use anyhow::Result;
use std::sync::Arc;

/// The demo's inputs: the bundled MobileNetV2 profile, workload-120 (seed 1,
/// the same trace as traces/workload-120.csv) and the built-in `current`
/// prices. The interactive screen calls this too.
pub fn demo_inputs() -> Result<(Profile, Trace, Snapshot)> {
    let profile = crate::profile::bundled::get("mobilenetv2")?;
    let trace = Trace::from_times(Preset::Workload120.generate(1));
    let snap = snapshot::builtin("current")
        .ok_or_else(|| anyhow::anyhow!("the built-in `current` snapshot does not parse"))?;
    Ok((profile, trace, snap))
}

/// The demo's request, with the default targets.
pub fn demo_request() -> Result<Request> {
    let (profile, trace, snap) = demo_inputs()?;
    Ok(Request {
        profile: Arc::new(profile),
        trace,
        trace_name: Preset::Workload120.name().to_string(),
        snapshot: snap.name.clone(),
        offers: snap.offers,
        constraints: Constraints::default(),
        seed: 1,
        free_tier: false,
    })
}
