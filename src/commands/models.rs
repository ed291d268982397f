//! `advisor models`: build the bundled models, inspect any ONNX file.

use super::Ctx;
use crate::model::build::Builtin;
use crate::model::{self, Dim, ModelInfo, TensorInfo};
use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
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

/// Runs `advisor models ...`.
pub fn run(ctx: &Ctx, cmd: ModelsCommand) -> anyhow::Result<()> {
    match cmd {
        ModelsCommand::Build { model, out, force } => build(ctx, model.into(), &out, force),
        ModelsCommand::Inspect { file, dim, check } => {
            inspect(ctx, &file, &dim.into_iter().collect(), check)
        }
    }
}

impl From<BuiltinModel> for Builtin {
    fn from(m: BuiltinModel) -> Self {
        match m {
            BuiltinModel::Mobilenetv2 => Builtin::MobileNetV2,
            BuiltinModel::AlbertBase => Builtin::AlbertBase,
            BuiltinModel::TinyCnn => Builtin::TinyCnn,
        }
    }
}

/// What `models build --json` prints.
#[derive(Serialize)]
struct Built<'a> {
    model: &'a str,
    file: String,
    size_bytes: u64,
    params: u64,
    weight_bytes: u64,
    nodes: u64,
    opset: i64,
}

fn build(ctx: &Ctx, which: Builtin, out: &Path, force: bool) -> anyhow::Result<()> {
    let proto = which.model();
    let bytes = prost::Message::encode_to_vec(&proto);
    super::write_new(out, &bytes, force)?;
    let info = model::inspect::info(&proto, bytes.len() as u64);
    let built = Built {
        model: which.name(),
        file: out.display().to_string(),
        size_bytes: info.size_bytes,
        params: info.params,
        weight_bytes: info.weight_bytes,
        nodes: info.ops.values().sum(),
        opset: info.opset,
    };
    if ctx.global.json {
        return ctx.print_json(&built);
    }
    if !ctx.global.quiet {
        outln!(
            "wrote {} to {}: {} bytes, {} parameters, {} nodes, opset {}",
            built.model,
            built.file,
            group(built.size_bytes),
            group(built.params),
            built.nodes,
            built.opset
        )?;
    }
    Ok(())
}

/// What `models inspect --json` prints.
#[derive(Serialize)]
struct Inspected<'a> {
    file: String,
    #[serde(flatten)]
    info: &'a ModelInfo,
    /// With `--check`: whether ONNX Runtime loaded the model (absent without a runtime).
    #[serde(skip_serializing_if = "Option::is_none")]
    runtime_accepts: Option<bool>,
}

fn inspect(
    ctx: &Ctx,
    file: &Path,
    dims: &BTreeMap<String, i64>,
    check: bool,
) -> anyhow::Result<()> {
    let (proto, size) = model::read_model(file)?;
    let runtime_accepts = if check {
        crate::model::runtime_check::accepts(ctx, file)?
    } else {
        None
    };
    let mut info = model::inspect::info(&proto, size);
    if !dims.is_empty() {
        info.flops_per_item = model::flops_per_item(&proto, dims);
        info.flops_dims = model::flops::bind_dims(&proto, dims);
        for name in dims.keys().filter(|n| !info.flops_dims.contains_key(*n)) {
            ctx.warn(&format!(
                "--dim {name}: the model has no symbolic dim of that name"
            ));
        }
    }
    if ctx.global.json {
        return ctx.print_json(&Inspected {
            file: file.display().to_string(),
            info: &info,
            runtime_accepts,
        });
    }
    out!("{}", summary(&file.display().to_string(), &info))?;
    if runtime_accepts == Some(true) {
        outln!("ONNX Runtime: loads the model")?;
    }
    Ok(())
}

/// The readable summary of an inspected model.
pub fn summary(file: &str, info: &ModelInfo) -> String {
    let mut s = String::new();
    s += &format!("{file}\n");
    s += &format!(
        "  size        {} ({} bytes), weights {}\n",
        human_bytes(info.size_bytes),
        group(info.size_bytes),
        human_bytes(info.weight_bytes)
    );
    s += &format!("  parameters  {}\n", group(info.params));
    s += &format!(
        "  opset       {} (IR {}), producer {}\n",
        info.opset,
        info.ir_version,
        if info.producer.is_empty() {
            "unknown"
        } else {
            &info.producer
        }
    );
    for (label, list) in [("inputs", &info.inputs), ("outputs", &info.outputs)] {
        s += &format!("  {label}\n");
        for t in list {
            s += &format!("    {}\n", tensor_line(t));
        }
    }
    let bound = info
        .flops_dims
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    match info.flops_per_item {
        Some(f) => {
            s += &format!(
                "  FLOPs/item  {} (estimated from shapes: Conv/Gemm/MatMul, 2 per MAC{})\n",
                human_flops(f),
                if bound.is_empty() {
                    String::new()
                } else {
                    format!(", at {bound}")
                }
            )
        }
        None => s += "  FLOPs/item  unknown (shapes could not be inferred)\n",
    }
    if !info.id_ranges.is_empty() {
        let ids: Vec<String> = info
            .id_ranges
            .iter()
            .map(|(k, v)| format!("{k} in [0, {v})"))
            .collect();
        s += &format!("  id ranges   {}\n", ids.join(", "));
    }
    let mut ops: Vec<(&String, &u64)> = info.ops.iter().collect();
    ops.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let total: u64 = info.ops.values().sum();
    s += &format!("  operators   {total} nodes\n");
    for chunk in ops.chunks(6) {
        let line: Vec<String> = chunk.iter().map(|(k, v)| format!("{k} {v}")).collect();
        s += &format!("    {}\n", line.join(", "));
    }
    for n in &info.notes {
        s += &format!("  note: {n}\n");
    }
    s
}

/// `name  dtype [d0, d1, ...]`.
fn tensor_line(t: &TensorInfo) -> String {
    let dtype = serde_json::to_value(t.dtype)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", t.dtype));
    let dims = match &t.dims {
        None => "shape unknown".to_string(),
        Some(d) => {
            let parts: Vec<String> = d
                .iter()
                .map(|d| match d {
                    Dim::Fixed(v) => v.to_string(),
                    Dim::Symbolic(s) => s.clone(),
                    Dim::Unknown => "?".to_string(),
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
    };
    format!("{}  {dtype} {dims}", t.name)
}

/// Bytes in kB or MB (decimal units).
fn human_bytes(b: u64) -> String {
    if b < 1_000_000 {
        format!("{:.1} kB", b as f64 / 1e3)
    } else {
        format!("{:.1} MB", b as f64 / 1e6)
    }
}

/// FLOPs in M or G.
fn human_flops(f: f64) -> String {
    if f < 1e9 {
        format!("{:.1} MFLOPs", f / 1e6)
    } else {
        format!("{:.2} GFLOPs", f / 1e9)
    }
}

/// 1234567 -> "1,234,567".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(3_504_872), "3,504,872");
    }

    #[test]
    fn units_switch_at_a_million() {
        assert_eq!(human_bytes(37_367), "37.4 kB");
        assert_eq!(human_bytes(13_971_645), "14.0 MB");
        assert_eq!(human_flops(601_700_000.0), "601.7 MFLOPs");
        assert_eq!(human_flops(22.374e9), "22.37 GFLOPs");
    }

    #[test]
    fn summary_names_inputs_and_ops() {
        let info = model::inspect::info(&Builtin::TinyCnn.model(), 1);
        let s = summary("tiny.onnx", &info);
        assert!(s.contains("input  f32 [batch, 1, 28, 28]"), "{s}");
        assert!(s.contains("Conv 2"), "{s}");
        assert!(s.contains("parameters  9,098"), "{s}");
    }

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
