//! ONNX models: the protobuf messages, inspection, and the built-in model builder.
//!
//! Inspection reads a `.onnx` file without ONNX Runtime and reports what the
//! profiler and the platform models need: size, parameters, opset, operators,
//! inputs and outputs with their symbolic dims, and a FLOPs estimate.

pub mod build;
mod decode;
pub mod flops;
pub mod ids;
pub mod inspect;
pub mod limits;
pub mod proto;
pub mod runtime_check;
pub mod shapes;
pub mod values;

pub use decode::{decode_model, read_model};
pub use flops::{estimate_flops, flops_per_item, DEFAULT_BATCH, DEFAULT_DIM};
pub use inspect::{inspect, inspect_bytes};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Element type of a tensor, as ONNX `TensorProto.DataType` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DType {
    /// 32-bit float (ONNX 1).
    F32,
    /// 8-bit unsigned integer (ONNX 2).
    U8,
    /// 8-bit signed integer (ONNX 3).
    I8,
    /// 16-bit signed integer (ONNX 5).
    I16,
    /// 32-bit signed integer (ONNX 6).
    I32,
    /// 64-bit signed integer (ONNX 7).
    I64,
    /// String (ONNX 8); not supported for synthetic inputs.
    String,
    /// Boolean (ONNX 9).
    Bool,
    /// 16-bit float (ONNX 10).
    F16,
    /// 64-bit float (ONNX 11).
    F64,
    /// Any other ONNX element type, by its enum number.
    Other(i32),
}

/// One dimension of a tensor shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A named symbolic size such as `batch` or `seq`.
    Symbolic(String),
    /// A dynamic size without a name.
    Unknown,
}

/// A graph input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorInfo {
    /// Name in the graph.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape; `None` when the model declares no shape at all.
    pub dims: Option<Vec<Dim>>,
}

/// What inspection found in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// File size in bytes.
    pub size_bytes: u64,
    /// Number of parameters: elements of all initializers.
    pub params: u64,
    /// Bytes held by initializers (weights).
    pub weight_bytes: u64,
    /// Default-domain opset version.
    pub opset: i64,
    /// ONNX IR version of the file.
    #[serde(default)]
    pub ir_version: i64,
    /// Producer name and version as written in the file.
    pub producer: String,
    /// Operator type -> number of nodes (subgraphs included).
    pub ops: BTreeMap<String, u64>,
    /// Graph inputs that are not initializers.
    pub inputs: Vec<TensorInfo>,
    /// Graph outputs.
    pub outputs: Vec<TensorInfo>,
    /// Estimated multiply-accumulate FLOPs (2 per MAC) of Conv/Gemm/MatMul for
    /// one item at the given symbolic dims, where shapes could be inferred.
    pub flops_per_item: Option<f64>,
    /// The symbolic dims the FLOPs estimate bound, with their values
    /// (defaults: leading dim 1, others 128).
    #[serde(default)]
    pub flops_dims: BTreeMap<String, i64>,
    /// Integer inputs that feed a `Gather` as indices: input name -> number
    /// of rows of the table, so synthetic ids stay in range.
    pub id_ranges: BTreeMap<String, u64>,
    /// What inspection noticed: external weights, FLOPs not estimated.
    #[serde(default)]
    pub notes: Vec<String>,
}
