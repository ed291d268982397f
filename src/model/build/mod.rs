//! Built-in models: real architectures with seeded random weights.
//!
//! Profiling needs a model's operator mix, parameter count and size, not its
//! trained values, so these graphs follow the published architectures node
//! for node and fill the weights from a fixed generator. The same build gives
//! the same bytes on every machine and every version of the dependencies.

mod albert;
pub mod graph;
mod mobilenetv2;
pub mod rng;
mod tiny_cnn;

pub use albert::{albert_base, albert_block, HF_PARAMS as ALBERT_HF_PARAMS};
pub use mobilenetv2::{mobilenetv2, TORCHVISION_PARAMS as MOBILENETV2_TORCHVISION_PARAMS};
pub use tiny_cnn::tiny_cnn;

use crate::model::proto::ModelProto;
use prost::Message;

/// The models that can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// MobileNetV2 (torchvision), ~3.5 M parameters.
    MobileNetV2,
    /// ALBERT-base, 12 layers sharing weights, ~11.7 M parameters.
    AlbertBase,
    /// A tiny CNN for tests, 9,098 parameters.
    TinyCnn,
}

impl Builtin {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::MobileNetV2 => "mobilenetv2",
            Builtin::AlbertBase => "albert-base",
            Builtin::TinyCnn => "tiny-cnn",
        }
    }

    /// The model as a protobuf message.
    pub fn model(self) -> ModelProto {
        match self {
            Builtin::MobileNetV2 => mobilenetv2(),
            Builtin::AlbertBase => albert_base(),
            Builtin::TinyCnn => tiny_cnn(),
        }
    }

    /// The bytes of the `.onnx` file.
    pub fn bytes(self) -> Vec<u8> {
        self.model().encode_to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::rng::fnv1a;
    use super::*;
    use crate::model::inspect::{info, inspect_bytes};
    use crate::model::proto::GraphProto;
    use crate::model::shapes::attr_i;
    use crate::model::{estimate_flops, DType, Dim};
    use std::collections::{BTreeMap, HashSet};

    fn graph(m: &ModelProto) -> &GraphProto {
        m.graph.as_ref().unwrap()
    }

    /// Every value name is produced once, and every node output is consumed
    /// or is a graph output: what ONNX Runtime's checks require.
    fn assert_well_formed(m: &ModelProto) {
        let g = graph(m);
        let mut produced = HashSet::new();
        let inits = g.initializer.iter().map(|t| &t.name);
        let inputs = g.input.iter().map(|v| &v.name);
        let outputs = g.node.iter().flat_map(|n| &n.output);
        for name in inits.chain(inputs).chain(outputs) {
            assert!(produced.insert(name.as_str()), "{name} defined twice");
        }
        let consumed: HashSet<&str> = g
            .node
            .iter()
            .flat_map(|n| &n.input)
            .map(String::as_str)
            .chain(g.output.iter().map(|o| o.name.as_str()))
            .collect();
        for n in &g.node {
            for i in &n.input {
                assert!(
                    produced.contains(i.as_str()),
                    "{} reads undefined {i}",
                    n.name
                );
            }
            for o in &n.output {
                assert!(consumed.contains(o.as_str()), "{o} is never used");
            }
        }
        for t in &g.initializer {
            assert!(
                consumed.contains(t.name.as_str()),
                "weight {} unused",
                t.name
            );
        }
        let init_names: HashSet<&str> = g.initializer.iter().map(|t| t.name.as_str()).collect();
        assert!(g
            .input
            .iter()
            .all(|i| !init_names.contains(i.name.as_str())));
    }

    #[test]
    fn builds_are_byte_identical_and_pinned() {
        // The hashes pin the byte format: profiles of the bundled models are
        // only comparable while these files stay the same. A deliberate change
        // bumps graph::BUILDER_VERSION and these values together.
        for (b, hash) in [
            (Builtin::TinyCnn, 0x6840_9162_d00f_4432_u64),
            (Builtin::MobileNetV2, 0x7bf0_6920_b679_eb19),
            (Builtin::AlbertBase, 0x4ca2_0355_6d25_2d6e),
        ] {
            let one = b.bytes();
            assert_eq!(one, b.bytes(), "{} differs between builds", b.name());
            assert_eq!(
                fnv1a(&one),
                hash,
                "{} bytes changed: {:#x}",
                b.name(),
                fnv1a(&one)
            );
        }
    }

    #[test]
    fn albert_block_is_one_twelfth_of_the_encoder() {
        let block = albert_block();
        assert_well_formed(&block);
        let dims = BTreeMap::new();
        let base = crate::model::flops::flops_by_op(&albert_base(), &dims).unwrap();
        let one = crate::model::flops::flops_by_op(&block, &dims).unwrap();
        assert!(!one.contains_key("Conv"), "{one:?}");
        let (b, o): (f64, f64) = (base.values().sum(), one.values().sum());
        // Eleven of twelve layers gone; embeddings and pooler stay.
        assert!((b / o - 11.0).abs() < 1.5, "{b} / {o}");
        let m = crate::model::flops::flops_by_op(&mobilenetv2(), &dims).unwrap();
        let conv = m["Conv"] / m.values().sum::<f64>();
        assert!(conv > 0.99, "{conv}");
        assert_eq!(estimate_flops(&block, &dims), Some(o));
    }

    #[test]
    fn tiny_cnn_is_small_and_well_formed() {
        let m = tiny_cnn();
        assert_well_formed(&m);
        let bytes = Builtin::TinyCnn.bytes();
        let i = inspect_bytes(&bytes).unwrap();
        assert!(i.size_bytes < 200_000);
        // conv 8*1*9+8, conv 16*8*9+16, fc 784*10+10
        assert_eq!(i.params, 80 + 1168 + 7850);
        assert_eq!(
            i.inputs[0].dims.as_ref().unwrap()[0],
            Dim::Symbolic("batch".into())
        );
        assert_eq!(i.ops["Conv"], 2);
        assert_eq!(i.ops["MaxPool"], 2);
        // 2*(28*28*8*9 + 14*14*16*72 + 784*10) MACs
        let macs = 28 * 28 * 8 * 9 + 14 * 14 * 16 * 8 * 9 + 784 * 10;
        assert_eq!(i.flops_per_item, Some(2.0 * macs as f64));
    }

    #[test]
    fn mobilenetv2_matches_torchvision() {
        let m = mobilenetv2();
        assert_well_formed(&m);
        let i = info(&m, 0);
        // Folding BatchNorm turns each BN's scale+shift (2C) into a bias (C).
        let folded: u64 = graph(&m)
            .initializer
            .iter()
            .filter(|t| t.name.starts_with("features") && t.name.ends_with(".bias"))
            .map(|t| t.element_count())
            .sum();
        assert_eq!(i.params + folded, MOBILENETV2_TORCHVISION_PARAMS);
        assert_eq!(i.ops["Conv"], 52);
        assert_eq!(i.ops["Clip"], 35);
        assert_eq!(i.ops["Add"], 10);
        assert_eq!(i.ops["Gemm"], 1);
        assert_eq!(i.ops["GlobalAveragePool"], 1);
        assert_eq!(i.opset, 17);
        let depthwise = graph(&m)
            .node
            .iter()
            .filter(|n| n.op_type == "Conv" && attr_i(n, "group").unwrap_or(1) > 1)
            .count();
        assert_eq!(depthwise, 17);
        assert_eq!(i.inputs.len(), 1);
        assert_eq!(i.inputs[0].name, "input");
        assert_eq!(i.inputs[0].dtype, DType::F32);
        assert_eq!(
            i.inputs[0].dims,
            Some(vec![
                Dim::Symbolic("batch".into()),
                Dim::Fixed(3),
                Dim::Fixed(224),
                Dim::Fixed(224)
            ])
        );
        assert_eq!(i.outputs[0].dims.as_ref().unwrap()[1], Dim::Fixed(1000));
        // torchvision: 300.8 M multiply-adds at 224x224.
        let f = i.flops_per_item.unwrap();
        assert!((f / 2.0 - 300.8e6).abs() < 3e6, "{f}");
        let weights = i.weight_bytes as f64 / 1e6;
        assert!((13.5..14.5).contains(&weights), "{weights} MB");
        assert!(i.id_ranges.is_empty());
    }

    #[test]
    fn mobilenetv2_flops_scale_with_batch() {
        let m = mobilenetv2();
        let one = estimate_flops(&m, &BTreeMap::new()).unwrap();
        let four = estimate_flops(&m, &BTreeMap::from([("batch".to_string(), 4)])).unwrap();
        assert_eq!(four, 4.0 * one);
    }

    #[test]
    fn albert_base_matches_the_reference_configuration() {
        let m = albert_base();
        assert_well_formed(&m);
        let i = info(&m, 0);
        assert_eq!(i.params, ALBERT_HF_PARAMS);
        // Shared weights: each layer weight appears once but is used by 12 nodes.
        let g = graph(&m);
        let q = "albert.encoder.albert_layer_groups.0.albert_layers.0.attention.query.weight";
        assert_eq!(g.initializer.iter().filter(|t| t.name == q).count(), 1);
        assert_eq!(
            g.node
                .iter()
                .filter(|n| n.input.iter().any(|x| x == q))
                .count(),
            12
        );
        // Per layer: q, k, v, scores, context, output, ffn, ffn_output; plus the projection.
        assert_eq!(i.ops["MatMul"], 12 * 8 + 1);
        assert_eq!(i.ops["Softmax"], 12);
        assert_eq!(i.ops["Erf"], 12);
        assert_eq!(i.ops["LayerNormalization"], 2 * 12 + 1);
        let names: Vec<&str> = i.inputs.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["input_ids", "attention_mask", "token_type_ids"]);
        for t in &i.inputs {
            assert_eq!(t.dtype, DType::I64);
            assert_eq!(
                t.dims,
                Some(vec![
                    Dim::Symbolic("batch".into()),
                    Dim::Symbolic("seq".into())
                ])
            );
        }
        assert_eq!(i.id_ranges.get("input_ids"), Some(&30_000));
        assert_eq!(i.id_ranges.get("token_type_ids"), Some(&2));
        assert_eq!(i.id_ranges.len(), 2);
        assert_eq!(i.flops_dims.get("seq"), Some(&128));
        // MACs at seq S, hidden H, FFN F, embedding E: projection S*E*H, per
        // layer S*(4*H*H + 2*H*F) + 2*S*S*H (scores and context), pooler H*H.
        let (s, h, f, e) = (128.0, 768.0, 3072.0, 128.0);
        let layer = s * (4.0 * h * h + 2.0 * h * f) + 2.0 * s * s * h;
        let macs = s * e * h + 12.0 * layer + h * h;
        assert_eq!(i.flops_per_item, Some(2.0 * macs));
        let mb = i.weight_bytes as f64 / 1e6;
        assert!((45.0..50.0).contains(&mb), "{mb} MB");
    }
}
