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

#[test]
fn offers_are_priced_per_region_with_their_own_sources() {
    let v = show_json(&[]);
    let offers = v["offers"].as_array().unwrap();
    assert_eq!(v["snapshot"]["offer_count"], offers.len());
    let region_of = |id: &str| {
        offers
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))["region"]
            .clone()
    };
    assert_eq!(region_of("aws-lambda-arm64"), "us-east-1");
    assert_eq!(region_of("aws-lambda-arm64@eu-west-1"), "eu-west-1");
    assert_eq!(region_of("aws-lambda-x86@ap-northeast-1"), "ap-northeast-1");
    assert_eq!(
        region_of("gcp-cloud-run-1vcpu-2gib@europe-west1"),
        "europe-west1"
    );
    // A regional variant's prices cite a regional source, not the default region's.
    let eu = offers
        .iter()
        .find(|o| o["id"] == "gcp-cloud-run-1vcpu-2gib@asia-northeast1")
        .unwrap();
    let src = eu["sources"]["billing.per_vcpu_s_usd"]["source"]
        .as_str()
        .unwrap();
    assert!(src.contains("asia-northeast1"), "{src}");
    // At least three regions per cloud, spanning three continents.
    for (cloud, want) in [
        ("aws", ["us-east-1", "eu-west-1", "ap-northeast-1"]),
        ("gcp", ["us-central1", "europe-west1", "asia-northeast1"]),
    ] {
        for r in want {
            assert!(
                offers
                    .iter()
                    .any(|o| o["cloud"] == cloud && o["region"] == r),
                "{cloud} {r}"
            );
        }
    }
}

#[test]
fn region_flag_narrows_the_listing() {
    let v = show_json(&["--region", "eu-west-1"]);
    let offers = v["offers"].as_array().unwrap();
    assert!(!offers.is_empty());
    assert!(offers.iter().all(|o| o["region"] == "eu-west-1"));
    let out = advisor()
        .args(["pricing", "show", "--region", "moon-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--region moon-1") && err.contains("eu-west-1"),
        "{err}"
    );
}

fn simulate(extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.csv");
    let mut s = String::from("t_s\n");
    for i in 0..200 {
        s.push_str(&format!("{:.3}\n", i as f64 * 0.5));
    }
    std::fs::write(&trace, s).unwrap();
    let out = advisor()
        .args([
            "simulate",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
        ])
        .arg(&trace)
        .args(extra)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn simulate_takes_the_region_and_the_clients_place() {
    let home = simulate(&["--offer", "aws-lambda-arm64"]);
    let eu = simulate(&["--offer", "aws-lambda-arm64", "--region", "eu-west-1"]);
    let far = simulate(&[
        "--offer",
        "aws-lambda-arm64",
        "--region",
        "eu-west-1",
        "--client-region",
        "ap-northeast-1",
    ]);
    let first = |v: &Value| v["outcomes"][0].clone();
    assert_eq!(first(&home)["offer"], "aws-lambda-arm64");
    assert_eq!(first(&eu)["offer"], "aws-lambda-arm64@eu-west-1");
    let p50 = |v: &Value| first(v)["p50_latency_s"].as_f64().unwrap();
    // Same prices and behaviour in eu-west-1; clients in Tokyo wait longer.
    assert!((p50(&home) - p50(&eu)).abs() < 1e-9);
    assert!(p50(&far) > p50(&eu) + 0.1, "{} vs {}", p50(&far), p50(&eu));
    // Offers not priced in the region are left out.
    let all_eu = simulate(&["--region", "eu-west-1"]);
    let ids: Vec<&str> = all_eu["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["offer"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|i| i.ends_with("@eu-west-1")), "{ids:?}");
}

/// `YYYY-MM-DD` or `YYYY-MM`.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Every `*_usd` figure under `node`, as paths (`billing.provisioned.per_gb_s_usd`).
fn price_paths(prefix: &str, node: &Value, out: &mut Vec<String>) {
    if let Some(m) = node.as_object() {
        for (k, v) in m {
            let path = format!("{prefix}.{k}");
            if v.is_object() {
                price_paths(&path, v, out);
            } else if k.ends_with("_usd") && v.is_number() {
                // A GHz-second price of 0 is the model's default for
                // everything but Cloud Functions 1st gen, not a price.
                if !(k == "per_ghz_s_usd" && v.as_f64() == Some(0.0)) {
                    out.push(path);
                }
            }
        }
    }
}

#[test]
fn catalogue_spans_three_clouds_and_three_continents_each_every_price_sourced_and_dated() {
    let v = show_json(&[]);
    let offers = v["offers"].as_array().unwrap();
    assert!(offers.len() >= 100, "{} offers", offers.len());
    for (cloud, want) in [
        ("aws", ["us-east-1", "eu-west-1", "ap-northeast-1"]),
        ("gcp", ["us-central1", "europe-west1", "asia-northeast1"]),
        ("azure", ["eastus", "westeurope", "japaneast"]),
    ] {
        for r in want {
            assert!(
                offers
                    .iter()
                    .any(|o| o["cloud"] == cloud && o["region"] == r),
                "no {cloud} offer in {r}"
            );
        }
    }
    for o in offers {
        let mut paths = Vec::new();
        price_paths("billing", &o["billing"], &mut paths);
        price_paths("access", &o["access"], &mut paths);
        assert!(!paths.is_empty(), "{} has no price", o["id"]);
        for p in paths {
            let s = &o["sources"][&p];
            let (src, date) = (s["source"].as_str(), s["date"].as_str());
            assert!(
                src.is_some_and(|x| !x.is_empty()),
                "{} {p} has no source",
                o["id"]
            );
            assert!(
                date.is_some_and(is_date),
                "{} {p} has no date: {s}",
                o["id"]
            );
        }
    }
}

#[test]
fn azure_and_inferentia_offers_load_with_their_regional_prices() {
    let v = show_json(&[]);
    let offers = v["offers"].as_array().unwrap();
    let get = |id: &str| {
        offers
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .clone()
    };
    let aca = get("azure-container-apps-1vcpu-2gib@japaneast");
    assert_eq!(aca["per_vcpu_s_usd"], 0.000024);
    assert!(aca["sources"]["billing.per_vcpu_s_usd"]["source"]
        .as_str()
        .unwrap()
        .contains("japaneast"));
    assert_eq!(get("azure-vm-d4s-v5@westeurope")["per_hour_usd"], 0.23);
    assert_eq!(get("azure-ml-nc4as-t4-v3")["kind"], "managed");
    assert_eq!(get("azure-functions-flex-2048")["cloud"], "azure");
    let inf2 = get("aws-ec2-inf2.xlarge");
    assert_eq!(inf2["spec"]["needs_compilation"], true);
    assert_eq!(
        get("aws-ec2-inf2.xlarge@ap-northeast-1")["per_hour_usd"],
        1.1373
    );
    assert_eq!(
        get("gcp-gce-c3-standard-4@europe-west1")["per_hour_usd"],
        0.22199056
    );
    // g6 has no Ireland price: not offered there rather than guessed.
    assert!(!offers
        .iter()
        .any(|o| o["id"] == "aws-ec2-g6.xlarge@eu-west-1"));
    // The old separate Azure snapshot is folded into `current`.
    let out = advisor()
        .args(["pricing", "show", "--snapshot", "azure-current"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn line_items_are_added_only_when_asked() {
    let plain = simulate(&["--offer", "aws-lambda-arm64"]);
    let url = simulate(&["--offer", "aws-lambda-arm64", "--gateway", "function-url"]);
    let both = simulate(&[
        "--offer",
        "aws-lambda-arm64",
        "--gateway",
        "http-api",
        "--egress-gb-per-1k",
        "1",
    ]);
    let o = |v: &Value| v["outcomes"][0].clone();
    let cost = |v: &Value| o(v)["cost_usd"].as_f64().unwrap();
    assert!(plain.get("line_items").is_none());
    assert_eq!(cost(&plain), cost(&url));
    assert!(url["line_items"]
        .as_str()
        .unwrap()
        .contains("function URLs"));
    let b = o(&both);
    let want = b["requests"].as_f64().unwrap() * 1e-6 + b["succeeded"].as_f64().unwrap() * 0.09e-3;
    let access = b["cost"]["access_usd"].as_f64().unwrap();
    assert!((access - want).abs() < 1e-12, "{access} vs {want}");
    assert!((cost(&both) - cost(&plain) - want).abs() < 1e-9);
    let said = both["line_items"].as_str().unwrap();
    assert!(
        said.contains("API Gateway HTTP API") && said.contains("1 GB per 1,000"),
        "{said}"
    );
    // A negative amount is bad input.
    let out = advisor()
        .args([
            "simulate",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
            "traces/workload-120.csv",
            "--egress-gb-per-1k",
            "-1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--egress-gb-per-1k"));
}
