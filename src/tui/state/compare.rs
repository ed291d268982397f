//! The comparison screen's data: every offer's outcome, sorted.

use super::super::action::Action;
use super::{Effect, State};
use crate::advise::Ranked;
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

    /// Orders two rows by this key, ascending (better first for success:
    /// higher ratios come first, as with every other key's "best").
    fn cmp(self, a: &Row, b: &Row) -> std::cmp::Ordering {
        let f = |x: f64, y: f64| x.total_cmp(&y);
        match self {
            SortKey::Month => f(
                a.month.unwrap_or(f64::INFINITY),
                b.month.unwrap_or(f64::INFINITY),
            ),
            SortKey::Cost => f(a.cost_usd, b.cost_usd),
            SortKey::Avg => f(a.avg_s, b.avg_s),
            SortKey::P95 => f(a.p95_s, b.p95_s),
            SortKey::P99 => f(a.p99_s, b.p99_s),
            SortKey::Success => f(b.success, a.success),
            SortKey::ColdStarts => a.cold_starts.cmp(&b.cold_starts),
            SortKey::Instances => a.instances.cmp(&b.instances),
            SortKey::Offer => a.id.cmp(&b.id),
        }
    }
}

/// One row of the table: an offer as configured, or an option the advice
/// considered (a memory size, batching, instance count of an offer).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The offer id, or the option's id (`aws-lambda-arm64@256mb`).
    pub id: String,
    /// The option in a table cell's few words (the offer id for an offer).
    pub brief: String,
    /// The option in words (the offer id for an offer: the screen looks
    /// its catalogue name up).
    pub name: String,
    /// The offer it belongs to.
    pub offer: String,
    /// Platform kind.
    pub kind: String,
    /// Cost per month, when the advice has it.
    pub month: Option<f64>,
    /// Cost of the run, USD.
    pub cost_usd: f64,
    /// Mean latency, s.
    pub avg_s: f64,
    /// 95th percentile latency, s.
    pub p95_s: f64,
    /// 99th percentile latency, s.
    pub p99_s: f64,
    /// Success ratio.
    pub success: f64,
    /// Requests that waited for a cold start.
    pub cold_starts: u64,
    /// Instances started.
    pub instances: u64,
    /// Whether the advice found it meets every target (options only; offers
    /// are checked against the targets on screen).
    pub meets: Option<bool>,
    /// Index into the outcomes, for an offer row (its detail over time).
    pub outcome: Option<usize>,
}

impl Row {
    fn of_outcome(i: usize, o: &Outcome, month: &BTreeMap<String, f64>) -> Row {
        Row {
            id: o.offer.clone(),
            brief: o.offer.clone(),
            name: o.offer.clone(),
            offer: o.offer.clone(),
            kind: o.kind.clone(),
            month: month.get(&o.offer).copied(),
            cost_usd: o.cost_usd,
            avg_s: o.avg_latency_s,
            p95_s: o.p95_latency_s,
            p99_s: o.p99_latency_s,
            success: o.success_ratio,
            cold_starts: o.cold_starts,
            instances: o.instances_created,
            meets: None,
            outcome: Some(i),
        }
    }

    /// An option of the advice as a row.
    pub fn of_ranked(r: &Ranked) -> Row {
        Row {
            id: r.id.clone(),
            brief: crate::present::brief(r),
            name: crate::present::readable(r),
            offer: r.offer.clone(),
            kind: r.kind.clone(),
            month: Some(r.cost_per_month_usd),
            cost_usd: r.cost_per_trace_usd,
            avg_s: r.avg_latency_s,
            p95_s: r.p95_latency_s,
            p99_s: r.p99_latency_s,
            success: r.success_ratio,
            cold_starts: r.cold_starts,
            instances: r.instances_created,
            meets: Some(r.meets_slo),
            outcome: None,
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
    /// Every option the advice considered, in its order.
    pub options: Vec<Row>,
    /// The recommended option's id, once advised.
    pub best: Option<String>,
    /// Whether the table shows the advice's options instead of the offers.
    pub show_options: bool,
    /// The rows shown, in display order.
    pub table: Vec<Row>,
    /// The sort column.
    pub sort: SortKey,
    /// Whether the sort is reversed.
    pub reversed: bool,
    /// Position of the selected row in `table`.
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
            options: Vec::new(),
            best: None,
            show_options: false,
            table: Vec::new(),
            sort: SortKey::Month,
            reversed: false,
            cursor: 0,
            detail: false,
            progress: None,
            error: None,
        }
    }

    /// The outcome under the cursor (offer rows only: options have no series).
    pub fn selected(&self) -> Option<&Outcome> {
        self.table
            .get(self.cursor)
            .and_then(|r| r.outcome)
            .and_then(|i| self.outcomes.get(i))
    }

    /// The rows in display order.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.table.iter()
    }

    /// Sorts again, keeping the same row under the cursor (a cursor on
    /// the first row stays there: the top is where a new order is read).
    pub(super) fn resort(&mut self) {
        let keep = self
            .table
            .get(self.cursor)
            .filter(|_| self.cursor > 0)
            .map(|r| r.id.clone());
        let mut table: Vec<Row> = if self.show_options {
            self.options.clone()
        } else {
            let mut rows: Vec<Row> = self
                .outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| Row::of_outcome(i, o, &self.month))
                .collect();
            // A recommended variant (a memory size, batching, a kept-warm
            // count) is not an offer as configured; it joins the offers so
            // the mark sits on what to buy, not on its offer's default.
            let variant = self
                .best
                .as_deref()
                .filter(|id| !rows.iter().any(|r| r.id == *id))
                .and_then(|id| self.options.iter().find(|r| r.id == id));
            rows.extend(variant.cloned());
            rows
        };
        let key = self.sort;
        table.sort_by(|a, b| {
            let o = key.cmp(a, b).then_with(|| a.id.cmp(&b.id));
            if self.reversed {
                o.reverse()
            } else {
                o
            }
        });
        self.table = table;
        self.cursor = keep
            .and_then(|id| self.table.iter().position(|r| r.id == id))
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
            Action::ToggleOptions => {
                if self.compare.options.is_empty() {
                    self.say("the options appear once the advice is ready", false);
                    return Vec::new();
                }
                self.compare.show_options = !self.compare.show_options;
                self.compare.detail = false;
                self.compare.cursor = 0;
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
