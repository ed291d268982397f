//! The workload screen's data: the trace sources, the one loaded and its
//! rate scale.

use super::super::action::{Action, LoadedTrace, Screen, Source};
use super::{Effect, State, SCALES};

/// The workload screen's data.
#[derive(Debug, Clone)]
pub struct WorkloadView {
    /// Sources to choose from.
    pub sources: Vec<Source>,
    /// The source loaded (or loading).
    pub active: usize,
    /// The source under the cursor.
    pub cursor: usize,
    /// Index into [`SCALES`].
    pub scale: usize,
    /// The loaded trace.
    pub loaded: Option<LoadedTrace>,
    /// Whether a load is running.
    pub loading: bool,
    /// Why the last load failed.
    pub error: Option<String>,
}

impl WorkloadView {
    /// The rate factor in use.
    pub fn scale_factor(&self) -> f64 {
        SCALES[self.scale]
    }

    /// The name of the active source, with its scale when not 1.
    pub fn name(&self) -> String {
        let base = self
            .sources
            .get(self.active)
            .map(Source::label)
            .unwrap_or_default();
        if self.scale_factor() == 1.0 {
            base
        } else {
            format!("{base} x{}", self.scale_factor())
        }
    }
}

impl State {
    /// A trace arrived, or the rate scale changed.
    pub(super) fn workload_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Scale(_) if self.screen != Screen::Workload => Vec::new(),
            Action::Scale(step) => {
                let next = (self.workload.scale as isize + step).clamp(0, SCALES.len() as isize - 1)
                    as usize;
                if next == self.workload.scale {
                    return Vec::new();
                }
                self.workload.scale = next;
                self.load_trace()
            }
            Action::TraceLoaded { generation, result } => {
                if generation != self.trace_generation {
                    return Vec::new();
                }
                self.workload.loading = false;
                match result {
                    Ok(loaded) => {
                        for w in &loaded.warnings {
                            self.say(w, false);
                        }
                        self.workload.error = None;
                        self.workload.loaded = Some(loaded);
                        self.simulate()
                    }
                    Err(e) => {
                        self.say(&format!("trace: {e}"), true);
                        self.workload.error = Some(e);
                        Vec::new()
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    /// Starts loading the active source at the chosen scale.
    pub(super) fn load_trace(&mut self) -> Vec<Effect> {
        let Some(source) = self.workload.sources.get(self.workload.active).cloned() else {
            return Vec::new();
        };
        self.trace_generation += 1;
        self.workload.loading = true;
        vec![Effect::LoadTrace {
            generation: self.trace_generation,
            source,
            scale: self.workload.scale_factor(),
            seed: self.seed,
        }]
    }
}
