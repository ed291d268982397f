//! The interactive screens (ratatui).
//!
//! Terminal events become [`action::Action`]s ([`keys`]), actions update the
//! [`state::State`] (one pure update function), the update asks for slow
//! work as [`state::Effect`]s that [`jobs`] run on background threads, and
//! [`screens`] draw the state, one module per screen. [`app`] is the loop
//! that ties them together; [`terminal`] restores the terminal on every
//! way out, panics included.

pub mod action;
pub mod app;
pub mod export;
pub mod form;
pub mod jobs;
pub mod keys;
pub mod recommend_text;
pub mod replay;
pub mod screens;
pub mod state;
pub mod terminal;
pub mod theme;

pub use app::{run, ProfileJob};

use crate::advise::Constraints;
use crate::workload::generate::Preset;
use action::{Screen, Source};
use state::Setup;
use std::path::Path;
use std::sync::Arc;

/// Seed of the demo's trace, scaling and simulations.
pub const DEMO_SEED: u64 = 1;

/// The trace sources to offer: the study's presets, the CSV files in
/// `traces/` under the current folder, and `first` when it is none of
/// those. Returns the list and the index of `first`.
pub fn sources(first: &Source) -> (Vec<Source>, usize) {
    let mut list: Vec<Source> = Preset::ALL.into_iter().map(Source::Preset).collect();
    list.extend(trace_files(Path::new("traces")));
    let i = match list.iter().position(|s| same_source(s, first)) {
        Some(i) => i,
        None => {
            list.push(first.clone());
            list.len() - 1
        }
    };
    (list, i)
}

/// Two sources name the same trace (files compared by their resolved path).
fn same_source(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::File(x), Source::File(y)) => {
            x == y || matches!((x.canonicalize(), y.canonicalize()), (Ok(p), Ok(q)) if p == q)
        }
        _ => a == b,
    }
}

/// The `.csv` files of a folder, sorted by name (none when it cannot be read).
fn trace_files(dir: &Path) -> Vec<Source> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files.into_iter().map(Source::File).collect()
}

/// The demo: the bundled MobileNetV2 profile, workload-120 and the built-in
/// `current` prices ([`crate::demo::demo_inputs`]), opened on
/// the recommendation. The trace is the workload-120 preset with the same
/// seed, so the workload screen can switch away from it and back.
pub fn demo_setup() -> anyhow::Result<Setup> {
    let (profile, _, snapshot) = crate::demo::demo_inputs()?;
    let (sources, first_source) = sources(&Source::Preset(Preset::Workload120));
    Ok(Setup {
        profile: Some(Arc::new(profile)),
        profiling: None,
        sources,
        first_source,
        snapshot: snapshot.name,
        offers: Arc::new(snapshot.offers),
        constraints: Constraints::default(),
        seed: DEMO_SEED,
        screen: Screen::Recommend,
    })
}

/// Opens the app on a setup (the demo's, or one built from files).
pub fn run_demo(setup: Setup) -> anyhow::Result<()> {
    run(setup, None).map(|_| ())
}

/// Profiles a model with the profile screen showing progress, saves the
/// profile, then goes on with workload-120 and the `current` prices.
///
/// Returns the profile when it was measured; `None` when the user quit first.
pub fn run_profile(job: ProfileJob) -> anyhow::Result<Option<Arc<crate::profile::Profile>>> {
    let mut setup = demo_setup()?;
    setup.profile = None;
    setup.profiling = Some((
        job.options.model.display().to_string(),
        job.out.display().to_string(),
    ));
    setup.screen = Screen::Profile;
    let state = run(setup, Some(job))?;
    if let Some(live) = state.profile.live.as_ref() {
        if let Some(e) = &live.error {
            // The same message and exit code as without the screen.
            if live.exit_code == crate::error::EXIT_BAD_INPUT {
                return Err(crate::error::bad_input(e.clone()));
            }
            anyhow::bail!("{e}");
        }
    }
    Ok(state.profile.profile)
}
