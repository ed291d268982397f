//! The body every replayed request carries.

use super::protocol::{instances_body, OipRequest, Protocol};
use super::signature::{DimSpec, InputSpec, Signature};
use super::tensor::{ElemType, PredictRequest, WireInput};
use crate::error::bad_input;
use crate::model::{Dim, ModelInfo};
use axum::body::Bytes;
use std::path::Path;

/// A request body and its content type.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The bytes sent.
    pub body: Bytes,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// Headers this body needs (`X-Dtype`, `X-Shape` for raw bytes).
    pub headers: reqwest::header::HeaderMap,
}

impl Payload {
    /// `{}`: asks `advisor serve` to feed synthetic inputs.
    pub fn empty_json() -> Payload {
        Payload {
            body: Bytes::from_static(b"{}"),
            content_type: "application/json",
            headers: Default::default(),
        }
    }

    /// A file's bytes: sent as JSON when they parse as JSON, else as
    /// `application/octet-stream`.
    pub fn from_file(path: &Path) -> anyhow::Result<Payload> {
        let body = std::fs::read(path).map_err(|e| {
            bad_input(format!(
                "{}: cannot read the payload file: {e}",
                path.display()
            ))
        })?;
        let json = serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
        Ok(Payload {
            body: Bytes::from(body),
            content_type: if json {
                "application/json"
            } else {
                "application/octet-stream"
            },
            headers: Default::default(),
        })
    }

    /// A JSON body with synthetic inputs for every input of `sig`.
    pub fn synthetic(sig: &Signature) -> Payload {
        let inputs = sig
            .synthetic()
            .iter()
            .map(|t| (t.name.clone(), WireInput::from_tensor(t)))
            .collect();
        let req = PredictRequest {
            inputs: Some(inputs),
        };
        Payload {
            body: Bytes::from(serde_json::to_vec(&req).expect("tensors serialise")),
            content_type: "application/json",
            headers: Default::default(),
        }
    }

    /// Synthetic inputs for every input of `sig` in `protocol`'s body; raw
    /// bytes need a one-input model.
    pub fn synthetic_as(sig: &Signature, protocol: Protocol) -> anyhow::Result<Payload> {
        let tensors = sig.synthetic();
        let json = |v: &serde_json::Value| Payload {
            body: Bytes::from(v.to_string()),
            content_type: "application/json",
            headers: Default::default(),
        };
        Ok(match protocol {
            Protocol::Advisor => Payload::synthetic(sig),
            Protocol::Oip => json(&serde_json::to_value(OipRequest::from_tensors(&tensors))?),
            Protocol::Instances => json(&instances_body(&tensors)),
            Protocol::Raw => {
                let [t] = tensors.as_slice() else {
                    return Err(bad_input(format!(
                        "--protocol raw sends one input; the model takes {}: {}",
                        tensors.len(),
                        sig.describe()
                    )));
                };
                let shape: Vec<String> = t.shape.iter().map(i64::to_string).collect();
                let mut headers = reqwest::header::HeaderMap::new();
                for (k, v) in [
                    ("x-input-name", t.name.clone()),
                    ("x-dtype", t.elem_type().name().to_string()),
                    ("x-shape", shape.join(",")),
                ] {
                    let v = reqwest::header::HeaderValue::from_str(&v).map_err(|_| {
                        bad_input(format!("input name '{}' cannot be a header value", t.name))
                    })?;
                    headers.insert(k, v);
                }
                Payload {
                    body: Bytes::from(t.data.to_le_bytes()),
                    content_type: "application/octet-stream",
                    headers,
                }
            }
        })
    }

    /// Every file of `dir`, by name, as payloads (hidden files skipped).
    pub fn from_dir(dir: &Path) -> anyhow::Result<Vec<Payload>> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            bad_input(format!(
                "--payload-dir {}: cannot read the folder: {e}",
                dir.display()
            ))
        })?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(bad_input(format!(
                "--payload-dir {}: expected at least one request file",
                dir.display()
            )));
        }
        let mut out = Vec::new();
        for f in &files {
            let p = Payload::from_file(f)?;
            for _ in 0..weight_of(f) {
                out.push(p.clone());
            }
        }
        Ok(out)
    }
}

/// A request file's weight from its name: `NAME.wN.EXT` (e.g. `big.w3.json`)
/// is sent N times per round, any other name once, as Lambda Power Tuning's
/// weighted payloads mix requests.
fn weight_of(path: &Path) -> usize {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.rsplit_once(".w"))
        .and_then(|(_, n)| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// The signature of a model as inspection reads it from the file, for
/// building payloads without loading ONNX Runtime.
pub fn signature_of(info: &ModelInfo) -> anyhow::Result<Signature> {
    let mut inputs = Vec::with_capacity(info.inputs.len());
    for t in &info.inputs {
        let elem = ElemType::from_model(t.dtype).ok_or_else(|| {
            bad_input(format!(
                "input '{}' has element type {:?}, which a synthetic payload cannot carry",
                t.name, t.dtype
            ))
        })?;
        let dims = t
            .dims
            .as_ref()
            .map(|dims| {
                dims.iter()
                    .map(|d| match d {
                        Dim::Fixed(n) if *n >= 0 => DimSpec::Fixed(*n),
                        Dim::Fixed(_) | Dim::Unknown => DimSpec::Free(None),
                        Dim::Symbolic(s) => DimSpec::Free(Some(s.clone())),
                    })
                    .collect()
            })
            .unwrap_or_default();
        inputs.push(InputSpec {
            name: t.name.clone(),
            elem,
            dims,
        });
    }
    Ok(Signature { inputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DType, TensorInfo};

    #[test]
    fn synthetic_payload_follows_the_model() {
        let proto = crate::model::build::Builtin::TinyCnn.model();
        let mut info = crate::model::inspect_bytes(&prost::Message::encode_to_vec(&proto)).unwrap();
        info.inputs = vec![TensorInfo {
            name: "ids".into(),
            dtype: DType::I64,
            dims: Some(vec![Dim::Symbolic("batch".into()), Dim::Fixed(3)]),
        }];
        let sig = signature_of(&info).unwrap();
        let p = Payload::synthetic(&sig);
        assert_eq!(p.content_type, "application/json");
        let req: PredictRequest = serde_json::from_slice(&p.body).unwrap();
        let back = sig.from_json(req).unwrap();
        assert_eq!(back[0].shape, vec![1, 3]);

        let mut bad = info.clone();
        bad.inputs[0].dtype = DType::String;
        assert!(signature_of(&bad).is_err());
    }

    #[test]
    fn file_names_may_carry_a_weight() {
        assert_eq!(weight_of(Path::new("d/big.w3.json")), 3);
        assert_eq!(weight_of(Path::new("d/small.json")), 1);
        assert_eq!(weight_of(Path::new("d/odd.w0.json")), 1);
        assert_eq!(weight_of(Path::new("d/x.wide.json")), 1);
    }

    #[test]
    fn payload_files_are_typed_by_content() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), b"{\"inputs\": {}}").unwrap();
        assert_eq!(
            Payload::from_file(f.path()).unwrap().content_type,
            "application/json"
        );
        std::fs::write(f.path(), [0u8, 0, 128, 63]).unwrap();
        let p = Payload::from_file(f.path()).unwrap();
        assert_eq!(p.content_type, "application/octet-stream");
        assert_eq!(p.body.len(), 4);
    }
}
