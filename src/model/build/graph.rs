//! A small builder for ONNX graphs: weights with seeded values, nodes,
//! constants, inputs and outputs, and the model around them.

use super::rng::SplitMix64;
use crate::model::proto::{
    attribute_type, data_type, tensor_shape_proto, type_proto, AttributeProto, GraphProto,
    ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto,
};
use std::collections::HashSet;

/// Opset the built models import (LayerNormalization needs 17).
pub const OPSET: i64 = 17;
/// IR version that goes with opset 17.
pub const IR_VERSION: i64 = 8;
/// Version of the builder's output: bump it when the bytes of a built model
/// change on purpose, so files from different builders can be told apart.
pub const BUILDER_VERSION: &str = "1";

/// A dimension of a declared input or output.
#[derive(Debug, Clone, Copy)]
pub enum D {
    /// Fixed size.
    N(i64),
    /// Symbolic size.
    S(&'static str),
}

/// Collects the pieces of one graph.
pub struct GraphBuilder {
    seed: u64,
    graph: GraphProto,
    names: HashSet<String>,
    counter: usize,
}

impl GraphBuilder {
    /// An empty graph whose weights are drawn from `seed`.
    pub fn new(name: &str, seed: u64) -> Self {
        GraphBuilder {
            seed,
            graph: GraphProto {
                name: name.into(),
                ..Default::default()
            },
            names: HashSet::new(),
            counter: 0,
        }
    }

    /// Reserves a value name; names must be unique in a graph.
    fn claim(&mut self, name: &str) -> String {
        assert!(
            self.names.insert(name.to_string()),
            "value name used twice: {name}"
        );
        name.to_string()
    }

    /// Declares a graph input.
    pub fn input(&mut self, name: &str, elem: i32, dims: &[D]) -> String {
        let name = self.claim(name);
        self.graph.input.push(value_info(&name, elem, dims));
        name
    }

    /// Declares a graph output (the value must be produced by a node).
    pub fn output(&mut self, name: &str, elem: i32, dims: &[D]) {
        self.graph.output.push(value_info(name, elem, dims));
    }

    /// A float weight with values uniform in `[-bound, bound)`.
    pub fn weight(&mut self, name: &str, dims: &[i64], bound: f32) -> String {
        let mut rng = SplitMix64::for_tensor(self.seed, name);
        let n: i64 = dims.iter().product();
        let mut raw = Vec::with_capacity(4 * n as usize);
        for _ in 0..n {
            raw.extend_from_slice(&rng.uniform(bound).to_le_bytes());
        }
        self.push_tensor(name, dims, raw)
    }

    /// A float weight filled with one value (LayerNorm gain 1, bias 0).
    pub fn filled(&mut self, name: &str, dims: &[i64], value: f32) -> String {
        let n: i64 = dims.iter().product();
        let raw = value.to_le_bytes().repeat(n as usize);
        self.push_tensor(name, dims, raw)
    }

    fn push_tensor(&mut self, name: &str, dims: &[i64], raw_data: Vec<u8>) -> String {
        let name = self.claim(name);
        self.graph.initializer.push(TensorProto {
            name: name.clone(),
            dims: dims.to_vec(),
            data_type: data_type::FLOAT,
            raw_data,
            ..Default::default()
        });
        name
    }

    /// A node with one output named `out`.
    pub fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        out: &str,
        attrs: Vec<AttributeProto>,
    ) -> String {
        let out = self.claim(out);
        self.counter += 1;
        self.graph.node.push(NodeProto {
            name: format!("{op}_{}", self.counter),
            op_type: op.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![out.clone()],
            attribute: attrs,
            ..Default::default()
        });
        out
    }

    /// A `Constant` node holding int64 values with the given dims.
    pub fn const_i64(&mut self, out: &str, dims: &[i64], vals: &[i64]) -> String {
        let t = TensorProto {
            dims: dims.to_vec(),
            data_type: data_type::INT64,
            raw_data: vals.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        };
        self.node("Constant", &[], out, vec![tensor_attr("value", t)])
    }

    /// A `Constant` node holding one float scalar.
    pub fn const_f32(&mut self, out: &str, v: f32) -> String {
        let t = TensorProto {
            data_type: data_type::FLOAT,
            raw_data: v.to_le_bytes().to_vec(),
            ..Default::default()
        };
        self.node("Constant", &[], out, vec![tensor_attr("value", t)])
    }

    /// The finished model.
    pub fn finish(self, builtin: &str, doc: &str) -> ModelProto {
        ModelProto {
            ir_version: IR_VERSION,
            producer_name: "advisor".into(),
            producer_version: BUILDER_VERSION.into(),
            doc_string: doc.into(),
            graph: Some(self.graph),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: OPSET,
            }],
            metadata_props: vec![StringStringEntryProto {
                key: "advisor.builtin".into(),
                value: builtin.into(),
            }],
            ..Default::default()
        }
    }
}

/// A declared tensor value.
fn value_info(name: &str, elem: i32, dims: &[D]) -> ValueInfoProto {
    use tensor_shape_proto::dimension::Value;
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                D::N(v) => Value::DimValue(*v),
                D::S(s) => Value::DimParam((*s).into()),
            }),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(type_proto::Tensor {
                elem_type: elem,
                shape: Some(TensorShapeProto { dim }),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An integer attribute.
pub fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i: v,
        ..Default::default()
    }
}

/// An integer-list attribute.
pub fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INTS,
        ints: v.to_vec(),
        ..Default::default()
    }
}

/// A float attribute.
pub fn float(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::FLOAT,
        f: v,
        ..Default::default()
    }
}

/// A tensor attribute.
fn tensor_attr(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::TENSOR,
        t: Some(t),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_depend_on_seed_and_name_only() {
        let mut a = GraphBuilder::new("g", 7);
        a.weight("first", &[3], 1.0);
        a.weight("w", &[2, 2], 1.0);
        let mut b = GraphBuilder::new("g", 7);
        b.weight("w", &[2, 2], 1.0);
        assert_eq!(
            a.graph.initializer[1].raw_data,
            b.graph.initializer[0].raw_data
        );
        let mut c = GraphBuilder::new("g", 8);
        c.weight("w", &[2, 2], 1.0);
        assert_ne!(
            c.graph.initializer[0].raw_data,
            b.graph.initializer[0].raw_data
        );
        assert_eq!(b.graph.initializer[0].raw_data.len(), 16);
    }

    #[test]
    #[should_panic(expected = "value name used twice")]
    fn duplicate_names_are_a_builder_bug() {
        let mut g = GraphBuilder::new("g", 1);
        g.filled("x", &[1], 0.0);
        g.node("Relu", &["x"], "x", vec![]);
    }
}
