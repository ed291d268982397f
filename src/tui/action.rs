//! What can happen to the app: a key the user pressed, translated, or a
//! result a background job sent back.
//!
//! Keys become actions in [`crate::tui::keys`]; jobs send actions through
//! the app's channel. [`crate::tui::state::State::update`] is the only place
//! that turns an action into a new state.

use crate::outcome::Outcome;
use crate::profile::{Profile, ProgressEvent};
use crate::workload::{Trace, TraceStats};
use std::path::PathBuf;
use std::sync::Arc;

/// The screens, in tab order (the flow of data: model, load, outcomes, advice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// The measured model: live progress, summary, cold start, latency.
    Profile,
    /// The trace: rate over time, statistics, source and rate scale.
    Workload,
    /// Every offer's outcome, sortable, with a detail view.
    Compare,
    /// Cost and latency by batch size.
    Batching,
    /// Cost and latency by serverless memory size.
    Memory,
    /// Monthly cost against a steady rate, and where options cross.
    BreakEven,
    /// The verdict and why.
    Recommend,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Screen; 7] = [
        Screen::Profile,
        Screen::Workload,
        Screen::Compare,
        Screen::Batching,
        Screen::Memory,
        Screen::BreakEven,
        Screen::Recommend,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Profile => "Profile",
            Screen::Workload => "Workload",
            Screen::Compare => "Compare",
            Screen::Batching => "Batching",
            Screen::Memory => "Memory",
            Screen::BreakEven => "Break-even",
            Screen::Recommend => "Recommend",
        }
    }

    /// Position in tab order.
    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The screen `step` tabs away, wrapping around.
    pub fn step(self, step: isize) -> Screen {
        let n = Screen::ALL.len() as isize;
        Screen::ALL[(self.index() as isize + step).rem_euclid(n) as usize]
    }
}

/// Where a trace comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// One of the study's workloads, generated with the session's seed.
    Preset(crate::workload::generate::Preset),
    /// A trace CSV.
    File(PathBuf),
}

impl Source {
    /// The name shown in lists and reports (a preset's name, a file's name).
    pub fn label(&self) -> String {
        match self {
            Source::Preset(p) => p.name().to_string(),
            Source::File(f) => f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.display().to_string()),
        }
    }
}

/// A trace loaded (and rate-scaled) by a background job.
#[derive(Debug, Clone)]
pub struct LoadedTrace {
    /// The arrivals, scaled.
    pub trace: Arc<Trace>,
    /// Their statistics.
    pub stats: TraceStats,
    /// Warnings from reading it (an unsorted file).
    pub warnings: Vec<String>,
}

/// Files about to be written, some of which exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overwrite {
    /// Every file the export writes.
    pub paths: Vec<PathBuf>,
    /// Those that exist already.
    pub existing: Vec<PathBuf>,
}

/// A direction to move a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One up.
    Up,
    /// One down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// To the first.
    First,
    /// To the last.
    Last,
}

/// Something that changes the state.
#[derive(Debug, Clone)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Show the next (`1`) or previous (`-1`) screen.
    Tab(isize),
    /// Show this screen.
    Go(Screen),
    /// Move the selection of the current screen.
    Move(Move),
    /// Open the selection (the offer's detail, the trace source).
    Enter,
    /// Close the topmost thing: an overlay, then a detail view.
    Back,
    /// Show or hide the key help.
    ToggleHelp,
    /// Compare: sort by the next column.
    NextSort,
    /// Compare: reverse the sort.
    ReverseSort,
    /// Compare: switch between the offers as configured and every option the advice considered.
    ToggleOptions,
    /// Workload: the next larger (`1`) or smaller (`-1`) rate scale.
    Scale(isize),
    /// Open the constraint form.
    EditConstraints,
    /// A key typed into the open form.
    FormChar(char),
    /// Delete the character before the cursor in the form.
    FormBackspace,
    /// Move to the next (`1`) or previous (`-1`) field of the form.
    FormField(isize),
    /// Apply the form.
    FormSubmit,
    /// Write the report.
    Export,
    /// Answer to "overwrite?".
    Confirm(bool),
    /// Time passed (drives spinners while jobs run).
    Tick,
    /// The terminal has this size now (columns, rows).
    Resize(u16, u16),
    /// A profiling step started or passed a notice.
    ProfileProgress(ProgressEvent),
    /// Profiling ended: the profile, or why not and its exit code.
    Profiled(Result<Arc<Profile>, (String, i32)>),
    /// A trace for generation `gen` was loaded.
    TraceLoaded {
        /// Which request this answers.
        generation: u64,
        /// The trace, or why it could not be loaded.
        result: Result<LoadedTrace, String>,
    },
    /// One more offer of generation `gen` was simulated.
    SimProgress {
        /// Which request this answers.
        generation: u64,
        /// Offers simulated so far.
        done: usize,
        /// Offers in all.
        total: usize,
    },
    /// The outcomes of generation `gen`.
    Simulated {
        /// Which request this answers.
        generation: u64,
        /// The outcomes in offer order, or why the simulation failed.
        result: Result<Vec<Outcome>, String>,
    },
    /// The advice of generation `gen`.
    Advised {
        /// Which request this answers.
        generation: u64,
        /// The advice, or why it could not be computed.
        result: Result<Arc<crate::advise::Advice>, String>,
    },
    /// The report was written, or could not be.
    Exported(Result<Vec<PathBuf>, String>),
    /// A report file exists already: ask before overwriting.
    AskOverwrite(Overwrite),
    /// A background job panicked: the app closes and reports it.
    Fatal(String),
}
