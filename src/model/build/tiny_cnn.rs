//! A tiny CNN for tests: two Conv+Relu+MaxPool stages and a classifier.

use super::graph::{int, ints, GraphBuilder, D};
use crate::model::proto::{data_type, ModelProto};

/// Seed of the weights.
const SEED: u64 = 0x7469_6e79_636e_6e00; // "tinycnn"

/// Builds the model: input `input` float `[batch, 1, 28, 28]`, output
/// `output` float `[batch, 10]`; 9,098 parameters.
pub fn tiny_cnn() -> ModelProto {
    let mut g = GraphBuilder::new("tiny-cnn", SEED);
    let mut h = g.input(
        "input",
        data_type::FLOAT,
        &[D::S("batch"), D::N(1), D::N(28), D::N(28)],
    );
    for (i, (cin, cout)) in [(1i64, 8i64), (8, 16)].into_iter().enumerate() {
        let bound = (6.0 / (cin * 9) as f32).sqrt();
        let w = g.weight(&format!("conv{i}.weight"), &[cout, cin, 3, 3], bound);
        let b = g.weight(&format!("conv{i}.bias"), &[cout], 0.1);
        let c = g.node(
            "Conv",
            &[&h, &w, &b],
            &format!("conv{i}.out"),
            vec![
                ints("kernel_shape", &[3, 3]),
                ints("pads", &[1, 1, 1, 1]),
                ints("strides", &[1, 1]),
            ],
        );
        let r = g.node("Relu", &[&c], &format!("relu{i}.out"), vec![]);
        h = g.node(
            "MaxPool",
            &[&r],
            &format!("pool{i}.out"),
            vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])],
        );
    }
    let flat = g.node("Flatten", &[&h], "flat", vec![int("axis", 1)]);
    let bound = (3.0f32 / 784.0).sqrt();
    let w = g.weight("fc.weight", &[10, 16 * 7 * 7], bound);
    let b = g.weight("fc.bias", &[10], 0.1);
    g.node("Gemm", &[&flat, &w, &b], "output", vec![int("transB", 1)]);
    g.output("output", data_type::FLOAT, &[D::S("batch"), D::N(10)]);
    g.finish(
        "tiny-cnn",
        "Tiny CNN (2 x Conv+Relu+MaxPool, Gemm) with seeded random weights, built by advisor for tests",
    )
}
