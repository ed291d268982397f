//! `advisor profile`.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Where to run the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DeviceArg {
    /// The CPU execution provider.
    #[default]
    Cpu,
    /// The CUDA execution provider (when the runtime has it; else the CPU is profiled).
    Cuda,
}

/// Arguments of `advisor profile`.
#[derive(Debug, Args)]
#[command(
    after_help = "Inputs are made up per type: floats standard normal (seeded), integer ids \
within the embedding table they index, masks all ones. The batch dim (the first dim when it is \
dynamic) takes each --batch value; a symbolic dim named like seq takes 128. The profile is saved \
to profiles/NAME.toml (NAME: the model's file stem) and never overwritten without --force."
)]
pub struct ProfileArgs {
    /// The ONNX model to measure.
    pub model: PathBuf,

    /// Intra-op thread counts to measure, comma-separated [default: 1 and all cores].
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    pub threads: Option<Vec<usize>>,

    /// Batch sizes to measure, comma-separated [default: 1,2,4,8,16].
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    pub batch: Option<Vec<u32>>,

    /// Exactly N timed runs per point [default: at least 30 runs and 2 s, at most 10 s].
    #[arg(long, value_name = "N")]
    pub runs: Option<u32>,

    /// Where to run the model.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,

    /// Value of a symbolic dim, e.g. --dim seq=256 (repeatable).
    #[arg(long, value_name = "NAME=VALUE")]
    pub dim: Vec<String>,

    /// Whole shape of an input, e.g. --shape x=batch,3,48,192 (`batch`: each --batch size; repeatable).
    #[arg(long, value_name = "INPUT=D0,D1,..")]
    pub shape: Vec<String>,

    /// Every element of an input set to one value, e.g. --fill sr=16000 (repeatable).
    #[arg(long, value_name = "INPUT=VALUE")]
    pub fill: Vec<String>,

    /// Real values for an input from a NumPy .npy file (repeatable).
    #[arg(long, value_name = "INPUT=FILE.npy")]
    pub input: Vec<String>,

    /// Where to save the profile [default: profiles/NAME.toml].
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Overwrite an existing profile file.
    #[arg(long)]
    pub force: bool,

    /// Fresh-process cold-start trials.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub cold_trials: u32,

    /// Skip measuring graph optimisation disabled vs all.
    #[arg(long)]
    pub no_opt_effect: bool,

    /// Internal: run one cold-start probe described by this file and print its timings.
    #[arg(long, hide = true, value_name = "REQUEST")]
    pub cold_probe: Option<PathBuf>,
}
