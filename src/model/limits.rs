//! Bounds checked before a model is read whole or its inputs are allocated.

use crate::error::bad_input;
use std::io::Read;
use std::path::Path;

/// Largest synthetic input tensor advisor allocates, bytes (4 GiB): past it a
/// dim such as 2^62 would overflow ONNX Runtime's size arithmetic or the
/// machine's memory.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// Bytes read to decide whether a file can be an ONNX model at all.
const HEAD_BYTES: u64 = 64;

/// The error for a model path that is not a readable regular file: says
/// whether it is missing or a directory.
pub fn not_a_model_file(path: &Path) -> anyhow::Error {
    let why = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => "is a directory; expected an .onnx file",
        Ok(_) => "not a regular file; expected an .onnx file",
        Err(_) => "no such file",
    };
    bad_input(format!("{}: {why}", path.display()))
}

/// Refuses, from its first bytes only, a file that cannot be an ONNX model
/// (so a huge unrelated file is not read whole first). A model starts with
/// field 1, `ir_version`, a small varint.
pub fn check_head(path: &Path) -> anyhow::Result<()> {
    // Missing files and directories get the full reader's own wording.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let mut head = Vec::new();
    let f = std::fs::File::open(path)
        .map_err(|e| bad_input(format!("{}: cannot read the model: {e}", path.display())))?;
    f.take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| bad_input(format!("{}: cannot read the model: {e}", path.display())))?;
    if head.is_empty() {
        return Err(bad_input(format!(
            "{}: empty file, expected an ONNX model",
            path.display()
        )));
    }
    if !matches!(head.as_slice(), [0x08, v, ..] if (1..=64).contains(v)) {
        return Err(bad_input(format!(
            "{}: not an ONNX model: it does not start with an ir_version field \
             (first byte 0x{:02x}); expected an .onnx file",
            path.display(),
            head[0]
        )));
    }
    Ok(())
}

/// Checks that an input of `shape` (elements of `elem_bytes`) stays within
/// [`MAX_INPUT_BYTES`]; the error names the model, the input and the limit.
pub fn check_input_size(
    model: &str,
    input: &str,
    shape: &[i64],
    elem_bytes: usize,
) -> anyhow::Result<()> {
    let mut bytes: Option<u64> = Some(elem_bytes as u64);
    for d in shape {
        bytes = bytes.and_then(|b| b.checked_mul((*d).max(0) as u64));
    }
    match bytes {
        Some(b) if b <= MAX_INPUT_BYTES => Ok(()),
        _ => Err(bad_input(format!(
            "{model}: input '{input}' of shape [{}] needs more than {MAX_INPUT_BYTES} bytes, \
             the largest input advisor allocates; expected smaller dims (set them with --dim or --shape)",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")
        ))),
    }
}
