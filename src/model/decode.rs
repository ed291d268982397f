//! Reading a `.onnx` file into a [`ModelProto`], with one-line errors that
//! say what is wrong with the file.
//!
//! Protobuf has no header or length, so a file cut short at a field boundary
//! still decodes. Before decoding, the top-level fields are walked to find a
//! length that runs past the end of the file (the usual sign of truncation);
//! after decoding, the model is checked for the parts every ONNX file has
//! (an IR version, a graph with nodes and outputs, an opset import).

use super::proto::ModelProto;
use crate::error::bad_input;
use anyhow::Context;
use prost::Message;
use std::path::Path;

/// Reads and decodes the model at `path`; every failure is a bad-input error
/// whose message starts with the path.
pub fn read_model(path: &Path) -> anyhow::Result<(ModelProto, u64)> {
    super::limits::check_head(path)?;
    let bytes = std::fs::read(path).map_err(|e| {
        bad_input(format!(
            "{}: cannot read the model: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let model = decode_model(&bytes).with_context(|| path.display().to_string())?;
    Ok((model, bytes.len() as u64))
}

/// The reason an I/O error gives, without the OS error number.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory, expected an .onnx file".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Decodes and checks a model held in memory. Errors are bad-input errors
/// without a file name (callers add it).
pub fn decode_model(bytes: &[u8]) -> anyhow::Result<ModelProto> {
    if bytes.is_empty() {
        return Err(bad_input("empty file, expected an ONNX model"));
    }
    let onnx_like = starts_like_onnx(bytes);
    if let Err(problem) = scan_top_level(bytes) {
        return Err(bad_input(match problem {
            ScanProblem::RunsPastEnd {
                field,
                offset,
                claimed,
                left,
            } if onnx_like => format!(
                "truncated ONNX model: field {field}{} at byte {offset} claims {claimed} bytes \
                 but only {left} remain in the {}-byte file",
                field_name(field),
                bytes.len()
            ),
            other => format!("not an ONNX model: protobuf decode failed at {other}"),
        }));
    }
    let model = ModelProto::decode(bytes).map_err(|e| {
        let what = if onnx_like {
            "corrupt ONNX model"
        } else {
            "not an ONNX model"
        };
        bad_input(format!("{what}: protobuf decode failed: {e}"))
    })?;
    check_complete(&model, bytes.len())?;
    Ok(model)
}

/// ` (name)` of a ModelProto field, for messages.
fn field_name(field: u64) -> &'static str {
    match field {
        1 => " (ir_version)",
        2 => " (producer_name)",
        3 => " (producer_version)",
        6 => " (doc_string)",
        7 => " (graph)",
        8 => " (opset_import)",
        14 => " (metadata_props)",
        25 => " (functions)",
        _ => "",
    }
}

/// True when the file opens the way ONNX writers open it: field 1
/// (`ir_version`) as a small varint.
fn starts_like_onnx(bytes: &[u8]) -> bool {
    matches!(bytes, [0x08, v, ..] if (1..=64).contains(v))
}

/// What the top-level walk found wrong.
#[derive(Debug)]
enum ScanProblem {
    /// A length-delimited field or fixed-width value runs past the end.
    RunsPastEnd {
        field: u64,
        offset: usize,
        claimed: u64,
        left: usize,
    },
    /// A varint that does not end, or a wire type protobuf does not have.
    Malformed { offset: usize, why: &'static str },
}

impl std::fmt::Display for ScanProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanProblem::RunsPastEnd {
                field,
                offset,
                claimed,
                left,
            } => write!(
                f,
                "byte {offset}: field {field} claims {claimed} bytes but only {left} remain"
            ),
            ScanProblem::Malformed { offset, why } => write!(f, "byte {offset}: {why}"),
        }
    }
}

/// Walks the top-level fields without decoding them.
fn scan_top_level(bytes: &[u8]) -> Result<(), ScanProblem> {
    let mut pos = 0usize;
    while pos < bytes.len() {
        let start = pos;
        let key = read_varint(bytes, &mut pos).ok_or(ScanProblem::Malformed {
            offset: start,
            why: "field key is not a valid varint",
        })?;
        let field = key >> 3;
        if field == 0 {
            return Err(ScanProblem::Malformed {
                offset: start,
                why: "field number 0",
            });
        }
        let fixed = |width: u64, pos: &mut usize| -> Result<(), ScanProblem> {
            let left = bytes.len() - *pos;
            if (left as u64) < width {
                return Err(ScanProblem::RunsPastEnd {
                    field,
                    offset: start,
                    claimed: width,
                    left,
                });
            }
            *pos += width as usize;
            Ok(())
        };
        match key & 7 {
            0 => {
                read_varint(bytes, &mut pos).ok_or(ScanProblem::Malformed {
                    offset: start,
                    why: "varint value does not end",
                })?;
            }
            1 => fixed(8, &mut pos)?,
            2 => {
                let len = read_varint(bytes, &mut pos).ok_or(ScanProblem::Malformed {
                    offset: start,
                    why: "length is not a valid varint",
                })?;
                fixed(len, &mut pos)?;
            }
            5 => fixed(4, &mut pos)?,
            _ => {
                return Err(ScanProblem::Malformed {
                    offset: start,
                    why: "wire type that a model file never uses",
                })
            }
        }
    }
    Ok(())
}

/// Reads a base-128 varint at `pos`; `None` when it does not end in time.
fn read_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Checks that the decoded message has what every ONNX model has.
fn check_complete(model: &ModelProto, len: usize) -> anyhow::Result<()> {
    let Some(graph) = &model.graph else {
        return Err(bad_input(if model.ir_version > 0 {
            format!("truncated ONNX model: no graph in the {len}-byte file")
        } else {
            "not an ONNX model: no ir_version and no graph".to_string()
        }));
    };
    if model.ir_version <= 0 {
        return Err(bad_input("not an ONNX model: no ir_version"));
    }
    // IR 3 introduced opset_import; from then on every model must have one,
    // and writers put it after the graph, so its absence means a cut file.
    if model.ir_version >= 3 && model.opset_import.is_empty() {
        return Err(bad_input(format!(
            "truncated ONNX model: no opset_import after the graph (file ends at byte {len})"
        )));
    }
    if graph.node.is_empty() || graph.output.is_empty() {
        let missing = if graph.node.is_empty() {
            "nodes"
        } else {
            "outputs"
        };
        return Err(bad_input(format!(
            "incomplete ONNX model: the graph has no {missing} (truncated?)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, one_line, EXIT_BAD_INPUT};
    use crate::model::proto::*;

    fn tiny_model() -> Vec<u8> {
        ModelProto {
            ir_version: 8,
            producer_name: "test".into(),
            graph: Some(GraphProto {
                node: vec![NodeProto {
                    input: vec!["x".into()],
                    output: vec!["y".into()],
                    op_type: "Relu".into(),
                    ..Default::default()
                }],
                initializer: vec![TensorProto {
                    name: "w".into(),
                    dims: vec![64],
                    data_type: data_type::FLOAT,
                    raw_data: vec![0; 256],
                    ..Default::default()
                }],
                output: vec![ValueInfoProto {
                    name: "y".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 17,
            }],
            ..Default::default()
        }
        .encode_to_vec()
    }

    fn err(bytes: &[u8]) -> String {
        let e = decode_model(bytes).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        let line = one_line(&e);
        assert!(!line.contains('\n'));
        line
    }

    #[test]
    fn accepts_a_complete_model() {
        assert!(decode_model(&tiny_model()).is_ok());
    }

    #[test]
    fn every_truncation_is_reported_never_a_panic() {
        let bytes = tiny_model();
        for cut in 0..bytes.len() {
            let msg = err(&bytes[..cut]);
            assert!(
                msg.contains("truncated")
                    || msg.contains("empty")
                    || msg.contains("incomplete")
                    || msg.contains("not an ONNX model"),
                "cut at {cut}: {msg}"
            );
        }
    }

    #[test]
    fn a_cut_inside_the_graph_names_the_field() {
        let bytes = tiny_model();
        let msg = err(&bytes[..bytes.len() / 2]);
        assert!(
            msg.starts_with("truncated ONNX model: field 7 (graph)"),
            "{msg}"
        );
    }

    #[test]
    fn a_cut_before_the_opset_is_truncated() {
        let bytes = tiny_model();
        // The opset import is the last field: 2 bytes of key+length, 2 of payload.
        let msg = err(&bytes[..bytes.len() - 4]);
        assert!(msg.contains("no opset_import"), "{msg}");
    }

    #[test]
    fn text_and_png_are_not_onnx() {
        let msg = err(b"hello, this is a text file\n");
        assert!(msg.starts_with("not an ONNX model"), "{msg}");
        let png = [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
        ];
        let msg = err(&png);
        assert!(msg.starts_with("not an ONNX model"), "{msg}");
    }

    #[test]
    fn empty_is_reported_as_empty() {
        assert_eq!(err(&[]), "empty file, expected an ONNX model");
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_model(Path::new("no/such/model.onnx")).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        assert_eq!(
            one_line(&e),
            "no/such/model.onnx: cannot read the model: no such file"
        );
    }

    #[test]
    fn varints_decode() {
        let mut pos = 0;
        assert_eq!(read_varint(&[0xac, 0x02], &mut pos), Some(300));
        assert_eq!(pos, 2);
        let mut pos = 0;
        assert_eq!(read_varint(&[0xff], &mut pos), None);
    }
}
