//! `advisor pricing refresh` against loopback stubs of the AWS Price List API
//! (AWS JSON 1.1 `GetProducts`) and the Google Cloud Billing Catalog API:
//! paging, the written snapshot, and every failure shape leaving the
//! pricing folder as it was.

use assert_cmd::Command;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};

const DATE: &str = "2026-11-29";

/// What a stub answers.
enum Reply {
    Json(StatusCode, String),
    Hang,
}

type Handler = dyn Fn(&Uri, &HeaderMap, &[u8]) -> Reply + Send + Sync;

/// The requests a stub received: URI and body.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A loopback HTTP server answering with `handler`; it records each request.
struct Stub {
    url: String,
    requests: Seen,
}

fn stub(handler: Arc<Handler>) -> Stub {
    let requests: Seen = Arc::default();
    let seen = requests.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                let handler = handler.clone();
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push((uri.to_string(), body.to_vec()));
                    match handler(&uri, &headers, &body) {
                        Reply::Json(status, text) => {
                            let ct = if uri.path().starts_with("/v1/") {
                                "application/json"
                            } else {
                                "application/x-amz-json-1.1"
                            };
                            (status, [("content-type", ct)], text).into_response()
                        }
                        Reply::Hang => {
                            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                            Response::new(axum::body::Body::empty())
                        }
                    }
                }
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    Stub {
        url: format!("http://{addr}"),
        requests,
    }
}

/// File names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A pricing folder holding one existing snapshot.
fn pricing_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("study-2020.toml"),
        include_str!("../../pricing/study-2020.toml"),
    )
    .unwrap();
    dir
}

fn advisor() -> Command {
    let mut c = Command::cargo_bin("advisor").unwrap();
    // The AWS SDK's credential chain takes these; nothing else is consulted.
    c.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("GOOGLE_API_KEY");
    c
}

fn refresh(
    provider: &str,
    stub: &Stub,
    out: &Path,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let mut c = advisor();
    c.args([
        "pricing",
        "refresh",
        "--provider",
        provider,
        "--endpoint-url",
    ])
    .arg(&stub.url)
    .arg("--out-dir")
    .arg(out)
    .args(["--date", DATE, "--timeout-s", "1"])
    .args(extra);
    if provider == "gcp" {
        c.args(["--api-key", "test-key"]);
    }
    let o = c.output().unwrap();
    (
        o.status.code(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

// ---------------------------------------------------------------- AWS stub

/// A Price List product document, as the API sends it (a JSON string).
fn aws_product(sku: &str, attrs: Value, unit: &str, tiers: &[(&str, &str)]) -> String {
    let mut dims = serde_json::Map::new();
    for (i, (begin, usd)) in tiers.iter().enumerate() {
        dims.insert(
            format!("{sku}.JRTCKXETXF.6YS6EN2CT{i}"),
            json!({
                "rateCode": format!("{sku}.JRTCKXETXF.6YS6EN2CT{i}"),
                "description": "on demand",
                "beginRange": begin,
                "endRange": "Inf",
                "unit": unit,
                "pricePerUnit": {"USD": usd},
                "appliesTo": []
            }),
        );
    }
    json!({
        "product": {"productFamily": "Compute Instance", "sku": sku, "attributes": attrs},
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z",
            "priceDimensions": dims, "termAttributes": {}
        }}},
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z"
    })
    .to_string()
}

/// A product with only a reserved term (no on-demand price), to fill page 1.
fn aws_reserved_only(sku: &str) -> String {
    json!({
        "product": {"sku": sku, "attributes": {}},
        "terms": {"Reserved": {"X": {"priceDimensions": {}}}}
    })
    .to_string()
}

fn filter(body: &Value, field: &str) -> Option<String> {
    body["Filters"].as_array()?.iter().find_map(|f| {
        (f["Field"] == field && f["Type"] == "TERM_MATCH")
            .then(|| f["Value"].as_str().unwrap().to_string())
    })
}

/// The stub price list: m7i.xlarge got dearer, c7i.xlarge did not change,
/// Lambda x86 duration has tiers; everything else is unknown to the stub.
fn aws_answer(body: &Value) -> Vec<String> {
    let service = body["ServiceCode"].as_str().unwrap_or("");
    match (service, filter(body, "instanceType"), filter(body, "group")) {
        ("AmazonEC2", Some(t), _) if t == "m7i.xlarge" => vec![aws_product(
            "M7I",
            json!({"instanceType": t, "regionCode": "us-east-1"}),
            "Hrs",
            &[("0", "0.2100000000")],
        )],
        ("AmazonEC2", Some(t), _) if t == "c7i.xlarge" => vec![aws_product(
            "C7I",
            json!({"instanceType": t}),
            "Hrs",
            &[("0", "0.1785000000")],
        )],
        ("AWSLambda", _, Some(g)) if g == "AWS-Lambda-Duration" => vec![aws_product(
            "LDUR",
            json!({"group": g}),
            "Lambda-GB-Second",
            &[("0", "0.0000166667"), ("6000000000", "0.0000150000")],
        )],
        // The real Price List writes x86's request unit in the singular,
        // arm64's in the plural.
        ("AWSLambda", _, Some(g)) if g == "AWS-Lambda-Requests" => vec![aws_product(
            "LREQ",
            json!({"group": g, "usagetype": "Request"}),
            "Request",
            &[("0", "0.0000002000")],
        )],
        ("AWSLambda", _, Some(g)) if g == "AWS-Lambda-Requests-ARM" => vec![aws_product(
            "LREQARM",
            json!({"group": g, "usagetype": "Request-ARM"}),
            "Requests",
            &[("0", "0.0000002000")],
        )],
        _ => vec![],
    }
}

/// Answers every query in two pages: page 1 holds a product without an
/// on-demand price, page 2 (asked for with NextToken) the real one.
fn aws_paged() -> Arc<Handler> {
    Arc::new(|_uri, headers, body| {
        if headers.get("x-amz-target").and_then(|v| v.to_str().ok())
            != Some("AWSPriceListService.GetProducts")
        {
            return Reply::Json(
                StatusCode::BAD_REQUEST,
                json!({"__type": "UnknownOperationException"}).to_string(),
            );
        }
        let body: Value = serde_json::from_slice(body).unwrap();
        let page = match body.get("NextToken").and_then(Value::as_str) {
            None => json!({
                "FormatVersion": "aws_v1",
                "PriceList": [aws_reserved_only("NOISE")],
                "NextToken": "page-2"
            }),
            Some("page-2") => json!({"FormatVersion": "aws_v1", "PriceList": aws_answer(&body)}),
            Some(other) => panic!("unexpected token {other}"),
        };
        Reply::Json(StatusCode::OK, page.to_string())
    })
}

fn aws_fixed(status: StatusCode, body: &'static str) -> Arc<Handler> {
    Arc::new(move |_, _, _| Reply::Json(status, body.to_string()))
}

#[test]
fn aws_refresh_writes_a_dated_snapshot_with_the_prices_found() {
    let s = stub(aws_paged());
    let dir = pricing_dir();
    let (code, out, err) = refresh("aws", &s, dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let file = dir.path().join(format!("aws-{DATE}.toml"));
    assert!(file.is_file());
    // What changed, old -> new, per offer and field.
    assert!(
        out.lines().any(|l| l.contains("aws-ec2-m7i.xlarge")
            && l.contains("billing.per_hour_usd")
            && l.contains("0.2016 -> 0.21")),
        "{out}"
    );
    assert!(
        out.contains("aws-ec2-g5.xlarge"),
        "unfound prices are listed: {out}"
    );
    assert!(out.contains("not found"), "{out}");
    // 5 in the default region, 6 in the Lambda offers' other regions.
    assert!(out.starts_with(&format!("aws-{DATE}: 11 of ")), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.contains("aws-lambda-x86 ") && l.contains("per_request_usd")),
        "x86's request price is found under its singular unit: {out}"
    );

    // Both pages were asked for, with the filters of the query.
    let reqs = s.requests.lock().unwrap();
    let bodies: Vec<Value> = reqs
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    assert!(bodies.iter().any(|b| b["NextToken"] == "page-2"));
    let m7i = bodies
        .iter()
        .find(|b| filter(b, "instanceType").as_deref() == Some("m7i.xlarge"))
        .unwrap();
    assert_eq!(m7i["ServiceCode"], "AmazonEC2");
    assert_eq!(filter(m7i, "operatingSystem").as_deref(), Some("Linux"));
    assert_eq!(filter(m7i, "tenancy").as_deref(), Some("Shared"));
    assert_eq!(filter(m7i, "capacitystatus").as_deref(), Some("Used"));
    assert_eq!(filter(m7i, "preInstalledSw").as_deref(), Some("NA"));
    drop(reqs);

    // The new snapshot lists with show, from the folder it was written to.
    let o = advisor()
        .args([
            "pricing",
            "show",
            "--snapshot",
            &format!("aws-{DATE}"),
            "--json",
            "--pricing",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let offers = v["offers"].as_array().unwrap();
    assert!(offers.iter().all(|o| o["cloud"] == "aws"));
    let m7i = offers
        .iter()
        .find(|o| o["id"] == "aws-ec2-m7i.xlarge")
        .unwrap();
    assert_eq!(m7i["per_hour_usd"], 0.21);
    assert_eq!(m7i["snapshot"], format!("aws-{DATE}"));
    let src = &m7i["sources"]["billing.per_hour_usd"];
    assert_eq!(src["date"], DATE);
    assert!(src["source"]
        .as_str()
        .unwrap()
        .starts_with("AWS Price List API"));
    // Behaviour and unfound prices are the current snapshot's.
    let g5 = offers
        .iter()
        .find(|o| o["id"] == "aws-ec2-g5.xlarge")
        .unwrap();
    assert_eq!(g5["per_hour_usd"], 1.006);
    assert_eq!(m7i["behaviour"]["timeout_s"], 60.0);
    let lambda = offers.iter().find(|o| o["id"] == "aws-lambda-x86").unwrap();
    assert_eq!(lambda["per_gb_s_usd"], 0.0000166667);
    assert_eq!(lambda["sources"]["billing.per_gb_s_usd"]["date"], DATE);

    // A second run refuses to clobber the file, and --force replaces it.
    let before = listing(dir.path());
    let (code, _, err) = refresh("aws", &s, dir.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(listing(dir.path()), before);
    let (code, _, err) = refresh("aws", &s, dir.path(), &["--force"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn aws_refresh_json_report() {
    let s = stub(aws_paged());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh("aws", &s, dir.path(), &["--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["snapshot"], format!("aws-{DATE}"));
    assert_eq!(v["found"], 11);
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["offer"], "aws-ec2-m7i.xlarge");
    assert_eq!(changes[0]["old_usd"], 0.2016);
    assert_eq!(changes[0]["new_usd"], 0.21);
    assert_eq!(v["unchanged"], 10);
    assert!(v["not_found"].as_array().unwrap().len() > 10);
}

/// Runs a failing refresh and checks: exit 1, one line saying what failed and
/// that nothing was written, and the folder unchanged.
fn assert_fails_cleanly(provider: &str, handler: Arc<Handler>, words: &[&str]) {
    let s = stub(handler);
    let dir = pricing_dir();
    let before = listing(dir.path());
    let extra = if provider == "azure" {
        azure_base(&[])
    } else {
        Vec::new()
    };
    let (code, out, err) = refresh(provider, &s, dir.path(), &extra);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    for w in words {
        assert!(err.contains(w), "{err} lacks {w}");
    }
    assert!(
        !err.contains("test-key"),
        "the API key must not be printed: {err}"
    );
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn aws_forbidden() {
    assert_fails_cleanly(
        "aws",
        aws_fixed(
            StatusCode::FORBIDDEN,
            r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform pricing:GetProducts"}"#,
        ),
        &["GetProducts", "AccessDeniedException", "not authorized"],
    );
}

#[test]
fn aws_throttled() {
    assert_fails_cleanly(
        "aws",
        aws_fixed(
            StatusCode::BAD_REQUEST,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        ),
        &["ThrottlingException", "Rate exceeded", "throttled"],
    );
}

#[test]
fn aws_malformed_json() {
    assert_fails_cleanly(
        "aws",
        aws_fixed(
            StatusCode::OK,
            "{\"FormatVersion\": \"aws_v1\", \"PriceList\": [tru",
        ),
        &["GetProducts", "not a GetProducts answer"],
    );
}

#[test]
fn aws_malformed_product_document() {
    assert_fails_cleanly(
        "aws",
        aws_fixed(
            StatusCode::OK,
            r#"{"FormatVersion":"aws_v1","PriceList":["{\"product\": "]}"#,
        ),
        &["malformed product document"],
    );
}

#[test]
fn aws_empty_list() {
    assert_fails_cleanly(
        "aws",
        aws_fixed(
            StatusCode::OK,
            r#"{"FormatVersion":"aws_v1","PriceList":[]}"#,
        ),
        &["gave no price for any of the"],
    );
}

#[test]
fn aws_timeout() {
    assert_fails_cleanly(
        "aws",
        Arc::new(|_, _, _| Reply::Hang),
        &["did not answer within 1 s"],
    );
}

#[test]
fn aws_unreachable() {
    // A port that was open and is closed again: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = pricing_dir();
    let before = listing(dir.path());
    let s = Stub {
        url: format!("http://127.0.0.1:{port}"),
        requests: Arc::default(),
    };
    let (code, _, err) = refresh("aws", &s, dir.path(), &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("could not be reached"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(listing(dir.path()), before);
}

// ---------------------------------------------------------------- Google stub

fn gcp_sku(desc: &str, regions: &[&str], unit: &str, rates: &[(&str, i64)]) -> Value {
    gcp_sku_of("OnDemand", desc, regions, unit, rates)
}

/// A Spot VM's SKU: usage type `Preemptible`.
fn gcp_spot_sku(desc: &str, unit: &str, nanos: i64) -> Value {
    gcp_sku_of("Preemptible", desc, &["us-central1"], unit, &[("0", nanos)])
}

fn gcp_sku_of(
    usage: &str,
    desc: &str,
    regions: &[&str],
    unit: &str,
    rates: &[(&str, i64)],
) -> Value {
    let tiers: Vec<Value> = rates
        .iter()
        .enumerate()
        .map(|(i, (units, nanos))| {
            json!({"startUsageAmount": i as f64 * 180000.0,
                   "unitPrice": {"currencyCode": "USD", "units": units, "nanos": nanos}})
        })
        .collect();
    json!({
        "name": format!("services/X/skus/{desc}"),
        "skuId": "0000-0000-0000",
        "description": desc,
        "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": "Compute",
                     "resourceGroup": "CPU", "usageType": usage},
        "serviceRegions": regions,
        "pricingInfo": [{
            "summary": "",
            "pricingExpression": {"usageUnit": unit, "usageUnitDescription": unit,
                                  "baseUnit": unit, "baseUnitConversionFactor": 1,
                                  "displayQuantity": 1, "tieredRates": tiers},
            "aggregationInfo": {"aggregationLevel": "ACCOUNT", "aggregationInterval": "MONTHLY",
                                "aggregationCount": 1},
            "currencyConversionRate": 1,
            "effectiveTime": "2026-11-01T00:00:00Z"
        }],
        "serviceProviderName": "Google"
    })
}

/// Compute Engine over two pages (N2 core on page 1, the rest on page 2);
/// Cloud Run with its free first tier; Vertex AI empty.
fn gcp_paged() -> Arc<Handler> {
    Arc::new(|uri, _, _| {
        let q = uri.query().unwrap_or("");
        if !q.split('&').any(|p| p == "key=test-key") {
            return Reply::Json(StatusCode::BAD_REQUEST, GCP_BAD_KEY.into());
        }
        let page2 = q.split('&').any(|p| p == "pageToken=next-1");
        let body = match uri.path() {
            "/v1/services/6F81-5844-456A/skus" if !page2 => json!({
                "skus": [gcp_sku("N2 Instance Core running in Americas", &["us-central1", "us-east1"], "h", &[("0", 33_000_000)])],
                "nextPageToken": "next-1"
            }),
            "/v1/services/6F81-5844-456A/skus" => json!({
                "skus": [
                    gcp_sku("N2 Instance Ram running in Americas", &["us-central1"], "GiBy.h", &[("0", 4_237_000)]),
                    gcp_spot_sku("Spot Preemptible N2 Instance Core running in Americas", "h", 7_000_000),
                    gcp_spot_sku("Spot Preemptible N2 Instance Ram running in Americas", "GiBy.h", 938_000),
                    gcp_spot_sku("Spot Preemptible E2 Instance Core running in Americas", "h", 6_540_000),
                    gcp_spot_sku("Spot Preemptible E2 Instance Ram running in Americas", "GiBy.h", 876_000),
                    gcp_sku("E2 Instance Core running in Americas", &["us-central1"], "h", &[("0", 21_811_000)]),
                    gcp_sku("E2 Instance Ram running in Americas", &["us-central1"], "GiBy.h", &[("0", 2_923_000)]),
                ],
                "nextPageToken": ""
            }),
            "/v1/services/152E-C115-5142/skus" => json!({
                "skus": [
                    gcp_sku("Services CPU (Request-based billing)", &["us-central1", "europe-west1"], "s", &[("0", 0), ("0", 24_000)]),
                    gcp_sku("Services Memory (Request-based billing)", &["us-central1"], "GiBy.s", &[("0", 0), ("0", 2_500)]),
                    gcp_sku("Requests", &["global"], "count", &[("0", 0), ("0", 400)]),
                ],
                "nextPageToken": ""
            }),
            "/v1/services/C7E2-9256-1C43/skus" => json!({"skus": [], "nextPageToken": ""}),
            other => panic!("unexpected path {other}"),
        };
        Reply::Json(StatusCode::OK, body.to_string())
    })
}

#[test]
fn gcp_refresh_sums_skus_and_follows_pages() {
    let s = stub(gcp_paged());
    let dir = pricing_dir();
    let (code, out, err) = refresh("gcp", &s, dir.path(), &["--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["snapshot"], format!("gcp-{DATE}"));
    let changes = v["changes"].as_array().unwrap();
    // N2 core went from $0.031611 to $0.033: 4 x 0.033 + 16 x 0.004237.
    let change = |offer: &str, field: &str| {
        changes
            .iter()
            .find(|c| c["offer"] == offer && c["field"] == field)
            .unwrap_or_else(|| panic!("no change {offer} {field}: {out}"))
    };
    let n2 = change("gcp-gce-n2-standard-4", "billing.per_hour_usd");
    assert_eq!(n2["old_usd"], 0.194236);
    assert!((n2["new_usd"].as_f64().unwrap() - (4.0 * 0.033 + 16.0 * 0.004237)).abs() < 1e-12);
    // Its Spot price is the Preemptible SKUs of the same parts, not the on-demand ones.
    let spot = change("gcp-gce-n2-standard-4", "purchase.spot.per_hour_usd");
    assert_eq!(spot["old_usd"], 0.09212);
    assert!((spot["new_usd"].as_f64().unwrap() - (4.0 * 0.007 + 16.0 * 0.000938)).abs() < 1e-12);
    // Committed use SKUs are not looked up: the snapshot's prices stay.
    assert!(!changes
        .iter()
        .any(|c| c["field"] == "purchase.cud1y.per_hour_usd"));
    // E2 and Cloud Run (past the free first tier) are unchanged.
    let not_found: Vec<&str> = v["not_found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["offer"].as_str().unwrap())
        .collect();
    assert!(!not_found.contains(&"gcp-gce-e2-standard-4"));
    assert!(!not_found.contains(&"gcp-cloud-run-1vcpu-2gib"));
    assert!(not_found.contains(&"gcp-vertex-n1-standard-4"));
    assert!(!changes
        .iter()
        .any(|c| c["offer"] == "gcp-cloud-run-1vcpu-2gib"));

    let reqs = s.requests.lock().unwrap();
    assert!(reqs.iter().any(|(u, _)| u.contains("pageToken=next-1")));
    assert!(reqs.iter().all(|(u, _)| u.contains("key=test-key")));
    // Each service's catalog is read once (plus its second page).
    assert_eq!(
        reqs.iter()
            .filter(|(u, _)| u.contains("6F81-5844-456A"))
            .count(),
        2
    );
    drop(reqs);

    let file = dir.path().join(format!("gcp-{DATE}.toml"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# Written by `advisor pricing refresh --provider gcp`"));
    let o = advisor()
        .args(["pricing", "show", "--json", "--pricing"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = shown["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "gcp-cloud-run-1vcpu-2gib")
        .unwrap();
    assert_eq!(run["per_vcpu_s_usd"], 0.000024);
    assert!(run["sources"]["billing.per_vcpu_s_usd"]["source"]
        .as_str()
        .unwrap()
        .starts_with("Cloud Billing Catalog API"));
}

/// Google's answer to a bad API key: 400, `API_KEY_INVALID` in the details.
const GCP_BAD_KEY: &str = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"cloudbilling.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}]}}"#;

fn gcp_fixed(status: StatusCode, body: &'static str) -> Arc<Handler> {
    Arc::new(move |_, _, _| Reply::Json(status, body.to_string()))
}

#[test]
fn gcp_forbidden() {
    assert_fails_cleanly(
        "gcp",
        gcp_fixed(
            StatusCode::FORBIDDEN,
            r#"{"error":{"code":403,"message":"Cloud Billing API has not been used in project 1 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"cloudbilling.googleapis.com","consumer":"projects/1"}}]}}"#,
        ),
        &[
            "HTTP 403",
            "PERMISSION_DENIED",
            "SERVICE_DISABLED",
            "enable the Cloud Billing API",
        ],
    );
}

#[test]
fn gcp_rate_limited() {
    assert_fails_cleanly(
        "gcp",
        gcp_fixed(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'cloudbilling.googleapis.com' for consumer 'project_number:1'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"service":"cloudbilling.googleapis.com","quota_metric":"cloudbilling.googleapis.com/read_requests"}}]}}"#,
        ),
        &["HTTP 429", "RESOURCE_EXHAUSTED", "rate limited"],
    );
}

#[test]
fn gcp_bad_key() {
    assert_fails_cleanly(
        "gcp",
        gcp_fixed(StatusCode::BAD_REQUEST, GCP_BAD_KEY),
        &[
            "HTTP 400",
            "INVALID_ARGUMENT",
            "API_KEY_INVALID",
            "the API key is not valid",
        ],
    );
}

#[test]
fn gcp_malformed_json() {
    assert_fails_cleanly(
        "gcp",
        gcp_fixed(StatusCode::OK, "{\"skus\": [{\"description\": "),
        &["malformed answer"],
    );
}

#[test]
fn gcp_empty_list() {
    assert_fails_cleanly(
        "gcp",
        gcp_fixed(StatusCode::OK, r#"{"skus": [], "nextPageToken": ""}"#),
        &["gave no price for any of the"],
    );
}

#[test]
fn gcp_timeout() {
    assert_fails_cleanly(
        "gcp",
        Arc::new(|_, _, _| Reply::Hang),
        &["did not answer within 1 s"],
    );
}

#[test]
fn aws_without_credentials() {
    let s = stub(aws_paged());
    let dir = pricing_dir();
    let before = listing(dir.path());
    let out = advisor()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "pricing",
            "refresh",
            "--provider",
            "aws",
            "--timeout-s",
            "1",
            "--endpoint-url",
        ])
        .arg(&s.url)
        .arg("--out-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(
        s.requests.lock().unwrap().is_empty(),
        "nothing unsigned was sent"
    );
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn gcp_needs_an_api_key() {
    let dir = pricing_dir();
    let out = advisor()
        .args(["pricing", "refresh", "--provider", "gcp", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("GOOGLE_API_KEY"), "{err}");
}

#[test]
fn bad_flags_are_bad_input() {
    let dir = pricing_dir();
    for args in [
        vec!["--timeout-s", "0"],
        vec!["--date", "yesterday"],
        vec!["--endpoint-url", "not a url"],
    ] {
        let out = advisor()
            .args(["pricing", "refresh", "--provider", "aws", "--out-dir"])
            .arg(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(args[0]), "{err}");
    }
}

#[test]
fn aws_refresh_of_a_region_asks_for_that_region() {
    let s = stub(aws_paged());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh("aws", &s, dir.path(), &["--region", "eu-west-1", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["snapshot"], format!("aws-eu-west-1-{DATE}"));
    let reqs = s.requests.lock().unwrap();
    let bodies: Vec<Value> = reqs
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    assert!(!bodies.is_empty());
    assert!(
        bodies
            .iter()
            .all(|b| filter(b, "regionCode").as_deref() == Some("eu-west-1")),
        "every query names the region"
    );
    drop(reqs);
    let text =
        std::fs::read_to_string(dir.path().join(format!("aws-eu-west-1-{DATE}.toml"))).unwrap();
    assert!(text.contains("aws-lambda-x86@eu-west-1"), "{text}");
    assert!(
        !text.contains("id = \"aws-lambda-x86\""),
        "only the region's offers"
    );
}

#[test]
fn aws_refresh_builds_a_region_the_snapshot_lacks() {
    let s = stub(aws_paged());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh("aws", &s, dir.path(), &["--region", "ap-south-1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with(&format!("aws-ap-south-1-{DATE}:")), "{out}");
    let reqs = s.requests.lock().unwrap();
    let bodies: Vec<Value> = reqs
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    // SageMaker's usage type carries the region's prefix.
    assert!(bodies
        .iter()
        .any(|b| filter(b, "usagetype").is_some_and(|u| u.starts_with("APS3-Host:"))));
    drop(reqs);
    let file = dir.path().join(format!("aws-ap-south-1-{DATE}.toml"));
    let o = advisor()
        .args(["pricing", "show", "--json", "--pricing"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    let offers = shown["offers"].as_array().unwrap();
    // Only offers whose every price the API gave: the stub knows m7i and c7i.
    let ids: Vec<&str> = offers.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"aws-ec2-m7i.xlarge@ap-south-1"), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("aws-ec2-g5")), "{ids:?}");
    assert!(offers.iter().all(|o| o["region"] == "ap-south-1"));
    let m7i = offers
        .iter()
        .find(|o| o["id"] == "aws-ec2-m7i.xlarge@ap-south-1")
        .unwrap();
    assert_eq!(m7i["per_hour_usd"], 0.21);
}

// ---------------------------------------------------------------- Azure stub

/// A Retail Prices item, in the API's documented shape.
fn azure_item(meter: &str, region: &str, unit: &str, tier: f64, usd: f64) -> Value {
    json!({
        "currencyCode": "USD", "tierMinimumUnits": tier, "retailPrice": usd, "unitPrice": usd,
        "armRegionName": region, "location": "US East", "effectiveStartDate": "2026-11-01T00:00:00Z",
        "meterId": "00000000-0000-0000-0000-000000000000", "meterName": meter,
        "productId": "DZH318Z0BPVW", "skuId": "DZH318Z0BPVW/0001", "availabilityId": null,
        "productName": "Functions", "skuName": "Standard", "serviceName": "Functions",
        "serviceId": "DZH3180HX10K", "serviceFamily": "Compute", "unitOfMeasure": unit,
        "type": "Consumption", "isPrimaryMeterRegion": true, "armSkuName": ""
    })
}

/// Answers the Consumption plan's meters in two pages (the free grant on
/// page 1, the priced tier on page 2 via NextPageLink); nothing else.
fn azure_paged(base: Arc<Mutex<String>>) -> Arc<Handler> {
    Arc::new(move |uri, _, _| {
        let q = uri.query().unwrap_or("");
        let filter: String = reqwest_like_decode(q);
        let page2 = q.contains("%24skip=100") || q.contains("$skip=100");
        let region = if filter.contains("armRegionName eq 'eastus'") {
            "eastus"
        } else {
            "other"
        };
        let mut items = Vec::new();
        let mut next = None;
        if filter.contains("meterName eq 'Standard Execution Time'") {
            if page2 {
                items.push(azure_item(
                    "Standard Execution Time",
                    region,
                    "1 GB Second",
                    400000.0,
                    0.000017,
                ));
            } else {
                items.push(azure_item(
                    "Standard Execution Time",
                    region,
                    "1 GB Second",
                    0.0,
                    0.0,
                ));
                next = Some(format!(
                    "{}{}?{}&$skip=100",
                    base.lock().unwrap(),
                    uri.path(),
                    q
                ));
            }
        } else if filter.contains("meterName eq 'Standard Total Executions'") {
            items.push(azure_item(
                "Standard Total Executions",
                region,
                "10",
                0.0,
                0.0,
            ));
            items.push(azure_item(
                "Standard Total Executions",
                region,
                "10",
                100000.0,
                0.000002,
            ));
        }
        let body = json!({
            "BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
            "Items": items, "NextPageLink": next, "Count": 1
        });
        Reply::Json(StatusCode::OK, body.to_string())
    })
}

/// Percent-decodes a query string enough to read the OData filter.
fn reqwest_like_decode(q: &str) -> String {
    let q = q.replace('+', " ");
    let mut out = Vec::new();
    let b = q.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&q[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// The built-in `current` snapshot, whose Azure offers an Azure refresh reads.
fn azure_base<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--base", "current"];
    v.extend_from_slice(extra);
    v
}

fn azure_stub() -> Stub {
    let base = Arc::new(Mutex::new(String::new()));
    let s = stub(azure_paged(base.clone()));
    *base.lock().unwrap() = s.url.clone();
    s
}

#[test]
fn azure_refresh_follows_next_page_links_and_skips_free_grants() {
    let s = azure_stub();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh(
        "azure",
        &s,
        dir.path(),
        &azure_base(&["--json", "--region", "eastus"]),
    );
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["snapshot"], format!("azure-eastus-{DATE}"));
    let changes = v["changes"].as_array().unwrap();
    let gbs = changes
        .iter()
        .find(|c| {
            c["offer"] == "azure-functions-consumption" && c["field"] == "billing.per_gb_s_usd"
        })
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(gbs["old_usd"], 0.000016);
    assert_eq!(gbs["new_usd"], 0.000017);
    // $0.000002 per 10 executions is the $0.20 per million already known.
    assert!(!changes
        .iter()
        .any(|c| c["field"] == "billing.per_request_usd"
            && c["offer"] == "azure-functions-consumption"));
    assert!(v["unchanged"].as_u64().unwrap() >= 1);
    let reqs = s.requests.lock().unwrap();
    assert!(
        reqs.iter().any(|(u, _)| u.contains("skip=100")),
        "page 2 was read"
    );
    assert!(reqs
        .iter()
        .all(|(u, _)| reqwest_like_decode(u)
            .contains("armRegionName eq 'eastus' and priceType eq '")));
}

#[test]
fn azure_rate_limited() {
    assert_fails_cleanly(
        "azure",
        Arc::new(|_, _, _| {
            Reply::Json(
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"Error":{"Code":"TooManyRequests","Message":"Rate limit exceeded. Try again later."}}"#.into(),
            )
        }),
        &[
            "Azure Retail Prices API",
            "HTTP 429",
            "TooManyRequests",
            "rate limited",
        ],
    );
}

#[test]
fn azure_malformed_json() {
    assert_fails_cleanly(
        "azure",
        Arc::new(|_, _, _| Reply::Json(StatusCode::OK, "{\"Items\": [".into())),
        &["malformed answer"],
    );
}

/// A Retail Prices API item of another service, in the API's documented shape.
fn azure_meter(
    service: &str,
    product: &str,
    sku: &str,
    meter: &str,
    unit: &str,
    usd: f64,
) -> Value {
    json!({
        "currencyCode": "USD", "tierMinimumUnits": 0.0, "retailPrice": usd, "unitPrice": usd,
        "armRegionName": "japaneast", "location": "JA East", "effectiveStartDate": "2026-11-01T00:00:00Z",
        "meterId": "00000000-0000-0000-0000-000000000001", "meterName": meter,
        "productId": "DZH318Z0BQ4L", "skuId": "DZH318Z0BQ4L/00TG", "availabilityId": null,
        "productName": product, "skuName": sku, "serviceName": service,
        "serviceId": "DZH313Z7MMC8", "serviceFamily": "Compute", "unitOfMeasure": unit,
        "type": "Consumption", "isPrimaryMeterRegion": true, "armSkuName": "Standard_D4s_v5"
    })
}

/// Answers Container Apps' and one virtual machine's meters in Japan East:
/// the VM's Windows, Spot and Low Priority meters beside the Linux one.
fn azure_services() -> Arc<Handler> {
    Arc::new(move |uri, _, _| {
        let filter = reqwest_like_decode(uri.query().unwrap_or(""));
        let mut items = Vec::new();
        if filter.contains("armRegionName eq 'japaneast'") {
            let aca = |meter: &str, unit: &str, usd: f64| {
                azure_meter(
                    "Azure Container Apps",
                    "Azure Container Apps",
                    "Standard",
                    meter,
                    unit,
                    usd,
                )
            };
            if filter.contains("meterName eq 'Standard vCPU Active Usage'") {
                items.push(aca("Standard vCPU Active Usage", "1 Second", 0.000025));
            } else if filter.contains("meterName eq 'Standard Memory Active Usage'") {
                items.push(aca(
                    "Standard Memory Active Usage",
                    "1 GiB Second",
                    0.000003,
                ));
            } else if filter.contains("meterName eq 'Standard Requests'") {
                items.push(aca("Standard Requests", "1M", 0.4));
            } else if filter.contains("armSkuName eq 'Standard_D4s_v5'") {
                let vm = |product: &str, sku: &str, usd: f64| {
                    azure_meter("Virtual Machines", product, sku, sku, "1 Hour", usd)
                };
                items.push(vm("Virtual Machines Dsv5 Series Windows", "D4s v5", 0.432));
                items.push(vm("Virtual Machines Dsv5 Series", "D4s v5 Spot", 0.05));
                items.push(vm(
                    "Virtual Machines Dsv5 Series",
                    "D4s v5 Low Priority",
                    0.05,
                ));
                items.push(vm("Virtual Machines Dsv5 Series", "D4s v5", 0.25));
            }
        }
        let body = json!({
            "BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
            "Items": items, "NextPageLink": null, "Count": items.len()
        });
        Reply::Json(StatusCode::OK, body.to_string())
    })
}

#[test]
fn azure_refresh_reads_container_apps_and_virtual_machine_meters() {
    let s = stub(azure_services());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh(
        "azure",
        &s,
        dir.path(),
        &azure_base(&["--json", "--region", "japaneast"]),
    );
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let change = |offer: &str, field: &str| {
        changes
            .iter()
            .find(|c| c["offer"] == offer && c["field"] == field)
            .unwrap_or_else(|| panic!("no change {offer} {field}: {out}"))
            .clone()
    };
    let cpu = change(
        "azure-container-apps-1vcpu-2gib@japaneast",
        "billing.per_vcpu_s_usd",
    );
    assert_eq!(cpu["old_usd"], 0.000024);
    assert_eq!(cpu["new_usd"], 0.000025);
    // The Linux pay-as-you-go meter, not Windows, Spot or Low Priority.
    let d4 = change("azure-vm-d4s-v5@japaneast", "billing.per_hour_usd");
    assert_eq!(d4["old_usd"], 0.248);
    assert_eq!(d4["new_usd"], 0.25);
    // Unchanged prices are not changes; $0.40 per million is $0.0000004 a request.
    assert!(!changes.iter().any(
        |c| c["offer"] == "azure-container-apps-1vcpu-2gib@japaneast"
            && c["field"] != "billing.per_vcpu_s_usd"
    ));
    let reqs = s.requests.lock().unwrap();
    assert!(reqs.iter().all(|(u, _)| reqwest_like_decode(u)
        .contains("armRegionName eq 'japaneast' and priceType eq 'Consumption'")));
}

/// A virtual machine meter in East US, in the API's documented shape; a
/// reservation's price is for its whole term, its unit still `1 Hour`.
fn azure_vm_item(product: &str, sku: &str, kind: &str, term: Option<&str>, usd: f64) -> Value {
    let mut v = azure_meter("Virtual Machines", product, sku, "D4s v5", "1 Hour", usd);
    v["armRegionName"] = json!("eastus");
    v["location"] = json!("US East");
    v["type"] = json!(kind);
    if let Some(t) = term {
        v["reservationTerm"] = json!(t);
    }
    v
}

/// Answers Standard_D4s_v5 in East US: pay-as-you-go meters on two pages
/// (Windows and Linux, then Spot and Low Priority via NextPageLink) and
/// the 1- and 3-year reservations; nothing for other sizes.
fn azure_vm_options(base: Arc<Mutex<String>>) -> Arc<Handler> {
    Arc::new(move |uri, _, _| {
        let q = uri.query().unwrap_or("");
        let filter = reqwest_like_decode(q);
        let mut items = Vec::new();
        let mut next = None;
        let d4 = filter.contains("armSkuName eq 'Standard_D4s_v5'")
            && filter.contains("armRegionName eq 'eastus'");
        let series = "Virtual Machines Dsv5 Series";
        let windows = "Virtual Machines Dsv5 Series Windows";
        if d4 && filter.contains("priceType eq 'Reservation'") {
            items.push(azure_vm_item(
                series,
                "D4s v5",
                "Reservation",
                Some("1 Year"),
                1051.2,
            ));
            items.push(azure_vm_item(
                series,
                "D4s v5",
                "Reservation",
                Some("3 Years"),
                2049.84,
            ));
        } else if d4 && q.contains("skip=100") {
            items.push(azure_vm_item(
                series,
                "D4s v5 Spot",
                "Consumption",
                None,
                0.0415,
            ));
            items.push(azure_vm_item(
                series,
                "D4s v5 Low Priority",
                "Consumption",
                None,
                0.0384,
            ));
        } else if d4 {
            items.push(azure_vm_item(windows, "D4s v5", "Consumption", None, 0.376));
            items.push(azure_vm_item(series, "D4s v5", "Consumption", None, 0.192));
            next = Some(format!(
                "{}{}?{}&$skip=100",
                base.lock().unwrap(),
                uri.path(),
                q
            ));
        }
        let body = json!({
            "BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
            "Items": items, "NextPageLink": next, "Count": items.len()
        });
        Reply::Json(StatusCode::OK, body.to_string())
    })
}

#[test]
fn azure_refresh_reads_spot_and_reservation_prices() {
    let base = Arc::new(Mutex::new(String::new()));
    let s = stub(azure_vm_options(base.clone()));
    *base.lock().unwrap() = s.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = refresh(
        "azure",
        &s,
        dir.path(),
        &azure_base(&["--json", "--region", "eastus"]),
    );
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let change = |field: &str| {
        changes
            .iter()
            .find(|c| c["offer"] == "azure-vm-d4s-v5" && c["field"] == field)
            .unwrap_or_else(|| panic!("no change {field}: {out}"))
            .clone()
    };
    // The Spot meter from page 2, not Low Priority or Windows.
    let spot = change("purchase.spot.per_hour_usd");
    assert_eq!(spot["old_usd"], 0.0768);
    assert_eq!(spot["new_usd"], 0.0415);
    // Term totals spread over 8760 and 26280 hours.
    let ri1 = change("purchase.ri1y.per_hour_usd");
    assert_eq!(ri1["old_usd"], 0.121);
    assert!(
        (ri1["new_usd"].as_f64().unwrap() - 0.12).abs() < 1e-12,
        "{ri1}"
    );
    let ri3 = change("purchase.ri3y.per_hour_usd");
    assert!(
        (ri3["new_usd"].as_f64().unwrap() - 0.078).abs() < 1e-12,
        "{ri3}"
    );
    // Sizes the stub does not price keep their options, reported as not found.
    let missing = v["not_found"].as_array().unwrap();
    assert!(missing.iter().any(|m| m["offer"] == "azure-vm-d8s-v5"
        && m["field"] == "purchase.ri3y.per_hour_usd"
        && m["reason"]
            .as_str()
            .unwrap()
            .contains("no 3 Years reservation price")));
    let written =
        std::fs::read_to_string(dir.path().join(format!("azure-eastus-{DATE}.toml"))).unwrap();
    let line = written
        .lines()
        .find(|l| l.contains("purchase.ri1y.per_hour_usd"))
        .unwrap_or_else(|| panic!("{written}"));
    assert!(line.contains("0.12"), "{line}");
    let reqs = s.requests.lock().unwrap();
    assert!(
        reqs.iter().any(|(u, _)| u.contains("skip=100")),
        "page 2 was read"
    );
    assert!(reqs.iter().any(|(u, _)| reqwest_like_decode(u)
        .contains("armSkuName eq 'Standard_D4s_v5' and armRegionName eq 'eastus' and priceType eq 'Reservation'")));
}
