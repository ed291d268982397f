//! Input tensors held in host memory as raw little-endian bytes, whatever
//! their element type, and turned into ONNX Runtime values once per batch.

use crate::model::DType;
use anyhow::{anyhow, bail};
use ort::memory::Allocator;
use ort::value::{DynTensor, TensorElementType};

/// A tensor in host memory.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Element type.
    pub dtype: DType,
    /// Shape.
    pub shape: Vec<i64>,
    /// Elements, little-endian, C order.
    pub data: Vec<u8>,
}

/// Bytes per element of a type advisor can feed, or `None`.
pub fn elem_size(dtype: DType) -> Option<usize> {
    Some(match dtype {
        DType::Bool | DType::U8 | DType::I8 => 1,
        DType::I16 | DType::F16 | DType::Other(4) | DType::Other(16) => 2,
        DType::I32 | DType::F32 | DType::Other(12) => 4,
        DType::I64 | DType::F64 | DType::Other(13) => 8,
        _ => return None,
    })
}

/// The name of a type as users see it in messages.
pub fn dtype_name(dtype: DType) -> String {
    match dtype {
        DType::F32 => "float32".into(),
        DType::U8 => "uint8".into(),
        DType::I8 => "int8".into(),
        DType::I16 => "int16".into(),
        DType::I32 => "int32".into(),
        DType::I64 => "int64".into(),
        DType::String => "string".into(),
        DType::Bool => "bool".into(),
        DType::F16 => "float16".into(),
        DType::F64 => "float64".into(),
        DType::Other(4) => "uint16".into(),
        DType::Other(12) => "uint32".into(),
        DType::Other(13) => "uint64".into(),
        DType::Other(16) => "bfloat16".into(),
        DType::Other(n) => format!("ONNX type {n}"),
    }
}

/// True for the floating-point types.
pub fn is_float(dtype: DType) -> bool {
    matches!(
        dtype,
        DType::F32 | DType::F64 | DType::F16 | DType::Other(16)
    )
}

/// Maps ONNX Runtime's element type to advisor's.
pub fn from_ort(t: TensorElementType) -> DType {
    use TensorElementType as T;
    match t {
        T::Float32 => DType::F32,
        T::Uint8 => DType::U8,
        T::Int8 => DType::I8,
        T::Int16 => DType::I16,
        T::Int32 => DType::I32,
        T::Int64 => DType::I64,
        T::String => DType::String,
        T::Bool => DType::Bool,
        T::Float16 => DType::F16,
        T::Float64 => DType::F64,
        T::Uint16 => DType::Other(4),
        T::Uint32 => DType::Other(12),
        T::Uint64 => DType::Other(13),
        T::Bfloat16 => DType::Other(16),
        _ => DType::Other(0),
    }
}

fn to_ort(d: DType) -> Option<TensorElementType> {
    use TensorElementType as T;
    Some(match d {
        DType::F32 => T::Float32,
        DType::U8 => T::Uint8,
        DType::I8 => T::Int8,
        DType::I16 => T::Int16,
        DType::I32 => T::Int32,
        DType::I64 => T::Int64,
        DType::Bool => T::Bool,
        DType::F16 => T::Float16,
        DType::F64 => T::Float64,
        DType::Other(4) => T::Uint16,
        DType::Other(12) => T::Uint32,
        DType::Other(13) => T::Uint64,
        DType::Other(16) => T::Bfloat16,
        _ => return None,
    })
}

/// Encodes one value as `dtype`'s little-endian bytes (saturating casts).
pub fn encode(value: f64, dtype: DType, out: &mut Vec<u8>) {
    match dtype {
        DType::F32 => out.extend_from_slice(&(value as f32).to_le_bytes()),
        DType::F64 => out.extend_from_slice(&value.to_le_bytes()),
        DType::F16 => out.extend_from_slice(&f32_to_f16(value as f32).to_le_bytes()),
        DType::Other(16) => {
            out.extend_from_slice(&(((value as f32).to_bits() >> 16) as u16).to_le_bytes())
        }
        DType::Bool => out.push(u8::from(value != 0.0)),
        DType::U8 => out.push(value as u8),
        DType::I8 => out.push(value as i8 as u8),
        DType::I16 => out.extend_from_slice(&(value as i16).to_le_bytes()),
        DType::I32 => out.extend_from_slice(&(value as i32).to_le_bytes()),
        DType::I64 => out.extend_from_slice(&(value as i64).to_le_bytes()),
        DType::Other(4) => out.extend_from_slice(&(value as u16).to_le_bytes()),
        DType::Other(12) => out.extend_from_slice(&(value as u32).to_le_bytes()),
        DType::Other(13) => out.extend_from_slice(&(value as u64).to_le_bytes()),
        DType::String | DType::Other(_) => {}
    }
}

/// Decodes element `i` of little-endian `data` of type `dtype` as f64.
pub fn decode(data: &[u8], dtype: DType, i: usize) -> f64 {
    let size = elem_size(dtype).unwrap_or(1);
    let b = &data[i * size..(i + 1) * size];
    match dtype {
        DType::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        DType::F64 => f64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
        DType::F16 => f16_to_f32(u16::from_le_bytes([b[0], b[1]])) as f64,
        DType::Other(16) => f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16) as f64,
        DType::Bool | DType::U8 => b[0] as f64,
        DType::I8 => b[0] as i8 as f64,
        DType::I16 => i16::from_le_bytes([b[0], b[1]]) as f64,
        DType::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        DType::I64 => i64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
        DType::Other(4) => u16::from_le_bytes([b[0], b[1]]) as f64,
        DType::Other(12) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        DType::Other(13) => u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
        DType::String | DType::Other(_) => 0.0,
    }
}

/// IEEE half from single precision, round to nearest even.
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rounded = (m + half - 1 + ((m >> shift) & 1)) >> shift;
        return sign | rounded as u16;
    }
    let half = man + 0xfff + ((man >> 13) & 1);
    let mut out = ((e as u32) << 10) + (half >> 13);
    if out >= 0x7c00 {
        out = 0x7c00;
    }
    sign | out as u16
}

/// Single precision from IEEE half.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        0 if man == 0 => sign,
        0 => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((m & 0x3ff) << 13)
        }
        0x1f => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

impl HostTensor {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().map(|d| *d as usize).product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same values converted to `dtype` (a no-op when it already is).
    pub fn cast(self, dtype: DType) -> HostTensor {
        if self.dtype == dtype {
            return self;
        }
        let n = self.len();
        let mut data = Vec::with_capacity(n * elem_size(dtype).unwrap_or(1));
        for i in 0..n {
            encode(decode(&self.data, self.dtype, i), dtype, &mut data);
        }
        HostTensor {
            dtype,
            shape: self.shape,
            data,
        }
    }

    /// A tensor whose first dim is `rows`, made by cycling this tensor's rows
    /// (how one real example fills a batch).
    pub fn cycle_rows(&self, rows: i64) -> HostTensor {
        let have = self.shape.first().copied().unwrap_or(1).max(1) as usize;
        let row_bytes = self.data.len() / have;
        let mut data = Vec::with_capacity(row_bytes * rows as usize);
        for r in 0..rows as usize {
            let src = r % have;
            data.extend_from_slice(&self.data[src * row_bytes..(src + 1) * row_bytes]);
        }
        let mut shape = self.shape.clone();
        if shape.is_empty() {
            shape.push(rows);
        } else {
            shape[0] = rows;
        }
        HostTensor {
            dtype: self.dtype,
            shape,
            data,
        }
    }

    /// Copies the tensor into an ONNX Runtime value allocated by `allocator`.
    pub fn to_value(&self, allocator: &Allocator) -> anyhow::Result<DynTensor> {
        let ty = to_ort(self.dtype)
            .ok_or_else(|| anyhow!("{} tensors cannot be fed", dtype_name(self.dtype)))?;
        let expected = self.len() * elem_size(self.dtype).unwrap_or(0);
        if self.data.len() != expected {
            bail!(
                "tensor data holds {} bytes, shape {:?} needs {expected}",
                self.data.len(),
                self.shape
            );
        }
        let mut value = DynTensor::new(allocator, ty, self.shape.clone())
            .map_err(|e| anyhow!("allocating a {:?} tensor: {e}", self.shape))?;
        if !self.data.is_empty() {
            let ptr = value.data_ptr_mut().cast::<u8>();
            // SAFETY: ORT allocated exactly `expected` bytes on the CPU for
            // this shape and type; the source has the same length.
            unsafe { std::ptr::copy_nonoverlapping(self.data.as_ptr(), ptr, self.data.len()) };
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_round_trips_common_values() {
        for v in [0.0f32, 1.0, -2.5, 0.333, 65504.0, 1e-5, -0.0] {
            let back = f16_to_f32(f32_to_f16(v));
            assert!((back - v).abs() <= v.abs() * 1e-3 + 1e-7, "{v} -> {back}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(f32::INFINITY), 0x7c00);
        assert_eq!(f32_to_f16(1e9), 0x7c00);
    }

    #[test]
    fn cast_converts_values() {
        let mut data = Vec::new();
        for v in [1.0, 2.0, 300.0] {
            encode(v, DType::F64, &mut data);
        }
        let t = HostTensor {
            dtype: DType::F64,
            shape: vec![3],
            data,
        }
        .cast(DType::I32);
        assert_eq!(t.data.len(), 12);
        assert_eq!(decode(&t.data, DType::I32, 2), 300.0);
    }

    #[test]
    fn cycle_rows_repeats_the_example() {
        let t = HostTensor {
            dtype: DType::U8,
            shape: vec![2, 2],
            data: vec![1, 2, 3, 4],
        };
        let b = t.cycle_rows(3);
        assert_eq!(b.shape, vec![3, 2]);
        assert_eq!(b.data, vec![1, 2, 3, 4, 1, 2]);
    }
}
