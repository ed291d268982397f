//! The replay view's state and what changes it: pure, so it is tested
//! without a terminal.

use crate::live::progress::ReplayProgress;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// Most snapshots kept for the charts; older ones are thinned by half.
pub const MAX_HISTORY: usize = 600;

/// What the view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplayState {
    /// The endpoint.
    pub url: String,
    /// The trace file's name.
    pub trace: String,
    /// The latest snapshot.
    pub last: ReplayProgress,
    /// Earlier snapshots, oldest first, for the charts.
    pub history: Vec<ReplayProgress>,
    /// Set when the user asked the replay to stop.
    pub stopping: bool,
    /// Set when the user closed the view.
    pub quit: bool,
    /// Whether the help line is expanded.
    pub help: bool,
}

/// What can happen to the view.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayAction {
    /// A new progress snapshot.
    Snapshot(ReplayProgress),
    /// `q`, Esc or Ctrl-C: stop the replay, or close the view once it has finished.
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
}

impl ReplayState {
    /// A view of a replay of `trace` against `url`.
    pub fn new(url: &str, trace: &str) -> Self {
        ReplayState {
            url: url.to_string(),
            trace: trace.to_string(),
            ..ReplayState::default()
        }
    }

    /// Applies one action; returns true when the replay should be told to stop.
    pub fn update(&mut self, action: ReplayAction) -> bool {
        match action {
            ReplayAction::Snapshot(p) => {
                if self.history.len() >= MAX_HISTORY {
                    // Every other one: the charts keep their whole span.
                    let thinned: Vec<ReplayProgress> =
                        self.history.iter().step_by(2).copied().collect();
                    self.history = thinned;
                }
                self.history.push(p);
                self.last = p;
                false
            }
            ReplayAction::Quit if self.last.finished => {
                self.quit = true;
                false
            }
            ReplayAction::Quit => {
                let first = !self.stopping;
                self.stopping = true;
                first
            }
            ReplayAction::ToggleHelp => {
                self.help = !self.help;
                false
            }
        }
    }

    /// Share of the requests that failed so far (0 before any finished).
    pub fn error_ratio(&self) -> f64 {
        if self.last.done == 0 {
            0.0
        } else {
            self.last.failed as f64 / self.last.done as f64
        }
    }

    /// Seconds left at the trace's pace, once something was sent.
    pub fn eta_s(&self) -> Option<f64> {
        let p = &self.last;
        (p.sent > 0 && p.elapsed_s > 0.0 && !p.finished).then(|| {
            let left = p.total.saturating_sub(p.sent) as f64;
            left * p.elapsed_s / p.sent as f64
        })
    }
}

/// The action a key means in the view.
pub fn key_action(code: KeyCode, modifiers: KeyModifiers) -> Option<ReplayAction> {
    match code {
        KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => Some(ReplayAction::Quit),
        KeyCode::Char('q') | KeyCode::Esc => Some(ReplayAction::Quit),
        KeyCode::Char('?') => Some(ReplayAction::ToggleHelp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(sent: u64, done: u64, failed: u64, finished: bool) -> ReplayProgress {
        ReplayProgress {
            elapsed_s: sent as f64 / 10.0,
            total: 100,
            sent,
            done,
            succeeded: done - failed,
            failed,
            rate_rps: 10.0,
            p50_ms: 5.0,
            p99_ms: 9.0,
            send_lag_p99_ms: 0.1,
            finished,
        }
    }

    #[test]
    fn quitting_stops_the_replay_first_then_closes_the_view() {
        let mut s = ReplayState::new("http://x", "t.csv");
        s.update(ReplayAction::Snapshot(snap(40, 38, 2, false)));
        assert_eq!(s.error_ratio(), 2.0 / 38.0);
        assert!((s.eta_s().unwrap() - 6.0).abs() < 1e-9);
        assert!(
            s.update(ReplayAction::Quit),
            "the first q asks the replay to stop"
        );
        assert!(!s.update(ReplayAction::Quit), "asked once");
        assert!(!s.quit, "the view stays until the replay ends");
        s.update(ReplayAction::Snapshot(snap(41, 41, 2, true)));
        assert_eq!(s.eta_s(), None);
        s.update(ReplayAction::Quit);
        assert!(s.quit);
    }

    #[test]
    fn history_is_bounded_and_keeps_its_span() {
        let mut s = ReplayState::default();
        for i in 0..(3 * MAX_HISTORY as u64) {
            s.update(ReplayAction::Snapshot(snap(i % 100, 0, 0, false)));
        }
        assert!(s.history.len() <= MAX_HISTORY);
        assert_eq!(s.history[0].sent, 0, "the first snapshot stays");
        assert_eq!(
            key_action(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(ReplayAction::Quit)
        );
        assert_eq!(key_action(KeyCode::Char('x'), KeyModifiers::NONE), None);
    }
}
