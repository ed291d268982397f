//! Advice: simulated outcomes turned into a decision.
//!
//! [`advise`] takes a profile, a trace and a set of offers, simulates every
//! offer (with serverless memory sizes, server instance counts and batching
//! settings as variants), keeps those that meet the [`Constraints`], ranks
//! them by cost, and explains the choice: reasons with the figures they rest
//! on, a batching sweep, a memory-size sweep, break-even rates, runtime
//! suggestions and how sensitive the choice is to the CPU and the rate.
//!
//! The result, [`Advice`], is plain data (serde both ways): the TUI, the
//! report and `advisor recommend --json` all read it. Only the reasons'
//! sentences are text assembled here, and each carries its figures as fields
//! too. Every figure is modelled by the simulator.

pub mod batching;
pub mod break_even;
pub mod candidates;
pub mod explain;
pub mod memory;
pub mod month;
mod pipeline;
pub mod purchase;
pub mod rank;
pub mod reasons;
pub mod render;
pub mod runtime;
pub mod sensitivity;
pub mod target;
pub mod uncertainty;

pub use pipeline::advise;

use crate::error::bad_input;
use crate::outcome::CostBreakdown;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What every figure of an [`Advice`] is: predicted by the simulator.
pub const PROVENANCE: &str = "modelled";

/// The decision and everything that supports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Always [`PROVENANCE`]: the figures come from the simulator.
    pub provenance: String,
    /// Name of the profile the service times come from.
    pub profile: String,
    /// Price snapshot the offers come from.
    pub snapshot: String,
    /// The workload the options were simulated on.
    pub workload: WorkloadSummary,
    /// The targets an option must meet.
    pub constraints: Constraints,
    /// How a run over the trace is extrapolated to a month.
    pub month: MonthBasis,
    /// Every option simulated: those meeting the constraints first, cheapest
    /// per month first; then the others, cheapest first.
    pub ranked: Vec<Ranked>,
    /// The cheapest option that meets the constraints, if any does (a copy of its `ranked` entry).
    pub best: Option<Ranked>,
    /// Why the best is the best, in words with figures.
    pub reasons: Vec<Reason>,
    /// The best option of each group other than the best's, and why it lost.
    pub runners_up: Vec<RunnerUp>,
    /// Options no other beats on both cost per month and p95 latency, cheapest first.
    pub pareto: Vec<ParetoPoint>,
    /// Batch size x maximum wait sweeps (best serverless, and best overall when different).
    pub batching: Vec<BatchSweep>,
    /// Memory-size sweeps of the serverless offers that let memory be chosen.
    pub memory: Vec<MemorySweep>,
    /// Runtime and deployment suggestions from the profile.
    pub runtime: Vec<Suggestion>,
    /// Monthly cost of each option against a steady request rate.
    pub break_even: Vec<BreakEvenCurve>,
    /// Rates at which one option becomes cheaper than another.
    pub crossovers: Vec<Crossover>,
    /// How the best changes with a slower or faster CPU and a lower or higher rate.
    pub sensitivity: Sensitivity,
    /// Remarks on how the figures were obtained.
    pub notes: Vec<String>,
    /// The profile's warnings (noisy or implausible measurements, a missing
    /// reference probe), each with what to do about it.
    #[serde(default)]
    pub profile_warnings: Vec<String>,
    /// Ranges on the leading options' figures from the CPU sources' spread
    /// (the best first), and the sentence saying when the ranking can change.
    #[serde(default)]
    pub uncertainty: Vec<uncertainty::OptionRange>,
    /// When the ranking can change within `uncertainty`'s ranges, in words.
    #[serde(default)]
    pub uncertainty_verdict: Option<String>,
}

/// The trace, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSummary {
    /// Where the trace came from (a file name, or the preset's name).
    pub trace: String,
    /// Requests in the trace.
    pub requests: u64,
    /// Time of the last arrival, s.
    pub duration_s: f64,
    /// Mean request rate, requests per second.
    pub mean_rps: f64,
    /// Highest count in a 1-second window, per second.
    pub peak_rps: f64,
    /// Index of dispersion of the per-second counts (1 = Poisson); `None` when too short.
    pub burstiness: Option<f64>,
}

/// What the per-trace budget or the per-month budget applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPer {
    /// USD per month (730 h at the trace's mean rate).
    #[default]
    Month,
    /// USD for the run over the trace.
    Trace,
}

/// The targets an option must meet to be recommended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// Highest acceptable p95 latency, s.
    pub slo_p95_s: Option<f64>,
    /// Highest acceptable mean latency, s.
    pub slo_avg_s: Option<f64>,
    /// Lowest acceptable success ratio (0..1).
    pub min_success_ratio: f64,
    /// Most one may spend, USD per `budget_per`.
    pub budget_usd: Option<f64>,
    /// What the budget is per.
    pub budget_per: BudgetPer,
    /// Why `slo_p95_s` has its value when it is the stated default (no
    /// latency target was given; see [`target`]); `None` when the user set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo_p95_default: Option<String>,
}

/// Default lowest success ratio: one failed request in a thousand.
pub const DEFAULT_MIN_SUCCESS: f64 = 0.999;

impl Default for Constraints {
    fn default() -> Self {
        Constraints {
            slo_p95_s: None,
            slo_avg_s: None,
            min_success_ratio: DEFAULT_MIN_SUCCESS,
            budget_usd: None,
            budget_per: BudgetPer::Month,
            slo_p95_default: None,
        }
    }
}

impl Constraints {
    /// Checks the targets make sense: latencies and budget above zero, the
    /// success ratio within 0..1. A violation is bad input naming the field.
    pub fn validate(&self) -> anyhow::Result<()> {
        let positive = |name: &str, v: Option<f64>, unit: &str| match v {
            Some(x) if !(x.is_finite() && x > 0.0) => {
                Err(bad_input(format!("{name}: expected a {unit} > 0, got {x}")))
            }
            _ => Ok(()),
        };
        positive("slo_p95_s", self.slo_p95_s, "latency in seconds")?;
        positive("slo_avg_s", self.slo_avg_s, "latency in seconds")?;
        positive("budget_usd", self.budget_usd, "budget in USD")?;
        let r = self.min_success_ratio;
        if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
            return Err(bad_input(format!(
                "min_success_ratio: expected a ratio from 0 to 1, got {r}"
            )));
        }
        Ok(())
    }
}

/// How a run over the trace becomes a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthBasis {
    /// Hours in the month (the providers' 730).
    pub hours: f64,
    /// The rate the month is taken at: the trace's mean, requests per second.
    pub mean_rps: f64,
    /// Requests in such a month.
    pub requests_per_month: f64,
    /// The rule, in words, for the output.
    pub statement: String,
    /// Whether the providers' monthly free allowances (`--free-tier`) come
    /// off functions' months; left out of the JSON when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub free_tier: bool,
}

/// Which of the four families an option belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Functions and request-billed containers.
    Serverless,
    /// Managed ML endpoints on CPU instances.
    Managed,
    /// Rented CPU virtual machines.
    Server,
    /// GPU instances, rented or managed.
    Gpu,
}

impl Group {
    /// The group's name as the output prints it.
    pub fn label(self) -> &'static str {
        match self {
            Group::Serverless => "serverless",
            Group::Managed => "managed",
            Group::Server => "server",
            Group::Gpu => "GPU",
        }
    }
}

pub use crate::platform::Variant;

/// One simulated option and its scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// Unique id of the option: the offer id plus its settings, e.g. `aws-lambda-x86@1536mb`.
    pub id: String,
    /// The offer id.
    pub offer: String,
    /// The offer's human name.
    pub name: String,
    /// Platform kind: `serverless`, `managed` or `server`.
    pub kind: String,
    /// The family it competes in.
    pub group: Group,
    /// Provider (`aws`, `gcp`).
    pub cloud: String,
    /// Its settings.
    pub variant: Variant,
    /// 1-based place among the options meeting the constraints; `None` when it does not.
    pub rank: Option<u32>,
    /// Cost of the run over the trace, USD.
    pub cost_per_trace_usd: f64,
    /// Cost per million requests at the trace's mix, USD.
    pub cost_per_million_usd: f64,
    /// Cost per month, USD (see [`MonthBasis`]).
    pub cost_per_month_usd: f64,
    /// The run's cost by part, USD.
    pub cost: CostBreakdown,
    /// Mean latency of successful requests, s.
    pub avg_latency_s: f64,
    /// Median latency, s.
    pub p50_latency_s: f64,
    /// 95th percentile latency, s.
    pub p95_latency_s: f64,
    /// 99th percentile latency, s.
    pub p99_latency_s: f64,
    /// Successful / all requests.
    pub success_ratio: f64,
    /// Requests that waited for a cold start.
    pub cold_starts: u64,
    /// Instances started during the run.
    pub instances_created: u64,
    /// Most instances alive at once.
    pub peak_instances: u64,
    /// Instances alive on average (time-weighted).
    pub avg_instances: f64,
    /// Busy time / billed time (0..1).
    pub utilisation: f64,
    /// Whether it meets every constraint.
    pub meets_slo: bool,
    /// Why it does not (empty when it does).
    pub why_not: Vec<Reason>,
    /// Whether it is on the cost / p95 Pareto front.
    pub pareto: bool,
}

/// What a reason says, for screens that mark reasons by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Cheapest of those that meet the constraints.
    Cheapest,
    /// Latency within (or without) a target.
    Latency,
    /// Billed time spent idle.
    Idle,
    /// Cold starts and what they add to the tail.
    ColdStarts,
    /// Requests failed while the platform scaled out.
    ScalingDelay,
    /// Requests refused by a concurrency or scaling limit.
    Throttled,
    /// The offered load exceeded the capacity.
    Overload,
    /// p95 latency above the target.
    SloP95,
    /// Mean latency above the target.
    SloAvg,
    /// Success ratio below the minimum.
    Success,
    /// Cost above the budget.
    Budget,
    /// Costs more than the best.
    Costlier,
    /// Nothing meets the constraints.
    NoneMeets,
    /// The best changes with the CPU or the rate.
    Fragile,
    /// The best stays the best under every variation tried.
    Robust,
    /// Batching pays, or does not.
    Batching,
    /// A memory size is or is not chosen.
    Memory,
    /// Spot capacity or a commitment: what it saves and what it risks.
    Purchase,
    /// The offer serves the model only once it is compiled for its accelerator.
    Compilation,
}

/// A reason in plain words, with the figures it rests on.
///
/// `figures` names each figure with its unit in the key (`idle_ratio`,
/// `p99_latency_s`, `cost_per_month_usd`), so a screen can show the numbers
/// without parsing `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The option (a `ranked[].id`) it is about.
    pub about: String,
    /// What kind of reason it is.
    pub code: ReasonCode,
    /// The sentence.
    pub text: String,
    /// The figures in the sentence, by name.
    pub figures: BTreeMap<String, f64>,
}

/// The best of a group that is not the overall best, and why it lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerUp {
    /// The group.
    pub group: Group,
    /// Its best option (a `ranked[].id`).
    pub id: String,
    /// The offer id.
    pub offer: String,
    /// Its cost per month, USD.
    pub cost_per_month_usd: f64,
    /// Its p95 latency, s.
    pub p95_latency_s: f64,
    /// Whether it meets the constraints.
    pub meets_slo: bool,
    /// What it costs per month more than the best, USD (negative when cheaper but rejected).
    pub extra_per_month_usd: Option<f64>,
    /// Why it lost.
    pub reasons: Vec<Reason>,
}

/// One point of the cost / p95 Pareto front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoPoint {
    /// The option (a `ranked[].id`).
    pub id: String,
    /// Cost per month, USD.
    pub cost_per_month_usd: f64,
    /// p95 latency, s.
    pub p95_latency_s: f64,
    /// Whether it meets the constraints.
    pub meets_slo: bool,
}

/// One batch setting of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPoint {
    /// Requests per invocation.
    pub batch_size: u32,
    /// Longest a request waits for its batch, s.
    pub max_wait_s: f64,
    /// Cost of the run, USD.
    pub cost_per_trace_usd: f64,
    /// Cost per month, USD.
    pub cost_per_month_usd: f64,
    /// Mean latency, s.
    pub avg_latency_s: f64,
    /// 95th percentile latency, s.
    pub p95_latency_s: f64,
    /// Success ratio.
    pub success_ratio: f64,
    /// Whether it meets the constraints.
    pub meets_slo: bool,
}

/// A batch size x maximum wait sweep of one option (the study's Figure 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSweep {
    /// The option swept (a `ranked[].id`, at batch 1).
    pub id: String,
    /// The offer id.
    pub offer: String,
    /// Why this option: `best_serverless` or `best_overall`.
    pub role: String,
    /// Memory size used for the sweep, MB (serverless).
    pub memory_mb: Option<f64>,
    /// Every setting, by batch size then wait.
    pub points: Vec<BatchPoint>,
    /// No batching (batch 1).
    pub baseline: BatchPoint,
    /// The cheapest setting that meets the constraints, if any.
    pub cheapest_meeting: Option<BatchPoint>,
    /// Whether that setting is cheaper than no batching (by at least 2%).
    pub pays: bool,
    /// Its saving against no batching, 0..1 (0 when it does not pay).
    pub saving_ratio: f64,
    /// The verdict in words.
    pub verdict: Reason,
}

/// What a serving instance needs in memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    /// Peak resident memory of a serving process (runtime, session, one inference), MB.
    pub process_rss_mb: f64,
    /// The model file held in memory while it loads (the download), MB.
    pub model_mb: f64,
    /// The runtime library, MB.
    pub runtime_mb: f64,
    /// Headroom added to the sum, as a ratio (0.2 = 20%).
    pub margin_ratio: f64,
    /// `(process_rss + model + runtime) * (1 + margin)`, MB.
    pub min_memory_mb: f64,
}

/// One memory size of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryPoint {
    /// Configured memory, MB.
    pub memory_mb: f64,
    /// vCPU share it buys (`memory / mb_per_vcpu`).
    pub vcpu: f64,
    /// Whether the model fits (memory >= the footprint's minimum).
    pub fits: bool,
    /// Why it was rejected (not simulated), when it does not fit.
    pub rejected: Option<Reason>,
    /// Cold start at this size, s.
    pub cold_start_s: Option<f64>,
    /// Cost of the run, USD (not simulated when it does not fit).
    pub cost_per_trace_usd: Option<f64>,
    /// Cost per million requests, USD.
    pub cost_per_million_usd: Option<f64>,
    /// Cost per month, USD.
    pub cost_per_month_usd: Option<f64>,
    /// Mean latency, s.
    pub avg_latency_s: Option<f64>,
    /// 95th percentile latency, s.
    pub p95_latency_s: Option<f64>,
    /// 99th percentile latency, s.
    pub p99_latency_s: Option<f64>,
    /// Success ratio.
    pub success_ratio: Option<f64>,
    /// Whether it meets the constraints.
    pub meets_slo: bool,
}

/// Cost and latency per memory size of one serverless offer (as AWS Lambda
/// Power Tuning measures, here from the model, without deploying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySweep {
    /// The offer id.
    pub offer: String,
    /// The offer's default memory, MB.
    pub default_mb: f64,
    /// MB of memory per vCPU.
    pub mb_per_vcpu: Option<f64>,
    /// What the model needs.
    pub footprint: Footprint,
    /// Every size tried, ascending.
    pub points: Vec<MemoryPoint>,
    /// The cheapest size that fits and meets the constraints, MB.
    pub cheapest_mb: Option<f64>,
    /// The size with the lowest p95 latency, MB.
    pub fastest_mb: Option<f64>,
    /// A balanced size: the cheapest within 10% of the best p95, MB.
    pub balanced_mb: Option<f64>,
    /// The choice in words.
    pub verdict: Option<Reason>,
}

/// What a runtime suggestion is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Deployment package size against the function's limit.
    PackageSize,
    /// Intra-op threads for the vCPU share.
    Threads,
    /// Graph optimisation level.
    GraphOptimisation,
    /// Overlapping library import with the model download (the study's "Parallel 1").
    OverlapImport,
    /// Pre-warming or provisioned concurrency against cold starts.
    Prewarm,
    /// Quantisation or a smaller model.
    Quantisation,
}

/// One runtime or deployment suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What it is about.
    pub topic: Topic,
    /// Whether acting on it is advised here (false: checked, nothing to do).
    pub advised: bool,
    /// The suggestion in words.
    pub text: String,
    /// The figures it rests on, by name (unit in the key).
    pub figures: BTreeMap<String, f64>,
}

/// How a break-even curve was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// From the service time and the prices, where the cost is linear in the rate.
    Analytic,
    /// From simulated steady Poisson traces.
    Simulated,
}

/// Monthly cost at one steady rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    /// Steady request rate, per second.
    pub rate_rps: f64,
    /// Cost per month at that rate, USD.
    pub cost_per_month_usd: f64,
    /// Instances (or provisioned instances) the rate needs.
    pub instances: f64,
}

/// A simulated check of an analytic curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateCheck {
    /// Steady request rate, per second.
    pub rate_rps: f64,
    /// The analytic monthly cost, USD.
    pub analytic_per_month_usd: f64,
    /// The simulated monthly cost (a steady Poisson trace), USD.
    pub simulated_per_month_usd: f64,
}

/// Monthly cost of one option against a steady request rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakEvenCurve {
    /// The option (a `ranked[].id`, or a derived one such as provisioned concurrency).
    pub id: String,
    /// The offer id.
    pub offer: String,
    /// The group.
    pub group: Group,
    /// The option in words for charts and sentences, e.g. "AWS Lambda (x86_64) with 512 MB".
    pub label: String,
    /// How the curve was computed.
    pub method: Method,
    /// The curve, rates ascending (log-spaced).
    pub points: Vec<RatePoint>,
    /// Simulated checks of the analytic curve.
    pub checks: Vec<RateCheck>,
}

/// A rate at which the cheaper of two options changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crossover {
    /// The rate, per second (interpolated between curve points).
    pub rate_rps: f64,
    /// The option cheaper below the rate (a curve id).
    pub cheaper_below: String,
    /// The option cheaper above the rate (a curve id).
    pub cheaper_above: String,
    /// The crossover in words.
    pub text: String,
}

/// One variation of the inputs and the best under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityCase {
    /// Short name, e.g. `cpu_0.7x`, `rate_2x`.
    pub name: String,
    /// What changed, in words.
    pub description: String,
    /// CPU speed against the profiling machine.
    pub cpu_factor: f64,
    /// Request rate against the trace's.
    pub rate_factor: f64,
    /// The best option under this variation (a candidate id), if any meets the constraints.
    pub best: Option<String>,
    /// Its offer.
    pub best_offer: Option<String>,
    /// It in words (see [`crate::present::readable`]).
    #[serde(default)]
    pub best_name: Option<String>,
    /// Its cost per month, USD.
    pub best_cost_per_month_usd: Option<f64>,
    /// Its p95 latency, s.
    pub best_p95_latency_s: Option<f64>,
    /// Whether the best offer differs from the recommendation's.
    pub changed: bool,
}

/// How the recommendation holds up when the inputs move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The options re-simulated under each variation (the leading candidates).
    pub candidates: Vec<String>,
    /// The variations.
    pub cases: Vec<SensitivityCase>,
    /// True when the best offer changes under any variation.
    pub fragile: bool,
    /// The verdict in words.
    pub verdict: Option<Reason>,
}

/// What [`advise`] needs: the model, the workload, the offers and the targets.
#[derive(Debug, Clone)]
pub struct Request {
    /// The measured model.
    pub profile: std::sync::Arc<crate::profile::Profile>,
    /// The workload, in memory (arrival times, s, sorted).
    pub trace: crate::workload::Trace,
    /// Where the trace came from, for the output.
    pub trace_name: String,
    /// Name of the price snapshot the offers come from.
    pub snapshot: String,
    /// The offers to consider.
    pub offers: Vec<crate::pricing::Offer>,
    /// The targets.
    pub constraints: Constraints,
    /// Seed of the simulations' random numbers.
    pub seed: u64,
    /// Whether the providers' monthly free allowances come off the month's
    /// cost (`--free-tier`; off by default, as the allowance is the account's).
    pub free_tier: bool,
}
