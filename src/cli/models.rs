//! `advisor models`.

use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;

/// The models advisor can build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuiltinModel {
    /// MobileNetV2 image classifier (~3.5 M parameters, input [batch,3,224,224]).
    Mobilenetv2,
    /// ALBERT-base language model (12 layers sharing weights, hidden 768).
    AlbertBase,
    /// A tiny CNN (< 200 KB) for tests.
    TinyCnn,
}

/// `advisor models ...`
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Build a model with random (seeded) weights and the real architecture.
    Build {
        /// Which model.
        model: BuiltinModel,
        /// Output file.
        #[arg(short, long)]
        out: PathBuf,
    },
}
