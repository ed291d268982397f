//! What a served model accepts, and checking a request's tensors against it.
//!
//! Every check here answers the client with one line that names the input and
//! what was expected, because a 400 that says only "bad request" sends a data
//! scientist back to reading the model in Netron.

use super::tensor::{ElemType, PredictRequest, Tensor, TensorData, ELEM_TYPES};
use std::fmt;

/// One dimension of an input as the model declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DimSpec {
    /// Must be exactly this size.
    Fixed(i64),
    /// Any size; the symbolic name when the model gives one.
    Free(Option<String>),
}

/// One input of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Name in the graph.
    pub name: String,
    /// Element type.
    pub elem: ElemType,
    /// Dimensions.
    pub dims: Vec<DimSpec>,
}

impl InputSpec {
    /// The shape fed when the client sends no inputs: free dimensions are 1.
    pub fn synthetic_shape(&self) -> Vec<i64> {
        self.dims
            .iter()
            .map(|d| match d {
                DimSpec::Fixed(n) => *n,
                DimSpec::Free(_) => 1,
            })
            .collect()
    }

    /// Whether `shape` fits the declared dimensions.
    pub fn accepts_shape(&self, shape: &[i64]) -> bool {
        shape.len() == self.dims.len()
            && shape.iter().zip(&self.dims).all(|(&s, d)| match d {
                DimSpec::Fixed(n) => s == *n,
                DimSpec::Free(_) => s >= 0,
            })
    }
}

impl fmt::Display for InputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self
            .dims
            .iter()
            .map(|d| match d {
                DimSpec::Fixed(n) => n.to_string(),
                DimSpec::Free(Some(name)) => name.clone(),
                DimSpec::Free(None) => "?".to_string(),
            })
            .collect();
        write!(f, "{}: {}[{}]", self.name, self.elem, dims.join(","))
    }
}

/// The inputs a model takes, in the order the model declares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// The inputs.
    pub inputs: Vec<InputSpec>,
}

/// Why a request's payload does not fit the model (answered with 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError(pub String);

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PayloadError {}

fn err(msg: impl Into<String>) -> PayloadError {
    PayloadError(msg.into())
}

/// Product of a shape, or `None` on a negative dimension or overflow.
fn element_count(shape: &[i64]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| {
        usize::try_from(d).ok().and_then(|d| acc.checked_mul(d))
    })
}

impl Signature {
    /// The model's inputs, listed for error messages.
    pub fn describe(&self) -> String {
        self.inputs
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn find(&self, name: &str) -> Result<&InputSpec, PayloadError> {
        self.inputs.iter().find(|i| i.name == name).ok_or_else(|| {
            err(format!(
                "unknown input '{name}'; the model takes: {}",
                self.describe()
            ))
        })
    }

    /// Synthetic inputs: free dimensions 1, floats 0.5, integers 0, booleans false.
    ///
    /// Integers are 0 so that ids fed to an embedding lookup stay in range.
    pub fn synthetic(&self) -> Vec<Tensor> {
        self.inputs
            .iter()
            .map(|spec| {
                let shape = spec.synthetic_shape();
                let len = element_count(&shape).unwrap_or(0);
                let value = match spec.elem {
                    ElemType::F32 | ElemType::F64 => 0.5,
                    _ => 0.0,
                };
                Tensor {
                    name: spec.name.clone(),
                    shape,
                    data: TensorData::filled(spec.elem, len, value),
                }
            })
            .collect()
    }

    /// Checks one tensor's element type and shape against input `name`.
    fn check_one(&self, name: &str, elem: ElemType, shape: &[i64]) -> Result<(), PayloadError> {
        let spec = self.find(name)?;
        if spec.elem != elem {
            return Err(err(format!(
                "input '{name}' has dtype {elem}; the model expects {}",
                spec.elem
            )));
        }
        if !spec.accepts_shape(shape) {
            return Err(err(format!(
                "input '{name}' has shape {shape:?}; the model expects {spec}"
            )));
        }
        Ok(())
    }

    /// The tensors of a JSON request, in the model's order; synthetic ones
    /// when the request has no `inputs`.
    pub fn from_json(&self, req: PredictRequest) -> Result<Vec<Tensor>, PayloadError> {
        let Some(mut given) = req.inputs else {
            return Ok(self.synthetic());
        };
        if let Some(extra) = given.keys().find(|k| self.find(k).is_err()) {
            return Err(self.find(extra).unwrap_err());
        }
        let mut out = Vec::with_capacity(self.inputs.len());
        for spec in &self.inputs {
            let w = given.remove(&spec.name).ok_or_else(|| {
                err(format!(
                    "missing input '{}'; the model takes: {}",
                    spec.name,
                    self.describe()
                ))
            })?;
            let elem =
                parse_dtype(&w.dtype).map_err(|e| err(format!("input '{}': {e}", spec.name)))?;
            self.check_one(&spec.name, elem, &w.shape)?;
            let expected = element_count(&w.shape).unwrap_or(usize::MAX);
            if w.data.len() != expected {
                return Err(err(format!(
                    "input '{}' has {} elements in data; shape {:?} needs {expected}",
                    spec.name,
                    w.data.len(),
                    w.shape
                )));
            }
            let data = w
                .to_data(elem)
                .map_err(|e| err(format!("input '{}': {e}", spec.name)))?;
            out.push(Tensor {
                name: spec.name.clone(),
                shape: w.shape,
                data,
            });
        }
        Ok(out)
    }

    /// The tensor of a raw request: one input as little-endian bytes, named
    /// by `X-Input-Name` (optional for a one-input model), typed by `X-Dtype`
    /// and shaped by `X-Shape` (`1,3,224,224`).
    pub fn from_raw(
        &self,
        name: Option<&str>,
        dtype: Option<&str>,
        shape: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<Tensor>, PayloadError> {
        let name = match name {
            Some(n) => n.to_string(),
            None if self.inputs.len() == 1 => self.inputs[0].name.clone(),
            None => {
                return Err(err(format!(
                    "X-Input-Name is required for a model with several inputs: {}",
                    self.describe()
                )))
            }
        };
        if self.inputs.len() != 1 {
            return Err(err(format!(
                "a raw body carries one input but the model takes {}: {}; send JSON instead",
                self.inputs.len(),
                self.describe()
            )));
        }
        let dtype = dtype.ok_or_else(|| err("X-Dtype header missing (e.g. float32)"))?;
        let elem = parse_dtype(dtype).map_err(|e| err(format!("X-Dtype: {e}")))?;
        let shape_text = shape.ok_or_else(|| err("X-Shape header missing (e.g. 1,3,224,224)"))?;
        let shape = parse_shape(shape_text)?;
        self.check_one(&name, elem, &shape)?;
        let expected = element_count(&shape)
            .and_then(|n| n.checked_mul(elem.size_bytes()))
            .unwrap_or(usize::MAX);
        if body.len() != expected {
            return Err(err(format!(
                "body has {} bytes; {elem} shape {shape:?} needs {expected}",
                body.len()
            )));
        }
        Ok(vec![Tensor {
            name,
            shape,
            data: TensorData::from_le_bytes(elem, body),
        }])
    }
}

fn parse_dtype(s: &str) -> Result<ElemType, String> {
    ElemType::parse(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = ELEM_TYPES.iter().map(|t| t.name()).collect();
        format!("dtype '{s}' is not one of {}", names.join(", "))
    })
}

fn parse_shape(s: &str) -> Result<Vec<i64>, PayloadError> {
    s.split(',')
        .map(|p| {
            p.trim()
                .parse::<i64>()
                .ok()
                .filter(|&d| d >= 0)
                .ok_or_else(|| {
                    err(format!(
                        "X-Shape '{s}' is not a comma-separated list of sizes (e.g. 1,3,224,224)"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_model() -> Signature {
        Signature {
            inputs: vec![InputSpec {
                name: "input".into(),
                elem: ElemType::F32,
                dims: vec![
                    DimSpec::Free(Some("batch".into())),
                    DimSpec::Fixed(3),
                    DimSpec::Fixed(2),
                ],
            }],
        }
    }

    fn json(s: &str) -> PredictRequest {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn empty_request_gets_synthetic_inputs() {
        let t = image_model().from_json(PredictRequest::default()).unwrap();
        assert_eq!(t[0].shape, vec![1, 3, 2]);
        assert_eq!(t[0].data, TensorData::F32(vec![0.5; 6]));
    }

    #[test]
    fn json_request_is_checked() {
        let sig = image_model();
        let ok = sig
            .from_json(json(
                r#"{"inputs":{"input":{"dtype":"float32","shape":[2,3,2],"data":[0,1,2,3,4,5,6,7,8,9,10,11]}}}"#,
            ))
            .unwrap();
        assert_eq!(ok[0].shape, vec![2, 3, 2]);

        let e = sig
            .from_json(json(
                r#"{"inputs":{"image":{"dtype":"float32","shape":[1,3,2],"data":[0,0,0,0,0,0]}}}"#,
            ))
            .unwrap_err();
        assert!(e.0.contains("unknown input 'image'"), "{e}");
        assert!(e.0.contains("input: float32[batch,3,2]"), "{e}");

        let e = sig
            .from_json(json(
                r#"{"inputs":{"input":{"dtype":"int64","shape":[1,3,2],"data":[0,0,0,0,0,0]}}}"#,
            ))
            .unwrap_err();
        assert!(
            e.0.contains("dtype int64; the model expects float32"),
            "{e}"
        );

        let e = sig
            .from_json(json(
                r#"{"inputs":{"input":{"dtype":"float32","shape":[1,4,2],"data":[0,0,0,0,0,0,0,0]}}}"#,
            ))
            .unwrap_err();
        assert!(e.0.contains("shape [1, 4, 2]"), "{e}");

        let e = sig
            .from_json(json(
                r#"{"inputs":{"input":{"dtype":"float32","shape":[1,3,2],"data":[0,0]}}}"#,
            ))
            .unwrap_err();
        assert!(e.0.contains("2 elements"), "{e}");

        let e = sig.from_json(json(r#"{"inputs":{}}"#)).unwrap_err();
        assert!(e.0.contains("missing input 'input'"), "{e}");

        let e = sig
            .from_json(json(
                r#"{"inputs":{"input":{"dtype":"float16","shape":[1,3,2],"data":[0,0,0,0,0,0]}}}"#,
            ))
            .unwrap_err();
        assert!(e.0.contains("'float16' is not one of"), "{e}");
    }

    #[test]
    fn raw_request_is_checked() {
        let sig = image_model();
        let bytes = TensorData::F32(vec![1.0; 6]).to_le_bytes();
        let t = sig
            .from_raw(None, Some("float32"), Some("1, 3, 2"), &bytes)
            .unwrap();
        assert_eq!(t[0].data, TensorData::F32(vec![1.0; 6]));

        let e = sig
            .from_raw(None, Some("float32"), Some("1,3,2"), &bytes[..20])
            .unwrap_err();
        assert!(e.0.contains("20 bytes"), "{e}");
        let e = sig.from_raw(None, None, Some("1,3,2"), &bytes).unwrap_err();
        assert!(e.0.contains("X-Dtype"), "{e}");
        let e = sig
            .from_raw(None, Some("float32"), Some("1,x"), &bytes)
            .unwrap_err();
        assert!(e.0.contains("X-Shape"), "{e}");
        let e = sig
            .from_raw(Some("other"), Some("float32"), Some("1,3,2"), &bytes)
            .unwrap_err();
        assert!(e.0.contains("unknown input 'other'"), "{e}");
    }

    #[test]
    fn integer_inputs_are_zero_ids() {
        let sig = Signature {
            inputs: vec![InputSpec {
                name: "ids".into(),
                elem: ElemType::I64,
                dims: vec![DimSpec::Free(None), DimSpec::Fixed(4)],
            }],
        };
        let t = sig.synthetic();
        assert_eq!(t[0].data, TensorData::I64(vec![0; 4]));
        assert_eq!(sig.inputs[0].to_string(), "ids: int64[?,4]");
    }
}
