//! The study, reproduced: every finding the grid can speak to must hold.

use advisor::pricing::snapshot;
use advisor::profile::bundled;
use advisor::study::{checks, reproduce};
use std::sync::Arc;

fn report() -> advisor::study::StudyReport {
    let m = Arc::new(bundled::get("mobilenetv2").unwrap());
    let a = Arc::new(bundled::get("albert-base").unwrap());
    let snap = snapshot::builtin("study-2020").unwrap();
    reproduce(m, a, &snap, 1).unwrap()
}

#[test]
fn every_finding_of_the_study_holds() {
    let r = report();
    // 2 models x 3 workloads x 8 systems, plus 2 TF functions x 3 workloads for MobileNet.
    assert_eq!(r.rows.len(), 2 * 3 * 8 + 2 * 3);
    let cs = checks(&r);
    let ids: Vec<&str> = cs.iter().map(|c| c.id).collect();
    for must in [
        "table2_ort_costs",
        "instances_w40",
        "gcf_tf_overprovision",
        "gcf_w40_dearer",
        "lambda_stable",
        "gpu_low_load",
        "gpu_w200",
        "albert_gpu",
        "managed_bursts",
        "gcp_cpu_waits",
        "aws_cpu_overload",
        "ort_beats_tf",
    ] {
        assert!(ids.contains(&must), "check {must} missing");
    }
    let missed: Vec<String> = cs
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {} ({})", c.id, c.finding, c.detail))
        .collect();
    assert!(
        missed.is_empty(),
        "findings not reproduced:\n{}",
        missed.join("\n")
    );
}

#[test]
fn table2_cells_carry_the_studys_figure() {
    let r = report();
    let cells: Vec<_> = r
        .rows
        .iter()
        .filter(|x| x.study_cost_usd.is_some())
        .collect();
    assert_eq!(cells.len(), 12);
    for c in cells {
        assert_eq!(c.model, "mobilenet");
        assert_eq!(c.system, "serverless");
        let e = c.cost_error.unwrap();
        assert!(e.is_finite());
        if c.runtime == "onnxruntime" {
            assert!(
                e.abs() <= 0.25,
                "{} w{}: {:+.0}%",
                c.offer,
                c.workload,
                e * 100.0
            );
        }
    }
}

#[test]
fn reproduce_paper_json_has_the_contract_fields() {
    let out = assert_cmd::Command::cargo_bin("advisor")
        .unwrap()
        .args(["reproduce", "paper", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    for r in rows {
        for f in [
            "cloud",
            "system",
            "model",
            "workload",
            "avg_latency_s",
            "success_ratio",
            "cost_usd",
        ] {
            assert!(!r[f].is_null(), "row without {f}: {r}");
        }
        assert!(["aws", "gcp"].contains(&r["cloud"].as_str().unwrap()));
        assert!(["serverless", "managed", "cpu", "gpu"].contains(&r["system"].as_str().unwrap()));
        assert!(["mobilenet", "albert"].contains(&r["model"].as_str().unwrap()));
        assert!([40, 120, 200].contains(&r["workload"].as_u64().unwrap()));
    }
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["passed"].as_bool().is_some()));
}
