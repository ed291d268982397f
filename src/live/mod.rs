//! Measuring for real: the reference inference server (`advisor serve`) and
//! the open-loop replay of a trace against any HTTP endpoint
//! (`advisor replay`), whose result is the same [`crate::outcome::Outcome`]
//! the simulator produces, marked measured.
//!
//! - [`serve`]: the axum server, a [`pool`] of worker threads each owning a
//!   [`backend`] ([`onnx`] for ONNX Runtime), requests checked against the
//!   model's [`signature`] and carried as [`tensor`]s.

pub mod backend;
pub mod onnx;
pub mod pool;
pub mod serve;
pub mod signature;
pub mod tensor;
