//! The request and answer bodies of the serving protocols that `advisor
//! serve` answers and `advisor replay` sends.
//!
//! - `advisor`: `{"inputs": {"NAME": {"dtype", "shape", "data"}}}`, answered
//!   with `{"outputs": {"NAME": {"dtype", "shape", "elements", "data"}}}`.
//! - `oip`: the Open Inference Protocol (KServe v2) JSON form, spoken by
//!   Triton, KServe, Seldon MLServer and SageMaker's Triton containers:
//!   `{"inputs": [{"name", "shape", "datatype": "FP32", "data"}]}`, answered
//!   with `{"model_name", "outputs": [{"name", "shape", "datatype", "data"}]}`.
//! - `instances`: the row form of TF Serving and Vertex AI,
//!   `{"instances": [row, ...]}` (a row is one batch item, nested lists, or an
//!   object of input name to nested lists), answered with `{"predictions": [...]}`.
//! - `raw`: the little-endian bytes of one input (`application/octet-stream`
//!   with `X-Dtype` and `X-Shape`), answered like `advisor`.
//!
//! A JSON body's protocol is told by its content, so one endpoint
//! (`/invocations`, `/predict`) takes them all and answers in kind.

use super::signature::PayloadError;
use super::tensor::{ElemType, PredictRequest, Scalar, Tensor, TensorData, WireInput};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A request body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// advisor's own JSON (`{"inputs": {NAME: {dtype, shape, data}}}`).
    Advisor,
    /// Open Inference Protocol / KServe v2 JSON.
    Oip,
    /// `{"instances": [...]}` (TF Serving, Vertex AI).
    Instances,
    /// Raw little-endian bytes of one input.
    Raw,
}

impl Protocol {
    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Advisor => "advisor",
            Protocol::Oip => "oip",
            Protocol::Instances => "instances",
            Protocol::Raw => "raw",
        }
    }
}

/// The Open Inference Protocol's name for an element type.
pub fn oip_datatype(e: ElemType) -> &'static str {
    match e {
        ElemType::F32 => "FP32",
        ElemType::F64 => "FP64",
        ElemType::I64 => "INT64",
        ElemType::I32 => "INT32",
        ElemType::I16 => "INT16",
        ElemType::I8 => "INT8",
        ElemType::U8 => "UINT8",
        ElemType::Bool => "BOOL",
    }
}

/// The element type of an Open Inference Protocol datatype, if served.
pub fn parse_oip_datatype(s: &str) -> Option<ElemType> {
    super::tensor::ELEM_TYPES
        .iter()
        .copied()
        .find(|&e| oip_datatype(e) == s)
}

/// Tensor elements as JSON lists, flat or nested (the Open Inference
/// Protocol allows both), read flat in row-major order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlatData(pub Vec<Scalar>);

impl Serialize for FlatData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

struct Flatten<'a>(&'a mut Vec<Scalar>);

impl<'de> Visitor<'de> for Flatten<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("numbers or booleans, in flat or nested lists")
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push(Scalar::Int(v));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0
            .push(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int));
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.push(Scalar::Float(v));
        Ok(())
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.push(Scalar::Bool(v));
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Flatten(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Flatten<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Deserialize<'de> for FlatData {
    /// Streams the elements into one vector, without a `serde_json::Value`
    /// per element (an image has hundreds of thousands).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Vec::new();
        d.deserialize_any(Flatten(&mut out))?;
        Ok(FlatData(out))
    }
}

/// One input of an Open Inference Protocol request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OipInput {
    /// Input name.
    pub name: String,
    /// Shape.
    pub shape: Vec<i64>,
    /// Element type, e.g. `FP32`.
    pub datatype: String,
    /// Per-input parameters (accepted, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Elements, flat or nested, row-major.
    pub data: FlatData,
}

/// An Open Inference Protocol inference request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OipRequest {
    /// Request id, echoed in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Request parameters (accepted, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// The inputs.
    pub inputs: Vec<OipInput>,
    /// Outputs asked for (accepted; every output is answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Value>,
}

impl OipRequest {
    /// The request for `tensors`.
    pub fn from_tensors(tensors: &[Tensor]) -> OipRequest {
        OipRequest {
            id: None,
            parameters: None,
            inputs: tensors
                .iter()
                .map(|t| OipInput {
                    name: t.name.clone(),
                    shape: t.shape.clone(),
                    datatype: oip_datatype(t.elem_type()).to_string(),
                    parameters: None,
                    data: FlatData(WireInput::from_tensor(t).data),
                })
                .collect(),
            outputs: None,
        }
    }

    /// The same inputs in advisor's form, for the model's checks.
    pub fn into_predict(self) -> Result<PredictRequest, PayloadError> {
        let mut inputs = BTreeMap::new();
        for i in self.inputs {
            let elem = parse_oip_datatype(&i.datatype).ok_or_else(|| {
                PayloadError(format!(
                    "input '{}': datatype '{}' is not served; expected one of {}",
                    i.name,
                    i.datatype,
                    super::tensor::ELEM_TYPES
                        .iter()
                        .map(|&e| oip_datatype(e))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if inputs.contains_key(&i.name) {
                return Err(PayloadError(format!("input '{}' given twice", i.name)));
            }
            let wire = WireInput {
                dtype: elem.name().to_string(),
                shape: i.shape,
                data: i.data.0,
            };
            inputs.insert(i.name, wire);
        }
        Ok(PredictRequest {
            inputs: Some(inputs),
        })
    }
}

/// What a JSON body's top level says about its protocol.
#[derive(Default)]
struct Probe {
    inputs_is_list: Option<bool>,
    instances: bool,
}

impl<'de> Deserialize<'de> for Probe {
    /// Reads the keys of the top-level object, skipping values, to tell the
    /// protocol without building the body twice.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Kind(bool);
        impl<'de> Deserialize<'de> for Kind {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Kind;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a list or an object")
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Kind, A::Error> {
                        while s.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(Kind(true))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Kind, A::Error> {
                        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                        Ok(Kind(false))
                    }
                }
                d.deserialize_any(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Probe;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Probe, A::Error> {
                let mut p = Probe::default();
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "inputs" => p.inputs_is_list = Some(m.next_value::<Kind>()?.0),
                        "instances" => {
                            m.next_value::<IgnoredAny>()?;
                            p.instances = true;
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(V)
    }
}

/// The protocol of a JSON body: OIP when `inputs` is a list, instances when
/// it has `instances`, else advisor's (whose errors then name what is wrong).
pub fn detect_json(body: &[u8]) -> Protocol {
    match serde_json::from_slice::<Probe>(body) {
        Ok(Probe {
            inputs_is_list: Some(true),
            ..
        }) => Protocol::Oip,
        Ok(Probe {
            instances: true,
            inputs_is_list: None,
        }) => Protocol::Instances,
        _ => Protocol::Advisor,
    }
}

/// A `{"instances": [...]}` body.
#[derive(Debug, Clone, Deserialize)]
pub struct InstancesRequest {
    /// One entry per batch item.
    pub instances: Vec<Value>,
    /// Request parameters (accepted, not used).
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// The shape and flat elements of a nested JSON list (or a scalar).
fn nested(v: &Value, at: &str) -> Result<(Vec<i64>, Vec<Scalar>), PayloadError> {
    match v {
        Value::Bool(b) => Ok((vec![], vec![Scalar::Bool(*b)])),
        Value::Number(n) => Ok((
            vec![],
            vec![n
                .as_i64()
                .map(Scalar::Int)
                .unwrap_or_else(|| Scalar::Float(n.as_f64().unwrap_or(f64::NAN)))],
        )),
        Value::Array(items) => {
            let mut shape = None;
            let mut data = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let (s, d) = nested(item, at)?;
                match &shape {
                    None => shape = Some(s),
                    Some(first) if *first != s => {
                        return Err(PayloadError(format!(
                            "{at}: item {i} has shape {s:?}, item 0 has {first:?}; rows must be the same shape"
                        )))
                    }
                    Some(_) => {}
                }
                data.extend(d);
            }
            let mut full = vec![items.len() as i64];
            full.extend(shape.unwrap_or_default());
            Ok((full, data))
        }
        _ => Err(PayloadError(format!(
            "{at}: expected numbers or booleans in nested lists"
        ))),
    }
}

impl InstancesRequest {
    /// Stacks the instances into one batch per input: `inputs` names the
    /// model's inputs and their element types, in order. With one input an
    /// instance is that input's row; with several, an object of name to row.
    pub fn into_predict(
        self,
        inputs: &[(String, ElemType)],
    ) -> Result<(usize, PredictRequest), PayloadError> {
        let n = self.instances.len();
        if n == 0 {
            return Err(PayloadError("instances: expected at least one".into()));
        }
        let mut stacked: BTreeMap<String, (Vec<i64>, Vec<Scalar>)> = BTreeMap::new();
        for (i, inst) in self.instances.iter().enumerate() {
            for (name, _) in inputs {
                let row = match (inputs.len(), inst) {
                    (1, Value::Object(m)) if m.contains_key(name) => &m[name],
                    (1, v) => v,
                    (_, Value::Object(m)) => m.get(name).ok_or_else(|| {
                        PayloadError(format!("instances[{i}]: missing input '{name}'"))
                    })?,
                    _ => {
                        return Err(PayloadError(format!(
                        "instances[{i}]: the model has {} inputs; expected an object of input name to row",
                        inputs.len()
                    )))
                    }
                };
                let (shape, data) = nested(row, &format!("instances[{i}].{name}"))?;
                let entry = stacked
                    .entry(name.clone())
                    .or_insert_with(|| (shape.clone(), Vec::new()));
                if entry.0 != shape {
                    return Err(PayloadError(format!(
                        "instances[{i}].{name} has shape {shape:?}, instances[0] has {:?}",
                        entry.0
                    )));
                }
                entry.1.extend(data);
            }
        }
        let wire = inputs
            .iter()
            .map(|(name, elem)| {
                let (row, data) = stacked.remove(name).unwrap_or_default();
                let mut shape = vec![n as i64];
                shape.extend(row);
                let w = WireInput {
                    dtype: elem.name().to_string(),
                    shape,
                    data,
                };
                (name.clone(), w)
            })
            .collect();
        Ok((n, PredictRequest { inputs: Some(wire) }))
    }
}

/// The elements of a tensor as JSON values, flat.
fn json_elements(d: &TensorData) -> Vec<Value> {
    match serde_json::to_value(d) {
        Ok(Value::Array(v)) => v,
        _ => Vec::new(),
    }
}

/// Nests flat elements by `shape` (row-major).
fn nest(flat: &[Value], shape: &[i64]) -> Value {
    match shape.split_first() {
        None => flat.first().cloned().unwrap_or(Value::Null),
        Some((&n, rest)) => {
            let n = n.max(0) as usize;
            let step = flat.len().checked_div(n).unwrap_or(0);
            Value::Array(
                (0..n)
                    .map(|i| nest(&flat[i * step..(i + 1) * step], rest))
                    .collect(),
            )
        }
    }
}

/// The Open Inference Protocol answer for `outputs`.
pub fn oip_response(model_name: &str, id: Option<&str>, outputs: &[Tensor]) -> Value {
    let outs: Vec<Value> = outputs
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "shape": t.shape,
                "datatype": oip_datatype(t.elem_type()),
                "data": t.data,
            })
        })
        .collect();
    let mut v = json!({ "model_name": model_name, "outputs": outs });
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

/// The `{"predictions": [...]}` answer for a batch of `n` instances: each
/// output split along its first dimension, one row per instance (an output
/// without that batch dimension is given whole to every instance).
pub fn predictions_response(n: usize, outputs: &[Tensor]) -> Value {
    let rows: Vec<Vec<Value>> = outputs
        .iter()
        .map(|t| {
            let flat = json_elements(&t.data);
            if t.shape.first() == Some(&(n as i64)) {
                match nest(&flat, &t.shape) {
                    Value::Array(rows) => rows,
                    other => vec![other; n],
                }
            } else {
                vec![nest(&flat, &t.shape); n]
            }
        })
        .collect();
    let predictions: Vec<Value> = (0..n)
        .map(|i| {
            if outputs.len() == 1 {
                rows[0][i].clone()
            } else {
                Value::Object(
                    outputs
                        .iter()
                        .zip(&rows)
                        .map(|(t, r)| (t.name.clone(), r[i].clone()))
                        .collect(),
                )
            }
        })
        .collect();
    json!({ "predictions": predictions })
}

/// A `{"instances": [...]}` body for `tensors`: one row per item of their
/// first (batch) dimension.
pub fn instances_body(tensors: &[Tensor]) -> Value {
    let per_input: Vec<Vec<Value>> = tensors
        .iter()
        .map(|t| match nest(&json_elements(&t.data), &t.shape) {
            Value::Array(rows) => rows,
            other => vec![other],
        })
        .collect();
    let n = per_input.iter().map(Vec::len).min().unwrap_or(0);
    let instances: Vec<Value> = (0..n)
        .map(|i| {
            if tensors.len() == 1 {
                per_input[0][i].clone()
            } else {
                Value::Object(
                    tensors
                        .iter()
                        .zip(&per_input)
                        .map(|(t, rows)| (t.name.clone(), rows[i].clone()))
                        .collect(),
                )
            }
        })
        .collect();
    json!({ "instances": instances })
}

/// Elements in a flat or nested JSON list.
fn count_elements(v: &Value) -> usize {
    match v {
        Value::Array(items) => items.iter().map(count_elements).sum(),
        _ => 1,
    }
}

fn shape_of(v: &Value, at: &str) -> Result<usize, String> {
    let dims = v
        .as_array()
        .ok_or_else(|| format!("{at}: no shape list"))?
        .iter()
        .map(|d| {
            d.as_u64()
                .ok_or_else(|| format!("{at}: shape {v} is not sizes"))
        })
        .collect::<Result<Vec<u64>, String>>()?;
    Ok(dims.iter().product::<u64>() as usize)
}

/// Checks that an answer's body has the shape `protocol` promises: every
/// output's elements as many as its shape says. The error is the reason.
pub fn check_answer(protocol: Protocol, body: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("answer is not JSON: {e}"))?;
    match protocol {
        Protocol::Advisor | Protocol::Raw => {
            let outs = v["outputs"]
                .as_object()
                .ok_or("answer has no \"outputs\" object")?;
            for (name, o) in outs {
                let want = shape_of(&o["shape"], &format!("output '{name}'"))?;
                let elements = o["elements"].as_u64().map(|e| e as usize);
                let data = o.get("data").map(count_elements);
                if elements.is_some_and(|e| e != want) || data.is_some_and(|d| d != want) {
                    return Err(format!(
                        "output '{name}': shape {} needs {want} elements, the answer has {}",
                        o["shape"],
                        data.or(elements).unwrap_or(0)
                    ));
                }
            }
            Ok(())
        }
        Protocol::Oip => {
            let outs = v["outputs"]
                .as_array()
                .filter(|o| !o.is_empty())
                .ok_or("answer has no \"outputs\" list")?;
            for (i, o) in outs.iter().enumerate() {
                let name = o["name"]
                    .as_str()
                    .ok_or(format!("outputs[{i}] has no name"))?;
                if !o["datatype"].is_string() {
                    return Err(format!("output '{name}' has no datatype"));
                }
                let want = shape_of(&o["shape"], &format!("output '{name}'"))?;
                let got = count_elements(&o["data"]);
                if got != want || !o["data"].is_array() {
                    return Err(format!(
                        "output '{name}': shape {} needs {want} elements, the answer has {got}",
                        o["shape"]
                    ));
                }
            }
            Ok(())
        }
        Protocol::Instances => match v["predictions"].as_array() {
            Some(p) if !p.is_empty() => Ok(()),
            _ => Err("answer has no \"predictions\" list".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_are_told_by_content() {
        assert_eq!(detect_json(br#"{"inputs": []}"#), Protocol::Oip);
        assert_eq!(
            detect_json(br#"{"id": "a", "inputs": [{"name": "x"}]}"#),
            Protocol::Oip
        );
        assert_eq!(detect_json(br#"{"inputs": {}}"#), Protocol::Advisor);
        assert_eq!(detect_json(b"{}"), Protocol::Advisor);
        assert_eq!(detect_json(br#"{"instances": [[1]]}"#), Protocol::Instances);
        assert_eq!(detect_json(b"not json"), Protocol::Advisor);
    }

    #[test]
    fn oip_data_may_be_flat_or_nested() {
        let r: OipRequest = serde_json::from_str(
            r#"{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4.5]]}]}"#,
        )
        .unwrap();
        let p = r.into_predict().unwrap();
        let x = &p.inputs.unwrap()["x"];
        assert_eq!(x.dtype, "float32");
        assert_eq!(x.data.len(), 4);
        let bad: OipRequest = serde_json::from_str(
            r#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP16", "data": [1]}]}"#,
        )
        .unwrap();
        let e = bad.into_predict().unwrap_err();
        assert!(e.0.contains("FP16") && e.0.contains("FP32"), "{e}");
    }

    #[test]
    fn instances_stack_into_a_batch_and_predictions_split_it() {
        let r: InstancesRequest =
            serde_json::from_str(r#"{"instances": [[1, 2], [3, 4]]}"#).unwrap();
        let (n, p) = r.into_predict(&[("x".to_string(), ElemType::F32)]).unwrap();
        assert_eq!(n, 2);
        assert_eq!(p.inputs.as_ref().unwrap()["x"].shape, vec![2, 2]);
        let ragged: InstancesRequest =
            serde_json::from_str(r#"{"instances": [[1, 2], [3]]}"#).unwrap();
        assert!(ragged
            .into_predict(&[("x".to_string(), ElemType::F32)])
            .is_err());
        let y = Tensor {
            name: "y".into(),
            shape: vec![2, 2],
            data: TensorData::F32(vec![2.0, 4.0, 6.0, 8.0]),
        };
        assert_eq!(
            predictions_response(2, &[y]),
            json!({"predictions": [[2.0, 4.0], [6.0, 8.0]]})
        );
    }

    #[test]
    fn answers_are_checked_for_shape() {
        let ok =
            br#"{"outputs": [{"name": "y", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}"#;
        assert_eq!(check_answer(Protocol::Oip, ok), Ok(()));
        let short =
            br#"{"outputs": [{"name": "y", "shape": [1, 3], "datatype": "FP32", "data": [1, 2]}]}"#;
        let e = check_answer(Protocol::Oip, short).unwrap_err();
        assert!(e.contains("needs 3 elements") && e.contains("has 2"), "{e}");
        assert!(check_answer(Protocol::Oip, br#"{"outputs": {}}"#).is_err());
        let adv = br#"{"outputs": {"y": {"dtype": "float32", "shape": [2], "elements": 2, "data": [1, 2]}}}"#;
        assert_eq!(check_answer(Protocol::Advisor, adv), Ok(()));
        assert!(check_answer(Protocol::Advisor, b"ok").is_err());
        assert_eq!(
            check_answer(Protocol::Instances, br#"{"predictions": [[1]]}"#),
            Ok(())
        );
        assert!(check_answer(Protocol::Instances, br#"{"predictions": []}"#).is_err());
    }

    #[test]
    fn oip_answers_name_the_model_and_echo_the_id() {
        let y = Tensor {
            name: "y".into(),
            shape: vec![1],
            data: TensorData::I64(vec![7]),
        };
        assert_eq!(
            oip_response("m", Some("r1"), &[y]),
            json!({"model_name": "m", "id": "r1", "outputs": [{"name": "y", "shape": [1], "datatype": "INT64", "data": [7]}]})
        );
    }
}
