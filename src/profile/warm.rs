//! Warm latency: repeated runs of a session on inputs made once, timed one by one.

use super::inputs::Plan;
use super::tensor::HostTensor;
use crate::error::bad_input;
use anyhow::anyhow;
use ort::session::{Session, SessionInputValue};
use ort::value::DynTensor;
use std::time::{Duration, Instant};

/// How many timed runs one measurement makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Keep going until at least this many runs...
    pub min_runs: u32,
    /// ...and at least this much time.
    pub min_time: Duration,
    /// Stop after this much time once `floor_runs` are done, even if short of `min_runs`.
    pub max_time: Duration,
    /// Runs made however slow the model is.
    pub floor_runs: u32,
    /// Never more runs than this.
    pub max_runs: u32,
}

impl Budget {
    /// The default for a latency point: at least 30 runs and 2 s, at most
    /// 10 s (but never fewer than 5 runs), at most 10,000 runs.
    pub const LATENCY: Budget = Budget {
        min_runs: 30,
        min_time: Duration::from_secs(2),
        max_time: Duration::from_secs(10),
        floor_runs: 5,
        max_runs: 10_000,
    };

    /// A shorter budget for side measurements (the optimisation-level effect).
    pub const QUICK: Budget = Budget {
        min_runs: 20,
        min_time: Duration::from_secs(1),
        max_time: Duration::from_secs(5),
        floor_runs: 3,
        max_runs: 5_000,
    };

    /// Exactly `n` runs (`--runs N`).
    pub fn exactly(n: u32) -> Budget {
        let n = n.max(1);
        Budget {
            min_runs: n,
            min_time: Duration::ZERO,
            max_time: Duration::MAX,
            floor_runs: n,
            max_runs: n,
        }
    }

    /// Whether to make another run after `runs` runs taking `elapsed`.
    pub fn more(&self, runs: u32, elapsed: Duration) -> bool {
        if runs >= self.max_runs {
            return false;
        }
        if runs < self.floor_runs {
            return true;
        }
        if elapsed >= self.max_time {
            return false;
        }
        runs < self.min_runs || elapsed < self.min_time
    }
}

/// Timed runs of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Timings {
    /// Each run's wall time, ms.
    pub samples_ms: Vec<f64>,
    /// True when the time cap stopped the runs short of `min_runs`.
    pub capped: bool,
}

/// The inputs of one batch size as ONNX Runtime values, in the session's order.
pub struct Feed {
    values: Vec<DynTensor>,
}

impl Feed {
    /// Makes the values for `plan` at `batch`, ordered as `session` expects.
    pub fn new(session: &Session, plan: &Plan, batch: u32) -> anyhow::Result<Feed> {
        let tensors = plan.tensors(batch)?;
        Feed::from_tensors(session, plan, &tensors)
    }

    /// Orders and converts already made tensors.
    pub fn from_tensors(
        session: &Session,
        plan: &Plan,
        tensors: &[HostTensor],
    ) -> anyhow::Result<Feed> {
        let allocator = session.allocator();
        let mut values = Vec::with_capacity(tensors.len());
        for outlet in session.inputs() {
            let i = plan
                .inputs
                .iter()
                .position(|p| p.name == outlet.name())
                .ok_or_else(|| {
                    anyhow!(
                        "ONNX Runtime expects an input '{}' that the model file does not declare",
                        outlet.name()
                    )
                })?;
            values.push(tensors[i].to_value(allocator)?);
        }
        Ok(Feed { values })
    }

    fn inputs(&self) -> Vec<SessionInputValue<'_>> {
        self.values.iter().map(SessionInputValue::from).collect()
    }
}

/// One run, timed, ms; a failure is explained in terms of the inputs fed.
pub fn run_once(
    session: &mut Session,
    feed: &Feed,
    plan: &Plan,
    model: &str,
) -> anyhow::Result<f64> {
    let inputs = feed.inputs();
    let start = Instant::now();
    let out = session.run(&inputs[..]);
    let ms = start.elapsed().as_secs_f64() * 1e3;
    match out {
        Ok(outputs) => {
            drop(outputs);
            Ok(ms)
        }
        Err(e) => Err(explain_run_error(model, plan, e.message())),
    }
}

/// Warm-up runs (at least one, up to three within half a second), then runs
/// timed one by one as long as `budget` says.
pub fn measure(
    session: &mut Session,
    feed: &Feed,
    plan: &Plan,
    model: &str,
    budget: &Budget,
) -> anyhow::Result<Timings> {
    let warm = Instant::now();
    for i in 0..3 {
        if i > 0 && warm.elapsed() > Duration::from_millis(500) {
            break;
        }
        run_once(session, feed, plan, model)?;
    }
    let inputs = feed.inputs();
    let mut samples_ms = Vec::new();
    let start = Instant::now();
    while budget.more(samples_ms.len() as u32, start.elapsed()) {
        let t = Instant::now();
        let out = session
            .run(&inputs[..])
            .map_err(|e| explain_run_error(model, plan, e.message()))?;
        samples_ms.push(t.elapsed().as_secs_f64() * 1e3);
        drop(out);
    }
    let capped = (samples_ms.len() as u32) < budget.min_runs;
    Ok(Timings { samples_ms, capped })
}

/// Turns ONNX Runtime's complaint about a run into a message naming the input
/// (when the message names one) and the flags that set inputs.
pub fn explain_run_error(model: &str, plan: &Plan, ort_message: &str) -> anyhow::Error {
    let msg = ort_message.replace('\n', " ");
    let fed: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| format!("{} ({})", i.describe(), i.why))
        .collect();
    // The longest name that appears as a whole word wins, so `input` does not
    // shadow `input_ids` and a one-letter name does not match inside a word.
    let mut named: Vec<&str> = plan
        .inputs
        .iter()
        .map(|i| i.name.as_str())
        .filter(|n| mentions(&msg, n))
        .collect();
    named.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let dim_flags = |defaulted: &[String]| -> String {
        defaulted.iter().map(|d| format!("--dim {d}=N, ")).collect()
    };
    let hint = match named.first() {
        Some(n) => {
            let defaulted = plan
                .inputs
                .iter()
                .find(|i| i.name == *n)
                .map(|i| i.defaulted.as_slice())
                .unwrap_or_default();
            format!(
                "input '{n}' is the likely cause: set it with {}--shape {n}=D0,D1,.., --fill {n}=VALUE or --input {n}=FILE.npy",
                dim_flags(defaulted)
            )
        }
        None => {
            let mut defaulted: Vec<String> = plan
                .inputs
                .iter()
                .flat_map(|i| i.defaulted.clone())
                .collect();
            defaulted.sort();
            defaulted.dedup();
            let guessed = if defaulted.is_empty() {
                String::new()
            } else {
                format!(
                    "dims advisor chose by default ({}) may not suit the model: ",
                    defaulted.join(", ")
                )
            };
            format!(
                "{guessed}set inputs with {}--dim NAME=N, --shape INPUT=D0,D1,.., --fill INPUT=VALUE or --input INPUT=FILE.npy",
                dim_flags(&defaulted)
            )
        }
    };
    bad_input(format!(
        "{model}: the model failed on the inputs advisor made ({msg}); fed: {}; {hint}",
        fed.join(", ")
    ))
}

/// True when `name` occurs in `text` not as part of a longer identifier.
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_stops_after_min_runs_and_time() {
        let b = Budget::LATENCY;
        assert!(b.more(0, Duration::ZERO));
        assert!(b.more(29, Duration::from_secs(5)));
        assert!(b.more(100, Duration::from_secs(1)));
        assert!(!b.more(30, Duration::from_secs(2)));
    }

    #[test]
    fn budget_caps_slow_models_but_keeps_a_floor() {
        let b = Budget::LATENCY;
        assert!(b.more(4, Duration::from_secs(60)));
        assert!(!b.more(5, Duration::from_secs(10)));
        assert!(!b.more(10_000, Duration::ZERO));
    }

    #[test]
    fn exactly_n() {
        let b = Budget::exactly(5);
        assert!(b.more(4, Duration::from_secs(1000)));
        assert!(!b.more(5, Duration::ZERO));
    }

    #[test]
    fn run_errors_name_the_longest_matching_input() {
        use super::super::inputs::{Fill, InputPlan, PlanDim};
        use crate::model::DType;
        let mk = |name: &str| InputPlan {
            name: name.into(),
            dtype: DType::I64,
            dims: vec![PlanDim::Batch],
            fill: Fill::Constant { value: 0.0 },
            why: "zeros".into(),
            defaulted: vec!["seq".into()],
        };
        let plan = Plan {
            inputs: vec![mk("input"), mk("input_ids")],
            batches: vec![1],
            notes: vec![],
        };
        let err = explain_run_error("m.onnx", &plan, "index out of range in input_ids");
        let msg = err.to_string();
        assert!(
            msg.contains("input 'input_ids' is the likely cause"),
            "{msg}"
        );
        assert!(msg.contains("--fill input_ids=VALUE"), "{msg}");
        assert!(msg.contains("--dim seq=N, --shape input_ids="), "{msg}");
        assert_eq!(crate::error::exit_code(&err), 2);
        // No input named as a word: the defaulted dims are suggested.
        let msg = explain_run_error("m.onnx", &plan, "Invalid shape: {192}").to_string();
        assert!(msg.contains("dims advisor chose by default (seq)"), "{msg}");
        assert!(msg.contains("--dim seq=N, --dim NAME=N"), "{msg}");
    }

    #[test]
    fn mentions_matches_whole_words() {
        assert!(mentions("bad value for input_ids.", "input_ids"));
        assert!(mentions("'x' has rank 3", "x"));
        assert!(!mentions("Non-zero exit", "x"));
        assert!(!mentions("input_ids", "input"));
    }
}
