//! The app's state and its one update function.
//!
//! [`State::update`] takes an [`Action`] and changes the state; anything
//! slow it needs done (load a trace, simulate, advise, write a report) comes
//! back as an [`Effect`] for the app loop to run on a background thread.
//! Nothing here touches the terminal, the clock or the file system, so the
//! whole navigation is testable as plain data.

mod advice;
mod compare;
mod effects;
mod navigation;
mod overlays;
mod profile;
mod setup;
mod workload;

pub use advice::AdviceView;
pub use compare::{CompareView, Row, SortKey};
pub use effects::Effect;
pub use overlays::Overlay;
pub use profile::{LiveProfile, ProfileView};
pub use setup::Setup;
pub use workload::WorkloadView;

use super::action::{Action, Screen};
use crate::advise::Constraints;
use crate::pricing::Offer;
use std::sync::Arc;

/// Ticks per second of the app loop (spinners and elapsed times).
pub const TICKS_PER_S: u64 = 10;

/// Rate scales the workload screen steps through.
pub const SCALES: [f64; 9] = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0];
/// Rows a page move skips.
const PAGE: usize = 10;

/// A line of news for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// Everything the screens draw.
#[derive(Debug, Clone)]
pub struct State {
    /// The screen shown.
    pub screen: Screen,
    /// What is drawn over it.
    pub overlay: Overlay,
    /// Set when the user asked to leave.
    pub quit: bool,
    /// Set when a background job panicked: the app closes with this message.
    pub fatal: Option<String>,
    /// Ticks seen (spinner frames).
    pub tick: u64,
    /// The terminal's size (columns, rows), for scroll limits.
    pub size: (u16, u16),
    /// The last piece of news.
    pub status: Option<Status>,
    /// The model.
    pub profile: ProfileView,
    /// The load.
    pub workload: WorkloadView,
    /// The outcomes.
    pub compare: CompareView,
    /// The decision.
    pub advice: AdviceView,
    /// Selection of the batching screen (which sweep).
    pub batching_cursor: usize,
    /// Selection of the memory screen (which offer's sweep).
    pub memory_cursor: usize,
    /// First line shown of the recommendation screen.
    pub recommend_scroll: usize,
    /// First line shown of the break-even screen's options and crossovers.
    pub breakeven_scroll: usize,
    /// The targets.
    pub constraints: Constraints,
    /// Price snapshot name.
    pub snapshot: String,
    /// The offers.
    pub offers: Arc<Vec<Offer>>,
    /// Seed of generated traces, scaling and simulations.
    pub seed: u64,
    /// Tag of the latest trace request; older answers are dropped.
    pub trace_generation: u64,
    /// Tag of the latest simulation request; older answers are dropped.
    pub sim_generation: u64,
    /// Tag of the latest advice request; older answers are dropped.
    pub advice_generation: u64,
    /// The folder `e` writes the report into.
    pub reports_dir: std::path::PathBuf,
}

impl State {
    /// The state at start; the effects load the first trace.
    pub fn new(setup: Setup) -> (State, Vec<Effect>) {
        let live = setup.profiling.map(|(model, out)| LiveProfile {
            model,
            out,
            phase: "starting".into(),
            ..LiveProfile::default()
        });
        let scale = SCALES.iter().position(|s| *s == 1.0).unwrap_or(0);
        let mut state = State {
            screen: setup.screen,
            overlay: Overlay::None,
            quit: false,
            fatal: None,
            tick: 0,
            size: (80, 24),
            status: None,
            profile: ProfileView {
                profile: setup.profile,
                live,
            },
            workload: WorkloadView {
                active: setup
                    .first_source
                    .min(setup.sources.len().saturating_sub(1)),
                cursor: setup
                    .first_source
                    .min(setup.sources.len().saturating_sub(1)),
                sources: setup.sources,
                scale,
                loaded: None,
                loading: false,
                error: None,
            },
            compare: CompareView::new(),
            advice: AdviceView::default(),
            batching_cursor: 0,
            memory_cursor: 0,
            recommend_scroll: 0,
            breakeven_scroll: 0,
            constraints: setup.constraints,
            snapshot: setup.snapshot,
            offers: setup.offers,
            seed: setup.seed,
            trace_generation: 0,
            sim_generation: 0,
            advice_generation: 0,
            reports_dir: reports_dir(),
        };
        let effects = state.load_trace();
        (state, effects)
    }

    /// The targets the advice works to: those set, with the advice's stated
    /// default p95 when no latency target is set (see `advise::target`).
    pub fn targets(&self) -> Constraints {
        match &self.profile.profile {
            Some(p) => crate::advise::target::with_default(&self.constraints, p),
            None => self.constraints.clone(),
        }
    }

    /// Whether background work is running (the loop ticks only then).
    pub fn busy(&self) -> bool {
        self.workload.loading
            || self.compare.progress.is_some()
            || self.advice.running
            || self.profile.live.as_ref().is_some_and(|l| !l.finished)
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        // News stays until the user moves on.
        if matches!(
            action,
            Action::Tab(_)
                | Action::Go(_)
                | Action::Move(_)
                | Action::Enter
                | Action::Back
                | Action::NextSort
                | Action::ReverseSort
                | Action::ToggleOptions
                | Action::Scale(_)
        ) {
            self.status = None;
        }
        match action {
            Action::Quit
            | Action::Fatal(_)
            | Action::Tick
            | Action::Resize(..)
            | Action::Back
            | Action::Tab(_)
            | Action::Go(_)
            | Action::Move(_)
            | Action::Enter => self.navigation_action(action),
            Action::ToggleHelp
            | Action::EditConstraints
            | Action::FormChar(_)
            | Action::FormBackspace
            | Action::FormField(_)
            | Action::FormSubmit
            | Action::Export
            | Action::AskOverwrite(_)
            | Action::Confirm(_)
            | Action::Exported(_) => self.overlay_action(action),
            Action::Scale(_) | Action::TraceLoaded { .. } => self.workload_action(action),
            Action::NextSort
            | Action::ReverseSort
            | Action::ToggleOptions
            | Action::SimProgress { .. }
            | Action::Simulated { .. } => self.compare_action(action),
            Action::ProfileProgress(event) => {
                self.profile_progress(event);
                Vec::new()
            }
            Action::Profiled(result) => self.profiled(result),
            Action::Advised { .. } => self.advice_action(action),
        }
    }

    pub(super) fn say(&mut self, text: &str, error: bool) {
        self.status = Some(Status {
            // Status lines quote file names and error text from the user's files.
            text: crate::escape::escape_controls(text).into_owned(),
            error,
        });
    }
}

/// Where exports go: `$ADVISOR_REPORTS_DIR` when set (the user's choice),
/// else `$XDG_DATA_HOME/advisor/reports`, else
/// `~/.local/share/advisor/reports` (the XDG base directory default).
pub fn reports_dir() -> std::path::PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    };
    if let Some(dir) = env("ADVISOR_REPORTS_DIR") {
        return dir;
    }
    let data = env("XDG_DATA_HOME").unwrap_or_else(|| {
        env("HOME")
            .unwrap_or_else(|| std::path::PathBuf::from("."))
            .join(".local/share")
    });
    data.join("advisor").join("reports")
}
