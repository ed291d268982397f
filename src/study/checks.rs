//! The study's findings, checked on a reproduced grid.
//!
//! Each check states the finding in the study's words, the figures it was
//! judged on, and whether the model reproduces it. The tests require them
//! all; `advisor reproduce paper` prints them.

use super::figures::{INSTANCES_W40, LAMBDA_W200, TABLE2};
use super::grid::{Row, StudyReport};
use crate::outcome::Outcome;
use serde::Serialize;

/// One finding of the study, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Short identifier.
    pub id: &'static str,
    /// The finding (PAPER.md).
    pub finding: &'static str,
    /// Whether the reproduced grid shows it.
    pub passed: bool,
    /// The figures it was judged on.
    pub detail: String,
}

fn check(id: &'static str, finding: &'static str, passed: bool, detail: String) -> Check {
    Check {
        id,
        finding,
        passed,
        detail,
    }
}

/// Success ratio of the requests that arrived in `[from, to)` seconds.
pub fn window_success(o: &Outcome, from: f64, to: f64) -> f64 {
    let (mut ok, mut all) = (0u64, 0u64);
    for (i, b) in o.series.buckets.iter().enumerate() {
        let t = i as f64 * o.series.bucket_s;
        if t >= from && t < to {
            ok += b.completions;
            all += b.completions + b.failures;
        }
    }
    if all == 0 {
        1.0
    } else {
        ok as f64 / all as f64
    }
}

/// Instances started in `[from, to)` seconds.
pub fn window_started(o: &Outcome, from: f64, to: f64) -> u64 {
    o.series
        .buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let t = *i as f64 * o.series.bucket_s;
            t >= from && t < to
        })
        .map(|(_, b)| b.started)
        .sum()
}

/// A finding's check, `None` when the grid lacks the rows it is judged on.
type Finding = fn(&StudyReport) -> Option<Check>;

/// The findings, in the order they are reported.
const FINDINGS: &[Finding] = &[
    table2_ort_costs,
    instances_w40,
    gcf_tf_overprovision,
    gcf_w40_dearer,
    lambda_stable,
    lambda_w200,
    gpu_low_load,
    gpu_w200,
    albert_gpu,
    managed_bursts,
    aiplatform_unresponsive,
    gcp_cpu_waits,
    aws_cpu_overload,
    ort_beats_tf,
];

/// Checks every finding the grid can speak to.
pub fn checks(r: &StudyReport) -> Vec<Check> {
    FINDINGS.iter().filter_map(|f| f(r)).collect()
}

/// The MobileNet row of an offer at a workload.
fn mobilenet<'a>(r: &'a StudyReport, offer: &str, w: u32) -> Option<&'a Row> {
    r.row(offer, "mobilenet", w)
}

/// Table 2, ONNX Runtime columns.
fn table2_ort_costs(r: &StudyReport) -> Option<Check> {
    let mut worst = 0.0f64;
    let mut parts = Vec::new();
    let mut all = true;
    for (offer, w, study) in TABLE2.iter().filter(|(o, _, _)| o.contains("-ort-")) {
        match mobilenet(r, offer, *w) {
            Some(row) => {
                let err = (row.cost_usd - study) / study;
                worst = worst.max(err.abs());
                parts.push(format!("{offer} w{w}: ${:.4} vs ${study}", row.cost_usd));
            }
            None => all = false,
        }
    }
    Some(check(
        "table2_ort_costs",
        "Table 2: the cost of serverless MobileNet serving with ONNX Runtime (within 25%)",
        all && worst <= 0.25,
        format!("largest error {:.0}%; {}", worst * 100.0, parts.join("; ")),
    ))
}

/// Instances created at workload-40.
fn instances_w40(r: &StudyReport) -> Option<Check> {
    let mut ok = true;
    let mut parts = Vec::new();
    for (offer, study) in INSTANCES_W40 {
        let n = mobilenet(r, offer, 40)
            .map(|r| r.instances_created)
            .unwrap_or(0);
        let ratio = n as f64 / *study as f64;
        ok &= (0.5..=2.0).contains(&ratio);
        parts.push(format!("{offer}: {n} (study {study})"));
    }
    Some(check(
        "instances_w40",
        "MobileNet at workload-40: Lambda created 15 instances, Cloud Functions 74 (within a factor of 2)",
        ok,
        parts.join("; "),
    ))
}

/// Over-provisioning at a burst with long cold starts.
fn gcf_tf_overprovision(r: &StudyReport) -> Option<Check> {
    let row = mobilenet(r, "gcp-functions-tf-2048", 200)?;
    let first = window_started(&row.outcome, 0.0, 50.0);
    let second = window_started(&row.outcome, 150.0, 200.0);
    Some(check(
        "gcf_tf_overprovision",
        "Cloud Functions TF at workload-200 creates more instances in the first peak (0-50 s) than it needs in the second (150-200 s)",
        first > second,
        format!("instances started: {first} in 0-50 s, {second} in 150-200 s"),
    ))
}

/// Cloud Functions dearer at workload-40 than at workload-120.
fn gcf_w40_dearer(r: &StudyReport) -> Option<Check> {
    let a = mobilenet(r, "gcp-functions-ort-2048", 40)?;
    let b = mobilenet(r, "gcp-functions-ort-2048", 120)?;
    Some(check(
        "gcf_w40_dearer",
        "Cloud Functions at workload-40 costs more than at workload-120 (frequent cold starts)",
        a.cost_usd > b.cost_usd,
        format!("${:.4} at w40 vs ${:.4} at w120", a.cost_usd, b.cost_usd),
    ))
}

/// Lambda's MobileNet rows at the three workloads, when all are there.
fn lambda_rows(r: &StudyReport) -> Option<[&Row; 3]> {
    Some([
        mobilenet(r, "aws-lambda-ort-2048", 40)?,
        mobilenet(r, "aws-lambda-ort-2048", 120)?,
        mobilenet(r, "aws-lambda-ort-2048", 200)?,
    ])
}

/// Lambda low and stable.
fn lambda_stable(r: &StudyReport) -> Option<Check> {
    let lam = lambda_rows(r)?;
    let lo = lam
        .iter()
        .map(|r| r.avg_latency_s)
        .fold(f64::INFINITY, f64::min);
    let hi = lam.iter().map(|r| r.avg_latency_s).fold(0.0, f64::max);
    let min_ok = lam.iter().map(|r| r.success_ratio).fold(1.0, f64::min);
    Some(check(
        "lambda_stable",
        "Lambda's latency stays low and stable across the three workloads",
        hi < 0.2 && hi / lo < 1.5 && min_ok >= 0.99,
        format!(
            "avg {:.3} / {:.3} / {:.3} s, lowest success {:.1}%",
            lam[0].avg_latency_s,
            lam[1].avg_latency_s,
            lam[2].avg_latency_s,
            min_ok * 100.0
        ),
    ))
}

/// Lambda's figures at workload-200 against the study's.
fn lambda_w200(r: &StudyReport) -> Option<Check> {
    let w200 = lambda_rows(r)?[2];
    Some(check(
        "lambda_w200",
        "Lambda, MobileNet, workload-200: average latency 0.052 s at a cost of $0.011 (within 50% and 25%)",
        (w200.avg_latency_s / LAMBDA_W200.0 - 1.0).abs() <= 0.5
            && (w200.cost_usd / LAMBDA_W200.1 - 1.0).abs() <= 0.25,
        format!("{:.3} s, ${:.4}", w200.avg_latency_s, w200.cost_usd),
    ))
}

/// GPU server against serverless for MobileNet.
fn gpu_low_load(r: &StudyReport) -> Option<Check> {
    let mut ok = true;
    let mut parts = Vec::new();
    for (gpu, fun) in [
        ("aws-ec2-g4dn.2xlarge", "aws-lambda-ort-2048"),
        ("gcp-gce-n1-standard-8-t4", "gcp-functions-ort-2048"),
    ] {
        for w in [40, 120] {
            if let (Some(g), Some(f)) = (mobilenet(r, gpu, w), mobilenet(r, fun, w)) {
                ok &= g.avg_latency_s < f.avg_latency_s && g.cost_usd > f.cost_usd;
                parts.push(format!(
                    "w{w} {gpu}: {:.3} s ${:.3} vs {fun}: {:.3} s ${:.3}",
                    g.avg_latency_s, g.cost_usd, f.avg_latency_s, f.cost_usd
                ));
            }
        }
    }
    Some(check(
        "gpu_low_load",
        "MobileNet: self-rented GPU servers beat serverless on latency at low and medium load, at a much higher cost",
        ok,
        parts.join("; "),
    ))
}

/// The GPU server past its capacity.
fn gpu_w200(r: &StudyReport) -> Option<Check> {
    let g = mobilenet(r, "aws-ec2-g4dn.2xlarge", 200)?;
    let f = mobilenet(r, "aws-lambda-ort-2048", 200)?;
    Some(check(
        "gpu_w200",
        "MobileNet at workload-200: the rate exceeds the GPU server's capacity, its queue grows, and serverless wins",
        g.avg_latency_s > f.avg_latency_s,
        format!(
            "GPU {:.3} s ({:.1}% success) vs Lambda {:.3} s",
            g.avg_latency_s,
            g.success_ratio * 100.0,
            f.avg_latency_s
        ),
    ))
}

/// ALBERT on the GPU server.
fn albert_gpu(r: &StudyReport) -> Option<Check> {
    let mut ok = true;
    let mut parts = Vec::new();
    for gpu in ["aws-ec2-g4dn.2xlarge", "gcp-gce-n1-standard-8-t4"] {
        if let Some(g) = r.row(gpu, "albert", 40) {
            ok &= g.avg_latency_s > 1.0 || g.success_ratio < 0.99;
            parts.push(format!(
                "{gpu}: {:.2} s, {:.1}% success",
                g.avg_latency_s,
                g.success_ratio * 100.0
            ));
        }
    }
    Some(check(
        "albert_gpu",
        "ALBERT: the GPU server has high latency and failures even at low load (workload-40)",
        ok && !parts.is_empty(),
        parts.join("; "),
    ))
}

/// Managed endpoints under bursts.
fn managed_bursts(r: &StudyReport) -> Option<Check> {
    let mut ok = true;
    let mut parts = Vec::new();
    for m in [
        "aws-sagemaker-ml.m4.2xlarge",
        "gcp-aiplatform-n1-standard-8",
    ] {
        if let Some(row) = mobilenet(r, m, 120) {
            ok &= row.p95_latency_s > 1.0 || row.success_ratio < 0.99;
            parts.push(format!(
                "{m}: p95 {:.2} s, {:.1}% success",
                row.p95_latency_s,
                row.success_ratio * 100.0
            ));
        }
    }
    Some(check(
        "managed_bursts",
        "Managed endpoints under the bursts of workload-120: requests queue, latency grows, requests fail",
        ok && !parts.is_empty(),
        parts.join("; "),
    ))
}

/// AI Platform failing through a burst.
fn aiplatform_unresponsive(r: &StudyReport) -> Option<Check> {
    let row = mobilenet(r, "gcp-aiplatform-n1-standard-8", 120)?;
    let s = window_success(&row.outcome, 150.0, 200.0);
    Some(check(
        "aiplatform_unresponsive",
        "AI Platform, MobileNet, workload-120: unresponsive (requests failed) between t=150 s and t=200 s",
        s < 0.5,
        format!("success of requests sent in 150-200 s: {:.1}%", s * 100.0),
    ))
}

/// The GCP CPU server overloaded: it queues rather than fails.
fn gcp_cpu_waits(r: &StudyReport) -> Option<Check> {
    let row = mobilenet(r, "gcp-gce-n1-standard-8", 120)?;
    Some(check(
        "gcp_cpu_waits",
        "GCP CPU server at workload-120: virtually no failures, but latency above 10 s at the peaks",
        row.success_ratio >= 0.99 && row.outcome.max_latency_s > 10.0,
        format!(
            "{:.2}% success, max latency {:.1} s",
            row.success_ratio * 100.0,
            row.outcome.max_latency_s
        ),
    ))
}

/// The AWS CPU server overloaded.
fn aws_cpu_overload(r: &StudyReport) -> Option<Check> {
    let row = mobilenet(r, "aws-ec2-t2.2xlarge", 200)?;
    Some(check(
        "aws_cpu_overload",
        "AWS CPU server at higher rates: overloaded, requests queue and some fail",
        row.success_ratio < 1.0 && row.p95_latency_s > 1.0,
        format!(
            "{:.2}% success, p95 {:.2} s",
            row.success_ratio * 100.0,
            row.p95_latency_s
        ),
    ))
}

/// ONNX Runtime against TensorFlow on serverless.
fn ort_beats_tf(r: &StudyReport) -> Option<Check> {
    let mut ok = true;
    let mut parts = Vec::new();
    for (ort, tf) in [
        ("aws-lambda-ort-2048", "aws-lambda-tf-2048"),
        ("gcp-functions-ort-2048", "gcp-functions-tf-2048"),
    ] {
        for w in [40, 120, 200] {
            if let (Some(a), Some(b)) = (mobilenet(r, ort, w), mobilenet(r, tf, w)) {
                ok &= a.avg_latency_s < b.avg_latency_s && a.cost_usd < b.cost_usd;
                parts.push(format!(
                    "w{w} {ort}: {:.1}x lower latency, {:.1}x lower cost",
                    b.avg_latency_s / a.avg_latency_s,
                    b.cost_usd / a.cost_usd.max(1e-12)
                ));
            }
        }
    }
    Some(check(
        "ort_beats_tf",
        "On serverless, ONNX Runtime beats TensorFlow on latency and cost",
        ok && !parts.is_empty(),
        parts.join("; "),
    ))
}
