//! Shared pieces of the live tests: traces, fake backends, misbehaving
//! servers on loopback, and the tiny CNN when ONNX Runtime is present.

#![allow(dead_code)]

use advisor::live::backend::{Backend, BackendFactory};
use advisor::live::signature::{DimSpec, InputSpec, Signature};
use advisor::live::tensor::{ElemType, Tensor, TensorData};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A trace file with the given arrival times.
pub fn trace(times: impl IntoIterator<Item = f64>) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "t_s").unwrap();
    for t in times {
        writeln!(f, "{t}").unwrap();
    }
    f.flush().unwrap();
    f
}

/// `n` requests evenly spaced at `rate` per second from t = 0.
pub fn even(n: usize, rate: f64) -> tempfile::NamedTempFile {
    trace((0..n).map(|i| i as f64 / rate))
}

/// The signature of the fake model: `x: float32[batch,2]`.
pub fn fake_signature() -> Signature {
    Signature {
        inputs: vec![InputSpec {
            name: "x".into(),
            elem: ElemType::F32,
            dims: vec![DimSpec::Free(Some("batch".into())), DimSpec::Fixed(2)],
        }],
    }
}

/// Doubles `x` into `y`.
pub struct Doubler;

impl Backend for Doubler {
    fn run(&mut self, inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>> {
        let x = &inputs[0];
        let TensorData::F32(v) = &x.data else {
            anyhow::bail!("x is not float32")
        };
        Ok(vec![Tensor {
            name: "y".into(),
            shape: x.shape.clone(),
            data: TensorData::F32(v.iter().map(|a| a * 2.0).collect()),
        }])
    }
}

/// Makes [`Doubler`]s.
pub struct DoublerFactory(pub Signature);

impl BackendFactory for DoublerFactory {
    fn signature(&self) -> &Signature {
        &self.0
    }
    fn describe(&self) -> String {
        "doubler".into()
    }
    fn create(&self, _worker: usize) -> anyhow::Result<Box<dyn Backend>> {
        Ok(Box::new(Doubler))
    }
}

/// A backend that reports each start and waits to be let go.
pub struct Gated {
    started: mpsc::Sender<()>,
    gate: Arc<Mutex<mpsc::Receiver<()>>>,
}

impl Backend for Gated {
    fn run(&mut self, inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>> {
        let _ = self.started.send(());
        self.gate.lock().unwrap().recv()?;
        Doubler.run(inputs)
    }
}

/// Makes [`Gated`] backends; the test holds the other ends.
pub struct GatedFactory {
    sig: Signature,
    started: mpsc::Sender<()>,
    gate: Arc<Mutex<mpsc::Receiver<()>>>,
}

impl GatedFactory {
    /// The factory, a receiver of start reports, and the gate's sender (one
    /// message lets one inference finish).
    pub fn new() -> (Arc<GatedFactory>, mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (started, started_rx) = mpsc::channel();
        let (go, gate) = mpsc::channel();
        (
            Arc::new(GatedFactory {
                sig: fake_signature(),
                started,
                gate: Arc::new(Mutex::new(gate)),
            }),
            started_rx,
            go,
        )
    }
}

impl BackendFactory for GatedFactory {
    fn signature(&self) -> &Signature {
        &self.sig
    }
    fn describe(&self) -> String {
        "gated doubler".into()
    }
    fn create(&self, _worker: usize) -> anyhow::Result<Box<dyn Backend>> {
        Ok(Box::new(Gated {
            started: self.started.clone(),
            gate: Arc::clone(&self.gate),
        }))
    }
}

/// A loopback port with nothing listening on it.
pub async fn refusing_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

/// How a misbehaving server treats each connection.
#[derive(Clone, Copy, Debug)]
pub enum Misbehaviour {
    /// Reads the request and never answers.
    Hang,
    /// Reads the request and closes without a word.
    CloseBeforeAnswer,
    /// Sends the head and part of the promised body, then closes.
    CloseMidBody,
}

/// Starts a raw TCP server on loopback that misbehaves as told.
pub async fn misbehaving_server(how: Misbehaviour) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                // Read the head; the bodies sent are tiny.
                let _ = sock.read(&mut buf).await;
                match how {
                    Misbehaviour::Hang => {
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    }
                    Misbehaviour::CloseBeforeAnswer => {}
                    Misbehaviour::CloseMidBody => {
                        let _ = sock
                            .write_all(
                                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"outp",
                            )
                            .await;
                        let _ = sock.flush().await;
                    }
                }
            });
        }
    });
    addr
}

/// Starts an HTTP server on loopback answering every request with `status`.
pub async fn status_server(status: u16) -> SocketAddr {
    use axum::http::StatusCode;
    let code = StatusCode::from_u16(status).unwrap();
    let app = axum::Router::new().fallback(move || async move { (code, "no") });
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    addr
}

/// The tiny CNN written to `dir`, when ONNX Runtime can be found to run it;
/// otherwise `None` after printing why the test is skipped.
pub fn tiny_cnn(dir: &Path) -> Option<PathBuf> {
    if let Err(e) = advisor::runtime::locate(None) {
        eprintln!("skipped: no ONNX Runtime ({e}); scripts/setup installs one");
        return None;
    }
    let path = dir.join("tiny-cnn.onnx");
    let proto = advisor::model::build::Builtin::TinyCnn.model();
    std::fs::write(&path, prost::Message::encode_to_vec(&proto)).unwrap();
    Some(path)
}

/// A running `advisor serve` and the address it printed.
pub struct Server {
    /// The serving process.
    pub child: Child,
    /// The address it printed, `HOST:PORT`.
    pub addr: String,
}

impl Server {
    /// Starts `advisor serve ARGS --json` and reads the address it prints.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_advisor"))
            .arg("serve")
            .args(args)
            .args(["--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("serve printed {line:?} ({e}); stderr: {err}")
        });
        let addr = v["addr"].as_str().unwrap().to_string();
        assert_eq!(v["url"], format!("http://{addr}/predict"));
        Server { child, addr }
    }

    /// Sends Ctrl-C and returns the exit status and stderr.
    pub fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, err)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
