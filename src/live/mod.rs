//! Measuring for real: the reference inference server (`advisor serve`) and
//! the open-loop replay of a trace against any HTTP endpoint
//! (`advisor replay`), whose result is the same [`crate::outcome::Outcome`]
//! the simulator produces, marked measured.
//!
//! - [`serve`]: the axum server, a [`pool`] of worker threads each owning a
//!   [`backend`] ([`onnx`] for ONNX Runtime), requests checked against the
//!   model's [`signature`] and carried as [`tensor`]s.
//! - [`replay`]: the open-loop load generator, reading a trace's arrivals
//!   ([`crate::workload`]), sending a [`payload`] (over [`http1`] to plain
//!   `http://` endpoints), publishing [`progress`] snapshots.
//! - [`auth`]: SigV4 signatures and bearer tokens on replayed requests.
//! - [`export`]: the same trace as a Locust or k6 script, for load tests
//!   run elsewhere.

pub mod auth;
pub mod backend;
pub mod dispatch;
pub mod export;
pub mod http1;
pub mod onnx;
pub mod payload;
pub mod pool;
pub mod progress;
pub mod protocol;
pub mod replay;
pub mod serve;
pub mod signature;
pub mod tensor;
pub mod validate;
