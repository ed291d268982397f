//! FLOPs estimate from the propagated shapes.
//!
//! Counts 2 FLOPs per multiply-accumulate of the operators that dominate
//! inference cost: Conv, ConvTranspose, Gemm and MatMul (and their integer and
//! quantized forms). Elementwise work, normalisation and softmax are not
//! counted. When any counted operator's shapes cannot be inferred, or one sits
//! inside an `If`/`Loop`/`Scan` body (unknown trip count), the estimate is
//! `None` rather than a guess.
//!
//! Symbolic dims take the value the caller binds; unbound ones take a default:
//! the leading dim of an input (the batch) [`DEFAULT_BATCH`], any other
//! [`DEFAULT_DIM`] (a sequence length of 128 for language models).

use super::proto::{GraphProto, ModelProto, NodeProto};
use super::shapes::{attr_i, infer, prod, ShapeMap};
use super::values::{graph_inputs, value_dims};
use super::Dim;
use std::collections::{BTreeMap, HashMap};

/// Default for an unbound symbolic leading dim (the batch).
pub const DEFAULT_BATCH: i64 = 1;
/// Default for any other unbound symbolic dim (e.g. `seq`).
pub const DEFAULT_DIM: i64 = 128;

/// Operators whose multiply-accumulates are counted.
const COUNTED: &[&str] = &[
    "Conv",
    "ConvInteger",
    "QLinearConv",
    "ConvTranspose",
    "Gemm",
    "MatMul",
    "MatMulInteger",
    "QLinearMatMul",
];

/// Every symbolic dim of the model's inputs with the value it takes: the one
/// in `dims` when bound there, else the default for its position.
pub fn bind_dims(model: &ModelProto, dims: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    let mut bound = BTreeMap::new();
    let Some(graph) = &model.graph else {
        return bound;
    };
    for vi in graph_inputs(graph) {
        for (i, d) in value_dims(vi).into_iter().flatten().enumerate() {
            if let Dim::Symbolic(name) = d {
                let default = if i == 0 { DEFAULT_BATCH } else { DEFAULT_DIM };
                let v = dims.get(&name).copied().unwrap_or(default);
                bound.entry(name).or_insert(v);
            }
        }
    }
    bound
}

/// Concrete shapes of the graph inputs under the bound dims; unnamed
/// dynamic dims take the positional default. Inputs without a declared
/// shape are left out.
pub fn input_shapes(
    model: &ModelProto,
    bound: &BTreeMap<String, i64>,
) -> HashMap<String, Vec<i64>> {
    let mut out = HashMap::new();
    let Some(graph) = &model.graph else {
        return out;
    };
    for vi in graph_inputs(graph) {
        let Some(dims) = value_dims(vi) else { continue };
        let shape = dims
            .iter()
            .enumerate()
            .map(|(i, d)| match d {
                Dim::Fixed(v) => *v,
                Dim::Symbolic(n) => bound.get(n).copied().unwrap_or(DEFAULT_DIM),
                Dim::Unknown if i == 0 => DEFAULT_BATCH,
                Dim::Unknown => DEFAULT_DIM,
            })
            .collect();
        out.insert(vi.name.clone(), shape);
    }
    out
}

/// FLOPs of one run of the model with its inputs at the bound dims
/// (defaults for the rest); `None` where the shapes cannot be told.
pub fn estimate_flops(model: &ModelProto, dims: &BTreeMap<String, i64>) -> Option<f64> {
    let graph = model.graph.as_ref()?;
    if graph.node.iter().any(has_counted_subgraph) {
        return None;
    }
    let bound = bind_dims(model, dims);
    let map = infer(graph, &input_shapes(model, &bound));
    graph.node.iter().try_fold(0.0, |acc, node| {
        if COUNTED.contains(&node.op_type.as_str()) && node.domain.is_empty() {
            Some(acc + node_flops(node, &map)?)
        } else {
            Some(acc)
        }
    })
}

/// [`estimate_flops`] split by operator type (`Conv`, `MatMul`, ...): what
/// share of the work is convolution and what is matrix multiplication, which
/// decides which reference probe a model's speed on another CPU follows.
pub fn flops_by_op(
    model: &ModelProto,
    dims: &BTreeMap<String, i64>,
) -> Option<BTreeMap<String, f64>> {
    let graph = model.graph.as_ref()?;
    if graph.node.iter().any(has_counted_subgraph) {
        return None;
    }
    let bound = bind_dims(model, dims);
    let map = infer(graph, &input_shapes(model, &bound));
    let mut out = BTreeMap::new();
    for node in &graph.node {
        if COUNTED.contains(&node.op_type.as_str()) && node.domain.is_empty() {
            *out.entry(node.op_type.clone()).or_insert(0.0) += node_flops(node, &map)?;
        }
    }
    Some(out)
}

/// FLOPs for one item: [`estimate_flops`] divided by the batch, which is the
/// leading dim of the first input as bound.
pub fn flops_per_item(model: &ModelProto, dims: &BTreeMap<String, i64>) -> Option<f64> {
    let total = estimate_flops(model, dims)?;
    let bound = bind_dims(model, dims);
    let first = graph_inputs(model.graph.as_ref()?).next()?;
    let batch = match value_dims(first)?.first()? {
        Dim::Fixed(v) => *v,
        Dim::Symbolic(n) => *bound.get(n)?,
        Dim::Unknown => DEFAULT_BATCH,
    };
    (batch > 0).then(|| total / batch as f64)
}

/// True when an attribute graph (at any depth) holds a counted operator.
fn has_counted_subgraph(node: &NodeProto) -> bool {
    fn graph_has(g: &GraphProto) -> bool {
        g.node
            .iter()
            .any(|n| COUNTED.contains(&n.op_type.as_str()) || has_counted_subgraph(n))
    }
    node.attribute
        .iter()
        .any(|a| a.g.as_ref().is_some_and(graph_has) || a.graphs.iter().any(graph_has))
}

/// FLOPs of one counted node, from its input and output shapes.
fn node_flops(node: &NodeProto, map: &ShapeMap) -> Option<f64> {
    let shape = |i: usize| -> Option<&Vec<i64>> { map.get(node.input.get(i)?).map(|k| &k.shape) };
    let out = &map.get(node.output.first()?)?.shape;
    let macs: i64 = match node.op_type.as_str() {
        // out [N, M, spatial] x weight [M, C/g, k...]
        "Conv" | "ConvInteger" => prod(out)?.checked_mul(prod(shape(1)?.get(1..)?)?)?,
        "QLinearConv" => prod(out)?.checked_mul(prod(shape(3)?.get(1..)?)?)?,
        // every input element meets a [M/g, k...] slice of the weight
        "ConvTranspose" => prod(shape(0)?)?.checked_mul(prod(shape(1)?.get(1..)?)?)?,
        "MatMul" | "MatMulInteger" => prod(out)?.checked_mul(*shape(0)?.last()?)?,
        "QLinearMatMul" => prod(out)?.checked_mul(*shape(0)?.last()?)?,
        "Gemm" => {
            let a = shape(0)?;
            let k = if attr_i(node, "transA").unwrap_or(0) != 0 {
                *a.first()?
            } else {
                *a.get(1)?
            };
            prod(out)?.checked_mul(k)?
        }
        _ => return Some(0.0),
    };
    Some(2.0 * macs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proto::*;

    fn dim_param(s: &str) -> tensor_shape_proto::Dimension {
        tensor_shape_proto::Dimension {
            value: Some(tensor_shape_proto::dimension::Value::DimParam(s.into())),
            ..Default::default()
        }
    }

    fn dim_value(v: i64) -> tensor_shape_proto::Dimension {
        tensor_shape_proto::Dimension {
            value: Some(tensor_shape_proto::dimension::Value::DimValue(v)),
            ..Default::default()
        }
    }

    fn input(name: &str, dims: Vec<tensor_shape_proto::Dimension>) -> ValueInfoProto {
        ValueInfoProto {
            name: name.into(),
            r#type: Some(TypeProto {
                tensor_type: Some(type_proto::Tensor {
                    elem_type: data_type::FLOAT,
                    shape: Some(TensorShapeProto { dim: dims }),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// x [batch, seq, 64] -> MatMul w [64, 32] -> y
    fn matmul_model() -> ModelProto {
        ModelProto {
            ir_version: 8,
            graph: Some(GraphProto {
                node: vec![NodeProto {
                    op_type: "MatMul".into(),
                    input: vec!["x".into(), "w".into()],
                    output: vec!["y".into()],
                    ..Default::default()
                }],
                initializer: vec![TensorProto {
                    name: "w".into(),
                    dims: vec![64, 32],
                    data_type: data_type::FLOAT,
                    ..Default::default()
                }],
                input: vec![input(
                    "x",
                    vec![dim_param("batch"), dim_param("seq"), dim_value(64)],
                )],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_bind_batch_one_and_other_dims_128() {
        let m = matmul_model();
        let bound = bind_dims(&m, &BTreeMap::new());
        assert_eq!(bound["batch"], 1);
        assert_eq!(bound["seq"], 128);
        assert_eq!(
            estimate_flops(&m, &BTreeMap::new()),
            Some(2.0 * 128.0 * 64.0 * 32.0)
        );
    }

    #[test]
    fn bound_dims_scale_the_total_not_the_per_item_figure() {
        let m = matmul_model();
        let dims = BTreeMap::from([("batch".to_string(), 4), ("seq".to_string(), 10)]);
        assert_eq!(
            estimate_flops(&m, &dims),
            Some(2.0 * 4.0 * 10.0 * 64.0 * 32.0)
        );
        assert_eq!(flops_per_item(&m, &dims), Some(2.0 * 10.0 * 64.0 * 32.0));
    }

    #[test]
    fn unknown_shapes_give_none() {
        let mut m = matmul_model();
        let g = m.graph.as_mut().unwrap();
        // The weight now comes from an op the propagation does not know.
        g.initializer.clear();
        g.node.insert(
            0,
            NodeProto {
                op_type: "NonZero".into(),
                input: vec!["x".into()],
                output: vec!["w".into()],
                ..Default::default()
            },
        );
        assert_eq!(estimate_flops(&m, &BTreeMap::new()), None);
    }

    #[test]
    fn counted_ops_in_a_loop_body_give_none() {
        let mut m = matmul_model();
        let body = m.graph.clone().unwrap();
        m.graph.as_mut().unwrap().node.push(NodeProto {
            op_type: "Loop".into(),
            attribute: vec![AttributeProto {
                name: "body".into(),
                r#type: attribute_type::GRAPH,
                g: Some(body),
                ..Default::default()
            }],
            ..Default::default()
        });
        assert_eq!(estimate_flops(&m, &BTreeMap::new()), None);
    }

    #[test]
    fn gemm_respects_trans_a() {
        let node = NodeProto {
            op_type: "Gemm".into(),
            input: vec!["a".into(), "b".into()],
            output: vec!["y".into()],
            attribute: vec![AttributeProto {
                name: "transA".into(),
                r#type: attribute_type::INT,
                i: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        let g = GraphProto {
            node: vec![node.clone()],
            ..Default::default()
        };
        let inputs = HashMap::from([("a".to_string(), vec![7, 3]), ("b".to_string(), vec![7, 5])]);
        let map = infer(&g, &inputs);
        assert_eq!(map["y"].shape, vec![3, 5]);
        assert_eq!(node_flops(&node, &map), Some(2.0 * 3.0 * 5.0 * 7.0));
    }
}
