//! A lean HTTP/1.1 client for replay's plain `http://` endpoints.
//!
//! A general client (reqwest, over hyper's pooled client) pays per request
//! for what a replay does not use: parsing the URL into a URI again, a
//! pool keyed by scheme and host behind a lock with expiry bookkeeping,
//! redirect and decompression checks, a boxed body. At tens of thousands of
//! requests a second on a small machine that is CPU the schedule needs.
//! Here the URI and `Host` header are made once, idle keep-alive
//! connections wait on one stack, and each request is one hyper
//! `send_request` on one of them. HTTPS endpoints keep the general client.

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use std::sync::Mutex;
use std::time::Instant;

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made.
    Connect,
    /// The connection closed before the whole answer came.
    Dropped,
}

/// Keep-alive connections to one `http://` origin.
pub struct Http1 {
    /// `host:port` to connect to.
    authority: String,
    host: HeaderValue,
    /// The request target in origin form (path and query).
    target: Uri,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

/// An answer: its status and whole body.
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The body, read to its end.
    pub body: Bytes,
    /// What the server said of its own timing.
    pub server: ServerSaid,
}

/// The server's own timing of one request, as `advisor serve` answers it
/// (`x-inference-ms`, `x-queue-ms`); each `None` when absent or not a number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServerSaid {
    /// Time in the model, ms.
    pub inference_ms: Option<f64>,
    /// Time waiting for a worker, ms.
    pub queue_ms: Option<f64>,
}

impl ServerSaid {
    /// The timing in an answer's headers.
    pub fn from_headers(headers: &HeaderMap) -> ServerSaid {
        let ms = |name: &str| {
            headers
                .get(name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        ServerSaid {
            inference_ms: ms("x-inference-ms"),
            queue_ms: ms("x-queue-ms"),
        }
    }
}

impl Http1 {
    /// A client for `url` when it is plain `http://`; `None` otherwise.
    pub fn for_url(url: &reqwest::Url) -> Option<Http1> {
        if url.scheme() != "http" {
            return None;
        }
        // An IPv6 host comes in brackets, as both uses below want it.
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        let authority = format!("{host}:{port}");
        let host_header = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        Some(Http1 {
            authority,
            host: HeaderValue::from_str(&host_header).ok()?,
            target: target.parse().ok()?,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// POSTs `body` with `headers`; `head` is set when the answer's status
    /// line and headers have arrived.
    pub async fn post(
        &self,
        content_type: &'static str,
        headers: [&HeaderMap; 2],
        body: &Bytes,
        head: &mut Option<Instant>,
    ) -> Result<Answer, Failure> {
        let mut req = Request::post(self.target.clone())
            .body(Full::new(body.clone()))
            .expect("a URI and method that parsed");
        let h = req.headers_mut();
        h.insert(HOST, self.host.clone());
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        for (name, value) in headers.into_iter().flatten() {
            h.append(name, value.clone());
        }
        let (mut conn, reused) = self.connection().await?;
        let answer = match conn.try_send_request(req).await {
            Ok(a) => a,
            Err(mut e) => match e.take_message() {
                // A kept-alive connection the server closed meanwhile, before
                // the request went out: send it once more on a new one.
                Some(req) if reused => {
                    conn = self.connect().await?;
                    conn.send_request(req).await.map_err(|_| Failure::Dropped)?
                }
                _ => return Err(Failure::Dropped),
            },
        };
        *head = Some(Instant::now());
        let status = answer.status();
        let server = ServerSaid::from_headers(answer.headers());
        let body = answer
            .into_body()
            .collect()
            .await
            .map_err(|_| Failure::Dropped)?
            .to_bytes();
        self.release(conn);
        Ok(Answer {
            status,
            body,
            server,
        })
    }

    /// An idle connection ready for a request, or a new one; true when reused.
    async fn connection(&self) -> Result<(SendRequest<Full<Bytes>>, bool), Failure> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(mut c) = idle else { break };
            if c.ready().await.is_ok() {
                return Ok((c, true));
            }
        }
        Ok((self.connect().await?, false))
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, Failure> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|_| Failure::Connect)?;
        let _ = stream.set_nodelay(true);
        let (send, conn) = handshake(TokioIo::new(stream))
            .await
            .map_err(|_| Failure::Connect)?;
        tokio::spawn(async move {
            // Ends when the connection closes; its errors show on the request.
            let _ = conn.await;
        });
        Ok(send)
    }

    /// Puts a connection whose answer has been read back for reuse.
    fn release(&self, conn: SendRequest<Full<Bytes>>) {
        if !conn.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}
