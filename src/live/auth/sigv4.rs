//! AWS Signature V4 on every request (`--aws-sigv4 sagemaker`, `lambda`,
//! ...), with credentials from the standard AWS chain: environment
//! variables, the shared config and credentials files (profiles, SSO,
//! assumed roles, `credential_process`), web identity, container and
//! instance roles.
//!
//! The request is signed as sent: method, URL (the user's own; no endpoint
//! is derived), every header the request carries, and the body's SHA-256,
//! which is also sent as `x-amz-content-sha256` (Lambda function URLs ask
//! for it on POST; other services accept it).

use super::{Fetch, Fetched, Refreshing};
use aws_config::meta::region::ProvideRegion;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use reqwest::header::{HeaderName, HeaderValue};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Signs requests for one service in one region.
pub struct SigV4 {
    service: String,
    region: String,
    credentials: Refreshing<Credentials>,
    /// The first request that could not be signed, for the report.
    pub(super) problem: Arc<Mutex<Option<String>>>,
}

/// The region: `--aws-region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`,
/// else the shared config file's (profile) region.
async fn region(given: Option<&str>) -> Option<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(r) = given.map(str::to_string).or_else(|| env("AWS_REGION")) {
        return Some(r);
    }
    if let Some(r) = env("AWS_DEFAULT_REGION") {
        return Some(r);
    }
    aws_config::default_provider::region::default_provider()
        .region()
        .await
        .map(|r| r.to_string())
}

impl SigV4 {
    /// Finds the region and the first credentials; the error is one line
    /// (the credential chain's reason, which names no secret).
    pub async fn start(service: &str, region_arg: Option<&str>) -> Result<SigV4, String> {
        if service.is_empty()
            || !service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!(
                "--aws-sigv4 '{service}': expected a service signing name, e.g. sagemaker, lambda, execute-api"
            ));
        }
        let region = region(region_arg).await.ok_or_else(|| {
            "--aws-sigv4: no AWS region: give --aws-region or set AWS_REGION".to_string()
        })?;
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .load()
            .await;
        let provider = config
            .credentials_provider()
            .ok_or_else(|| "--aws-sigv4: no AWS credential provider".to_string())?;
        let credentials = Refreshing::start(fetcher(provider)).await?;
        Ok(SigV4 {
            service: service.to_string(),
            region,
            credentials,
            problem: Arc::default(),
        })
    }

    /// Service and region, for messages (no credentials).
    pub fn describe(&self) -> String {
        format!("service {}, region {}", self.service, self.region)
    }

    /// Adds `Authorization`, `X-Amz-Date`, `x-amz-content-sha256` and (with
    /// temporary credentials) `X-Amz-Security-Token`.
    pub(super) fn sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let result = self.try_sign(request);
        if let Err(e) = &result {
            if let Ok(mut p) = self.problem.lock() {
                p.get_or_insert(format!("signing a request failed: {e}"));
            }
        }
        result
    }

    fn try_sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let creds = self
            .credentials
            .get()
            .ok_or_else(|| "no credentials".to_string())?;
        let identity = creds.into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
            .collect();
        let body = request.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        let (added, _) = instructions.into_parts();
        for h in added {
            let name = HeaderName::from_bytes(h.name().as_bytes()).map_err(|e| e.to_string())?;
            let mut value = HeaderValue::from_str(h.value()).map_err(|e| e.to_string())?;
            value.set_sensitive(h.sensitive() || name == reqwest::header::AUTHORIZATION);
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }
}

fn fetcher(provider: SharedCredentialsProvider) -> Fetch<Credentials> {
    Arc::new(move || {
        let provider = provider.clone();
        Box::pin(async move {
            let creds = provider
                .provide_credentials()
                .await
                .map_err(|e| format!("--aws-sigv4: no AWS credentials: {}", one_line(&e)))?;
            Ok(Fetched {
                expires: creds.expiry(),
                value: creds,
            })
        })
    })
}

/// The error with its causes on one line.
fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    out.replace('\n', " ")
}
