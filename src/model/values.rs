//! The values a graph declares: its real inputs and their declared dims, read
//! by both the inspection and the FLOPs estimate.

use super::proto::{tensor_shape_proto::dimension, GraphProto, ValueInfoProto};
use super::Dim;
use std::collections::HashSet;

/// Graph inputs that are not initializers (older IR versions list weights
/// as inputs too).
pub fn graph_inputs(graph: &GraphProto) -> impl Iterator<Item = &ValueInfoProto> {
    let inits: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    graph
        .input
        .iter()
        .filter(move |vi| !inits.contains(vi.name.as_str()))
}

/// The declared dims of a value; `None` when it declares no shape.
pub fn value_dims(vi: &ValueInfoProto) -> Option<Vec<Dim>> {
    let shape = vi.r#type.as_ref()?.tensor_type.as_ref()?.shape.as_ref()?;
    Some(
        shape
            .dim
            .iter()
            .map(|d| match &d.value {
                Some(dimension::Value::DimValue(v)) if *v >= 0 => Dim::Fixed(*v),
                Some(dimension::Value::DimParam(p)) if !p.is_empty() => Dim::Symbolic(p.clone()),
                _ => Dim::Unknown,
            })
            .collect(),
    )
}
