//! A reader for NumPy `.npy` files: the common numeric dtypes, little-endian,
//! C order (what `numpy.save` writes on every mainstream machine).

use crate::error::bad_input;
use crate::model::DType;
use std::path::Path;

/// An array read from a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Element type.
    pub dtype: DType,
    /// Shape (empty for a 0-d array).
    pub shape: Vec<usize>,
    /// Elements, little-endian, C order.
    pub data: Vec<u8>,
}

/// Reads a `.npy` file; any problem is bad input naming the file.
pub fn read(path: &Path) -> anyhow::Result<NpyArray> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("{}: cannot read ({e})", path.display())))?;
    parse(&bytes).map_err(|msg| bad_input(format!("{}: {msg}", path.display())))
}

/// Parses the bytes of a `.npy` file.
pub fn parse(bytes: &[u8]) -> Result<NpyArray, String> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (no \\x93NUMPY magic)".into());
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err("truncated .npy header".into());
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => {
            return Err(format!(
                ".npy format version {v} is not supported (expected 1, 2 or 3)"
            ))
        }
    };
    let end = start + header_len;
    let header = bytes.get(start..end).ok_or("truncated .npy header")?;
    let header = std::str::from_utf8(header).map_err(|_| ".npy header is not text")?;
    let descr = dict_value(header, "descr").ok_or("header has no 'descr'")?;
    let fortran = dict_value(header, "fortran_order").ok_or("header has no 'fortran_order'")?;
    let shape = dict_value(header, "shape").ok_or("header has no 'shape'")?;

    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let (dtype, size) = parse_descr(descr)?;
    if fortran.starts_with("True") {
        return Err(
            "Fortran-order arrays are not supported; save with numpy.ascontiguousarray".into(),
        );
    }
    let shape = parse_shape(shape)?;
    let count: usize = shape.iter().product();
    let data = &bytes[end..];
    if data.len() != count * size {
        return Err(format!(
            "data holds {} bytes but shape {:?} of {descr} needs {}",
            data.len(),
            shape,
            count * size
        ));
    }
    let mut data = data.to_vec();
    if dtype == DType::Bool && data.iter().any(|b| *b > 1) {
        // numpy writes bools as 0/1; normalise anything else to 1.
        data.iter_mut().for_each(|b| *b = u8::from(*b != 0));
    }
    Ok(NpyArray { dtype, shape, data })
}

/// The text after `'key':` in the header dict, up to the next top-level comma.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let pos = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = &header[pos + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..=i]);
                }
            }
            ',' | '}' if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    None
}

fn parse_descr(descr: &str) -> Result<(DType, usize), String> {
    let (order, code) = descr.split_at(1.min(descr.len()));
    if order == ">" && !code.ends_with('1') {
        return Err(format!(
            "big-endian dtype {descr} is not supported; save as little-endian"
        ));
    }
    Ok(match code {
        "f4" => (DType::F32, 4),
        "f8" => (DType::F64, 8),
        "f2" => (DType::F16, 2),
        "i1" => (DType::I8, 1),
        "u1" => (DType::U8, 1),
        "i2" => (DType::I16, 2),
        "i4" => (DType::I32, 4),
        "i8" => (DType::I64, 8),
        "b1" => (DType::Bool, 1),
        "u2" => (DType::Other(4), 2),
        "u4" => (DType::Other(12), 4),
        "u8" => (DType::Other(13), 8),
        _ => {
            return Err(format!(
            "dtype {descr} is not supported (expected one of f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)"
        ))
        }
    })
}

fn parse_shape(text: &str) -> Result<Vec<usize>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("shape {text} is not a tuple"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| format!("bad dimension {s} in shape {text}"))
        })
        .collect()
}

/// Writes `.npy` bytes (version 1.0) for an array; used by tests and by
/// anyone who wants to hand advisor a real input.
pub fn to_bytes(array: &NpyArray) -> Vec<u8> {
    let descr = match array.dtype {
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::F16 => "<f2",
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::Bool => "|b1",
        DType::Other(4) => "<u2",
        DType::Other(12) => "<u4",
        DType::Other(13) => "<u8",
        _ => "|V1",
    };
    let shape = match array.shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", array.shape[0]),
        _ => format!(
            "({})",
            array
                .shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Pad so that the data starts on a 64-byte boundary, as numpy does.
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&array.data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes numpy 1.26 writes for `np.save(f, np.arange(6, dtype='<f4').reshape(2, 3))`.
    fn numpy_f32_2x3() -> Vec<u8> {
        let mut header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".to_string();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        b.extend_from_slice(header.as_bytes());
        for v in 0..6 {
            b.extend_from_slice(&(v as f32).to_le_bytes());
        }
        b
    }

    #[test]
    fn reads_numpy_written_f32() {
        let a = parse(&numpy_f32_2x3()).unwrap();
        assert_eq!(a.dtype, DType::F32);
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(&a.data[4..8], &1.0f32.to_le_bytes());
    }

    #[test]
    fn round_trips_through_writer() {
        for (dtype, size) in [
            (DType::I64, 8),
            (DType::U8, 1),
            (DType::Bool, 1),
            (DType::F64, 8),
        ] {
            let a = NpyArray {
                dtype,
                shape: vec![3],
                data: (0..3 * size).map(|i| (i % 2) as u8).collect(),
            };
            assert_eq!(parse(&to_bytes(&a)).unwrap(), a, "{dtype:?}");
        }
        let scalar = NpyArray {
            dtype: DType::I64,
            shape: vec![],
            data: 16000i64.to_le_bytes().to_vec(),
        };
        assert_eq!(parse(&to_bytes(&scalar)).unwrap(), scalar);
    }

    #[test]
    fn version_2_header_is_read() {
        let v1 = numpy_f32_2x3();
        let header_len = u16::from_le_bytes([v1[8], v1[9]]) as u32;
        let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
        v2.extend_from_slice(&header_len.to_le_bytes());
        v2.extend_from_slice(&v1[10..]);
        assert_eq!(parse(&v2).unwrap().shape, vec![2, 3]);
    }

    /// `bytes` with the first `from` replaced by `to` (same length).
    fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
        let mut out = bytes.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert!(parse(b"PK\x03\x04 not npy").unwrap_err().contains("magic"));
        let good = numpy_f32_2x3();
        let big = patched(&good, b"<f4", b">f4");
        assert!(parse(&big).unwrap_err().contains("big-endian"));
        let fortran = patched(&good, b"False", b"True ");
        assert!(parse(&fortran).unwrap_err().contains("Fortran"));
        let mut short = good.clone();
        short.truncate(short.len() - 4);
        assert!(parse(&short).unwrap_err().contains("needs 24"));
        let odd = patched(&good, b"<f4", b"<c8");
        assert!(parse(&odd).unwrap_err().contains("not supported"));
    }

    #[test]
    fn missing_file_is_bad_input() {
        let err = read(Path::new("/nonexistent/x.npy")).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert!(err.to_string().contains("x.npy"));
    }
}
