//! Figures published by the study (PAPER.md), used as references.

/// The study's Table 2: cost of serverless MobileNet serving, USD, by
/// (offer id in `study-2020`, workload peak rate).
pub const TABLE2: &[(&str, u32, f64)] = &[
    ("aws-lambda-ort-2048", 40, 0.009),
    ("aws-lambda-ort-2048", 120, 0.009),
    ("aws-lambda-ort-2048", 200, 0.011),
    ("aws-lambda-tf-2048", 40, 0.121),
    ("aws-lambda-tf-2048", 120, 0.132),
    ("aws-lambda-tf-2048", 200, 0.171),
    ("gcp-functions-ort-2048", 40, 0.051),
    ("gcp-functions-ort-2048", 120, 0.043),
    ("gcp-functions-ort-2048", 200, 0.072),
    ("gcp-functions-tf-2048", 40, 0.123),
    ("gcp-functions-tf-2048", 120, 0.072),
    ("gcp-functions-tf-2048", 200, 0.404),
];

/// The Table 2 cost of a serverless MobileNet cell, if the study gives one.
pub fn table2_cost(offer: &str, workload: u32) -> Option<f64> {
    TABLE2
        .iter()
        .find(|(o, w, _)| *o == offer && *w == workload)
        .map(|(_, _, c)| *c)
}

/// Instances created in total for MobileNet at workload-40: Lambda 15,
/// Cloud Functions 74 (PAPER.md "Findings").
pub const INSTANCES_W40: &[(&str, u64)] =
    &[("aws-lambda-ort-2048", 15), ("gcp-functions-ort-2048", 74)];

/// Average cold-start time per instance, seconds, with ONNX Runtime and
/// TensorFlow (PAPER.md "Findings").
pub const COLD_START_S: &[(&str, f64)] = &[
    ("aws-lambda-ort-2048", 2.25),
    ("gcp-functions-ort-2048", 8.16),
    ("aws-lambda-tf-2048", 5.69),
    ("gcp-functions-tf-2048", 32.3),
];

/// Lambda's average latency serving MobileNet at workload-200, seconds, and
/// its cost, USD (PAPER.md "Findings").
pub const LAMBDA_W200: (f64, f64) = (0.052, 0.011);
