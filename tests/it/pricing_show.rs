//! `advisor pricing show`: the table, the JSON contract, snapshot lookup.

use serde_json::Value;

use crate::common::advisor;

fn show_json(args: &[&str]) -> Value {
    let out = advisor()
        .args(["pricing", "show", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("exactly one JSON document on stdout")
}

#[test]
fn json_lists_every_offer_with_prices_and_sources() {
    let v = show_json(&[]);
    assert_eq!(v["snapshot"]["name"], "current");
    let offers = v["offers"].as_array().unwrap();
    assert!(offers.len() >= 25);
    for o in offers {
        for key in [
            "id",
            "snapshot",
            "cloud",
            "kind",
            "source",
            "billing_model",
            "per_request_usd",
            "spec",
            "billing",
            "behaviour",
            "runtime",
            "sources",
        ] {
            assert!(o.get(key).is_some(), "{} lacks {key}", o["id"]);
        }
        assert!(!o["source"].as_str().unwrap().is_empty(), "{}", o["id"]);
    }
    let m7i = offers
        .iter()
        .find(|o| o["id"] == "aws-ec2-m7i.xlarge")
        .unwrap();
    assert_eq!(m7i["per_hour_usd"], 0.2016);
    assert_eq!(m7i["kind"], "server");
    assert!((m7i["monthly_usd"].as_f64().unwrap() - 0.2016 * 730.0).abs() < 1e-9);
    let lambda = offers.iter().find(|o| o["id"] == "aws-lambda-x86").unwrap();
    assert_eq!(lambda["per_gb_s_usd"], 0.0000166667);
    assert_eq!(lambda["billing"]["init_billed"], true);
    assert_eq!(
        lambda["sources"]["billing.init_billed"]["source"],
        "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"
    );
}

#[test]
fn study_snapshot_by_name() {
    let v = show_json(&["--snapshot", "study-2020"]);
    let ids: Vec<&str> = v["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 10);
    assert!(ids.contains(&"gcp-functions-tf-2048"));
    let g4 = v["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "aws-ec2-g4dn.2xlarge")
        .unwrap();
    assert_eq!(g4["per_hour_usd"], 0.752);
    assert_eq!(g4["source"], "the study (2020-12)");
}

#[test]
fn table_without_a_terminal() {
    let out = advisor()
        .args(["pricing", "show", "--snapshot", "study-2020"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Snapshot study-2020 (2020-12)"));
    let row = text
        .lines()
        .find(|l| l.starts_with("gcp-functions-ort-2048"))
        .unwrap();
    assert!(
        row.contains("$0.4/M req + $0.0000025/GB-s + $0.00001/GHz-s, per 100 ms"),
        "{row}"
    );
}

#[test]
fn snapshot_from_the_pricing_folder_of_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pricing")).unwrap();
    let text = include_str!("../../pricing/study-2020.toml")
        .replace("name = \"study-2020\"", "name = \"old\"");
    std::fs::write(dir.path().join("pricing/old.toml"), text).unwrap();
    let out = advisor()
        .current_dir(dir.path())
        .args(["pricing", "show", "--snapshot", "old", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["snapshot"]["name"], "old");
    assert_eq!(v["offers"][0]["snapshot"], "old");
}

#[test]
fn unknown_snapshot_is_bad_input() {
    let out = advisor()
        .args(["pricing", "show", "--snapshot", "no-such"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no-such") && err.contains("current, local, study-2020"),
        "{err}"
    );
}
