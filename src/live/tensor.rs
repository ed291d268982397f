//! Tensors as they travel over HTTP: element types, the JSON wire form, raw
//! little-endian bytes, and the short summary sent back for large outputs.
//!
//! The wire names of element types are numpy's (`float32`, `int64`, ...)
//! because that is what a data scientist's client code already says.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Element type of a tensor that the server accepts or returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 64-bit signed integer.
    I64,
    /// 32-bit signed integer.
    I32,
    /// 16-bit signed integer.
    I16,
    /// 8-bit signed integer.
    I8,
    /// 8-bit unsigned integer.
    U8,
    /// Boolean, one byte per element on the wire.
    Bool,
}

/// Every element type, for error messages that list what is accepted.
pub const ELEM_TYPES: [ElemType; 8] = [
    ElemType::F32,
    ElemType::F64,
    ElemType::I64,
    ElemType::I32,
    ElemType::I16,
    ElemType::I8,
    ElemType::U8,
    ElemType::Bool,
];

impl ElemType {
    /// The numpy name used on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ElemType::F32 => "float32",
            ElemType::F64 => "float64",
            ElemType::I64 => "int64",
            ElemType::I32 => "int32",
            ElemType::I16 => "int16",
            ElemType::I8 => "int8",
            ElemType::U8 => "uint8",
            ElemType::Bool => "bool",
        }
    }

    /// Parses a wire name; `None` for names the server does not handle.
    pub fn parse(name: &str) -> Option<ElemType> {
        ELEM_TYPES.iter().copied().find(|t| t.name() == name)
    }

    /// Bytes per element in the raw form.
    pub fn size_bytes(self) -> usize {
        match self {
            ElemType::F64 | ElemType::I64 => 8,
            ElemType::F32 | ElemType::I32 => 4,
            ElemType::I16 => 2,
            ElemType::I8 | ElemType::U8 | ElemType::Bool => 1,
        }
    }

    /// The element type for an ONNX type from model inspection, if served.
    pub fn from_model(dtype: crate::model::DType) -> Option<ElemType> {
        use crate::model::DType;
        Some(match dtype {
            DType::F32 => ElemType::F32,
            DType::F64 => ElemType::F64,
            DType::I64 => ElemType::I64,
            DType::I32 => ElemType::I32,
            DType::I16 => ElemType::I16,
            DType::I8 => ElemType::I8,
            DType::U8 => ElemType::U8,
            DType::Bool => ElemType::Bool,
            _ => return None,
        })
    }
}

impl fmt::Display for ElemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The elements of a tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub enum TensorData {
    /// `float32` elements.
    F32(Vec<f32>),
    /// `float64` elements.
    F64(Vec<f64>),
    /// `int64` elements.
    I64(Vec<i64>),
    /// `int32` elements.
    I32(Vec<i32>),
    /// `int16` elements.
    I16(Vec<i16>),
    /// `int8` elements.
    I8(Vec<i8>),
    /// `uint8` elements.
    U8(Vec<u8>),
    /// `bool` elements.
    Bool(Vec<bool>),
}

impl TensorData {
    /// The element type.
    pub fn elem_type(&self) -> ElemType {
        match self {
            TensorData::F32(_) => ElemType::F32,
            TensorData::F64(_) => ElemType::F64,
            TensorData::I64(_) => ElemType::I64,
            TensorData::I32(_) => ElemType::I32,
            TensorData::I16(_) => ElemType::I16,
            TensorData::I8(_) => ElemType::I8,
            TensorData::U8(_) => ElemType::U8,
            TensorData::Bool(_) => ElemType::Bool,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            TensorData::F32(v) => v.len(),
            TensorData::F64(v) => v.len(),
            TensorData::I64(v) => v.len(),
            TensorData::I32(v) => v.len(),
            TensorData::I16(v) => v.len(),
            TensorData::I8(v) => v.len(),
            TensorData::U8(v) => v.len(),
            TensorData::Bool(v) => v.len(),
        }
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `len` elements of type `ty`, every one `value` (cast; non-zero is `true`).
    pub fn filled(ty: ElemType, len: usize, value: f64) -> TensorData {
        match ty {
            ElemType::F32 => TensorData::F32(vec![value as f32; len]),
            ElemType::F64 => TensorData::F64(vec![value; len]),
            ElemType::I64 => TensorData::I64(vec![value as i64; len]),
            ElemType::I32 => TensorData::I32(vec![value as i32; len]),
            ElemType::I16 => TensorData::I16(vec![value as i16; len]),
            ElemType::I8 => TensorData::I8(vec![value as i8; len]),
            ElemType::U8 => TensorData::U8(vec![value as u8; len]),
            ElemType::Bool => TensorData::Bool(vec![value != 0.0; len]),
        }
    }

    /// The elements as `f64`, for summaries.
    fn iter_f64(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            TensorData::F32(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::F64(v) => Box::new(v.iter().copied()),
            TensorData::I64(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::I32(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::I16(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::I8(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::U8(v) => Box::new(v.iter().map(|&x| x as f64)),
            TensorData::Bool(v) => Box::new(v.iter().map(|&x| if x { 1.0 } else { 0.0 })),
        }
    }

    /// Decodes raw little-endian bytes of element type `ty`.
    ///
    /// The caller checks that the length is a multiple of the element size.
    pub fn from_le_bytes(ty: ElemType, bytes: &[u8]) -> TensorData {
        fn chunks<const N: usize, T>(b: &[u8], f: impl Fn([u8; N]) -> T) -> Vec<T> {
            b.chunks_exact(N)
                .map(|c| f(c.try_into().expect("chunks_exact yields N bytes")))
                .collect()
        }
        match ty {
            ElemType::F32 => TensorData::F32(chunks(bytes, f32::from_le_bytes)),
            ElemType::F64 => TensorData::F64(chunks(bytes, f64::from_le_bytes)),
            ElemType::I64 => TensorData::I64(chunks(bytes, i64::from_le_bytes)),
            ElemType::I32 => TensorData::I32(chunks(bytes, i32::from_le_bytes)),
            ElemType::I16 => TensorData::I16(chunks(bytes, i16::from_le_bytes)),
            ElemType::I8 => TensorData::I8(bytes.iter().map(|&b| b as i8).collect()),
            ElemType::U8 => TensorData::U8(bytes.to_vec()),
            ElemType::Bool => TensorData::Bool(bytes.iter().map(|&b| b != 0).collect()),
        }
    }

    /// Encodes the elements as raw little-endian bytes.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            TensorData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I8(v) => v.iter().map(|&x| x as u8).collect(),
            TensorData::U8(v) => v.clone(),
            TensorData::Bool(v) => v.iter().map(|&x| x as u8).collect(),
        }
    }
}

impl Serialize for TensorData {
    /// A flat JSON list; `float32` elements keep their shortest `f32` form.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TensorData::F32(v) => v.serialize(s),
            TensorData::F64(v) => v.serialize(s),
            TensorData::I64(v) => v.serialize(s),
            TensorData::I32(v) => v.serialize(s),
            TensorData::I16(v) => v.serialize(s),
            TensorData::I8(v) => v.serialize(s),
            TensorData::U8(v) => v.serialize(s),
            TensorData::Bool(v) => v.serialize(s),
        }
    }
}

/// A named tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Input or output name in the graph.
    pub name: String,
    /// Shape; every dimension known.
    pub shape: Vec<i64>,
    /// Elements, row-major; as many as the shape's product.
    pub data: TensorData,
}

impl Tensor {
    /// The element type.
    pub fn elem_type(&self) -> ElemType {
        self.data.elem_type()
    }

    /// The JSON wire form: the data itself when it has at most
    /// `max_elements` elements, else a summary (min, max, mean, argmax).
    pub fn to_wire(&self, max_elements: usize) -> WireOutput {
        if self.data.len() <= max_elements {
            return WireOutput {
                dtype: self.elem_type().name().to_string(),
                shape: self.shape.clone(),
                elements: self.data.len() as u64,
                data: Some(self.data.clone()),
                summary: None,
            };
        }
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        let mut sum = 0.0;
        let mut argmax = 0u64;
        for (i, x) in self.data.iter_f64().enumerate() {
            if x > max {
                max = x;
                argmax = i as u64;
            }
            min = min.min(x);
            sum += x;
        }
        WireOutput {
            dtype: self.elem_type().name().to_string(),
            shape: self.shape.clone(),
            elements: self.data.len() as u64,
            data: None,
            summary: Some(Summary {
                min,
                max,
                mean: sum / self.data.len().max(1) as f64,
                argmax,
            }),
        }
    }
}

/// One input in a `POST /predict` JSON body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireInput {
    /// Element type by its numpy name, e.g. `float32`.
    pub dtype: String,
    /// Shape, e.g. `[1, 3, 224, 224]`.
    pub shape: Vec<i64>,
    /// Elements, flat and row-major.
    pub data: Vec<Scalar>,
}

/// One element in a JSON body: a number or a boolean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
}

impl<'de> Deserialize<'de> for Scalar {
    /// By hand rather than `#[serde(untagged)]`, which buffers every
    /// element and made a 224x224 RGB image take 40 ms to read.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a boolean")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Scalar {
    fn as_f64(self) -> f64 {
        match self {
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
            Scalar::Bool(b) => b as u8 as f64,
        }
    }

    fn as_i64(self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(i),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
            Scalar::Bool(b) => Some(b as i64),
            Scalar::Float(_) => None,
        }
    }
}

impl WireInput {
    /// Converts the JSON elements to typed data; the error names the first bad element.
    pub fn to_data(&self, ty: ElemType) -> Result<TensorData, String> {
        fn ints<T: TryFrom<i64>>(d: &[Scalar], ty: ElemType) -> Result<Vec<T>, String> {
            d.iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_i64()
                        .and_then(|v| T::try_from(v).ok())
                        .ok_or_else(|| format!("data[{i}] = {} is not a valid {ty}", s.as_f64()))
                })
                .collect()
        }
        Ok(match ty {
            ElemType::F32 => TensorData::F32(self.data.iter().map(|s| s.as_f64() as f32).collect()),
            ElemType::F64 => TensorData::F64(self.data.iter().map(|s| s.as_f64()).collect()),
            ElemType::I64 => TensorData::I64(ints(&self.data, ty)?),
            ElemType::I32 => TensorData::I32(ints(&self.data, ty)?),
            ElemType::I16 => TensorData::I16(ints(&self.data, ty)?),
            ElemType::I8 => TensorData::I8(ints(&self.data, ty)?),
            ElemType::U8 => TensorData::U8(ints(&self.data, ty)?),
            ElemType::Bool => TensorData::Bool(
                self.data
                    .iter()
                    .map(|s| s.as_f64() != 0.0)
                    .collect::<Vec<bool>>(),
            ),
        })
    }

    /// The wire form of a tensor (used to build request bodies).
    pub fn from_tensor(t: &Tensor) -> WireInput {
        let data = match &t.data {
            TensorData::F32(v) => v.iter().map(|&x| Scalar::Float(x as f64)).collect(),
            TensorData::F64(v) => v.iter().map(|&x| Scalar::Float(x)).collect(),
            TensorData::I64(v) => v.iter().map(|&x| Scalar::Int(x)).collect(),
            TensorData::I32(v) => v.iter().map(|&x| Scalar::Int(x as i64)).collect(),
            TensorData::I16(v) => v.iter().map(|&x| Scalar::Int(x as i64)).collect(),
            TensorData::I8(v) => v.iter().map(|&x| Scalar::Int(x as i64)).collect(),
            TensorData::U8(v) => v.iter().map(|&x| Scalar::Int(x as i64)).collect(),
            TensorData::Bool(v) => v.iter().map(|&x| Scalar::Bool(x)).collect(),
        };
        WireInput {
            dtype: t.elem_type().name().to_string(),
            shape: t.shape.clone(),
            data,
        }
    }
}

/// The body of `POST /predict` in its JSON form.
///
/// ```json
/// {"inputs": {"input": {"dtype": "float32", "shape": [1, 3, 224, 224], "data": [0.5, ...]}}}
/// ```
///
/// Without `inputs` (an empty body or `{}`) the server feeds synthetic inputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// Input name -> tensor; absent means "use synthetic inputs".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<std::collections::BTreeMap<String, WireInput>>,
}

/// One output in a `POST /predict` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireOutput {
    /// Element type by its numpy name.
    pub dtype: String,
    /// Shape.
    pub shape: Vec<i64>,
    /// Number of elements.
    pub elements: u64,
    /// The elements, flat and row-major, when small enough to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<TensorData>,
    /// A summary instead of the data, for large outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

/// What is sent instead of a large output's elements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Smallest element.
    pub min: f64,
    /// Largest element.
    pub max: f64,
    /// Mean of the elements.
    pub mean: f64,
    /// Flat index of the (first) largest element.
    pub argmax: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ELEM_TYPES {
            assert_eq!(ElemType::parse(t.name()), Some(t));
        }
        assert_eq!(ElemType::parse("float16"), None);
    }

    #[test]
    fn raw_bytes_round_trip() {
        let d = TensorData::F32(vec![1.5, -2.0, 3.25]);
        let b = d.to_le_bytes();
        assert_eq!(b.len(), 12);
        assert_eq!(TensorData::from_le_bytes(ElemType::F32, &b), d);
        let d = TensorData::I64(vec![i64::MIN, 7]);
        assert_eq!(
            TensorData::from_le_bytes(ElemType::I64, &d.to_le_bytes()),
            d
        );
        let d = TensorData::Bool(vec![true, false]);
        assert_eq!(
            TensorData::from_le_bytes(ElemType::Bool, &d.to_le_bytes()),
            d
        );
    }

    #[test]
    fn json_elements_convert_with_range_checks() {
        let w: WireInput =
            serde_json::from_str(r#"{"dtype":"int8","shape":[3],"data":[1,-2,300]}"#).unwrap();
        let err = w.to_data(ElemType::I8).unwrap_err();
        assert!(err.contains("data[2]"), "{err}");
        let w: WireInput =
            serde_json::from_str(r#"{"dtype":"int64","shape":[2],"data":[1,2.5]}"#).unwrap();
        assert!(w.to_data(ElemType::I64).is_err());
        let w: WireInput =
            serde_json::from_str(r#"{"dtype":"float32","shape":[2],"data":[1,2.5]}"#).unwrap();
        assert_eq!(
            w.to_data(ElemType::F32).unwrap(),
            TensorData::F32(vec![1.0, 2.5])
        );
    }

    #[test]
    fn scalars_read_numbers_and_booleans_only() {
        let v: Vec<Scalar> =
            serde_json::from_str("[1, -2, 2.5, true, 18446744073709551615]").unwrap();
        assert_eq!(
            v[..4],
            [
                Scalar::Int(1),
                Scalar::Int(-2),
                Scalar::Float(2.5),
                Scalar::Bool(true)
            ]
        );
        assert_eq!(v[4], Scalar::Float(u64::MAX as f64));
        let e = serde_json::from_str::<Vec<Scalar>>(r#"[1, "2"]"#).unwrap_err();
        assert!(e.to_string().contains("a number or a boolean"), "{e}");
    }

    #[test]
    fn large_outputs_are_summarised() {
        let t = Tensor {
            name: "y".into(),
            shape: vec![1, 4],
            data: TensorData::F32(vec![0.0, 3.0, -1.0, 2.0]),
        };
        let small = t.to_wire(4);
        assert_eq!(
            serde_json::to_string(&small.data).unwrap(),
            "[0.0,3.0,-1.0,2.0]"
        );
        let big = t.to_wire(3);
        assert!(big.data.is_none());
        let s = big.summary.unwrap();
        assert_eq!((s.min, s.max, s.argmax), (-1.0, 3.0, 1));
        assert!((s.mean - 1.0).abs() < 1e-12);
        assert_eq!(big.elements, 4);
    }

    #[test]
    fn wire_input_round_trips_a_tensor() {
        let t = Tensor {
            name: "x".into(),
            shape: vec![2],
            data: TensorData::I32(vec![4, -5]),
        };
        let w = WireInput::from_tensor(&t);
        let json = serde_json::to_string(&w).unwrap();
        let back: WireInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_data(ElemType::I32).unwrap(), t.data);
    }
}
