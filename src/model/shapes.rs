//! A small shape propagation over the common ONNX operators.
//!
//! Given concrete shapes for the graph inputs, it walks the nodes in order and
//! works out each output's shape, and the values of small integer tensors
//! (shape arithmetic such as `Shape -> Gather -> Concat -> Reshape`, which
//! exporters emit around attention). An operator it does not know leaves its
//! outputs unknown; nothing is guessed. The FLOPs estimate reads the shapes.

use super::proto::{attribute_type, data_type, GraphProto, NodeProto, TensorProto};
use std::collections::HashMap;

/// Largest integer tensor whose values are tracked (shape vectors, axes).
const MAX_FOLD: usize = 64;

/// What is known of one value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Known {
    /// Concrete shape.
    pub shape: Vec<i64>,
    /// Values, for small integer tensors whose values are known.
    pub ints: Option<Vec<i64>>,
    /// Values, for small float tensors whose values are known (Resize scales).
    pub floats: Option<Vec<f64>>,
}

impl Known {
    fn shape(shape: Vec<i64>) -> Self {
        Known {
            shape,
            ..Default::default()
        }
    }

    fn ints(shape: Vec<i64>, ints: Vec<i64>) -> Self {
        let ints = (ints.len() <= MAX_FOLD).then_some(ints);
        Known {
            shape,
            ints,
            floats: None,
        }
    }
}

/// Value name -> what is known of it.
pub type ShapeMap = HashMap<String, Known>;

/// Propagates shapes through `graph` from the given input shapes.
///
/// Initializers and `Constant` nodes are known from their dims; values of
/// small integer ones are tracked too.
pub fn infer(graph: &GraphProto, inputs: &HashMap<String, Vec<i64>>) -> ShapeMap {
    let mut map = ShapeMap::new();
    for t in &graph.initializer {
        map.insert(t.name.clone(), known_tensor(t));
    }
    for (name, shape) in inputs {
        map.entry(name.clone())
            .or_insert_with(|| Known::shape(shape.clone()));
    }
    for node in &graph.node {
        let outs = infer_node(node, &map);
        for (name, k) in node.output.iter().zip(outs) {
            if let (false, Some(k)) = (name.is_empty(), k) {
                if k.shape.iter().all(|&d| d >= 0) {
                    map.insert(name.clone(), k);
                }
            }
        }
    }
    map
}

/// What a tensor literal tells: its dims and, when small, its values.
fn known_tensor(t: &TensorProto) -> Known {
    let shape = t.dims.clone();
    let small = t.element_count() as usize <= MAX_FOLD && !t.is_external();
    Known {
        ints: if small { t.to_i64s() } else { None },
        floats: if small { t.to_f64s() } else { None },
        shape,
    }
}

/// An integer attribute.
pub fn attr_i(node: &NodeProto, name: &str) -> Option<i64> {
    node.attribute
        .iter()
        .find(|a| a.name == name && (a.r#type == attribute_type::INT || a.r#type == 0))
        .map(|a| a.i)
}

/// An integer-list attribute.
pub fn attr_ints<'a>(node: &'a NodeProto, name: &str) -> Option<&'a [i64]> {
    node.attribute
        .iter()
        .find(|a| a.name == name && a.r#type == attribute_type::INTS)
        .map(|a| a.ints.as_slice())
}

/// A string attribute.
fn attr_s<'a>(node: &'a NodeProto, name: &str) -> Option<&'a [u8]> {
    node.attribute
        .iter()
        .find(|a| a.name == name && a.r#type == attribute_type::STRING)
        .map(|a| a.s.as_slice())
}

/// Normalises a possibly negative axis against `rank`.
fn axis(a: i64, rank: usize) -> Option<usize> {
    let r = rank as i64;
    let a = if a < 0 { a + r } else { a };
    (0..r).contains(&a).then_some(a as usize)
}

/// Product of dims, `None` on overflow or a negative dim.
pub fn prod(dims: &[i64]) -> Option<i64> {
    dims.iter().try_fold(
        1i64,
        |acc, &d| {
            if d < 0 {
                None
            } else {
                acc.checked_mul(d)
            }
        },
    )
}

/// Numpy-style broadcast of two shapes.
pub fn broadcast(a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for (i, o) in out.iter_mut().enumerate() {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        *o = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// Operators whose first output has the shape of their first input.
const SAME_SHAPE: &[&str] = &[
    "Abs",
    "Acos",
    "Asin",
    "Atan",
    "BatchNormalization",
    "Cast",
    "CastLike",
    "Ceil",
    "Celu",
    "Clip",
    "Cos",
    "CumSum",
    "DequantizeLinear",
    "Dropout",
    "Elu",
    "Erf",
    "Exp",
    "Floor",
    "Gelu",
    "GroupNormalization",
    "Hardmax",
    "HardSigmoid",
    "HardSwish",
    "Identity",
    "InstanceNormalization",
    "IsInf",
    "IsNaN",
    "LayerNormalization",
    "LeakyRelu",
    "Log",
    "LogSoftmax",
    "LpNormalization",
    "LRN",
    "MeanVarianceNormalization",
    "Mish",
    "Neg",
    "Not",
    "QuantizeLinear",
    "Reciprocal",
    "Relu",
    "Round",
    "Selu",
    "Shrink",
    "Sigmoid",
    "Sign",
    "Sin",
    "Softmax",
    "Softplus",
    "Softsign",
    "Sqrt",
    "Tan",
    "Tanh",
    "ThresholdedRelu",
    "Trilu",
];

/// Operators that broadcast all their inputs together.
const BROADCAST: &[&str] = &[
    "Add",
    "And",
    "BitShift",
    "Div",
    "Equal",
    "Greater",
    "GreaterOrEqual",
    "Less",
    "LessOrEqual",
    "Max",
    "Mean",
    "Min",
    "Mod",
    "Mul",
    "Or",
    "Pow",
    "PRelu",
    "Sub",
    "Sum",
    "Where",
    "Xor",
];

/// Shapes of a node's outputs, in order; `None` for what cannot be told.
fn infer_node(node: &NodeProto, map: &ShapeMap) -> Vec<Option<Known>> {
    if !(node.domain.is_empty() || node.domain == "ai.onnx") {
        return Vec::new();
    }
    let get = |i: usize| -> Option<&Known> {
        let name = node.input.get(i)?;
        if name.is_empty() {
            None
        } else {
            map.get(name)
        }
    };
    let op = node.op_type.as_str();
    let first = if SAME_SHAPE.contains(&op) {
        get(0).map(|k| same_shape(op, node, k))
    } else if BROADCAST.contains(&op) {
        broadcast_node(op, node, &get)
    } else {
        match op {
            "Constant" => constant(node),
            "Conv" | "ConvInteger" => conv(node, get(0), get(1)),
            "QLinearConv" => conv(node, get(0), get(3)),
            "ConvTranspose" => conv_transpose(node, get(0), get(1)),
            "MatMul" | "MatMulInteger" => matmul(get(0), get(1)),
            "QLinearMatMul" => matmul(get(0), get(3)),
            "Gemm" => gemm(node, get(0), get(1)),
            "MaxPool" | "AveragePool" | "LpPool" => pool(node, get(0)),
            "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => get(0).and_then(|x| {
                let mut s = x.shape.clone();
                (s.len() >= 2).then(|| {
                    s[2..].iter_mut().for_each(|d| *d = 1);
                    Known::shape(s)
                })
            }),
            "Flatten" => flatten(node, get(0)),
            "Reshape" => reshape(node, get(0), get(1)),
            "Transpose" => transpose(node, get(0)),
            "Gather" => gather(node, get(0), get(1)),
            "Shape" => get(0).map(|x| shape_of(node, x)),
            "Size" => get(0).and_then(|x| prod(&x.shape).map(|n| Known::ints(vec![], vec![n]))),
            "Concat" => concat(node, &get),
            "Unsqueeze" => unsqueeze(node, get(0), get(1)),
            "Squeeze" => squeeze(node, get(0), get(1)),
            "Slice" => slice(node, &get),
            "Expand" => get(0)
                .zip(get(1))
                .and_then(|(x, s)| broadcast(&x.shape, s.ints.as_deref()?).map(Known::shape)),
            "Range" => range(get(0), get(1), get(2)),
            "ConstantOfShape" => get(0).and_then(|s| {
                let shape = s.ints.clone()?;
                if shape.iter().any(|&d| d < 0) {
                    return None;
                }
                Some(Known::shape(shape))
            }),
            "Tile" => get(0).zip(get(1)).and_then(|(x, r)| {
                let r = r.ints.as_ref()?;
                if r.len() != x.shape.len() {
                    return None;
                }
                let s: Option<Vec<i64>> = x
                    .shape
                    .iter()
                    .zip(r)
                    .map(|(a, b)| a.checked_mul(*b))
                    .collect();
                Some(Known::shape(s?))
            }),
            "Pad" => pad(node, get(0), get(1)),
            "ReduceMean" | "ReduceSum" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceL1"
            | "ReduceL2" | "ReduceLogSum" | "ReduceLogSumExp" | "ReduceSumSquare" => {
                reduce(node, get(0), get(1))
            }
            "ArgMax" | "ArgMin" => get(0).and_then(|x| {
                let a = axis(attr_i(node, "axis").unwrap_or(0), x.shape.len())?;
                let mut s = x.shape.clone();
                if attr_i(node, "keepdims").unwrap_or(1) == 1 {
                    s[a] = 1;
                } else {
                    s.remove(a);
                }
                Some(Known::shape(s))
            }),
            "Resize" | "Upsample" => resize(node, &get),
            "Split" => return split(node, &get),
            _ => None,
        }
    };
    let mut outs = vec![first];
    // Second outputs that mirror the first (MaxPool indices, Dropout mask).
    if matches!(op, "MaxPool" | "Dropout") && node.output.len() > 1 {
        outs.push(outs[0].as_ref().map(|k| Known::shape(k.shape.clone())));
    }
    outs
}

/// Output of a same-shape operator; values carry through the ops that keep them.
fn same_shape(op: &str, node: &NodeProto, x: &Known) -> Known {
    let keeps_ints = match op {
        "Identity" => true,
        "Cast" => matches!(
            attr_i(node, "to").map(|t| t as i32),
            Some(data_type::INT64 | data_type::INT32)
        ),
        _ => false,
    };
    Known {
        shape: x.shape.clone(),
        ints: if keeps_ints { x.ints.clone() } else { None },
        floats: None,
    }
}

/// Broadcasting operators, folding integer arithmetic on small tensors.
fn broadcast_node<'a>(
    op: &str,
    node: &NodeProto,
    get: &dyn Fn(usize) -> Option<&'a Known>,
) -> Option<Known> {
    let ins: Option<Vec<&Known>> = (0..node.input.len()).map(get).collect();
    let ins = ins?;
    let shape = ins
        .iter()
        .try_fold(Vec::new(), |acc, k| broadcast(&acc, &k.shape))?;
    let ints = match (op, ins.as_slice()) {
        ("Add" | "Sub" | "Mul" | "Div", [a, b]) => fold2(op, a.ints.as_deref(), b.ints.as_deref()),
        _ => None,
    };
    Some(Known {
        shape,
        ints,
        floats: None,
    })
}

/// Integer arithmetic for same-length or scalar-with-vector operands.
fn fold2(op: &str, a: Option<&[i64]>, b: Option<&[i64]>) -> Option<Vec<i64>> {
    let (a, b) = (a?, b?);
    let n = a.len().max(b.len());
    if !(a.len() == n || a.len() == 1) || !(b.len() == n || b.len() == 1) {
        return None;
    }
    (0..n)
        .map(|i| {
            let x = a[if a.len() == 1 { 0 } else { i }];
            let y = b[if b.len() == 1 { 0 } else { i }];
            match op {
                "Add" => x.checked_add(y),
                "Sub" => x.checked_sub(y),
                "Mul" => x.checked_mul(y),
                _ => (y != 0).then(|| x.div_euclid(y)),
            }
        })
        .collect()
}

/// A `Constant` node's value.
fn constant(node: &NodeProto) -> Option<Known> {
    let a = node.attribute.first()?;
    match a.name.as_str() {
        "value" => a.t.as_ref().map(known_tensor),
        "value_int" => Some(Known::ints(vec![], vec![a.i])),
        "value_ints" => Some(Known::ints(vec![a.ints.len() as i64], a.ints.clone())),
        "value_float" => Some(Known {
            shape: vec![],
            ints: None,
            floats: Some(vec![f64::from(a.f)]),
        }),
        "value_floats" => Some(Known {
            shape: vec![a.floats.len() as i64],
            ints: None,
            floats: Some(a.floats.iter().map(|&f| f64::from(f)).collect()),
        }),
        _ => None,
    }
}

/// Spatial attributes of Conv and the pools.
struct Window {
    kernel: Vec<i64>,
    strides: Vec<i64>,
    dilations: Vec<i64>,
    /// Begin pads then end pads.
    pads: Vec<i64>,
    auto_pad: String,
    ceil: bool,
}

impl Window {
    fn of(node: &NodeProto, kernel: Vec<i64>) -> Option<Self> {
        let n = kernel.len();
        let or_ones = |name: &str| {
            attr_ints(node, name)
                .map(<[i64]>::to_vec)
                .unwrap_or_else(|| vec![1; n])
        };
        let w = Window {
            strides: or_ones("strides"),
            dilations: or_ones("dilations"),
            pads: attr_ints(node, "pads")
                .map(<[i64]>::to_vec)
                .unwrap_or_else(|| vec![0; 2 * n]),
            auto_pad: attr_s(node, "auto_pad")
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default(),
            ceil: attr_i(node, "ceil_mode").unwrap_or(0) == 1,
            kernel,
        };
        let ok = w.strides.len() == n
            && w.dilations.len() == n
            && w.pads.len() == 2 * n
            && w.strides.iter().all(|&s| s > 0);
        ok.then_some(w)
    }

    /// Output spatial sizes for the given input spatial sizes.
    fn out(&self, input: &[i64]) -> Option<Vec<i64>> {
        let n = self.kernel.len();
        if input.len() != n {
            return None;
        }
        // i128 so that absurd attribute values cannot overflow.
        (0..n)
            .map(|i| {
                let (x, s) = (i128::from(input[i]), i128::from(self.strides[i]));
                let k = i128::from(self.dilations[i]) * (i128::from(self.kernel[i]) - 1) + 1;
                let o = match self.auto_pad.as_str() {
                    "SAME_UPPER" | "SAME_LOWER" => (x + s - 1) / s,
                    "VALID" => (x - k) / s + 1,
                    _ => {
                        let span = x + i128::from(self.pads[i]) + i128::from(self.pads[i + n]) - k;
                        if span < 0 {
                            return None;
                        }
                        if self.ceil {
                            (span + s - 1) / s + 1
                        } else {
                            span / s + 1
                        }
                    }
                };
                i64::try_from(o).ok().filter(|&o| o > 0)
            })
            .collect()
    }
}

/// Conv output `[N, M, spatial...]` from `x [N, C, ...]` and `w [M, C/g, k...]`.
fn conv(node: &NodeProto, x: Option<&Known>, w: Option<&Known>) -> Option<Known> {
    let (x, w) = (x?, w?);
    if x.shape.len() < 3 || w.shape.len() != x.shape.len() {
        return None;
    }
    let kernel = attr_ints(node, "kernel_shape")
        .map(<[i64]>::to_vec)
        .unwrap_or_else(|| w.shape[2..].to_vec());
    let win = Window::of(node, kernel)?;
    let mut shape = vec![x.shape[0], w.shape[0]];
    shape.extend(win.out(&x.shape[2..])?);
    Some(Known::shape(shape))
}

/// ConvTranspose output from `x [N, C, ...]` and `w [C, M/g, k...]`.
fn conv_transpose(node: &NodeProto, x: Option<&Known>, w: Option<&Known>) -> Option<Known> {
    let (x, w) = (x?, w?);
    if x.shape.len() < 3 || w.shape.len() != x.shape.len() {
        return None;
    }
    let n = x.shape.len() - 2;
    let group = attr_i(node, "group").unwrap_or(1);
    let mut shape = vec![x.shape[0], w.shape[1].checked_mul(group)?];
    if let Some(os) = attr_ints(node, "output_shape") {
        shape.extend_from_slice(os.get(os.len().checked_sub(n)?..)?);
        return Some(Known::shape(shape));
    }
    let kernel = attr_ints(node, "kernel_shape")
        .map(<[i64]>::to_vec)
        .unwrap_or_else(|| w.shape[2..].to_vec());
    let win = Window::of(node, kernel)?;
    let out_pad = attr_ints(node, "output_padding")
        .map(<[i64]>::to_vec)
        .unwrap_or_else(|| vec![0; n]);
    for i in 0..n {
        let w = |v: i64| i128::from(v);
        let k = w(win.dilations[i]) * (w(win.kernel[i]) - 1) + 1;
        let full = w(win.strides[i]) * (w(x.shape[i + 2]) - 1) + w(*out_pad.get(i)?) + k;
        let o = match win.auto_pad.as_str() {
            "SAME_UPPER" | "SAME_LOWER" => w(x.shape[i + 2]) * w(win.strides[i]),
            _ => full - w(win.pads[i]) - w(win.pads[i + n]),
        };
        shape.push(i64::try_from(o).ok().filter(|&o| o > 0)?);
    }
    Some(Known::shape(shape))
}

/// MatMul with numpy semantics, 1-D operands promoted and then dropped.
fn matmul(a: Option<&Known>, b: Option<&Known>) -> Option<Known> {
    let (a, b) = (&a?.shape, &b?.shape);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let a2: Vec<i64> = if a.len() == 1 {
        vec![1, a[0]]
    } else {
        a.clone()
    };
    let b2: Vec<i64> = if b.len() == 1 {
        vec![b[0], 1]
    } else {
        b.clone()
    };
    let (ra, rb) = (a2.len(), b2.len());
    if a2[ra - 1] != b2[rb - 2] {
        return None;
    }
    let mut shape = broadcast(&a2[..ra - 2], &b2[..rb - 2])?;
    if a.len() > 1 {
        shape.push(a2[ra - 2]);
    }
    if b.len() > 1 {
        shape.push(b2[rb - 1]);
    }
    Some(Known::shape(shape))
}

/// Gemm `[M, N]` from A and B with their transpose flags.
fn gemm(node: &NodeProto, a: Option<&Known>, b: Option<&Known>) -> Option<Known> {
    let (a, b) = (&a?.shape, &b?.shape);
    if a.len() != 2 || b.len() != 2 {
        return None;
    }
    let ta = attr_i(node, "transA").unwrap_or(0) != 0;
    let tb = attr_i(node, "transB").unwrap_or(0) != 0;
    let (m, k1) = if ta { (a[1], a[0]) } else { (a[0], a[1]) };
    let (k2, n) = if tb { (b[1], b[0]) } else { (b[0], b[1]) };
    (k1 == k2).then(|| Known::shape(vec![m, n]))
}

/// MaxPool / AveragePool / LpPool.
fn pool(node: &NodeProto, x: Option<&Known>) -> Option<Known> {
    let x = x?;
    if x.shape.len() < 3 {
        return None;
    }
    let win = Window::of(node, attr_ints(node, "kernel_shape")?.to_vec())?;
    let mut shape = x.shape[..2].to_vec();
    shape.extend(win.out(&x.shape[2..])?);
    Some(Known::shape(shape))
}

/// Flatten to 2-D around `axis`.
fn flatten(node: &NodeProto, x: Option<&Known>) -> Option<Known> {
    let x = x?;
    let r = x.shape.len();
    let a = attr_i(node, "axis").unwrap_or(1);
    let a = if a < 0 { a + r as i64 } else { a };
    if !(0..=r as i64).contains(&a) {
        return None;
    }
    let (lo, hi) = x.shape.split_at(a as usize);
    Some(Known::shape(vec![prod(lo)?, prod(hi)?]))
}

/// Reshape with a known target: 0 copies a dim (unless `allowzero`), -1 is inferred.
fn reshape(node: &NodeProto, x: Option<&Known>, s: Option<&Known>) -> Option<Known> {
    let x = x?;
    let target: Vec<i64> = match s {
        Some(s) => s.ints.clone()?,
        None => attr_ints(node, "shape")?.to_vec(),
    };
    let allowzero = attr_i(node, "allowzero").unwrap_or(0) == 1;
    let mut out = Vec::with_capacity(target.len());
    let mut infer_at = None;
    for (i, &t) in target.iter().enumerate() {
        match t {
            0 if !allowzero => out.push(*x.shape.get(i)?),
            -1 if infer_at.is_none() => {
                infer_at = Some(i);
                out.push(1);
            }
            t if t >= 0 => out.push(t),
            _ => return None,
        }
    }
    let total = prod(&x.shape)?;
    let known = prod(&out)?;
    match infer_at {
        Some(i) => {
            if known == 0 || total % known != 0 {
                return None;
            }
            out[i] = total / known;
        }
        None if known != total => return None,
        None => {}
    }
    Some(Known {
        shape: out,
        ints: x.ints.clone(),
        floats: None,
    })
}

/// Transpose by `perm` (default: reverse).
fn transpose(node: &NodeProto, x: Option<&Known>) -> Option<Known> {
    let x = x?;
    let r = x.shape.len();
    let perm: Vec<i64> = attr_ints(node, "perm")
        .map(<[i64]>::to_vec)
        .unwrap_or_else(|| (0..r as i64).rev().collect());
    if perm.len() != r {
        return None;
    }
    let shape: Option<Vec<i64>> = perm
        .iter()
        .map(|&p| axis(p, r).map(|p| x.shape[p]))
        .collect();
    Some(Known::shape(shape?))
}

/// Gather along `axis`; values fold for a 1-D table of known values.
fn gather(node: &NodeProto, data: Option<&Known>, idx: Option<&Known>) -> Option<Known> {
    let (data, idx) = (data?, idx?);
    let r = data.shape.len();
    let a = axis(attr_i(node, "axis").unwrap_or(0), r)?;
    let mut shape = data.shape[..a].to_vec();
    shape.extend_from_slice(&idx.shape);
    shape.extend_from_slice(&data.shape[a + 1..]);
    let ints = match (&data.ints, &idx.ints, r) {
        (Some(vals), Some(ix), 1) => ix
            .iter()
            .map(|&i| {
                let i = if i < 0 { i + vals.len() as i64 } else { i };
                usize::try_from(i).ok().and_then(|i| vals.get(i).copied())
            })
            .collect(),
        _ => None,
    };
    Some(Known {
        shape,
        ints,
        floats: None,
    })
}

/// `Shape`, with the `start`/`end` of opset 15.
fn shape_of(node: &NodeProto, x: &Known) -> Known {
    let r = x.shape.len() as i64;
    let clampi = |v: i64| (if v < 0 { v + r } else { v }).clamp(0, r) as usize;
    let start = clampi(attr_i(node, "start").unwrap_or(0));
    let end = clampi(attr_i(node, "end").unwrap_or(r));
    let vals = if start < end {
        x.shape[start..end].to_vec()
    } else {
        Vec::new()
    };
    Known::ints(vec![vals.len() as i64], vals)
}

/// Concat along `axis`; 1-D known values are concatenated too.
fn concat<'a>(node: &NodeProto, get: &dyn Fn(usize) -> Option<&'a Known>) -> Option<Known> {
    let ins: Option<Vec<&Known>> = (0..node.input.len()).map(get).collect();
    let ins = ins?;
    let first = ins.first()?;
    let r = first.shape.len();
    let a = axis(attr_i(node, "axis")?, r)?;
    let mut shape = first.shape.clone();
    shape[a] = 0;
    for k in &ins {
        if k.shape.len() != r {
            return None;
        }
        shape[a] = shape[a].checked_add(k.shape[a])?;
    }
    let ints = if r == 1 {
        ins.iter()
            .map(|k| k.ints.clone())
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat())
    } else {
        None
    };
    Some(Known {
        shape,
        ints,
        floats: None,
    })
}

/// Axes from the second input (newer opsets) or the `axes` attribute.
fn axes_of(node: &NodeProto, input: Option<&Known>) -> Option<Option<Vec<i64>>> {
    match (node.input.get(1).filter(|n| !n.is_empty()), input) {
        (Some(_), Some(k)) => Some(Some(k.ints.clone()?)),
        (Some(_), None) => None,
        (None, _) => Some(attr_ints(node, "axes").map(<[i64]>::to_vec)),
    }
}

/// Unsqueeze: insert size-1 dims at the (output-rank) axes.
fn unsqueeze(node: &NodeProto, x: Option<&Known>, a: Option<&Known>) -> Option<Known> {
    let x = x?;
    let axes = axes_of(node, a)??;
    let r = x.shape.len() + axes.len();
    let mut axes: Vec<usize> = axes.iter().map(|&v| axis(v, r)).collect::<Option<_>>()?;
    axes.sort_unstable();
    axes.dedup();
    let mut src = x.shape.iter();
    let shape: Option<Vec<i64>> = (0..r)
        .map(|i| {
            if axes.binary_search(&i).is_ok() {
                Some(1)
            } else {
                src.next().copied()
            }
        })
        .collect();
    Some(Known {
        shape: shape?,
        ints: x.ints.clone(),
        floats: None,
    })
}

/// Squeeze: drop the given size-1 dims, or all of them.
fn squeeze(node: &NodeProto, x: Option<&Known>, a: Option<&Known>) -> Option<Known> {
    let x = x?;
    let r = x.shape.len();
    let drop: Vec<usize> = match axes_of(node, a)? {
        Some(axes) => axes.iter().map(|&v| axis(v, r)).collect::<Option<_>>()?,
        None => (0..r).filter(|&i| x.shape[i] == 1).collect(),
    };
    let shape = (0..r)
        .filter(|i| !drop.contains(i))
        .map(|i| x.shape[i])
        .collect();
    Some(Known {
        shape,
        ints: x.ints.clone(),
        floats: None,
    })
}

/// Slice (inputs since opset 10, attributes before).
fn slice<'a>(node: &NodeProto, get: &dyn Fn(usize) -> Option<&'a Known>) -> Option<Known> {
    let x = get(0)?;
    let r = x.shape.len();
    let from_input = |i: usize| -> Option<Option<Vec<i64>>> {
        match node.input.get(i).filter(|n| !n.is_empty()) {
            Some(_) => Some(Some(get(i)?.ints.clone()?)),
            None => Some(None),
        }
    };
    let (starts, ends, axes, steps) = if node.input.len() >= 3 {
        (
            from_input(1)??,
            from_input(2)??,
            from_input(3)?,
            from_input(4)?,
        )
    } else {
        (
            attr_ints(node, "starts")?.to_vec(),
            attr_ints(node, "ends")?.to_vec(),
            attr_ints(node, "axes").map(<[i64]>::to_vec),
            None,
        )
    };
    let n = starts.len();
    let axes = axes.unwrap_or_else(|| (0..n as i64).collect());
    let steps = steps.unwrap_or_else(|| vec![1; n]);
    if ends.len() != n || axes.len() != n || steps.len() != n {
        return None;
    }
    let mut shape = x.shape.clone();
    let mut ranges = Vec::new();
    for i in 0..n {
        let a = axis(axes[i], r)?;
        let dim = x.shape[a];
        let step = steps[i];
        let fix = |v: i64| if v < 0 { v.saturating_add(dim) } else { v };
        let (s, e) = (fix(starts[i]), fix(ends[i]));
        let st = i128::from(step);
        let len = if step > 0 {
            let (s, e) = (i128::from(s.clamp(0, dim)), i128::from(e.clamp(0, dim)));
            (e - s + st - 1).div_euclid(st).max(0)
        } else if step < 0 && dim == 0 {
            0
        } else if step < 0 {
            let (s, e) = (
                i128::from(s.clamp(0, dim - 1)),
                i128::from(e.clamp(-1, dim - 1)),
            );
            (s - e - st - 1).div_euclid(-st).max(0)
        } else {
            return None;
        };
        let len = i64::try_from(len).ok()?;
        shape[a] = len;
        ranges.push((s.clamp(0, dim.max(1) - 1), step, len));
    }
    let ints = match (&x.ints, r, ranges.as_slice()) {
        (Some(v), 1, [(s, step, len)]) => (0..*len)
            .map(|j| {
                let i = j.checked_mul(*step)?.checked_add(*s)?;
                usize::try_from(i).ok().and_then(|i| v.get(i).copied())
            })
            .collect(),
        _ => None,
    };
    Some(Known {
        shape,
        ints,
        floats: None,
    })
}

/// Range over known integer scalars.
fn range(s: Option<&Known>, l: Option<&Known>, d: Option<&Known>) -> Option<Known> {
    let one = |k: Option<&Known>| -> Option<i64> {
        let k = k?;
        match k.ints.as_deref() {
            Some([v]) => Some(*v),
            _ => None,
        }
    };
    let (s, l, d) = (one(s)?, one(l)?, one(d)?);
    if d == 0 {
        return None;
    }
    let n = ((l as f64 - s as f64) / d as f64).ceil().max(0.0) as i64;
    if n as usize > MAX_FOLD {
        return Some(Known::shape(vec![n]));
    }
    let vals: Option<Vec<i64>> = (0..n)
        .map(|i| i.checked_mul(d).and_then(|x| x.checked_add(s)))
        .collect();
    Some(Known::ints(vec![n], vals?))
}

/// Pad: pads from the second input (opset 11+) or the attribute.
fn pad(node: &NodeProto, x: Option<&Known>, p: Option<&Known>) -> Option<Known> {
    let x = x?;
    if node.input.get(3).is_some_and(|n| !n.is_empty()) {
        return None; // the `axes` input of opset 18 is not handled
    }
    let pads = match node.input.get(1).filter(|n| !n.is_empty()) {
        Some(_) => p?.ints.clone()?,
        None => attr_ints(node, "pads")?.to_vec(),
    };
    let r = x.shape.len();
    if pads.len() != 2 * r {
        return None;
    }
    let s: Option<Vec<i64>> = (0..r)
        .map(|i| x.shape[i].checked_add(pads[i])?.checked_add(pads[i + r]))
        .collect();
    Some(Known::shape(s?))
}

/// The Reduce family: axes from attribute or input, `keepdims` default 1.
fn reduce(node: &NodeProto, x: Option<&Known>, a: Option<&Known>) -> Option<Known> {
    let x = x?;
    let r = x.shape.len();
    let keep = attr_i(node, "keepdims").unwrap_or(1) == 1;
    let axes = match axes_of(node, a)? {
        Some(ax) if !ax.is_empty() => ax.iter().map(|&v| axis(v, r)).collect::<Option<Vec<_>>>()?,
        _ if attr_i(node, "noop_with_empty_axes").unwrap_or(0) == 1 => {
            return Some(Known::shape(x.shape.clone()))
        }
        _ => (0..r).collect(),
    };
    let shape = (0..r)
        .filter_map(|i| match (axes.contains(&i), keep) {
            (true, true) => Some(1),
            (true, false) => None,
            (false, _) => Some(x.shape[i]),
        })
        .collect();
    Some(Known::shape(shape))
}

/// Resize / Upsample from known sizes or scales.
fn resize<'a>(node: &NodeProto, get: &dyn Fn(usize) -> Option<&'a Known>) -> Option<Known> {
    let x = get(0)?;
    let r = x.shape.len();
    let (scales_at, sizes_at) = if node.op_type == "Upsample" {
        (1, usize::MAX)
    } else {
        (2, 3)
    };
    if let Some(sizes) = get(sizes_at).and_then(|k| k.ints.clone()) {
        return (sizes.len() == r).then(|| Known::shape(sizes));
    }
    let scales = get(scales_at)?.floats.clone()?;
    (scales.len() == r).then(|| {
        Known::shape(
            x.shape
                .iter()
                .zip(&scales)
                .map(|(&d, &s)| (d as f64 * s).floor() as i64)
                .collect(),
        )
    })
}

/// Split into parts given by the `split` input/attribute or evenly.
fn split<'a>(node: &NodeProto, get: &dyn Fn(usize) -> Option<&'a Known>) -> Vec<Option<Known>> {
    let inner = || -> Option<Vec<Known>> {
        let x = get(0)?;
        let a = axis(attr_i(node, "axis").unwrap_or(0), x.shape.len())?;
        let parts = match node.input.get(1).filter(|n| !n.is_empty()) {
            Some(_) => get(1)?.ints.clone()?,
            None => match attr_ints(node, "split") {
                Some(s) => s.to_vec(),
                None => {
                    let n = node.output.len() as i64;
                    let d = x.shape[a];
                    if n == 0 {
                        return None;
                    }
                    let each = (d + n - 1) / n;
                    (0..n).map(|i| each.min(d - i * each).max(0)).collect()
                }
            },
        };
        Some(
            parts
                .iter()
                .map(|&p| {
                    let mut s = x.shape.clone();
                    s[a] = p;
                    Known::shape(s)
                })
                .collect(),
        )
    };
    match inner() {
        Some(v) => v.into_iter().map(Some).collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proto::{AttributeProto, GraphProto, NodeProto, TensorProto};

    fn node(op: &str, ins: &[&str], outs: &[&str], attrs: Vec<AttributeProto>) -> NodeProto {
        NodeProto {
            op_type: op.into(),
            input: ins.iter().map(|s| s.to_string()).collect(),
            output: outs.iter().map(|s| s.to_string()).collect(),
            attribute: attrs,
            ..Default::default()
        }
    }

    fn ints(name: &str, v: &[i64]) -> AttributeProto {
        AttributeProto {
            name: name.into(),
            r#type: attribute_type::INTS,
            ints: v.to_vec(),
            ..Default::default()
        }
    }

    fn int(name: &str, v: i64) -> AttributeProto {
        AttributeProto {
            name: name.into(),
            r#type: attribute_type::INT,
            i: v,
            ..Default::default()
        }
    }

    fn weight(name: &str, dims: &[i64]) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: data_type::FLOAT,
            ..Default::default()
        }
    }

    fn i64s(name: &str, v: &[i64]) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: vec![v.len() as i64],
            data_type: data_type::INT64,
            int64_data: v.to_vec(),
            ..Default::default()
        }
    }

    fn run(g: GraphProto, inputs: &[(&str, Vec<i64>)]) -> ShapeMap {
        let inputs = inputs
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect();
        infer(&g, &inputs)
    }

    #[test]
    fn conv_with_stride_pads_and_groups() {
        let g = GraphProto {
            node: vec![node(
                "Conv",
                &["x", "w"],
                &["y"],
                vec![
                    ints("strides", &[2, 2]),
                    ints("pads", &[1, 1, 1, 1]),
                    int("group", 32),
                ],
            )],
            initializer: vec![weight("w", &[32, 1, 3, 3])],
            ..Default::default()
        };
        let m = run(g, &[("x", vec![1, 32, 112, 112])]);
        assert_eq!(m["y"].shape, vec![1, 32, 56, 56]);
    }

    #[test]
    fn pool_ceil_mode_and_same_padding() {
        let g = GraphProto {
            node: vec![
                node(
                    "MaxPool",
                    &["x"],
                    &["a"],
                    vec![
                        ints("kernel_shape", &[3, 3]),
                        ints("strides", &[2, 2]),
                        int("ceil_mode", 1),
                    ],
                ),
                node(
                    "AveragePool",
                    &["x"],
                    &["b"],
                    vec![
                        ints("kernel_shape", &[3, 3]),
                        ints("strides", &[2, 2]),
                        AttributeProto {
                            name: "auto_pad".into(),
                            r#type: attribute_type::STRING,
                            s: b"SAME_UPPER".to_vec(),
                            ..Default::default()
                        },
                    ],
                ),
            ],
            ..Default::default()
        };
        let m = run(g, &[("x", vec![1, 8, 112, 112])]);
        assert_eq!(m["a"].shape, vec![1, 8, 56, 56]);
        assert_eq!(m["b"].shape, vec![1, 8, 56, 56]);
    }

    #[test]
    fn reshape_from_shape_arithmetic() {
        // Shape(x)[0:2] ++ [12, 64] -> Reshape(x): what exporters emit for heads.
        let g = GraphProto {
            node: vec![
                node("Shape", &["x"], &["s"], vec![]),
                node("Slice", &["s", "zero", "two"], &["s01"], vec![]),
                node(
                    "Concat",
                    &["s01", "heads"],
                    &["target"],
                    vec![int("axis", 0)],
                ),
                node("Reshape", &["x", "target"], &["y"], vec![]),
                node("Reshape", &["x", "flat"], &["z"], vec![]),
            ],
            initializer: vec![
                i64s("zero", &[0]),
                i64s("two", &[2]),
                i64s("heads", &[12, 64]),
                i64s("flat", &[0, -1]),
            ],
            ..Default::default()
        };
        let m = run(g, &[("x", vec![2, 128, 768])]);
        assert_eq!(m["target"].ints, Some(vec![2, 128, 12, 64]));
        assert_eq!(m["y"].shape, vec![2, 128, 12, 64]);
        assert_eq!(m["z"].shape, vec![2, 98304]);
    }

    #[test]
    fn matmul_broadcasts_batch_dims_and_promotes_vectors() {
        let a = Known::shape(vec![2, 12, 128, 64]);
        let b = Known::shape(vec![2, 12, 64, 128]);
        assert_eq!(
            matmul(Some(&a), Some(&b)).unwrap().shape,
            vec![2, 12, 128, 128]
        );
        let v = Known::shape(vec![64]);
        assert_eq!(matmul(Some(&a), Some(&v)).unwrap().shape, vec![2, 12, 128]);
        let bad = Known::shape(vec![63, 5]);
        assert_eq!(matmul(Some(&a), Some(&bad)), None);
    }

    #[test]
    fn gather_unsqueeze_and_range_over_shapes() {
        let g = GraphProto {
            node: vec![
                node("Shape", &["ids"], &["s"], vec![]),
                node("Gather", &["s", "one"], &["seq"], vec![int("axis", 0)]),
                node("Range", &["zero", "seq", "one"], &["pos"], vec![]),
                node("Unsqueeze", &["pos", "axes0"], &["pos2"], vec![]),
                node("Gather", &["table", "pos2"], &["emb"], vec![]),
            ],
            initializer: vec![
                TensorProto {
                    name: "one".into(),
                    data_type: data_type::INT64,
                    int64_data: vec![1],
                    ..Default::default()
                },
                TensorProto {
                    name: "zero".into(),
                    data_type: data_type::INT64,
                    int64_data: vec![0],
                    ..Default::default()
                },
                i64s("axes0", &[0]),
                weight("table", &[512, 128]),
            ],
            ..Default::default()
        };
        let m = run(g, &[("ids", vec![4, 100])]);
        assert_eq!(m["seq"].ints, Some(vec![100]));
        assert_eq!(m["pos"].shape, vec![100]);
        assert_eq!(m["emb"].shape, vec![1, 100, 128]);
    }

    #[test]
    fn unknown_ops_leave_outputs_unknown() {
        let g = GraphProto {
            node: vec![
                node("NonZero", &["x"], &["nz"], vec![]),
                node("Relu", &["nz"], &["y"], vec![]),
            ],
            ..Default::default()
        };
        let m = run(g, &[("x", vec![3])]);
        assert!(!m.contains_key("nz") && !m.contains_key("y"));
    }

    #[test]
    fn broadcast_rules() {
        assert_eq!(broadcast(&[4, 1, 3], &[5, 1]), Some(vec![4, 5, 3]));
        assert_eq!(broadcast(&[2], &[3]), None);
        assert_eq!(broadcast(&[], &[7]), Some(vec![7]));
    }

    #[test]
    fn flatten_transpose_squeeze_concat() {
        let g = GraphProto {
            node: vec![
                node("Flatten", &["x"], &["f"], vec![]),
                node(
                    "Transpose",
                    &["x"],
                    &["t"],
                    vec![ints("perm", &[0, 2, 3, 1])],
                ),
                node("Squeeze", &["x"], &["sq"], vec![ints("axes", &[2, 3])]),
                node("Concat", &["x", "x"], &["c"], vec![int("axis", -3)]),
                node(
                    "ReduceMean",
                    &["x"],
                    &["rm"],
                    vec![ints("axes", &[-1]), int("keepdims", 0)],
                ),
            ],
            ..Default::default()
        };
        let m = run(g, &[("x", vec![2, 1280, 1, 1])]);
        assert_eq!(m["f"].shape, vec![2, 1280]);
        assert_eq!(m["t"].shape, vec![2, 1, 1, 1280]);
        assert_eq!(m["sq"].shape, vec![2, 1280]);
        assert_eq!(m["c"].shape, vec![2, 2560, 1, 1]);
        assert_eq!(m["rm"].shape, vec![2, 1280, 1]);
    }
}
