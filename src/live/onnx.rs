//! ONNX Runtime as a [`Backend`]: one session per worker thread.

use super::backend::{Backend, BackendFactory};
use super::signature::{DimSpec, InputSpec, Signature};
use super::tensor::{ElemType, Tensor, TensorData};
use crate::runtime::{self, Device, OptLevel};
use anyhow::{anyhow, Context};
use ort::session::Session;
use ort::value::{DynValue, TensorElementType, ValueType};
use std::path::{Path, PathBuf};

/// Makes ONNX Runtime sessions of one model.
pub struct OnnxFactory {
    model: PathBuf,
    threads: usize,
    device: Device,
    signature: Signature,
    runtime: String,
}

impl OnnxFactory {
    /// Loads the runtime (`ort_lib` first, then the usual discovery), opens
    /// the model once to read its inputs, and checks that the server can feed
    /// every one of them.
    pub fn new(
        model: &Path,
        threads: usize,
        device: Device,
        ort_lib: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let rt = runtime::init(ort_lib)?;
        let session = runtime::session(model, threads, OptLevel::All, device)?;
        let signature = signature_of(&session).with_context(|| format!("{}", model.display()))?;
        Ok(OnnxFactory {
            model: model.to_path_buf(),
            threads,
            device,
            signature,
            runtime: format!("ONNX Runtime {}", rt.version),
        })
    }
}

impl BackendFactory for OnnxFactory {
    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn describe(&self) -> String {
        format!(
            "{} on {} ({}, {} intra-op thread(s) per worker)",
            self.model.display(),
            self.runtime,
            self.device.as_str(),
            self.threads
        )
    }

    fn create(&self, _worker: usize) -> anyhow::Result<Box<dyn Backend>> {
        Ok(Box::new(OnnxBackend {
            session: runtime::session(&self.model, self.threads, OptLevel::All, self.device)?,
        }))
    }
}

/// One ONNX Runtime session.
pub struct OnnxBackend {
    session: Session,
}

impl Backend for OnnxBackend {
    fn run(&mut self, inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>> {
        let mut values: Vec<(String, DynValue)> = Vec::with_capacity(inputs.len());
        for t in inputs {
            values.push((t.name.clone(), to_value(t)?));
        }
        let outputs = self.session.run(values)?;
        let mut out = Vec::with_capacity(outputs.len());
        for (name, value) in outputs.iter() {
            out.push(from_value(name, &value)?);
        }
        Ok(out)
    }
}

fn to_value(t: Tensor) -> anyhow::Result<DynValue> {
    use ort::value::Tensor as T;
    let shape = t.shape;
    Ok(match t.data {
        TensorData::F32(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::F64(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::I64(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::I32(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::I16(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::I8(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::U8(v) => T::from_array((shape, v))?.into_dyn(),
        TensorData::Bool(v) => T::from_array((shape, v))?.into_dyn(),
    })
}

fn from_value(name: &str, v: &ort::value::DynValueRef<'_>) -> anyhow::Result<Tensor> {
    let ty = v
        .dtype()
        .tensor_type()
        .ok_or_else(|| anyhow!("output '{name}' is not a tensor"))?;
    let elem = elem_of(ty)
        .ok_or_else(|| anyhow!("output '{name}' has element type {ty:?}, not served"))?;
    fn get<T: ort::value::PrimitiveTensorElementType + Clone>(
        v: &ort::value::DynValueRef<'_>,
    ) -> anyhow::Result<(Vec<i64>, Vec<T>)> {
        let (shape, data) = v.try_extract_tensor::<T>()?;
        Ok((shape.to_vec(), data.to_vec()))
    }
    let (shape, data) = match elem {
        ElemType::F32 => get::<f32>(v).map(|(s, d)| (s, TensorData::F32(d)))?,
        ElemType::F64 => get::<f64>(v).map(|(s, d)| (s, TensorData::F64(d)))?,
        ElemType::I64 => get::<i64>(v).map(|(s, d)| (s, TensorData::I64(d)))?,
        ElemType::I32 => get::<i32>(v).map(|(s, d)| (s, TensorData::I32(d)))?,
        ElemType::I16 => get::<i16>(v).map(|(s, d)| (s, TensorData::I16(d)))?,
        ElemType::I8 => get::<i8>(v).map(|(s, d)| (s, TensorData::I8(d)))?,
        ElemType::U8 => get::<u8>(v).map(|(s, d)| (s, TensorData::U8(d)))?,
        ElemType::Bool => get::<bool>(v).map(|(s, d)| (s, TensorData::Bool(d)))?,
    };
    Ok(Tensor {
        name: name.to_string(),
        shape,
        data,
    })
}

fn elem_of(ty: TensorElementType) -> Option<ElemType> {
    Some(match ty {
        TensorElementType::Float32 => ElemType::F32,
        TensorElementType::Float64 => ElemType::F64,
        TensorElementType::Int64 => ElemType::I64,
        TensorElementType::Int32 => ElemType::I32,
        TensorElementType::Int16 => ElemType::I16,
        TensorElementType::Int8 => ElemType::I8,
        TensorElementType::Uint8 => ElemType::U8,
        TensorElementType::Bool => ElemType::Bool,
        _ => return None,
    })
}

/// The inputs of an open session, as the server checks requests against them.
fn signature_of(session: &Session) -> anyhow::Result<Signature> {
    let mut inputs = Vec::new();
    for outlet in session.inputs() {
        let name = outlet.name().to_string();
        let ValueType::Tensor {
            ty,
            shape,
            dimension_symbols,
        } = outlet.dtype()
        else {
            anyhow::bail!("input '{name}' is not a tensor; the server feeds tensors only");
        };
        let elem = elem_of(*ty).ok_or_else(|| {
            anyhow!("input '{name}' has element type {ty:?}, which the server cannot feed")
        })?;
        let dims = shape
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                if d >= 0 {
                    DimSpec::Fixed(d)
                } else {
                    let sym = dimension_symbols.get(i).filter(|s| !s.is_empty()).cloned();
                    DimSpec::Free(sym)
                }
            })
            .collect();
        inputs.push(InputSpec { name, elem, dims });
    }
    Ok(Signature { inputs })
}
