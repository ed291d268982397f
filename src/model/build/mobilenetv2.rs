//! MobileNetV2 in torchvision's layout, as an exporter writes it.
//!
//! Sandler et al. 2018; torchvision `mobilenet_v2` (width 1.0, 224x224).
//! BatchNorm is folded into each convolution's weight and bias, the way
//! exporters emit it in inference mode, so every Conv has a bias; ReLU6 is
//! `Clip(0, 6)`; the classifier's dropout is gone in inference mode.

use super::graph::{int, ints, GraphBuilder, D};
use crate::model::proto::{data_type, ModelProto};

/// Seed of the weights.
const SEED: u64 = 0x6d6f_6269_6c65_7632; // "mobilev2"

/// (expansion t, output channels c, repeats n, first stride s), from the paper's table 2.
const SETTINGS: [(i64, i64, usize, i64); 7] = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
];

/// Parameters of torchvision's `mobilenet_v2()`, BatchNorm scale and shift
/// included (torchvision's model card).
pub const TORCHVISION_PARAMS: u64 = 3_504_872;

/// Builds the model: input `input` float `[batch, 3, 224, 224]`, output
/// `output` float `[batch, 1000]` (logits).
pub fn mobilenetv2() -> ModelProto {
    let mut g = GraphBuilder::new("mobilenetv2", SEED);
    let x = g.input(
        "input",
        data_type::FLOAT,
        &[D::S("batch"), D::N(3), D::N(224), D::N(224)],
    );
    let mut net = Net {
        g,
        lo: String::new(),
        hi: String::new(),
    };
    net.lo = net.g.const_f32("relu6_min", 0.0);
    net.hi = net.g.const_f32("relu6_max", 6.0);

    let mut h = net.conv("features.0.0", &x, 3, 32, 3, 2, 1, true);
    let mut cin = 32;
    let mut block = 1;
    for (t, c, n, s) in SETTINGS {
        for i in 0..n {
            let stride = if i == 0 { s } else { 1 };
            h = net.inverted_residual(&format!("features.{block}"), &h, cin, c, stride, t);
            cin = c;
            block += 1;
        }
    }
    h = net.conv(&format!("features.{block}.0"), &h, cin, 1280, 1, 1, 1, true);

    let g = &mut net.g;
    let pooled = g.node("GlobalAveragePool", &[&h], "pooled", vec![]);
    let flat = g.node("Flatten", &[&pooled], "flat", vec![int("axis", 1)]);
    let bound = (1.0f32 / 1280.0).sqrt();
    let w = g.weight("classifier.1.weight", &[1000, 1280], bound);
    let b = g.weight("classifier.1.bias", &[1000], bound);
    g.node("Gemm", &[&flat, &w, &b], "output", vec![int("transB", 1)]);
    g.output("output", data_type::FLOAT, &[D::S("batch"), D::N(1000)]);
    net.g.finish(
        "mobilenetv2",
        "MobileNetV2 (torchvision layout, BatchNorm folded) with seeded random weights, \
         built by advisor for profiling",
    )
}

/// The builder and the shared ReLU6 bounds.
struct Net {
    g: GraphBuilder,
    lo: String,
    hi: String,
}

impl Net {
    /// Conv (with folded BatchNorm as bias), then ReLU6 when `relu6`.
    ///
    /// Weight `[out, in/groups, k, k]`, padding `(k-1)/2` on every side.
    #[allow(clippy::too_many_arguments)]
    fn conv(
        &mut self,
        name: &str,
        x: &str,
        cin: i64,
        cout: i64,
        k: i64,
        stride: i64,
        groups: i64,
        relu6: bool,
    ) -> String {
        let fan_in = (cin / groups * k * k) as f32;
        // He-uniform before ReLU6 keeps activations from vanishing (denormals
        // would make CPU timings unrepresentative); the linear bottleneck
        // gets the variance-preserving bound of a layer without activation.
        let bound = if relu6 {
            (6.0 / fan_in).sqrt()
        } else {
            (3.0 / fan_in).sqrt()
        };
        let w = self.g.weight(
            &format!("{name}.weight"),
            &[cout, cin / groups, k, k],
            bound,
        );
        let b = self.g.weight(&format!("{name}.bias"), &[cout], 0.1);
        let pad = (k - 1) / 2;
        let y = self.g.node(
            "Conv",
            &[x, &w, &b],
            &format!("{name}.conv_out"),
            vec![
                int("group", groups),
                ints("kernel_shape", &[k, k]),
                ints("pads", &[pad, pad, pad, pad]),
                ints("strides", &[stride, stride]),
                ints("dilations", &[1, 1]),
            ],
        );
        if relu6 {
            let (lo, hi) = (self.lo.clone(), self.hi.clone());
            self.g.node(
                "Clip",
                &[&y, &lo, &hi],
                &format!("{name}.relu6_out"),
                vec![],
            )
        } else {
            y
        }
    }

    /// Expansion 1x1 (when t > 1), depthwise 3x3, linear 1x1 projection, and
    /// the residual Add when the block keeps resolution and width.
    fn inverted_residual(
        &mut self,
        name: &str,
        x: &str,
        cin: i64,
        cout: i64,
        stride: i64,
        t: i64,
    ) -> String {
        let hidden = cin * t;
        let mut layer = 0;
        let mut h = x.to_string();
        if t != 1 {
            h = self.conv(
                &format!("{name}.conv.{layer}"),
                &h,
                cin,
                hidden,
                1,
                1,
                1,
                true,
            );
            layer += 1;
        }
        h = self.conv(
            &format!("{name}.conv.{layer}"),
            &h,
            hidden,
            hidden,
            3,
            stride,
            hidden,
            true,
        );
        layer += 1;
        h = self.conv(
            &format!("{name}.conv.{layer}"),
            &h,
            hidden,
            cout,
            1,
            1,
            1,
            false,
        );
        if stride == 1 && cin == cout {
            h = self
                .g
                .node("Add", &[x, &h], &format!("{name}.add_out"), vec![]);
        }
        h
    }
}
