//! `Authorization: Bearer` from a command (`--bearer-cmd 'gcloud auth
//! print-identity-token'`) or a file (`--bearer-file`, e.g. a token a sidecar
//! rewrites), fetched again before it expires.
//!
//! The expiry is the token's own `exp` claim when it is a JWT (Google
//! identity and access tokens for Cloud Run and Vertex AI are), else the
//! given time to live.

use super::{Fetch, Fetched, Refreshing};
use base64::Engine as _;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Time to live assumed for a token that is not a JWT: 55 minutes, since
/// Google's identity and access tokens live one hour and the replay should
/// fetch the next one a little before.
pub const DEFAULT_TTL: Duration = Duration::from_secs(55 * 60);

/// Where the token comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A shell command whose standard output is the token.
    Command(String),
    /// A file holding the token, read again at each refresh.
    File(PathBuf),
}

impl Source {
    /// The source as the command line gives it, for messages.
    pub fn describe(&self) -> String {
        match self {
            Source::Command(c) => format!("--bearer-cmd '{c}'"),
            Source::File(f) => format!("--bearer-file {}", f.display()),
        }
    }
}

/// A bearer token kept fresh.
pub struct Bearer {
    source: Source,
    /// The `Authorization` value in force.
    pub(super) token: Refreshing<HeaderValue>,
}

impl Bearer {
    /// Fetches the first token; the error is one line naming the source.
    pub async fn start(source: Source, ttl: Duration) -> Result<Bearer, String> {
        let s = source.clone();
        let fetch: Fetch<HeaderValue> = Arc::new(move || {
            let s = s.clone();
            Box::pin(async move { fetch(&s, ttl).await })
        });
        let token = Refreshing::start(fetch).await?;
        Ok(Bearer { source, token })
    }

    /// The source, for messages.
    pub fn describe(&self) -> String {
        self.source.describe()
    }

    pub(super) fn apply(&self, request: &mut reqwest::Request) {
        if let Some(v) = self.token.get() {
            request.headers_mut().insert(AUTHORIZATION, v);
        }
    }
}

async fn fetch(source: &Source, ttl: Duration) -> Result<Fetched<HeaderValue>, String> {
    let name = source.describe();
    let text = match source {
        Source::Command(cmd) => run(cmd).await.map_err(|e| format!("{name}: {e}"))?,
        Source::File(path) => tokio::fs::read_to_string(path)
            .await
            .map_err(|e| format!("{name}: {e}"))?,
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("{name}: gave an empty token"));
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| format!("{name}: the token has characters a header cannot carry"))?;
    value.set_sensitive(true);
    let expires = match jwt_expiry(token) {
        Some(exp) if exp <= SystemTime::now() => {
            return Err(format!(
                "{name}: the token (a JWT) has already expired (its exp claim is in the past)"
            ))
        }
        Some(exp) => exp,
        None => SystemTime::now() + ttl,
    };
    Ok(Fetched {
        value,
        expires: Some(expires),
    })
}

/// Runs `cmd` with `sh -c`; its standard output, or why it failed (with
/// the first line of its standard error, never its output: that is the token).
async fn run(cmd: &str) -> Result<String, String> {
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("could not run it: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let first: String = first.chars().take(200).collect();
        let status = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        };
        return Err(if first.is_empty() {
            format!("failed ({status})")
        } else {
            format!("failed ({status}): {}", first.trim())
        });
    }
    String::from_utf8(out.stdout).map_err(|_| "printed a token that is not UTF-8".to_string())
}

/// The `exp` claim of a JWT (`HEADER.PAYLOAD.SIGNATURE`, base64url), if the
/// token is one.
pub fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_f64()?;
    (exp.is_finite() && exp > 0.0).then(|| UNIX_EPOCH + Duration::from_secs_f64(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(r#"{"alg":"RS256"}"#),
            e.encode(claims)
        )
    }

    #[test]
    fn the_expiry_is_the_jwt_exp_claim() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":1700000000,"aud":"x"}"#)),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"aud":"x"}"#)), None);
        assert_eq!(jwt_expiry("ya29.opaque-access-token"), None);
        assert_eq!(jwt_expiry("a.b.c.d"), None);
    }

    #[tokio::test]
    async fn a_failing_command_is_named_without_its_output() {
        // The token printed is tok-42, which the command line does not spell.
        let src = Source::Command("echo tok-$((6*7)); echo 'no account' >&2; exit 3".into());
        let e = fetch(&src, DEFAULT_TTL).await.err().unwrap();
        assert!(e.starts_with("--bearer-cmd 'echo tok-$((6*7))"), "{e}");
        assert!(e.contains("exit status 3"), "{e}");
        assert!(e.contains("no account"), "{e}");
        assert!(!e.contains("tok-42"), "{e}");
        assert_eq!(e.lines().count(), 1);
    }

    #[tokio::test]
    async fn an_expired_jwt_is_refused_and_an_opaque_token_gets_the_ttl() {
        let old = jwt(r#"{"exp":1000}"#);
        let e = fetch(&Source::Command(format!("echo {old}")), DEFAULT_TTL)
            .await
            .err()
            .unwrap();
        assert!(e.contains("expired"), "{e}");
        let f = fetch(&Source::Command("echo opaque".into()), DEFAULT_TTL)
            .await
            .unwrap();
        assert_eq!(f.value.to_str().unwrap(), "Bearer opaque");
        assert!(f.value.is_sensitive());
        let left = f
            .expires
            .unwrap()
            .duration_since(SystemTime::now())
            .unwrap();
        assert!(left > Duration::from_secs(50 * 60) && left <= DEFAULT_TTL);
    }
}
