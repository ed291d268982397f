//! advisor: where to serve an ONNX model, and how.
//!
//! The flow of data (DESIGN.md):
//!
//! ```text
//! model.onnx --profile--> Profile
//!                                \
//! trace (CSV, MMPP preset) -------+--> Scenario --simulate--> Outcome per offer --advise--> Advice
//! offer catalog (pricing/*.toml) /                                                   |
//! live endpoint --replay--> Outcome (measured, same type)                   TUI screens / report
//! ```
//!
//! Each stage is a module: [`model`] and [`profile`] measure, [`workload`]
//! describes the load, [`pricing`] the offers, [`platform`] and [`sim`] predict
//! an [`outcome::Outcome`], [`live`] measures one, [`advise`] decides, and
//! [`report`] and [`tui`] show the decision.

pub mod advise;
pub mod calibrate;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod error;
pub mod escape;
pub mod fsio;
pub mod live;
pub mod model;
pub mod outcome;
pub mod package;
pub mod platform;
pub mod present;
pub mod pricing;
pub mod profile;
pub mod report;
pub mod runtime;
pub mod scenario;
pub mod sim;
pub mod study;
/// The plain-text helpers under their former name.
pub use present as text;
pub mod tui;
pub mod workload;
