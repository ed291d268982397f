//! The top-level command line (clap): global flags and the list of
//! subcommands. Each subcommand's flags live with its code in `commands`.
//!
//! The names and fields here are a contract that scripts rely on (DESIGN.md):
//! extend freely, do not rename.

use crate::commands::package;
pub use crate::commands::Global;
use crate::commands::{
    self, calibrate, export, models, pricing, profile, recommend, replay, report, reproduce,
    runtime, serve, simulate, trace, validate,
};
use clap::{Parser, Subcommand};

/// Where to serve an ONNX model, and how.
///
/// advisor profiles the model on this machine, replays the expected workload
/// against models of serverless functions, managed ML endpoints and rented
/// servers (or against a live endpoint), and recommends the cheapest option
/// that meets the latency and success targets.
///
/// Run without a command to open the interactive demo (bundled MobileNetV2
/// profile, workload-120, bundled prices).
#[derive(Debug, Parser)]
#[command(name = "advisor", version, about, long_about, propagate_version = true)]
pub struct Cli {
    /// The command; none opens the interactive demo.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Global options.
    #[command(flatten)]
    pub global: Global,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure a model on this machine: cold start phases, latency by threads and batch, memory.
    Profile(profile::ProfileArgs),
    /// Generate, import, transform and describe request traces.
    #[command(subcommand)]
    Trace(trace::TraceCommand),
    /// Show the offer catalog or refresh prices from the providers' APIs.
    #[command(subcommand)]
    Pricing(pricing::PricingCommand),
    /// Find or install the ONNX Runtime library.
    #[command(subcommand)]
    Runtime(runtime::RuntimeCommand),
    /// Build the bundled example models, or inspect any ONNX file.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Replay a trace against modelled offers and print what each would do and cost.
    Simulate(simulate::SimulateArgs),
    /// Reproduce the study's grid (2 models x 3 workloads x 8 systems).
    #[command(subcommand)]
    Reproduce(reproduce::ReproduceCommand),
    /// Recommend where to serve, with batching, memory size and runtime settings.
    Recommend(recommend::RecommendArgs),
    /// Write the decision report (Markdown, HTML, JSON or CSV).
    Report(report::ReportArgs),
    /// Replay a trace, open loop, against a live HTTP endpoint.
    Replay(replay::ReplayArgs),
    /// Serve a model over HTTP on this machine (the reference endpoint).
    Serve(serve::ServeArgs),
    /// Measure a local server and compare it with the model's prediction.
    Validate(validate::ValidateArgs),
    /// Export a trace as a load script for Locust or k6.
    Export(export::ExportArgs),
    /// Fit an offer's CPU speed, round trip and cold start to a live replay.
    Calibrate(calibrate::CalibrateArgs),
    /// Write a deployable package for one option (function handler or container).
    Package(package::PackageArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = commands::Ctx::new(cli.global);
    match cli.command {
        None => commands::recommend::demo(&ctx),
        Some(Command::Profile(a)) => commands::profile::run(&ctx, a),
        Some(Command::Trace(c)) => commands::trace::run(&ctx, c),
        Some(Command::Pricing(c)) => commands::pricing::run(&ctx, c),
        Some(Command::Runtime(c)) => commands::runtime::run(&ctx, c),
        Some(Command::Models(c)) => commands::models::run(&ctx, c),
        Some(Command::Simulate(a)) => commands::simulate::run(&ctx, a),
        Some(Command::Reproduce(c)) => commands::reproduce::run(&ctx, c),
        Some(Command::Recommend(a)) => commands::recommend::run(&ctx, a),
        Some(Command::Report(a)) => commands::report::run(&ctx, a),
        Some(Command::Replay(a)) => commands::replay::run(&ctx, a),
        Some(Command::Serve(a)) => commands::serve::run(&ctx, a),
        Some(Command::Validate(a)) => commands::validate::run(&ctx, a),
        Some(Command::Export(a)) => commands::export::run(&ctx, a),
        Some(Command::Calibrate(a)) => commands::calibrate::run(&ctx, a),
        Some(Command::Package(a)) => commands::package::run(&ctx, a),
    }
}
