//! The profile screen's data: the model's profile, or the profiling run.

use super::{Effect, State};
use crate::profile::{Profile, ProgressEvent};
use std::sync::Arc;

/// Live profiling, as the profile screen shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveProfile {
    /// The model file being measured.
    pub model: String,
    /// Where the profile is saved when done.
    pub out: String,
    /// The step now running.
    pub phase: String,
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// Estimated time left, s.
    pub eta_s: Option<f64>,
    /// Things the profiler told the user (fallbacks, assumptions).
    pub notices: Vec<String>,
    /// Set when profiling ended, well or not.
    pub finished: bool,
    /// Why profiling failed.
    pub error: Option<String>,
    /// The exit code of the failure (2 for bad input), so the command ends
    /// as it would without the screen.
    pub exit_code: i32,
}

/// The profile screen's data.
#[derive(Debug, Clone, Default)]
pub struct ProfileView {
    /// The measured model, once known.
    pub profile: Option<Arc<Profile>>,
    /// Live profiling, when the app measures the model itself.
    pub live: Option<LiveProfile>,
}

impl State {
    pub(super) fn profile_progress(&mut self, e: ProgressEvent) {
        let Some(live) = self.profile.live.as_mut() else {
            return;
        };
        if let Some(n) = e.notice {
            live.notices.push(n);
            return;
        }
        live.phase = e.phase;
        live.done = e.done;
        live.total = e.total;
        live.eta_s = e.eta.map(|d| d.as_secs_f64());
    }

    pub(super) fn profiled(&mut self, result: Result<Arc<Profile>, (String, i32)>) -> Vec<Effect> {
        let live = self.profile.live.get_or_insert_with(LiveProfile::default);
        live.finished = true;
        match result {
            Ok(p) => {
                live.done = live.total;
                live.eta_s = None;
                live.phase = "done".into();
                let saved = format!("profile saved to {}", live.out);
                self.profile.profile = Some(p);
                self.say(&saved, false);
                self.simulate()
            }
            Err((e, code)) => {
                live.error = Some(e.clone());
                live.exit_code = code;
                self.say(
                    "profiling failed, nothing saved (why: on the Profile screen)",
                    true,
                );
                Vec::new()
            }
        }
    }
}
