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
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Describe an ONNX file: size, parameters, opset, operators, inputs, FLOPs.
    Inspect {
        /// The model file.
        file: PathBuf,
        /// Bind a symbolic dim for the FLOPs estimate, e.g. `--dim seq=384`
        /// (default: leading dims 1, others 128).
        #[arg(long, value_name = "NAME=VALUE", value_parser = parse_dim)]
        dim: Vec<(String, i64)>,
        /// Also ask ONNX Runtime to load the model (exit 2 when it refuses;
        /// skipped with a warning when no runtime is found).
        #[arg(long)]
        check: bool,
    },
}

/// Parses `NAME=VALUE` with a positive integer value.
pub fn parse_dim(s: &str) -> Result<(String, i64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))?;
    let v: i64 = value
        .trim()
        .parse()
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("`{value}` is not a positive integer (in `{s}`)"))?;
    if name.trim().is_empty() {
        return Err(format!("expected NAME=VALUE, got `{s}`"));
    }
    Ok((name.trim().to_string(), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_parse_and_reject() {
        assert_eq!(parse_dim("seq=384"), Ok(("seq".to_string(), 384)));
        assert!(parse_dim("seq").is_err());
        assert!(parse_dim("seq=0").is_err());
        assert!(parse_dim("=3").is_err());
        assert!(parse_dim("seq=x")
            .unwrap_err()
            .contains("not a positive integer"));
    }
}
