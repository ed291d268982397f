//! The ONNX protobuf messages, declared by hand with `prost` derives.
//!
//! Field numbers follow `onnx/onnx.proto` (github.com/onnx/onnx). Only the
//! messages and fields that inspection and the model builder need are
//! declared; everything else in a file (functions, training info, sparse
//! initializers, quantization annotations, newer fields) is an unknown field to
//! prost and is skipped on decode.
//!
//! ONNX is a proto2 schema; these structs use plain (non-`Option`) scalars, so
//! a field at its default value is not written and reads back as the default.
//! ONNX gives every such default the same meaning as absence, so nothing is
//! lost. Repeated integer fields that proto2 does not pack (`dims`, `ints`)
//! are written unpacked, as the reference implementation writes them; prost
//! reads both forms either way.

/// `TensorProto.DataType` numbers used by this crate.
pub mod data_type {
    /// 32-bit float.
    pub const FLOAT: i32 = 1;
    /// 8-bit unsigned integer.
    pub const UINT8: i32 = 2;
    /// 8-bit signed integer.
    pub const INT8: i32 = 3;
    /// 16-bit unsigned integer.
    pub const UINT16: i32 = 4;
    /// 16-bit signed integer.
    pub const INT16: i32 = 5;
    /// 32-bit signed integer.
    pub const INT32: i32 = 6;
    /// 64-bit signed integer.
    pub const INT64: i32 = 7;
    /// UTF-8 string.
    pub const STRING: i32 = 8;
    /// Boolean, one byte per element.
    pub const BOOL: i32 = 9;
    /// IEEE 754 half precision.
    pub const FLOAT16: i32 = 10;
    /// 64-bit float.
    pub const DOUBLE: i32 = 11;
    /// 32-bit unsigned integer.
    pub const UINT32: i32 = 12;
    /// 64-bit unsigned integer.
    pub const UINT64: i32 = 13;
    /// Two 32-bit floats.
    pub const COMPLEX64: i32 = 14;
    /// Two 64-bit floats.
    pub const COMPLEX128: i32 = 15;
    /// Brain float, 16 bits.
    pub const BFLOAT16: i32 = 16;

    /// Bytes per element of a numeric data type; `None` for strings and
    /// types this crate does not know (sub-byte and float8 types included,
    /// which are rounded to one byte by [`element_bytes_or_one`]).
    pub fn element_bytes(dt: i32) -> Option<u64> {
        match dt {
            UINT8 | INT8 | BOOL => Some(1),
            UINT16 | INT16 | FLOAT16 | BFLOAT16 => Some(2),
            FLOAT | INT32 | UINT32 => Some(4),
            INT64 | DOUBLE | UINT64 | COMPLEX64 => Some(8),
            COMPLEX128 => Some(16),
            // float8 variants (17..=20) are one byte each.
            17..=20 => Some(1),
            _ => None,
        }
    }

    /// Like [`element_bytes`], but one byte for anything unknown, so a size
    /// estimate never fails on a newer type.
    pub fn element_bytes_or_one(dt: i32) -> u64 {
        element_bytes(dt).unwrap_or(1)
    }
}

/// `AttributeProto.AttributeType` numbers.
pub mod attribute_type {
    /// One float in `f`.
    pub const FLOAT: i32 = 1;
    /// One integer in `i`.
    pub const INT: i32 = 2;
    /// One string in `s`.
    pub const STRING: i32 = 3;
    /// One tensor in `t`.
    pub const TENSOR: i32 = 4;
    /// One graph in `g`.
    pub const GRAPH: i32 = 5;
    /// Floats in `floats`.
    pub const FLOATS: i32 = 6;
    /// Integers in `ints`.
    pub const INTS: i32 = 7;
    /// Strings in `strings`.
    pub const STRINGS: i32 = 8;
    /// Tensors in `tensors`.
    pub const TENSORS: i32 = 9;
    /// Graphs in `graphs`.
    pub const GRAPHS: i32 = 10;
}

/// `TensorProto.DataLocation`: where a tensor's bytes live.
pub mod data_location {
    /// In the message itself (`raw_data` or a typed field).
    pub const DEFAULT: i32 = 0;
    /// In another file, described by `external_data`.
    pub const EXTERNAL: i32 = 1;
}

/// The top-level message of a `.onnx` file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    /// IR version the model targets.
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    /// Name of the tool that wrote the model.
    #[prost(string, tag = "2")]
    pub producer_name: String,
    /// Version of that tool.
    #[prost(string, tag = "3")]
    pub producer_version: String,
    /// Reverse-DNS domain of the model.
    #[prost(string, tag = "4")]
    pub domain: String,
    /// Version of the model itself.
    #[prost(int64, tag = "5")]
    pub model_version: i64,
    /// Free text.
    #[prost(string, tag = "6")]
    pub doc_string: String,
    /// The graph that is evaluated.
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    /// Operator sets the graph binds against.
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    /// Named metadata.
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// A key-value pair (ONNX's portable map entry).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringStringEntryProto {
    /// Key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// An operator set import: domain and version.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    /// Domain; empty means the default `ai.onnx` domain.
    #[prost(string, tag = "1")]
    pub domain: String,
    /// Opset version.
    #[prost(int64, tag = "2")]
    pub version: i64,
}

/// A computation graph: nodes in topological order, weights, inputs, outputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    /// Nodes, topologically sorted.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// Graph name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// Constant tensors (weights).
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// Free text.
    #[prost(string, tag = "10")]
    pub doc_string: String,
    /// Graph inputs (may include initializers in older IR versions).
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// Graph outputs.
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
    /// Types and shapes of intermediate values, when recorded.
    #[prost(message, repeated, tag = "13")]
    pub value_info: Vec<ValueInfoProto>,
}

/// One operator application.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    /// Input value names; an empty name is an omitted optional input.
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// Output value names.
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// Node name.
    #[prost(string, tag = "3")]
    pub name: String,
    /// Operator, e.g. `Conv`.
    #[prost(string, tag = "4")]
    pub op_type: String,
    /// Attributes.
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
    /// Free text.
    #[prost(string, tag = "6")]
    pub doc_string: String,
    /// Operator domain; empty means `ai.onnx`.
    #[prost(string, tag = "7")]
    pub domain: String,
}

/// A named attribute of a node.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    /// Attribute name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// One float.
    #[prost(float, tag = "2")]
    pub f: f32,
    /// One integer.
    #[prost(int64, tag = "3")]
    pub i: i64,
    /// One string (bytes).
    #[prost(bytes = "vec", tag = "4")]
    pub s: Vec<u8>,
    /// One tensor.
    #[prost(message, optional, tag = "5")]
    pub t: Option<TensorProto>,
    /// One graph (the body of `If`, `Loop`, `Scan`).
    #[prost(message, optional, tag = "6")]
    pub g: Option<GraphProto>,
    /// Floats.
    #[prost(float, repeated, packed = "false", tag = "7")]
    pub floats: Vec<f32>,
    /// Integers.
    #[prost(int64, repeated, packed = "false", tag = "8")]
    pub ints: Vec<i64>,
    /// Strings (bytes).
    #[prost(bytes = "vec", repeated, tag = "9")]
    pub strings: Vec<Vec<u8>>,
    /// Tensors.
    #[prost(message, repeated, tag = "10")]
    pub tensors: Vec<TensorProto>,
    /// Graphs.
    #[prost(message, repeated, tag = "11")]
    pub graphs: Vec<GraphProto>,
    /// Free text.
    #[prost(string, tag = "13")]
    pub doc_string: String,
    /// Which of the value fields is used ([`attribute_type`]).
    #[prost(int32, tag = "20")]
    pub r#type: i32,
    /// Reference to an attribute of the enclosing function.
    #[prost(string, tag = "21")]
    pub ref_attr_name: String,
}

/// A type and optional shape of a value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    /// Value name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its type.
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
    /// Free text.
    #[prost(string, tag = "3")]
    pub doc_string: String,
}

/// A value's type. Only tensors are declared; sequences, maps and optionals
/// are skipped and show up as a type without `tensor_type`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProto {
    /// The tensor type, when the value is a tensor.
    #[prost(message, optional, tag = "1")]
    pub tensor_type: Option<type_proto::Tensor>,
    /// Standard denotation.
    #[prost(string, tag = "6")]
    pub denotation: String,
}

/// Nested messages of [`TypeProto`].
pub mod type_proto {
    /// A tensor type: element type and shape.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Tensor {
        /// `TensorProto.DataType` number.
        #[prost(int32, tag = "1")]
        pub elem_type: i32,
        /// Shape; absent means unknown rank.
        #[prost(message, optional, tag = "2")]
        pub shape: Option<super::TensorShapeProto>,
    }
}

/// A shape: fixed or symbolic dimensions.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// The dimensions, outermost first.
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<tensor_shape_proto::Dimension>,
}

/// Nested messages of [`TensorShapeProto`].
pub mod tensor_shape_proto {
    /// One dimension.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Dimension {
        /// Fixed size or symbol; absent means unknown.
        #[prost(oneof = "dimension::Value", tags = "1, 2")]
        pub value: Option<dimension::Value>,
        /// Standard denotation such as `DATA_BATCH`.
        #[prost(string, tag = "3")]
        pub denotation: String,
    }

    /// The `value` oneof of [`Dimension`].
    pub mod dimension {
        /// A dimension's size.
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub enum Value {
            /// A fixed size.
            #[prost(int64, tag = "1")]
            DimValue(i64),
            /// A symbolic size, e.g. `batch`.
            #[prost(string, tag = "2")]
            DimParam(String),
        }
    }
}

/// A tensor: a weight, a constant, or an attribute value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// Shape.
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    /// `TensorProto.DataType` number.
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    /// Elements of FLOAT and COMPLEX64 tensors.
    #[prost(float, repeated, tag = "4")]
    pub float_data: Vec<f32>,
    /// Elements of INT32, INT16, INT8, UINT16, UINT8, BOOL and FLOAT16 tensors.
    #[prost(int32, repeated, tag = "5")]
    pub int32_data: Vec<i32>,
    /// Elements of STRING tensors.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_data: Vec<Vec<u8>>,
    /// Elements of INT64 tensors.
    #[prost(int64, repeated, tag = "7")]
    pub int64_data: Vec<i64>,
    /// Tensor name.
    #[prost(string, tag = "8")]
    pub name: String,
    /// Elements as little-endian fixed-width bytes.
    #[prost(bytes = "vec", tag = "9")]
    pub raw_data: Vec<u8>,
    /// Elements of DOUBLE and COMPLEX128 tensors.
    #[prost(double, repeated, tag = "10")]
    pub double_data: Vec<f64>,
    /// Elements of UINT32 and UINT64 tensors.
    #[prost(uint64, repeated, tag = "11")]
    pub uint64_data: Vec<u64>,
    /// Free text.
    #[prost(string, tag = "12")]
    pub doc_string: String,
    /// Where external data lives (`location`, `offset`, `length`).
    #[prost(message, repeated, tag = "13")]
    pub external_data: Vec<StringStringEntryProto>,
    /// [`data_location`] number.
    #[prost(int32, tag = "14")]
    pub data_location: i32,
}

impl TensorProto {
    /// Number of elements its dims describe (1 for a scalar).
    pub fn element_count(&self) -> u64 {
        self.dims.iter().map(|&d| d.max(0) as u64).product()
    }

    /// True when the bytes live in another file.
    pub fn is_external(&self) -> bool {
        self.data_location == data_location::EXTERNAL
    }

    /// The elements as `i64`, when the tensor is an integer tensor stored
    /// in this message (typed field or raw data).
    pub fn to_i64s(&self) -> Option<Vec<i64>> {
        match self.data_type {
            data_type::INT64 => {
                if !self.raw_data.is_empty() {
                    chunks_le::<8>(&self.raw_data).map(|v| v.map(i64::from_le_bytes).collect())
                } else {
                    Some(self.int64_data.clone())
                }
            }
            data_type::INT32 => {
                if !self.raw_data.is_empty() {
                    chunks_le::<4>(&self.raw_data)
                        .map(|v| v.map(|b| i64::from(i32::from_le_bytes(b))).collect())
                } else {
                    Some(self.int32_data.iter().map(|&x| i64::from(x)).collect())
                }
            }
            _ => None,
        }
    }

    /// The elements as `f64`, when the tensor is a FLOAT or DOUBLE tensor
    /// stored in this message.
    pub fn to_f64s(&self) -> Option<Vec<f64>> {
        match self.data_type {
            data_type::FLOAT => {
                if !self.raw_data.is_empty() {
                    chunks_le::<4>(&self.raw_data)
                        .map(|v| v.map(|b| f64::from(f32::from_le_bytes(b))).collect())
                } else {
                    Some(self.float_data.iter().map(|&x| f64::from(x)).collect())
                }
            }
            data_type::DOUBLE => {
                if !self.raw_data.is_empty() {
                    chunks_le::<8>(&self.raw_data).map(|v| v.map(f64::from_le_bytes).collect())
                } else {
                    Some(self.double_data.clone())
                }
            }
            _ => None,
        }
    }
}

/// Splits `raw` into fixed-width little-endian chunks; `None` when the length
/// is not a multiple of the width (a malformed tensor).
fn chunks_le<const N: usize>(raw: &[u8]) -> Option<impl Iterator<Item = [u8; N]> + '_> {
    if !raw.len().is_multiple_of(N) {
        return None;
    }
    Some(
        raw.chunks_exact(N)
            .map(|c| <[u8; N]>::try_from(c).expect("chunks_exact yields N bytes")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn round_trips_a_small_model() {
        let model = ModelProto {
            ir_version: 8,
            producer_name: "advisor".into(),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 17,
            }],
            graph: Some(GraphProto {
                node: vec![NodeProto {
                    input: vec!["x".into()],
                    output: vec!["y".into()],
                    op_type: "Relu".into(),
                    ..Default::default()
                }],
                initializer: vec![TensorProto {
                    name: "w".into(),
                    dims: vec![2, 3],
                    data_type: data_type::FLOAT,
                    raw_data: vec![0; 24],
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let bytes = model.encode_to_vec();
        let back = ModelProto::decode(bytes.as_slice()).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.graph.unwrap().initializer[0].element_count(), 6);
    }

    #[test]
    fn unknown_fields_are_skipped() {
        // Field 25 (ModelProto.functions in newer ONNX) is not declared here.
        let mut bytes = ModelProto {
            ir_version: 9,
            ..Default::default()
        }
        .encode_to_vec();
        // tag 25, wire type 2 (length-delimited), length 3, payload.
        bytes.extend_from_slice(&[(25 << 3 | 2) as u8, 0x01, 3, b'a', b'b', b'c']);
        let back = ModelProto::decode(bytes.as_slice()).unwrap();
        assert_eq!(back.ir_version, 9);
    }

    #[test]
    fn dims_are_written_unpacked_like_the_reference() {
        let t = TensorProto {
            dims: vec![3, 4],
            ..Default::default()
        };
        // Two separate varint fields with tag 1 (0x08), not one packed field (0x0a).
        assert_eq!(t.encode_to_vec(), vec![0x08, 3, 0x08, 4]);
    }

    #[test]
    fn reads_typed_and_raw_integer_data() {
        let typed = TensorProto {
            data_type: data_type::INT64,
            int64_data: vec![1, -2],
            ..Default::default()
        };
        assert_eq!(typed.to_i64s(), Some(vec![1, -2]));
        let mut raw = Vec::new();
        raw.extend_from_slice(&5i64.to_le_bytes());
        raw.extend_from_slice(&(-7i64).to_le_bytes());
        let raw = TensorProto {
            data_type: data_type::INT64,
            raw_data: raw,
            ..Default::default()
        };
        assert_eq!(raw.to_i64s(), Some(vec![5, -7]));
        let bad = TensorProto {
            data_type: data_type::INT64,
            raw_data: vec![1, 2, 3],
            ..Default::default()
        };
        assert_eq!(bad.to_i64s(), None);
    }

    #[test]
    fn reads_float_data() {
        let t = TensorProto {
            data_type: data_type::FLOAT,
            raw_data: 1.5f32.to_le_bytes().to_vec(),
            ..Default::default()
        };
        assert_eq!(t.to_f64s(), Some(vec![1.5]));
    }
}
