//! Broken price files: each gives a one-line error naming the file, the line,
//! the offer and the field, and exit code 2.

use assert_cmd::Command;

const STUDY: &str = include_str!("../../pricing/study-2020.toml");

/// Writes `text` as a price file and runs `pricing show` on it; returns (code, stderr).
fn show(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, text).unwrap();
    let out = Command::cargo_bin("advisor")
        .unwrap()
        .args(["pricing", "show", "--pricing"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

/// The 1-based line of the first occurrence of `needle` in the study file.
fn line_of(needle: &str) -> usize {
    STUDY[..STUDY.find(needle).expect("needle in the study file")]
        .matches('\n')
        .count()
        + 1
}

/// Replaces exactly one occurrence of `from`.
fn edit(from: &str, to: &str) -> String {
    assert_eq!(STUDY.matches(from).count(), 1, "{from}");
    STUDY.replacen(from, to, 1)
}

fn assert_one_line(code: Option<i32>, err: &str, parts: &[&str]) {
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("broken.toml"), "{err}");
    for p in parts {
        assert!(err.contains(p), "{err} lacks {p}");
    }
}

#[test]
fn wrong_unit() {
    let from = "billing.per_hour_usd = { value = 0.3712, unit = \"USD/h\"";
    let text = edit(from, &from.replace("USD/h", "USD/min"));
    let (code, err) = show(&text);
    let line = format!("line {}", line_of(from));
    assert_one_line(
        code,
        &err,
        &[
            &line,
            "offer aws-ec2-t2.2xlarge",
            "billing.per_hour_usd",
            "unit \"USD/min\" is not accepted here, expected \"USD/h\"",
        ],
    );
}

#[test]
fn per_hour_price_given_where_per_second_is_expected() {
    let from = "billing.per_gb_s_usd = { value = 0.0000166667, unit = \"USD/GB-s\"";
    let text = edit(from, &from.replace("USD/GB-s", "USD/GB-h"));
    let (code, err) = show(&text);
    assert_one_line(
        code,
        &err,
        &[
            "offer aws-lambda-ort-2048",
            "billing.per_gb_s_usd",
            "\"USD/GB-h\"",
        ],
    );
}

#[test]
fn negative_price() {
    let from = "billing.per_hour_usd = { value = 0.752,";
    let text = edit(from, "billing.per_hour_usd = { value = -0.752,");
    let (code, err) = show(&text);
    let line = format!("line {}", line_of(from));
    assert_one_line(
        code,
        &err,
        &[
            &line,
            "offer aws-ec2-g4dn.2xlarge",
            "billing.per_hour_usd",
            "negative price -0.752",
        ],
    );
}

#[test]
fn missing_field() {
    let from = "billing.per_hour_usd = { value = 0.38, unit = \"USD/h\", src = \"study\" }\n";
    let text = edit(from, "");
    let (code, err) = show(&text);
    assert_one_line(
        code,
        &err,
        &[
            "offer gcp-gce-n1-standard-8",
            "billing.per_hour_usd",
            "missing",
        ],
    );
}

#[test]
fn unknown_kind() {
    let from = "id = \"aws-ec2-t2.2xlarge\"\ndefaults = [\"common\", \"tfserving\"]\nname = \"EC2 t2.2xlarge (8 vCPU, 32 GiB), TF Serving 1.15\"\ncloud = \"aws\"\nkind = \"server\"";
    let text = edit(from, &from.replace("kind = \"server\"", "kind = \"vm\""));
    let (code, err) = show(&text);
    let line = format!("line {}", line_of(from) + 4);
    assert_one_line(
        code,
        &err,
        &[
            &line,
            "offer aws-ec2-t2.2xlarge",
            "kind",
            "unknown value \"vm\", expected one of serverless, managed, server",
        ],
    );
}

#[test]
fn unknown_cloud_and_billing_model() {
    let text = edit(
        "cloud = \"aws\"\nkind = \"serverless\"",
        "cloud = \"oracle\"\nkind = \"serverless\"",
    );
    let (code, err) = show(&text);
    assert_one_line(
        code,
        &err,
        &["offer aws-lambda-ort-2048", "cloud", "\"oracle\""],
    );
    let text = edit(
        "billing.model = \"invocation\"\nbilling.per_request_usd = { value = 0.20",
        "billing.model = \"per_use\"\nbilling.per_request_usd = { value = 0.20",
    );
    let (code, err) = show(&text);
    assert_one_line(code, &err, &["billing.model", "\"per_use\""]);
}

#[test]
fn figure_without_source_or_unit() {
    let from = "billing.per_hour_usd = { value = 0.56, unit = \"USD/h\", src = \"study\" }";
    let text = edit(
        from,
        "billing.per_hour_usd = { value = 0.56, unit = \"USD/h\" }",
    );
    let (code, err) = show(&text);
    assert_one_line(
        code,
        &err,
        &[
            "offer aws-sagemaker-ml.m4.2xlarge",
            "billing.per_hour_usd",
            "missing source",
        ],
    );
    let text = edit(from, "billing.per_hour_usd = 0.56");
    let (code, err) = show(&text);
    assert_one_line(code, &err, &["needs a unit and a source"]);
}

#[test]
fn misspelt_key_and_syntax_error() {
    let from = "runtime.import_s = { value = 1.22,";
    let text = edit(from, "runtime.import_secs = { value = 1.22,");
    let (code, err) = show(&text);
    let line = format!("line {}", line_of(from));
    assert_one_line(
        code,
        &err,
        &[
            &line,
            "offer aws-lambda-ort-2048",
            "runtime.import_s: missing (required field); found unknown field runtime.import_secs instead",
        ],
    );
    // An extra key that is no typo of a required one is refused too.
    let text = edit(
        from,
        "runtime.colour = \"red\"\nruntime.import_s = { value = 1.22,",
    );
    let (code, err) = show(&text);
    assert_one_line(code, &err, &["runtime.colour: unknown field"]);
    let text = edit("[snapshot]\n", "[snapshot\n");
    let (code, err) = show(&text);
    assert_one_line(code, &err, &["line"]);
}

#[test]
fn unreadable_file_is_bad_input() {
    let out = Command::cargo_bin("advisor")
        .unwrap()
        .args(["pricing", "show", "--pricing", "/nonexistent/prices.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/nonexistent/prices.toml"), "{err}");
}
