//! Progress of a measurement: the events a bar or a screen shows, and an
//! estimate of the time left built from what each kind of step costs.
//!
//! Steps differ a lot in length (a cold-start probe takes a fraction of a
//! second, a latency point up to its time cap), so the estimate does not
//! divide elapsed time by steps done: it predicts each remaining step from
//! the latest measured time per item and the run budget.

use super::warm::Budget;
use std::time::{Duration, Instant};

/// Progress of a measurement, for a bar or a screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent {
    /// What is being measured now, e.g. "latency: 2 threads, batch 8".
    pub phase: String,
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// Estimated time left, once there is something to estimate from.
    pub eta: Option<Duration>,
    /// Something to tell the user now (a fallback, an assumption), if any.
    pub notice: Option<String>,
}

/// One step of a measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// A fresh-process cold start.
    Probe,
    /// A latency point at this batch size.
    Point(u32),
    /// One optimisation level at this batch size.
    Opt(u32),
    /// The reference probe (both workloads).
    Reference,
}

/// Tracks the steps and forwards events to the caller's sink.
pub struct Steps<'a> {
    steps: Vec<Step>,
    done: usize,
    started: Instant,
    probe_s: Option<f64>,
    item_ms: Option<f64>,
    budget: Budget,
    quick: Budget,
    sink: &'a mut dyn FnMut(ProgressEvent),
}

impl<'a> Steps<'a> {
    /// Steps to run in order, the budgets of latency points and of the
    /// optimisation comparison, and where events go.
    pub fn new(
        steps: Vec<Step>,
        budget: Budget,
        quick: Budget,
        sink: &'a mut dyn FnMut(ProgressEvent),
    ) -> Self {
        Steps {
            steps,
            done: 0,
            started: Instant::now(),
            probe_s: None,
            item_ms: None,
            budget,
            quick,
            sink,
        }
    }

    /// Announces the next step.
    pub fn begin(&mut self, phase: String) {
        self.started = Instant::now();
        let eta = self.eta();
        (self.sink)(ProgressEvent {
            phase,
            done: self.done as u32,
            total: self.steps.len() as u32,
            eta,
            notice: None,
        });
    }

    /// Passes a message to the user without changing progress.
    pub fn notice(&mut self, text: String) {
        (self.sink)(ProgressEvent {
            phase: String::new(),
            done: self.done as u32,
            total: self.steps.len() as u32,
            eta: None,
            notice: Some(text),
        });
    }

    /// Marks the current step done; `item_ms` is what it measured per item
    /// (one run divided by its batch), when it measured that.
    pub fn finish(&mut self, item_ms: Option<f64>) {
        if let Some(Step::Probe) = self.steps.get(self.done) {
            let took = self.started.elapsed().as_secs_f64();
            self.probe_s = Some(self.probe_s.map_or(took, |p| (p + took) / 2.0));
        }
        if let Some(ms) = item_ms.filter(|m| m.is_finite() && *m > 0.0) {
            self.item_ms = Some(ms);
        }
        self.done += 1;
    }

    /// The time the remaining steps should take, once a run has been timed.
    pub fn eta(&self) -> Option<Duration> {
        let item_ms = self.item_ms?;
        let secs: f64 = self.steps[self.done..]
            .iter()
            .map(|s| match s {
                Step::Probe => self.probe_s.unwrap_or(1.0),
                Step::Point(b) => point_secs(&self.budget, item_ms * *b as f64),
                Step::Opt(b) => point_secs(&self.quick, item_ms * *b as f64),
                // Two workloads at most 3 s each, plus their sessions.
                Step::Reference => 5.0,
            })
            .sum();
        Some(Duration::from_secs_f64(secs))
    }
}

/// Expected seconds of a latency measurement whose runs take `run_ms`: the
/// warm-up and the runs the budget asks for.
pub fn point_secs(budget: &Budget, run_ms: f64) -> f64 {
    let run_s = run_ms / 1e3;
    let warmup = if run_s > 0.25 { run_s } else { 3.0 * run_s };
    let want = (budget.min_runs as f64 * run_s).max(budget.min_time.as_secs_f64());
    let floor = budget.floor_runs as f64 * run_s;
    let capped = want.min(budget.max_time.as_secs_f64()).max(floor);
    warmup + capped.min(budget.max_runs as f64 * run_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_time_follows_the_budget() {
        let b = Budget::LATENCY;
        // Fast model: the 2 s minimum dominates.
        assert!((point_secs(&b, 1.0) - 2.003).abs() < 1e-9);
        // 100 ms runs: 30 runs = 3 s.
        assert!((point_secs(&b, 100.0) - 3.3).abs() < 1e-9);
        // 1 s runs: capped at 10 s, plus one warm-up run.
        assert!((point_secs(&b, 1000.0) - 11.0).abs() < 1e-9);
        // 5 s runs: the 5-run floor beats the cap.
        assert!((point_secs(&b, 5000.0) - 30.0).abs() < 1e-9);
        assert!((point_secs(&Budget::exactly(5), 10.0) - 0.08).abs() < 1e-9);
    }

    #[test]
    fn eta_needs_a_timed_run_then_sums_the_remaining_steps() {
        let mut events = Vec::new();
        let mut sink = |e: ProgressEvent| events.push(e);
        let mut s = Steps::new(
            vec![Step::Probe, Step::Point(1), Step::Point(2)],
            Budget::exactly(10),
            Budget::QUICK,
            &mut sink,
        );
        s.begin("probe".into());
        assert_eq!(s.eta(), None);
        s.finish(Some(10.0));
        let eta = s.eta().unwrap().as_secs_f64();
        // Point(1): 3 warm-ups + 10 runs of 10 ms; Point(2): same at 20 ms.
        assert!((eta - (0.13 + 0.26)).abs() < 1e-6, "{eta}");
        s.begin("point".into());
        drop(s);
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].done, 1);
        assert_eq!(events[1].total, 3);
        assert!(events[1].eta.is_some());
    }
}
