//! The comparison screen's data: every offer's outcome, sorted.

use super::super::action::Action;
use super::{Effect, State};
use crate::outcome::Outcome;
use std::collections::BTreeMap;

/// Columns the comparison can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Cost per month (from the advice; offers without one last).
    Month,
    /// Cost of the run.
    Cost,
    /// Mean latency.
    Avg,
    /// 95th percentile latency.
    P95,
    /// 99th percentile latency.
    P99,
    /// Success ratio.
    Success,
    /// Requests that waited for a cold start.
    ColdStarts,
    /// Instances started.
    Instances,
    /// Offer id.
    Offer,
}

impl SortKey {
    /// Every key, in the order `o` cycles through.
    pub const ALL: [SortKey; 9] = [
        SortKey::Month,
        SortKey::Cost,
        SortKey::Avg,
        SortKey::P95,
        SortKey::P99,
        SortKey::Success,
        SortKey::ColdStarts,
        SortKey::Instances,
        SortKey::Offer,
    ];

    /// The column's title.
    pub fn title(self) -> &'static str {
        match self {
            SortKey::Month => "per month",
            SortKey::Cost => "run cost",
            SortKey::Avg => "avg",
            SortKey::P95 => "p95",
            SortKey::P99 => "p99",
            SortKey::Success => "success",
            SortKey::ColdStarts => "cold",
            SortKey::Instances => "inst",
            SortKey::Offer => "offer",
        }
    }

    fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    /// Orders two outcomes by this key, ascending (better first for
    /// success: higher ratios come first, as with every other key's "best").
    fn cmp(self, a: &Outcome, b: &Outcome, month: &BTreeMap<String, f64>) -> std::cmp::Ordering {
        let f = |x: f64, y: f64| x.total_cmp(&y);
        match self {
            SortKey::Month => {
                let m = |o: &Outcome| month.get(&o.offer).copied().unwrap_or(f64::INFINITY);
                f(m(a), m(b))
            }
            SortKey::Cost => f(a.cost_usd, b.cost_usd),
            SortKey::Avg => f(a.avg_latency_s, b.avg_latency_s),
            SortKey::P95 => f(a.p95_latency_s, b.p95_latency_s),
            SortKey::P99 => f(a.p99_latency_s, b.p99_latency_s),
            SortKey::Success => f(b.success_ratio, a.success_ratio),
            SortKey::ColdStarts => a.cold_starts.cmp(&b.cold_starts),
            SortKey::Instances => a.instances_created.cmp(&b.instances_created),
            SortKey::Offer => a.offer.cmp(&b.offer),
        }
    }
}

/// The comparison screen's data.
#[derive(Debug, Clone)]
pub struct CompareView {
    /// Outcomes in offer order.
    pub outcomes: Vec<Outcome>,
    /// Cost per month of each offer as configured (its default option in
    /// the advice), by offer id.
    pub month: BTreeMap<String, f64>,
    /// Indices into `outcomes` in display order.
    pub order: Vec<usize>,
    /// The sort column.
    pub sort: SortKey,
    /// Whether the sort is reversed.
    pub reversed: bool,
    /// Position of the selected row in `order`.
    pub cursor: usize,
    /// Whether the selected offer's detail is shown.
    pub detail: bool,
    /// Offers simulated / in all, while a simulation runs.
    pub progress: Option<(usize, usize)>,
    /// Why the last simulation failed.
    pub error: Option<String>,
}

impl CompareView {
    pub(super) fn new() -> Self {
        CompareView {
            outcomes: Vec::new(),
            month: BTreeMap::new(),
            order: Vec::new(),
            sort: SortKey::Month,
            reversed: false,
            cursor: 0,
            detail: false,
            progress: None,
            error: None,
        }
    }

    /// The outcome under the cursor.
    pub fn selected(&self) -> Option<&Outcome> {
        self.order
            .get(self.cursor)
            .and_then(|&i| self.outcomes.get(i))
    }

    /// The outcomes in display order.
    pub fn rows(&self) -> impl Iterator<Item = &Outcome> {
        self.order.iter().map(|&i| &self.outcomes[i])
    }

    /// Sorts again, keeping the same offer under the cursor (a cursor on
    /// the first row stays there: the top is where a new order is read).
    pub(super) fn resort(&mut self) {
        let keep = self
            .selected()
            .filter(|_| self.cursor > 0)
            .map(|o| o.offer.clone());
        let mut order: Vec<usize> = (0..self.outcomes.len()).collect();
        let (outcomes, key, month) = (&self.outcomes, self.sort, &self.month);
        order.sort_by(|&a, &b| {
            let o = key.cmp(&outcomes[a], &outcomes[b], month);
            let o = o.then_with(|| outcomes[a].offer.cmp(&outcomes[b].offer));
            if self.reversed {
                o.reverse()
            } else {
                o
            }
        });
        self.order = order;
        self.cursor = keep
            .and_then(|id| self.rows().position(|o| o.offer == id))
            .unwrap_or(0);
    }
}

impl State {
    /// Sorting, and the simulation's progress and outcomes.
    pub(super) fn compare_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextSort => {
                self.compare.sort = self.compare.sort.next();
                self.compare.reversed = false;
                self.compare.resort();
                Vec::new()
            }
            Action::ReverseSort => {
                self.compare.reversed = !self.compare.reversed;
                self.compare.resort();
                Vec::new()
            }
            Action::SimProgress {
                generation,
                done,
                total,
            } => {
                if generation == self.sim_generation {
                    self.compare.progress = Some((done, total));
                }
                Vec::new()
            }
            Action::Simulated { generation, result } => {
                if generation != self.sim_generation {
                    return Vec::new();
                }
                self.compare.progress = None;
                match result {
                    Ok(outcomes) => {
                        self.compare.error = None;
                        self.compare.outcomes = outcomes;
                        self.compare.resort();
                    }
                    Err(e) => {
                        self.say(&format!("simulation: {e}"), true);
                        self.compare.error = Some(e);
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Starts simulating when both the model and the trace are there.
    pub(super) fn simulate(&mut self) -> Vec<Effect> {
        let (Some(profile), Some(loaded)) = (&self.profile.profile, &self.workload.loaded) else {
            return Vec::new();
        };
        self.sim_generation += 1;
        self.compare.progress = Some((0, self.offers.len()));
        let mut effects = vec![Effect::Simulate {
            generation: self.sim_generation,
            profile: profile.clone(),
            trace: loaded.trace.clone(),
            offers: self.offers.clone(),
            seed: self.seed,
        }];
        effects.extend(self.advise());
        effects
    }
}
