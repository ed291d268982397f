//! A lean HTTP/1.1 client for replay's plain `http://` endpoints.
//!
//! A general client pays per request for what a replay does not use. With
//! reqwest, or hyper's own connection API, each connection is driven by a
//! task of its own: a request is handed to that task over a channel, and
//! its answer comes back over another, so every exchange wakes two tasks,
//! often on two threads. At tens of thousands of requests a second on a
//! small machine that is most of the CPU the schedule needs. Here the
//! request's own future writes to and reads from the socket, so an answer
//! wakes only the replay driver that sent it (see [`super::dispatch`]).
//! Idle keep-alive connections wait on one stack. Answers are parsed with
//! `httparse`, framed by `Content-Length`, chunked transfer coding or the
//! connection's end. HTTPS endpoints keep the general client.

use axum::body::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made.
    Connect,
    /// The connection closed, or spoke something other than HTTP/1.1,
    /// before the whole answer came.
    Dropped,
}

/// Keep-alive connections to one `http://` origin.
pub struct Http1 {
    /// `host:port` to connect to.
    authority: String,
    /// `POST TARGET HTTP/1.1` and the `Host` header, each line ending in CRLF.
    start: Vec<u8>,
    idle: Mutex<Vec<Conn>>,
}

/// An answer: its status and whole body.
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The body, read to its end (chunked coding removed).
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
        let ms = |name: &str| ms(headers.get(name)?.as_bytes());
        ServerSaid {
            inference_ms: ms("x-inference-ms"),
            queue_ms: ms("x-queue-ms"),
        }
    }

    fn from_parsed(headers: &[httparse::Header<'_>]) -> ServerSaid {
        let mut said = ServerSaid::default();
        for h in headers {
            if h.name.eq_ignore_ascii_case("x-inference-ms") {
                said.inference_ms = ms(h.value);
            } else if h.name.eq_ignore_ascii_case("x-queue-ms") {
                said.queue_ms = ms(h.value);
            }
        }
        said
    }
}

/// A header value as a finite, non-negative number of milliseconds.
fn ms(value: &[u8]) -> Option<f64> {
    std::str::from_utf8(value)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Bodies up to this size go out in the same write as the request head.
const INLINE_BODY: usize = 16 * 1024;
/// An answer's head larger than this is not an HTTP answer worth waiting for.
const MAX_HEAD: usize = 64 * 1024;
/// Headers an answer may carry.
const MAX_HEADERS: usize = 100;
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

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
        // A parsed URL holds no spaces or line breaks in its path, query or
        // host, so these lines cannot be split or extended by them.
        let start = format!("POST {target} HTTP/1.1\r\nhost: {host_header}\r\n").into_bytes();
        Some(Http1 {
            authority,
            start,
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
        let request = self.request(content_type, headers, body);
        // Only a large body goes out in a write of its own.
        let rest = (body.len() > INLINE_BODY).then_some(&body[..]);
        let (mut conn, reused) = self.connection().await?;
        let (answer, keep) = match conn.exchange(&request, rest, head).await {
            Ok(done) => done,
            // A kept-alive connection the server had closed meanwhile: it
            // ends before a byte of the answer. Send once more on a new one,
            // as browsers and Go's client do.
            Err(Exchange::Closed) if reused => {
                conn = self.connect().await?;
                conn.exchange(&request, rest, head)
                    .await
                    .map_err(|_| Failure::Dropped)?
            }
            Err(_) => return Err(Failure::Dropped),
        };
        if keep {
            self.keep_idle([conn]);
        }
        Ok(answer)
    }

    /// Opens up to `n` connections at once and keeps them idle, so that the
    /// first requests of a replay find one ready instead of all opening
    /// their own in the same instant (at tens of thousands of requests a
    /// second, a cascade that made the first tenth of a second's requests
    /// wait tens of milliseconds). One that fails is left for the requests
    /// to report.
    pub async fn warm(&self, n: usize) {
        use futures_util::StreamExt;
        let opened: Vec<Conn> = (0..n)
            .map(|_| self.connect())
            .collect::<futures_util::stream::FuturesUnordered<_>>()
            .filter_map(|c| async move { c.ok() })
            .collect()
            .await;
        self.keep_idle(opened);
    }

    /// Puts connections ready for another request on the idle stack.
    fn keep_idle(&self, conns: impl IntoIterator<Item = Conn>) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(conns);
    }

    /// The request's head (and its body when small) as bytes to write.
    fn request(&self, content_type: &str, headers: [&HeaderMap; 2], body: &Bytes) -> Vec<u8> {
        let mut r = Vec::with_capacity(self.start.len() + 160 + body.len().min(INLINE_BODY));
        r.extend_from_slice(&self.start);
        r.extend_from_slice(b"content-type: ");
        r.extend_from_slice(content_type.as_bytes());
        r.extend_from_slice(b"\r\n");
        for (name, value) in headers.into_iter().flatten() {
            // Header names and values were checked when they were made
            // (`HeaderValue` refuses line breaks).
            r.extend_from_slice(name.as_str().as_bytes());
            r.extend_from_slice(b": ");
            r.extend_from_slice(value.as_bytes());
            r.extend_from_slice(b"\r\n");
        }
        // Writing into a vector cannot fail.
        let _ = write!(r, "content-length: {}\r\n\r\n", body.len());
        if body.len() <= INLINE_BODY {
            r.extend_from_slice(body);
        }
        r
    }

    /// An idle connection, or a new one; true when reused.
    async fn connection(&self) -> Result<(Conn, bool), Failure> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(c) => Ok((c, true)),
            None => Ok((self.connect().await?, false)),
        }
    }

    async fn connect(&self) -> Result<Conn, Failure> {
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|_| Failure::Connect)?;
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(READ_CHUNK),
        })
    }
}

/// How an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exchange {
    /// The connection ended (or was reset) before any byte of the answer.
    Closed,
    /// It ended mid-answer, or the answer was not HTTP/1.x.
    Broken,
}

/// One connection and the bytes read from it but not yet used.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// How an answer's body ends.
enum Framing {
    Length(usize),
    Chunked,
    /// At the connection's end.
    Close,
}

impl Conn {
    /// Writes a request and reads its answer; true when the connection can
    /// carry another request.
    async fn exchange(
        &mut self,
        request: &[u8],
        rest: Option<&[u8]>,
        head: &mut Option<Instant>,
    ) -> Result<(Answer, bool), Exchange> {
        let closed = |_| Exchange::Closed;
        self.stream.write_all(request).await.map_err(closed)?;
        if let Some(rest) = rest {
            self.stream.write_all(rest).await.map_err(closed)?;
        }
        self.buf.clear();
        let Head {
            status,
            server,
            framing,
            mut keep,
            len: at,
        } = loop {
            match self.parse_head()? {
                Some(Parsed::Interim(n)) => {
                    self.buf.drain(..n);
                }
                Some(Parsed::Final(h)) => break h,
                None => {
                    if self.buf.len() > MAX_HEAD {
                        return Err(Exchange::Broken);
                    }
                    let empty = self.buf.is_empty();
                    if !self.fill().await? {
                        return Err(if empty {
                            Exchange::Closed
                        } else {
                            Exchange::Broken
                        });
                    }
                }
            }
        };
        *head = Some(Instant::now());
        let body = match framing {
            Framing::Length(n) => {
                while self.buf.len() < at + n {
                    if !self.fill().await? {
                        return Err(Exchange::Broken);
                    }
                }
                let body = Bytes::copy_from_slice(&self.buf[at..at + n]);
                // Bytes beyond the answer were not asked for: do not reuse.
                keep &= self.buf.len() == at + n;
                body
            }
            Framing::Chunked => {
                let body = self.chunked(at).await?;
                keep &= self.buf.is_empty();
                body
            }
            Framing::Close => {
                while self.fill().await? {}
                keep = false;
                Bytes::copy_from_slice(&self.buf[at..])
            }
        };
        let answer = Answer {
            status,
            body,
            server,
        };
        Ok((answer, keep))
    }

    /// Reads more into the buffer; false at the connection's end.
    async fn fill(&mut self) -> Result<bool, Exchange> {
        self.buf.reserve(READ_CHUNK);
        match self.stream.read_buf(&mut self.buf).await {
            Ok(0) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && self.buf.is_empty() => {
                Err(Exchange::Closed)
            }
            Err(_) => Err(Exchange::Broken),
        }
    }

    /// The answer's head when all of it is in the buffer.
    fn parse_head(&self) -> Result<Option<Parsed>, Exchange> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Response::new(&mut headers);
        let at = match r.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(_) => return Err(Exchange::Broken),
        };
        let code = r.code.ok_or(Exchange::Broken)?;
        // 1xx answers (100 Continue, 103 Early Hints) precede the real one;
        // 101 would switch protocols, which a POST here never asks for.
        if (100..200).contains(&code) && code != 101 {
            return Ok(Some(Parsed::Interim(at)));
        }
        let status = StatusCode::from_u16(code).map_err(|_| Exchange::Broken)?;
        let mut keep = r.version == Some(1);
        let mut framing = Framing::Close;
        let mut chunked = false;
        let has = |v: &[u8], token: &[u8]| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
        };
        for h in r.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                let n = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .ok_or(Exchange::Broken)?;
                framing = Framing::Length(n);
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if h.name.eq_ignore_ascii_case("connection") {
                if has(h.value, b"close") {
                    keep = false;
                } else if has(h.value, b"keep-alive") {
                    keep = true;
                }
            }
        }
        // Chunked coding overrides a length (RFC 9112 6.3); answers that
        // carry no body by their status have none whatever they say.
        if chunked {
            framing = Framing::Chunked;
        }
        if code == 204 || code == 304 {
            framing = Framing::Length(0);
        }
        let server = ServerSaid::from_parsed(r.headers);
        Ok(Some(Parsed::Final(Head {
            status,
            server,
            framing,
            keep,
            len: at,
        })))
    }

    /// Reads a chunked body that starts at `at`; leaves in the buffer what
    /// follows it.
    async fn chunked(&mut self, at: usize) -> Result<Bytes, Exchange> {
        let mut body = Vec::new();
        let mut pos = at;
        loop {
            // The size line: hex digits, maybe `;extensions`, CRLF.
            let line_end = loop {
                if let Some(i) = find_crlf(&self.buf[pos..]) {
                    break pos + i;
                }
                if self.buf.len() - pos > MAX_HEAD || !self.fill().await? {
                    return Err(Exchange::Broken);
                }
            };
            let line = &self.buf[pos..line_end];
            let digits = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| usize::from_str_radix(d.trim(), 16).ok())
                .ok_or(Exchange::Broken)?;
            pos = line_end + 2;
            if size == 0 {
                // Trailer fields, if any, then an empty line.
                loop {
                    match find_crlf(&self.buf[pos..]) {
                        Some(0) => {
                            self.buf.drain(..pos + 2);
                            return Ok(Bytes::from(body));
                        }
                        Some(i) => pos += i + 2,
                        None => {
                            if self.buf.len() - pos > MAX_HEAD || !self.fill().await? {
                                return Err(Exchange::Broken);
                            }
                        }
                    }
                }
            }
            while self.buf.len() < pos + size + 2 {
                if !self.fill().await? {
                    return Err(Exchange::Broken);
                }
            }
            body.extend_from_slice(&self.buf[pos..pos + size]);
            if &self.buf[pos + size..pos + size + 2] != b"\r\n" {
                return Err(Exchange::Broken);
            }
            pos += size + 2;
        }
    }
}

/// A parsed head: an interim (1xx) one of this many bytes, or the final one.
enum Parsed {
    Interim(usize),
    Final(Head),
}

/// The final answer's head.
struct Head {
    status: StatusCode,
    server: ServerSaid,
    framing: Framing,
    /// Whether the connection can carry another request.
    keep: bool,
    /// Its length in bytes; the body follows.
    len: usize,
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server that reads one request per answer and writes the answers
    /// given, in turn, on one connection; then closes it.
    async fn answering(
        answers: Vec<&'static [u8]>,
    ) -> (reqwest::Url, tokio::task::JoinHandle<Vec<Vec<u8>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x?y=1", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let task = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            for a in answers {
                let mut req = Vec::new();
                let mut chunk = [0u8; 4096];
                // Enough for the test requests' heads and small bodies.
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut chunk).await.unwrap();
                    req.extend_from_slice(&chunk[..n]);
                }
                seen.push(req);
                s.write_all(a).await.unwrap();
            }
            seen
        });
        (url, task)
    }

    async fn post(c: &Http1, body: &'static [u8]) -> Result<Answer, Failure> {
        let none = HeaderMap::new();
        let mut extra = HeaderMap::new();
        extra.insert("x-dtype", "float32".parse().unwrap());
        let mut head = None;
        let r = c
            .post(
                "application/json",
                [&none, &extra],
                &Bytes::from_static(body),
                &mut head,
            )
            .await;
        if r.is_ok() {
            assert!(head.is_some());
        }
        r
    }

    #[tokio::test]
    async fn answers_by_length_chunks_and_interim_heads_on_one_connection() {
        let (url, server) = answering(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-inference-ms: 1.5\r\n\r\nhello",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\ntransfer-encoding: chunked\r\nx-queue-ms: 2\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: t\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\ncontent-length: 7\r\nconnection: close\r\n\r\n",
        ])
        .await;
        let c = Http1::for_url(&url).unwrap();
        let a = post(&c, b"{}").await.unwrap();
        assert_eq!((a.status.as_u16(), &a.body[..]), (200, &b"hello"[..]));
        assert_eq!(a.server.inference_ms, Some(1.5));
        let b = post(&c, b"[1]").await.unwrap();
        assert_eq!((b.status.as_u16(), &b.body[..]), (503, &b"abcde"[..]));
        assert_eq!(
            (b.server.queue_ms, b.server.inference_ms),
            (Some(2.0), None)
        );
        let n = post(&c, b"").await.unwrap();
        assert_eq!((n.status.as_u16(), n.body.len()), (204, 0));
        // `connection: close`: the connection is not kept.
        assert!(c.idle.lock().unwrap().is_empty());
        let seen = server.await.unwrap();
        assert_eq!(seen.len(), 3, "all three went over one connection");
        let first = String::from_utf8(seen[0].clone()).unwrap();
        assert!(
            first.starts_with("POST /x?y=1 HTTP/1.1\r\nhost: 127.0.0.1:"),
            "{first}"
        );
        assert!(
            first.contains("\r\ncontent-type: application/json\r\n"),
            "{first}"
        );
        assert!(first.contains("\r\nx-dtype: float32\r\n"), "{first}");
        assert!(first.ends_with("content-length: 2\r\n\r\n{}"), "{first}");
    }

    #[tokio::test]
    async fn a_closed_keep_alive_connection_is_replaced_once() {
        // The first connection answers once and closes; the request after it
        // must go out again on a new connection.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url: reqwest::Url = format!("http://{}/", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let server = tokio::spawn(async move {
            for _ in 0..2 {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut chunk = [0u8; 4096];
                let _ = s.read(&mut chunk).await.unwrap();
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .await
                    .unwrap();
                // Closed without saying so, as an idle timeout does.
            }
        });
        let c = Http1::for_url(&url).unwrap();
        assert_eq!(&post(&c, b"{}").await.unwrap().body[..], b"ok");
        assert_eq!(c.idle.lock().unwrap().len(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(&post(&c, b"{}").await.unwrap().body[..], b"ok");
        server.await.unwrap();
    }

    #[tokio::test]
    async fn an_answer_cut_off_or_not_http_is_dropped() {
        let (url, _server) =
            answering(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"]).await;
        let c = Http1::for_url(&url).unwrap();
        assert_eq!(post(&c, b"{}").await.err(), Some(Failure::Dropped));
        let (url, _server) = answering(vec![b"SSH-2.0-OpenSSH\r\n\r\n"]).await;
        let c = Http1::for_url(&url).unwrap();
        assert_eq!(post(&c, b"{}").await.err(), Some(Failure::Dropped));
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        drop(listener);
        let c = Http1::for_url(&url).unwrap();
        assert_eq!(post(&c, b"{}").await.err(), Some(Failure::Connect));
    }
}
