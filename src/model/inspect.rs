//! What a model file holds: size, parameters, opset, operators, inputs and
//! outputs, embedding id ranges and a FLOPs estimate.

use super::decode::{decode_model, read_model};
use super::flops::{bind_dims, flops_per_item};
use super::ids::id_ranges;
use super::proto::{data_type, GraphProto, ModelProto, ValueInfoProto};
use super::values::{graph_inputs, value_dims};
use super::{DType, ModelInfo, TensorInfo};
use std::collections::BTreeMap;
use std::path::Path;

/// Inspects the model file at `path`.
///
/// Errors are bad input (exit code 2) with one line naming the file and what
/// is wrong: missing, empty, not ONNX, truncated.
pub fn inspect(path: &Path) -> anyhow::Result<ModelInfo> {
    let (model, size) = read_model(path)?;
    Ok(info(&model, size))
}

/// Inspects a model held in memory; errors do not name a file.
pub fn inspect_bytes(bytes: &[u8]) -> anyhow::Result<ModelInfo> {
    let model = decode_model(bytes)?;
    Ok(info(&model, bytes.len() as u64))
}

/// What a decoded model holds; `size_bytes` is the size of its file.
///
/// The FLOPs estimate binds every symbolic dim to its default (batch 1,
/// others 128; see [`super::flops`]); the bindings used are in `flops_dims`.
pub fn info(model: &ModelProto, size_bytes: u64) -> ModelInfo {
    let empty = GraphProto::default();
    let graph = model.graph.as_ref().unwrap_or(&empty);
    let mut totals = Totals::default();
    totals.add_graph(graph);
    let mut notes = Vec::new();
    if totals.external_tensors > 0 {
        notes.push(format!(
            "{} initializers ({} bytes) are stored in external data files; \
             their parameters are counted from their dims",
            totals.external_tensors, totals.external_bytes
        ));
    }
    let no_dims = BTreeMap::new();
    let flops_dims = bind_dims(model, &no_dims);
    let flops = flops_per_item(model, &no_dims);
    if flops.is_none() {
        notes.push(
            "FLOPs not estimated: some Conv/Gemm/MatMul shapes could not be inferred".to_string(),
        );
    }
    ModelInfo {
        size_bytes,
        params: totals.params,
        weight_bytes: totals.weight_bytes,
        opset: default_opset(model),
        ir_version: model.ir_version,
        producer: format!("{} {}", model.producer_name, model.producer_version)
            .trim()
            .to_string(),
        ops: totals.ops,
        inputs: graph_inputs(graph).map(tensor_info).collect(),
        outputs: graph.output.iter().map(tensor_info).collect(),
        flops_per_item: flops,
        flops_dims,
        id_ranges: id_ranges(graph),
        notes,
    }
}

/// The default-domain opset version; 1 for models from before opset imports.
pub fn default_opset(model: &ModelProto) -> i64 {
    model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version)
        .unwrap_or(if model.ir_version < 3 { 1 } else { 0 })
}

/// A graph input or output as [`TensorInfo`].
fn tensor_info(vi: &ValueInfoProto) -> TensorInfo {
    let elem = vi
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .map_or(0, |t| t.elem_type);
    TensorInfo {
        name: vi.name.clone(),
        dtype: DType::from_onnx(elem),
        dims: value_dims(vi),
    }
}

impl DType {
    /// The type for an ONNX `TensorProto.DataType` number.
    pub fn from_onnx(elem: i32) -> Self {
        match elem {
            data_type::FLOAT => DType::F32,
            data_type::UINT8 => DType::U8,
            data_type::INT8 => DType::I8,
            data_type::INT16 => DType::I16,
            data_type::INT32 => DType::I32,
            data_type::INT64 => DType::I64,
            data_type::STRING => DType::String,
            data_type::BOOL => DType::Bool,
            data_type::FLOAT16 => DType::F16,
            data_type::DOUBLE => DType::F64,
            other => DType::Other(other),
        }
    }
}

/// Sums over a graph and its subgraphs.
#[derive(Default)]
struct Totals {
    params: u64,
    weight_bytes: u64,
    external_tensors: u64,
    external_bytes: u64,
    ops: BTreeMap<String, u64>,
}

impl Totals {
    fn add_graph(&mut self, graph: &GraphProto) {
        for t in &graph.initializer {
            let n = t.element_count();
            self.params += n;
            let bytes = if t.data_type == data_type::STRING {
                t.string_data.iter().map(|s| s.len() as u64).sum()
            } else {
                n.saturating_mul(data_type::element_bytes_or_one(t.data_type))
            };
            self.weight_bytes += bytes;
            if t.is_external() {
                self.external_tensors += 1;
                self.external_bytes += bytes;
            }
        }
        for node in &graph.node {
            *self.ops.entry(node.op_type.clone()).or_default() += 1;
            for a in &node.attribute {
                for g in a.g.iter().chain(&a.graphs) {
                    self.add_graph(g);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proto::tensor_shape_proto::dimension;
    use crate::model::proto::*;
    use crate::model::Dim;
    use prost::Message;

    fn relu_graph(input: &str, output: &str) -> GraphProto {
        GraphProto {
            node: vec![NodeProto {
                op_type: "Relu".into(),
                input: vec![input.into()],
                output: vec![output.into()],
                ..Default::default()
            }],
            output: vec![ValueInfoProto {
                name: output.into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn counts_subgraph_ops_and_external_weights() {
        let mut g = relu_graph("x", "y");
        g.input.push(ValueInfoProto {
            name: "x".into(),
            r#type: Some(TypeProto {
                tensor_type: Some(type_proto::Tensor {
                    elem_type: data_type::FLOAT16,
                    shape: Some(TensorShapeProto {
                        dim: vec![tensor_shape_proto::Dimension {
                            value: Some(dimension::Value::DimParam("n".into())),
                            ..Default::default()
                        }],
                    }),
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
        // The weight is listed as an input too, as IR < 4 writers do.
        g.input.push(ValueInfoProto {
            name: "w".into(),
            ..Default::default()
        });
        g.initializer.push(TensorProto {
            name: "w".into(),
            dims: vec![10, 10],
            data_type: data_type::FLOAT,
            data_location: data_location::EXTERNAL,
            ..Default::default()
        });
        let mut branch = relu_graph("x", "z");
        branch.initializer.push(TensorProto {
            name: "b".into(),
            dims: vec![5],
            data_type: data_type::INT64,
            raw_data: vec![0; 40],
            ..Default::default()
        });
        g.node.push(NodeProto {
            op_type: "If".into(),
            input: vec!["cond".into()],
            output: vec!["o".into()],
            attribute: vec![AttributeProto {
                name: "then_branch".into(),
                r#type: attribute_type::GRAPH,
                g: Some(branch),
                ..Default::default()
            }],
            ..Default::default()
        });
        let model = ModelProto {
            ir_version: 8,
            producer_name: "pytorch".into(),
            producer_version: "2.5".into(),
            graph: Some(g),
            opset_import: vec![
                OperatorSetIdProto {
                    domain: "com.microsoft".into(),
                    version: 1,
                },
                OperatorSetIdProto {
                    domain: String::new(),
                    version: 13,
                },
            ],
            ..Default::default()
        };
        let bytes = model.encode_to_vec();
        let info = inspect_bytes(&bytes).unwrap();
        assert_eq!(info.size_bytes, bytes.len() as u64);
        assert_eq!(info.params, 105);
        assert_eq!(info.weight_bytes, 400 + 40);
        assert_eq!(info.opset, 13);
        assert_eq!(info.producer, "pytorch 2.5");
        assert_eq!(info.ops["Relu"], 2);
        assert_eq!(info.ops["If"], 1);
        assert_eq!(info.inputs.len(), 1);
        assert_eq!(info.inputs[0].dtype, DType::F16);
        assert_eq!(info.inputs[0].dims, Some(vec![Dim::Symbolic("n".into())]));
        assert_eq!(info.outputs[0].dims, None);
        assert!(info.notes[0].contains("1 initializers (400 bytes)"));
        // No counted operators: zero FLOPs, an honest figure.
        assert_eq!(info.flops_per_item, Some(0.0));
    }
}
