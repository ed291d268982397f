//! Authenticated replay: every request signed with AWS Signature V4
//! ([`sigv4`]), or carrying a bearer token fetched from a command or a file
//! ([`bearer`]).
//!
//! Both hold a secret that expires (temporary AWS credentials, an identity
//! token), so both sit behind a [`Refreshing`] value: fetched once before the
//! replay starts, so that a missing credential fails before any load is sent,
//! then fetched again in the background before it expires. The request path
//! only reads the current value, so a refresh never delays a send. Secrets
//! never reach output: the values are kept out of `Debug`, marked sensitive
//! in headers, and errors name the source (the command, the file, the
//! credential chain), never the value.

pub mod bearer;
pub mod sigv4;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};
use tokio::task::JoinHandle;

/// How a replay authenticates its requests.
pub enum Auth {
    /// AWS Signature V4 on every request.
    SigV4(sigv4::SigV4),
    /// `Authorization: Bearer TOKEN`.
    Bearer(bearer::Bearer),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names the scheme only: the secrets stay out of any debug print.
        match self {
            Auth::SigV4(s) => write!(f, "Auth::SigV4({})", s.describe()),
            Auth::Bearer(b) => write!(f, "Auth::Bearer({})", b.describe()),
        }
    }
}

impl Auth {
    /// Adds the authentication headers to a request built for sending.
    /// The error says why (never with a secret in it).
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match self {
            Auth::SigV4(s) => s.sign(request),
            Auth::Bearer(b) => {
                b.apply(request);
                Ok(())
            }
        }
    }

    /// What went wrong while authenticating during the replay (a failed
    /// refresh, a request that could not be signed), if anything; the first
    /// such problem, for a warning after the replay.
    pub fn problem(&self) -> Option<String> {
        let p = match self {
            Auth::SigV4(s) => &s.problem,
            Auth::Bearer(b) => &b.token.problem,
        };
        p.lock().ok().and_then(|p| p.clone())
    }
}

/// A secret with the time it stops being valid (`None`: never expires).
pub struct Fetched<T> {
    /// The secret.
    pub value: T,
    /// When it expires.
    pub expires: Option<SystemTime>,
}

/// What fetches a fresh secret; the error is one line, without the secret.
pub type Fetch<T> =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Fetched<T>, String>> + Send>> + Send + Sync>;

/// A secret kept fresh by a background task.
pub struct Refreshing<T> {
    current: Arc<RwLock<T>>,
    /// The first failed refresh or use, for the report's warnings.
    pub problem: Arc<Mutex<Option<String>>>,
    task: Option<JoinHandle<()>>,
}

impl<T: Clone + Send + Sync + 'static> Refreshing<T> {
    /// Fetches the secret now (the error is the fetch's) and, when it
    /// expires, starts refreshing it in the background. Call inside a tokio
    /// runtime.
    pub async fn start(fetch: Fetch<T>) -> Result<Refreshing<T>, String> {
        let first = fetch().await?;
        let current = Arc::new(RwLock::new(first.value));
        let problem = Arc::new(Mutex::new(None));
        let task = first.expires.map(|expires| {
            let (current, problem) = (Arc::clone(&current), Arc::clone(&problem));
            tokio::spawn(refresh_loop(fetch, expires, current, problem))
        });
        Ok(Refreshing {
            current,
            problem,
            task,
        })
    }

    /// The secret in force now.
    pub fn get(&self) -> Option<T> {
        self.current.read().ok().map(|v| v.clone())
    }

    /// Notes a problem for the report, keeping the first.
    pub fn note(&self, what: String) {
        if let Ok(mut p) = self.problem.lock() {
            p.get_or_insert(what);
        }
    }
}

impl<T> Drop for Refreshing<T> {
    fn drop(&mut self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

/// How long before expiry a secret is fetched again: a quarter of its
/// lifetime, at most 5 minutes. AWS SDKs refresh temporary credentials 5
/// minutes ahead; a quarter keeps short-lived tokens (seconds, in tests)
/// from being refetched on every request while leaving time for a retry.
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(300))
}

/// Wait before retrying a failed refresh.
const RETRY: Duration = Duration::from_secs(1);

async fn refresh_loop<T>(
    fetch: Fetch<T>,
    mut expires: SystemTime,
    current: Arc<RwLock<T>>,
    problem: Arc<Mutex<Option<String>>>,
) {
    let mut fetched_at = SystemTime::now();
    loop {
        let lifetime = expires.duration_since(fetched_at).unwrap_or_default();
        let refresh_at = expires
            .checked_sub(refresh_margin(lifetime))
            .unwrap_or(expires);
        let wait = refresh_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        tokio::time::sleep(wait).await;
        loop {
            fetched_at = SystemTime::now();
            match fetch().await {
                Ok(f) => {
                    if let Ok(mut c) = current.write() {
                        *c = f.value;
                    }
                    // One that never expires needs no more refreshing.
                    let Some(e) = f.expires else { return };
                    expires = e;
                    break;
                }
                Err(e) => {
                    if let Ok(mut p) = problem.lock() {
                        p.get_or_insert(format!("refreshing the credentials failed: {e}"));
                    }
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn the_margin_is_a_quarter_up_to_five_minutes() {
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(500)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
    }

    #[tokio::test]
    async fn an_expiring_secret_is_fetched_again_before_it_expires() {
        let calls = Arc::new(AtomicU32::new(0));
        let c = Arc::clone(&calls);
        let fetch: Fetch<u32> = Arc::new(move || {
            let n = c.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(Fetched {
                    value: n,
                    expires: Some(SystemTime::now() + Duration::from_millis(200)),
                })
            })
        });
        let r = Refreshing::start(fetch).await.unwrap();
        assert_eq!(r.get(), Some(0));
        // Waits for two refreshes (each 150 ms after the last fetch), with
        // room for a busy machine.
        for _ in 0..200 {
            if calls.load(Ordering::SeqCst) >= 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(calls.load(Ordering::SeqCst) >= 3);
        assert!(r.get().unwrap() >= 2);
        assert!(r.problem.lock().unwrap().is_none());
    }
}
