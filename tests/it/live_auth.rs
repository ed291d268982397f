//! Authenticated replay against loopback stubs: one that checks AWS
//! Signature V4 with its own verifier (written from the SigV4 spec, checked
//! against the AWS test suite's vectors), one that accepts only an unexpired
//! short-lived bearer token.

use crate::live_support::even;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// RFC 3986 encoding as SigV4 asks (unreserved kept).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signature SigV4 gives: canonical request, string to sign, derived key.
// The arguments are the parts of the canonical request as the SigV4 docs list them.
#[allow(clippy::too_many_arguments)]
fn signature(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    signed: &str,
    body: &[u8],
    date: &str,
    scope: &str,
) -> String {
    // Non-S3 services encode each path segment once more.
    let path: Vec<String> = path.split('/').map(enc).collect();
    let mut q: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    q.sort();
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        let v: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect();
        canonical_headers.push_str(&format!("{name}:{}\n", v.join(",")));
    }
    let creq = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{signed}\n{}",
        path.join("/"),
        q.join("&"),
        sha_hex(body)
    );
    let sts = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        sha_hex(creq.as_bytes())
    );
    let mut parts = scope.split('/');
    let (d, region, service) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let k = hmac(format!("AWS4{SECRET}").as_bytes(), d);
    let k = hmac(&k, region);
    let k = hmac(&k, service);
    let k = hmac(&k, "aws4_request");
    hex::encode(hmac(&k, &sts))
}

#[test]
fn the_verifier_reproduces_the_aws_test_suite() {
    // get-vanilla and get-vanilla-with-session-token, AWS SigV4 test suite.
    let h = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    let scope = "20150830/us-east-1/service/aws4_request";
    let hs = h(&[
        ("host", "example.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
    ]);
    assert_eq!(
        signature(
            "GET",
            "/",
            "",
            &hs,
            "host;x-amz-date",
            b"",
            "20150830T123600Z",
            scope
        ),
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    let tok = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    let mut hs = hs;
    hs.push(("x-amz-security-token".into(), tok.into()));
    assert_eq!(
        signature(
            "GET",
            "/",
            "",
            &hs,
            "host;x-amz-date;x-amz-security-token",
            b"",
            "20150830T123600Z",
            scope
        ),
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
    );
}

/// Checks one request; the error body as SageMaker Runtime answers it.
fn verify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("Missing Authentication Token")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("bad algorithm")?;
    let field = |k: &str| {
        rest.split(", ")
            .find_map(|p| p.strip_prefix(k))
            .map(str::to_string)
            .ok_or(format!("no {k}"))
    };
    let cred = field("Credential=")?;
    let signed = field("SignedHeaders=")?;
    let sig = field("Signature=")?;
    let (akid, scope) = cred.split_once('/').ok_or("bad credential")?;
    if akid != AKID || !scope.ends_with("/us-east-1/sagemaker/aws4_request") {
        return Err(format!("bad scope {scope}"));
    }
    for must in ["host", "x-amz-date", "x-amz-content-sha256"] {
        if !signed.split(';').any(|s| s == must) {
            return Err(format!("{must} not signed"));
        }
    }
    let hs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let date = headers["x-amz-date"].to_str().unwrap();
    let want = signature(
        method.as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        &hs,
        &signed,
        body,
        date,
        scope,
    );
    if headers["x-amz-content-sha256"].to_str().unwrap() != sha_hex(body) || want != sig {
        return Err("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into());
    }
    Ok(())
}

async fn stub<F>(check: F) -> (String, Arc<AtomicU64>)
where
    F: Fn(&Method, &Uri, &HeaderMap, &[u8]) -> Result<(), (StatusCode, Value)>
        + Send
        + Sync
        + 'static,
{
    let accepted = Arc::new(AtomicU64::new(0));
    let (a, check) = (Arc::clone(&accepted), Arc::new(check));
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (a, check) = (Arc::clone(&a), Arc::clone(&check));
            async move {
                match check(&method, &uri, &headers, &body) {
                    Ok(()) => {
                        a.fetch_add(1, Ordering::SeqCst);
                        (StatusCode::OK, axum::Json(serde_json::json!({"y": [1.0]})))
                            .into_response()
                    }
                    Err((status, body)) => (status, axum::Json(body)).into_response(),
                }
            }
        },
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (format!("http://{addr}"), accepted)
}

fn replay(
    url: &str,
    trace: &std::path::Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_advisor"));
    c.args(["replay", "--json", "--url", url, "--trace"])
        .arg(trace)
        .args(extra)
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn sigv4_stub_check(
    m: &Method,
    u: &Uri,
    h: &HeaderMap,
    b: &[u8],
) -> Result<(), (StatusCode, Value)> {
    verify(m, u, h, b).map_err(|msg| {
        (
            StatusCode::FORBIDDEN,
            serde_json::json!({"__type": "InvalidSignatureException", "message": msg}),
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sigv4_signed_request_is_accepted_and_no_secret_is_printed() {
    let (base, accepted) = stub(sigv4_stub_check).await;
    let url = format!("{base}/endpoints/my-endpoint/invocations");
    let t = even(20, 20.0);
    let env = [
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", "session-token-example"),
    ];
    let tp = t.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        replay(
            &url,
            &tp,
            &["--aws-sigv4", "sagemaker", "--aws-region", "us-east-1"],
            &env,
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["succeeded"], 20, "{out}");
    assert_eq!(accepted.load(Ordering::SeqCst), 20);
    for secret in [SECRET, "session-token-example"] {
        assert!(!out.contains(secret) && !err.contains(secret));
    }

    // A wrong secret: every request refused with the service's 403.
    let url = format!("{base}/endpoints/my-endpoint/invocations");
    let tp = t.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        replay(
            &url,
            &tp,
            &["--aws-sigv4", "sagemaker", "--aws-region", "us-east-1"],
            &[
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", "wrong-secret-1234"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["succeeded"], 0, "{out}");
    assert!(!out.contains("wrong-secret-1234") && !err.contains("wrong-secret-1234"));
}

#[test]
fn missing_aws_credentials_or_region_fail_in_one_line_with_exit_2() {
    let t = even(2, 10.0);
    let (code, _, err) = replay(
        "http://127.0.0.1:9/x",
        t.path(),
        &["--aws-sigv4", "sagemaker"],
        &[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no AWS region"), "{err}");
    assert!(!err.contains(SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_lived_bearer_token_is_refreshed_during_the_replay() {
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    // A JWT living 2 s; each run appends a line to `count`.
    let script = dir.path().join("token.sh");
    std::fs::write(
        &script,
        format!(
            "echo x >> '{}'\nexp=$(( $(date +%s) + 2 ))\np=$(printf '{{\"exp\":%d}}' $exp | base64 | tr '+/' '-_' | tr -d '=\\n')\necho \"eyJhbGciOiJub25lIn0.$p.sig\"\n",
            count.display()
        ),
    )
    .unwrap();
    let (base, accepted) = stub(|_, _, h, _| {
        let ok = h
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(advisor::live::auth::bearer::jwt_expiry)
            .is_some_and(|exp| exp > std::time::SystemTime::now());
        if ok {
            Ok(())
        } else {
            Err((
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "Request had invalid authentication credentials."}}),
            ))
        }
    })
    .await;
    let t = even(60, 10.0);
    let cmd = format!("sh '{}'", script.display());
    let url = format!("{base}/predict");
    let tp = t.path().to_path_buf();
    let (code, out, err) =
        tokio::task::spawn_blocking(move || replay(&url, &tp, &["--bearer-cmd", &cmd], &[]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["succeeded"], 60, "{out}");
    assert_eq!(accepted.load(Ordering::SeqCst), 60);
    let runs = std::fs::read_to_string(&count).unwrap().lines().count();
    assert!(runs > 2, "the token command ran {runs} times");
    assert!(!out.contains("eyJhbGciOiJub25lIn0") && !err.contains("eyJhbGciOiJub25lIn0"));
}

#[test]
fn a_failing_bearer_command_is_a_one_line_exit_2_error_naming_it() {
    let t = even(2, 10.0);
    let (code, _, err) = replay(
        "http://127.0.0.1:9/x",
        t.path(),
        &["--bearer-cmd", "echo tok-$((6*7)); exit 1"],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--bearer-cmd 'echo tok-$((6*7)); exit 1'"),
        "{err}"
    );
    assert!(!err.contains("tok-42"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
