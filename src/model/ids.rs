//! Which integer inputs are ids into an embedding table, and how many rows
//! that table has, so synthetic inputs stay in range.
//!
//! An input counts when it reaches the indices of a `Gather` whose table is
//! an initializer, directly or through operators that pass values through
//! unchanged (Cast, Reshape, Unsqueeze, ...). ORT's fused
//! `EmbedLayerNormalization` (com.microsoft) is recognised too.

use super::proto::{data_type, GraphProto, TensorProto};
use super::shapes::attr_i;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Operators that keep the values of their first input.
const PASSTHROUGH: &[&str] = &[
    "Cast",
    "Expand",
    "Flatten",
    "Identity",
    "Reshape",
    "Squeeze",
    "Tile",
    "Transpose",
    "Unsqueeze",
];

/// Integer element types.
const INTEGER: &[i32] = &[
    data_type::INT64,
    data_type::INT32,
    data_type::INT16,
    data_type::INT8,
    data_type::UINT8,
    data_type::UINT16,
    data_type::UINT32,
    data_type::UINT64,
];

/// Input name -> rows of the smallest table it indexes.
pub fn id_ranges(graph: &GraphProto) -> BTreeMap<String, u64> {
    let inits: HashMap<&str, &TensorProto> = graph
        .initializer
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut consumers: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (n, node) in graph.node.iter().enumerate() {
        for (slot, name) in node.input.iter().enumerate() {
            consumers.entry(name.as_str()).or_default().push((n, slot));
        }
    }
    let mut out = BTreeMap::new();
    for vi in &graph.input {
        let elem = vi
            .r#type
            .as_ref()
            .and_then(|t| t.tensor_type.as_ref())
            .map(|t| t.elem_type);
        if inits.contains_key(vi.name.as_str()) || !elem.is_some_and(|e| INTEGER.contains(&e)) {
            continue;
        }
        let mut rows: Option<u64> = None;
        let mut queue = VecDeque::from([vi.name.as_str()]);
        let mut seen = vec![vi.name.as_str()];
        while let Some(value) = queue.pop_front() {
            for &(n, slot) in consumers.get(value).into_iter().flatten() {
                let node = &graph.node[n];
                let table = match (node.op_type.as_str(), node.domain.as_str(), slot) {
                    ("Gather", "" | "ai.onnx", 1) => node
                        .input
                        .first()
                        .and_then(|t| inits.get(t.as_str()))
                        .and_then(|t| {
                            let a = attr_i(node, "axis").unwrap_or(0);
                            let a = if a < 0 { a + t.dims.len() as i64 } else { a };
                            t.dims.get(usize::try_from(a).ok()?).copied()
                        }),
                    // inputs: input_ids, segment_ids, word_embedding, position_embedding, segment_embedding
                    ("EmbedLayerNormalization", "com.microsoft", 0 | 1) => node
                        .input
                        .get(if slot == 0 { 2 } else { 4 })
                        .and_then(|t| inits.get(t.as_str()))
                        .and_then(|t| t.dims.first().copied()),
                    (op, "" | "ai.onnx", 0) if PASSTHROUGH.contains(&op) => {
                        for o in &node.output {
                            if !seen.contains(&o.as_str()) {
                                seen.push(o);
                                queue.push_back(o);
                            }
                        }
                        None
                    }
                    _ => None,
                };
                if let Some(r) = table.and_then(|r| u64::try_from(r).ok()) {
                    rows = Some(rows.map_or(r, |old| old.min(r)));
                }
            }
        }
        if let Some(r) = rows {
            out.insert(vi.name.clone(), r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proto::*;

    fn int_input(name: &str) -> ValueInfoProto {
        ValueInfoProto {
            name: name.into(),
            r#type: Some(TypeProto {
                tensor_type: Some(type_proto::Tensor {
                    elem_type: data_type::INT64,
                    shape: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn node(op: &str, ins: &[&str], out: &str) -> NodeProto {
        NodeProto {
            op_type: op.into(),
            input: ins.iter().map(|s| s.to_string()).collect(),
            output: vec![out.into()],
            ..Default::default()
        }
    }

    fn table(name: &str, rows: i64) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: vec![rows, 8],
            data_type: data_type::FLOAT,
            ..Default::default()
        }
    }

    #[test]
    fn direct_and_through_passthrough_ops() {
        let g = GraphProto {
            input: vec![int_input("ids"), int_input("types"), int_input("mask")],
            initializer: vec![table("words", 30000), table("type_table", 2)],
            node: vec![
                node("Gather", &["words", "ids"], "e1"),
                node("Cast", &["types"], "t32"),
                node("Unsqueeze", &["t32"], "t2"),
                node("Gather", &["type_table", "t2"], "e2"),
                // The mask reaches a Gather only as the table, which does not count.
                node("Gather", &["mask", "ids"], "e3"),
            ],
            ..Default::default()
        };
        let r = id_ranges(&g);
        assert_eq!(r.get("ids"), Some(&30000));
        assert_eq!(r.get("types"), Some(&2));
        assert_eq!(r.get("mask"), None);
    }

    #[test]
    fn the_smallest_table_wins() {
        let g = GraphProto {
            input: vec![int_input("ids")],
            initializer: vec![table("a", 100), table("b", 50)],
            node: vec![
                node("Gather", &["a", "ids"], "x"),
                node("Gather", &["b", "ids"], "y"),
            ],
            ..Default::default()
        };
        assert_eq!(id_ranges(&g).get("ids"), Some(&50));
    }
}
