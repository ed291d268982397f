//! What to feed the model: every input's shape (with the batch dim marked) and
//! how its values are made, resolved from the model's declared inputs and the
//! user's `--dim`, `--shape`, `--fill` and `--input` flags.

use super::npy;
use super::tensor::{dtype_name, elem_size, encode, is_float, HostTensor};
use crate::error::bad_input;
use crate::model::{DType, Dim, TensorInfo};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Value for a symbolic dim whose name says it is a sequence length.
pub const DEFAULT_SEQ: i64 = 128;
/// Integer inputs that feed no embedding table get ids in `[0, DEFAULT_ID_RANGE)`.
pub const DEFAULT_ID_RANGE: i64 = 2;
/// Seed of the synthetic values (mixed with each input's name).
pub const SEED: u64 = 42;

/// One dim of a planned input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanDim {
    /// A size that does not change between measurements.
    Fixed(i64),
    /// The batch size being measured.
    Batch,
}

/// How an input's values are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fill {
    /// Standard normal samples.
    Normal {
        /// Random seed.
        seed: u64,
    },
    /// Integers drawn uniformly from `[low, high)`.
    Uniform {
        /// Smallest value.
        low: i64,
        /// One past the largest value.
        high: i64,
        /// Random seed.
        seed: u64,
    },
    /// Every element the same value.
    Constant {
        /// The value (cast to the input's type).
        value: f64,
    },
    /// Values from a `.npy` file; rows cycled to fill the batch.
    File {
        /// The file.
        path: PathBuf,
    },
}

/// One input as it will be fed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputPlan {
    /// Input name.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Dims, the batch dim marked.
    pub dims: Vec<PlanDim>,
    /// How values are made.
    pub fill: Fill,
    /// Where the values come from, for the profile's notes.
    pub why: String,
    /// Symbolic dims of this input that took a default value (so an error
    /// can point at `--dim NAME=N`).
    #[serde(default)]
    pub defaulted: Vec<String>,
}

/// Everything to feed, and at which batch sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Inputs in the model's order.
    pub inputs: Vec<InputPlan>,
    /// Batch sizes to measure.
    pub batches: Vec<u32>,
    /// Assumptions worth telling the user.
    pub notes: Vec<String>,
}

/// The user's choices about inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputChoices {
    /// Batch sizes asked for with `--batch` (`None`: the defaults).
    pub batches: Option<Vec<u32>>,
    /// `--dim NAME=VALUE`.
    pub dims: BTreeMap<String, i64>,
    /// `--shape INPUT=D0,D1,..`; a dim written `batch` takes each batch size.
    pub shapes: BTreeMap<String, Vec<PlanDim>>,
    /// `--fill INPUT=VALUE`.
    pub fills: BTreeMap<String, f64>,
    /// `--input INPUT=FILE.npy`.
    pub files: BTreeMap<String, PathBuf>,
}

/// Batch sizes measured when `--batch` is not given.
pub const DEFAULT_BATCHES: &[u32] = &[1, 2, 4, 8, 16];

/// The model's dim with placeholder names read as what they are: exporters
/// write `?` (PaddlePaddle) or `unk__N` (ONNX Runtime's shape inference) for
/// a dynamic dim without a meaning.
fn normalise(d: &Dim) -> Dim {
    match d {
        Dim::Symbolic(s) if s == "?" || s.starts_with("unk__") => Dim::Unknown,
        Dim::Fixed(v) if *v < 0 => Dim::Unknown,
        other => other.clone(),
    }
}

/// True for symbolic dim names that mean a sequence length.
fn is_seq_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "seq",
        "sequence",
        "seq_len",
        "sequence_length",
        "seqlen",
        "tokens",
        "num_tokens",
    ]
    .iter()
    .any(|s| n == *s)
        || n.starts_with("seq_")
        || n.starts_with("sequence_")
}

/// Resolves the plan for `inputs` (the model's declared inputs).
///
/// `id_ranges` (input -> rows of the embedding table it indexes) keeps
/// synthetic ids valid. Every problem is bad input that names the input and
/// the flag that fixes it.
pub fn plan(
    model: &str,
    inputs: &[TensorInfo],
    id_ranges: &BTreeMap<String, u64>,
    choices: &InputChoices,
) -> anyhow::Result<Plan> {
    let inputs: Vec<TensorInfo> = inputs
        .iter()
        .map(|i| TensorInfo {
            dims: i.dims.as_ref().map(|d| d.iter().map(normalise).collect()),
            ..i.clone()
        })
        .collect();
    let inputs = &inputs[..];
    check_names(model, inputs, choices)?;
    let batch_symbols: BTreeSet<&str> = inputs
        .iter()
        .filter_map(|i| match i.dims.as_ref()?.first()? {
            Dim::Symbolic(s) if !choices.dims.contains_key(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let mut notes = Vec::new();
    let mut planned = Vec::new();
    for input in inputs {
        if input.dtype == DType::String || elem_size(input.dtype).is_none() {
            return Err(bad_input(format!(
                "{model}: input '{}' is of type {}; advisor can only feed numeric and bool inputs \
                 (export the model with the preprocessing outside, taking numbers)",
                input.name,
                dtype_name(input.dtype)
            )));
        }
        let mut defaulted = Vec::new();
        let (dims, file_note) = plan_dims(
            model,
            input,
            &batch_symbols,
            choices,
            &mut notes,
            &mut defaulted,
        )?;
        let (fill, why) = plan_fill(input, id_ranges, choices, file_note);
        planned.push(InputPlan {
            name: input.name.clone(),
            dtype: input.dtype,
            dims,
            fill,
            why,
            defaulted,
        });
    }
    let has_batch = planned.iter().any(|p| p.dims.contains(&PlanDim::Batch));
    let batches = if has_batch {
        let mut b = choices
            .batches
            .clone()
            .unwrap_or_else(|| DEFAULT_BATCHES.to_vec());
        b.sort_unstable();
        b.dedup();
        b
    } else {
        let fixed = planned
            .first()
            .and_then(|p| match p.dims.first() {
                Some(PlanDim::Fixed(n)) if *n > 0 => Some(*n as u32),
                _ => None,
            })
            .unwrap_or(1);
        let mut note =
            format!("the model's inputs have no dynamic batch dim: profiled at batch {fixed} only");
        if choices.batches.is_some() {
            note.push_str(" (--batch ignored)");
        }
        notes.push(note);
        vec![fixed]
    };
    let largest = batches.iter().copied().max().unwrap_or(1);
    for p in &planned {
        let size = elem_size(p.dtype).unwrap_or(1);
        crate::model::limits::check_input_size(model, &p.name, &p.shape(largest), size)?;
    }
    Ok(Plan {
        inputs: planned,
        batches,
        notes,
    })
}

/// Every name in a flag must be an input (or, for `--dim`, a symbolic dim).
fn check_names(model: &str, inputs: &[TensorInfo], c: &InputChoices) -> anyhow::Result<()> {
    let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
    let list = names.join(", ");
    for (flag, keys) in [
        ("--shape", c.shapes.keys().collect::<Vec<_>>()),
        ("--fill", c.fills.keys().collect()),
        ("--input", c.files.keys().collect()),
    ] {
        if let Some(k) = keys.iter().find(|k| !names.contains(&k.as_str())) {
            return Err(bad_input(format!(
                "{flag} {k}=...: the model has no input '{k}' (its inputs: {list})"
            )));
        }
    }
    let symbols: BTreeSet<&str> = inputs
        .iter()
        .flat_map(|i| i.dims.iter().flatten())
        .filter_map(|d| match d {
            Dim::Symbolic(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(k) = c.dims.keys().find(|k| !symbols.contains(k.as_str())) {
        let known = if symbols.is_empty() {
            "none".to_string()
        } else {
            symbols.iter().copied().collect::<Vec<_>>().join(", ")
        };
        return Err(bad_input(format!(
            "--dim {k}=...: {model} has no symbolic dim '{k}' (its symbolic dims: {known})"
        )));
    }
    Ok(())
}

fn plan_dims(
    model: &str,
    input: &TensorInfo,
    batch_symbols: &BTreeSet<&str>,
    c: &InputChoices,
    notes: &mut Vec<String>,
    defaulted: &mut Vec<String>,
) -> anyhow::Result<(Vec<PlanDim>, Option<String>)> {
    let name = &input.name;
    if let Some(path) = c.files.get(name) {
        let array = npy::read(path)?;
        let shape: Vec<i64> = array.shape.iter().map(|d| *d as i64).collect();
        let declared = input.dims.as_deref();
        if let Some(d) = declared {
            check_rank_and_fixed(
                model,
                name,
                d,
                &shape,
                &format!("--input {name}={}", path.display()),
            )?;
        }
        let batch_first = declared
            .and_then(|d| d.first())
            .is_some_and(|d| is_batch_dim(d, batch_symbols, c));
        let dims = shape
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == 0 && batch_first {
                    PlanDim::Batch
                } else {
                    PlanDim::Fixed(*v)
                }
            })
            .collect();
        return Ok((dims, Some(format!("values from {}", path.display()))));
    }
    if let Some(shape) = c.shapes.get(name) {
        if let Some(d) = input.dims.as_deref() {
            // A `batch` dim is checked as 1: any size is allowed where it may stand.
            let given: Vec<i64> = shape
                .iter()
                .zip(d.iter().map(Some).chain(std::iter::repeat(None)))
                .map(|(p, decl)| match (p, decl) {
                    (PlanDim::Fixed(v), _) => *v,
                    (PlanDim::Batch, Some(Dim::Fixed(v))) => *v,
                    (PlanDim::Batch, _) => 1,
                })
                .collect();
            check_rank_and_fixed(model, name, d, &given, &format!("--shape {name}=..."))?;
        }
        return Ok((shape.clone(), None));
    }
    let Some(dims) = input.dims.as_deref() else {
        return Err(bad_input(format!(
            "{model}: input '{name}' declares no shape; pass --shape {name}=D0,D1,.."
        )));
    };
    let mut out = Vec::with_capacity(dims.len());
    for (i, d) in dims.iter().enumerate() {
        let planned = match d {
            Dim::Fixed(v) if *v >= 0 => PlanDim::Fixed(*v),
            Dim::Symbolic(s) => {
                if let Some(v) = c.dims.get(s) {
                    PlanDim::Fixed(*v)
                } else if batch_symbols.contains(s.as_str()) {
                    PlanDim::Batch
                } else if is_seq_name(s) {
                    defaulted.push(s.clone());
                    let note = format!("symbolic dim '{s}' set to {DEFAULT_SEQ} (change with --dim {s}=N)");
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                    PlanDim::Fixed(DEFAULT_SEQ)
                } else {
                    return Err(bad_input(format!(
                        "{model}: input '{name}' dim {i} is the symbolic dim '{s}' with no default; \
                         pass --dim {s}=N (or --shape {name}=D0,D1,..)"
                    )));
                }
            }
            _ if i == 0 => PlanDim::Batch,
            _ => {
                return Err(bad_input(format!(
                    "{model}: input '{name}' dim {i} is dynamic and unnamed; pass --shape {name}=D0,D1,.. \
                     (its declared shape: {})",
                    show_dims(dims)
                )))
            }
        };
        out.push(planned);
    }
    Ok((out, None))
}

fn is_batch_dim(d: &Dim, batch_symbols: &BTreeSet<&str>, c: &InputChoices) -> bool {
    match d {
        Dim::Fixed(v) => *v < 0,
        Dim::Symbolic(s) => batch_symbols.contains(s.as_str()) && !c.dims.contains_key(s),
        Dim::Unknown => true,
    }
}

fn check_rank_and_fixed(
    model: &str,
    name: &str,
    declared: &[Dim],
    given: &[i64],
    flag: &str,
) -> anyhow::Result<()> {
    if declared.len() != given.len() {
        return Err(bad_input(format!(
            "{flag}: input '{name}' of {model} has {} dims {} but {} were given",
            declared.len(),
            show_dims(declared),
            given.len()
        )));
    }
    for (i, (d, g)) in declared.iter().zip(given).enumerate() {
        if *g < 0 {
            return Err(bad_input(format!("{flag}: dim {i} is negative")));
        }
        if let Dim::Fixed(v) = d {
            if *v >= 0 && v != g {
                return Err(bad_input(format!(
                    "{flag}: input '{name}' dim {i} is fixed at {v} in {model}, {g} was given"
                )));
            }
        }
    }
    Ok(())
}

/// Dims as the model declares them, e.g. `[batch,3,?,?]`.
pub fn show_dims(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Fixed(v) => v.to_string(),
            Dim::Symbolic(s) => s.clone(),
            Dim::Unknown => "?".into(),
        })
        .collect();
    format!("[{}]", parts.join(","))
}

fn seed_for(name: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ SEED
}

fn plan_fill(
    input: &TensorInfo,
    id_ranges: &BTreeMap<String, u64>,
    c: &InputChoices,
    file_note: Option<String>,
) -> (Fill, String) {
    let name = &input.name;
    if let (Some(why), Some(path)) = (file_note, c.files.get(name)) {
        return (Fill::File { path: path.clone() }, why);
    }
    if let Some(v) = c.fills.get(name) {
        return (
            Fill::Constant { value: *v },
            format!("every element {v} (--fill)"),
        );
    }
    let seed = seed_for(name);
    let lower = name.to_ascii_lowercase();
    if is_float(input.dtype) {
        return (Fill::Normal { seed }, "standard normal".into());
    }
    if lower.contains("mask") {
        return (Fill::Constant { value: 1.0 }, "all ones (a mask)".into());
    }
    if input.dtype == DType::Bool {
        return (
            Fill::Uniform {
                low: 0,
                high: 2,
                seed,
            },
            "random true/false".into(),
        );
    }
    if let Some(rows) = id_ranges.get(name) {
        let high = (*rows).clamp(1, i64::MAX as u64) as i64;
        return (
            Fill::Uniform { low: 0, high, seed },
            format!("ids in [0, {high}) (rows of the embedding table it indexes)"),
        );
    }
    if lower.contains("token_type") || lower.contains("segment") {
        return (
            Fill::Constant { value: 0.0 },
            "all zeros (segment ids)".into(),
        );
    }
    if input.dtype == DType::U8 {
        return (
            Fill::Uniform {
                low: 0,
                high: 256,
                seed,
            },
            "uniform in [0, 256)".into(),
        );
    }
    (
        Fill::Uniform {
            low: 0,
            high: DEFAULT_ID_RANGE,
            seed,
        },
        format!(
            "integers in [0, {DEFAULT_ID_RANGE}) (feeds no embedding table; set with --fill {name}=V)"
        ),
    )
}

impl InputPlan {
    /// The shape at `batch`.
    pub fn shape(&self, batch: u32) -> Vec<i64> {
        self.dims
            .iter()
            .map(|d| match d {
                PlanDim::Fixed(v) => *v,
                PlanDim::Batch => batch as i64,
            })
            .collect()
    }

    /// `name: dtype[d0,d1,..]` with the batch dim written `batch`.
    pub fn describe(&self) -> String {
        let dims: Vec<String> = self
            .dims
            .iter()
            .map(|d| match d {
                PlanDim::Fixed(v) => v.to_string(),
                PlanDim::Batch => "batch".into(),
            })
            .collect();
        format!(
            "{}: {}[{}]",
            self.name,
            dtype_name(self.dtype),
            dims.join(",")
        )
    }

    /// The input's values at `batch`.
    pub fn tensor(&self, batch: u32) -> anyhow::Result<HostTensor> {
        let shape = self.shape(batch);
        let n: usize = shape.iter().map(|d| (*d).max(0) as usize).product();
        let size = elem_size(self.dtype).unwrap_or(1);
        let mut data = Vec::with_capacity(n * size);
        match &self.fill {
            Fill::Normal { seed } => {
                let mut rng = StdRng::seed_from_u64(*seed);
                for _ in 0..n {
                    let v: f32 = rng.sample(StandardNormal);
                    encode(v as f64, self.dtype, &mut data);
                }
            }
            Fill::Uniform { low, high, seed } => {
                let mut rng = StdRng::seed_from_u64(*seed);
                let high = (*high).max(low + 1);
                for _ in 0..n {
                    encode(rng.random_range(*low..high) as f64, self.dtype, &mut data);
                }
            }
            Fill::Constant { value } => {
                let mut one = Vec::with_capacity(size);
                encode(*value, self.dtype, &mut one);
                for _ in 0..n {
                    data.extend_from_slice(&one);
                }
            }
            Fill::File { path } => {
                let a = npy::read(path)?;
                let t = HostTensor {
                    dtype: a.dtype,
                    shape: a.shape.iter().map(|d| *d as i64).collect(),
                    data: a.data,
                }
                .cast(self.dtype);
                return Ok(if self.dims.first() == Some(&PlanDim::Batch) {
                    t.cycle_rows(batch as i64)
                } else {
                    t
                });
            }
        }
        Ok(HostTensor {
            dtype: self.dtype,
            shape,
            data,
        })
    }
}

impl Plan {
    /// Every input's values at `batch`, in the model's order.
    pub fn tensors(&self, batch: u32) -> anyhow::Result<Vec<HostTensor>> {
        self.inputs.iter().map(|i| i.tensor(batch)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, dtype: DType, dims: Vec<Dim>) -> TensorInfo {
        TensorInfo {
            name: name.into(),
            dtype,
            dims: Some(dims),
        }
    }

    fn sym(s: &str) -> Dim {
        Dim::Symbolic(s.into())
    }

    #[test]
    fn image_model_gets_batch_and_normal_values() {
        let inputs = [info(
            "x",
            DType::F32,
            vec![sym("N"), Dim::Fixed(3), Dim::Fixed(8), Dim::Fixed(8)],
        )];
        let p = plan(
            "m.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap();
        assert_eq!(p.batches, DEFAULT_BATCHES);
        assert_eq!(p.inputs[0].shape(4), vec![4, 3, 8, 8]);
        assert_eq!(p.inputs[0].describe(), "x: float32[batch,3,8,8]");
        let t = p.inputs[0].tensor(2).unwrap();
        assert_eq!(t.data.len(), 2 * 3 * 8 * 8 * 4);
        // Seeded: the same plan gives the same values.
        assert_eq!(t, p.inputs[0].tensor(2).unwrap());
    }

    #[test]
    fn language_model_ids_stay_in_the_table() {
        let inputs = [
            info("input_ids", DType::I64, vec![sym("batch"), sym("seq")]),
            info("attention_mask", DType::I64, vec![sym("batch"), sym("seq")]),
            info("token_type_ids", DType::I64, vec![sym("batch"), sym("seq")]),
        ];
        let ranges = BTreeMap::from([("input_ids".to_string(), 30000u64)]);
        let p = plan("albert.onnx", &inputs, &ranges, &InputChoices::default()).unwrap();
        assert_eq!(p.inputs[0].shape(2), vec![2, DEFAULT_SEQ]);
        assert!(p.notes.iter().any(|n| n.contains("'seq' set to 128")));
        let ids = p.inputs[0].tensor(2).unwrap();
        let max = (0..ids.len())
            .map(|i| super::super::tensor::decode(&ids.data, DType::I64, i))
            .fold(0.0, f64::max);
        assert!(max < 30000.0 && max > 1000.0, "{max}");
        let mask = p.inputs[1].tensor(1).unwrap();
        assert!(mask.data.chunks(8).all(|c| c == 1i64.to_le_bytes()));
        let types = p.inputs[2].tensor(1).unwrap();
        assert!(types.data.iter().all(|b| *b == 0));
    }

    #[test]
    fn dim_flag_binds_and_disables_the_batch_sweep_for_that_symbol() {
        let inputs = [info("x", DType::F32, vec![sym("N"), sym("len")])];
        let choices = InputChoices {
            dims: BTreeMap::from([("N".into(), 3), ("len".into(), 10)]),
            ..Default::default()
        };
        let p = plan("m.onnx", &inputs, &BTreeMap::new(), &choices).unwrap();
        assert_eq!(p.batches, vec![3]);
        assert_eq!(p.inputs[0].shape(1), vec![3, 10]);
    }

    #[test]
    fn unresolvable_dims_name_the_flag() {
        let inputs = [info("x", DType::F32, vec![sym("N"), sym("height")])];
        let err = plan(
            "m.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("--dim height=N"), "{msg}");
        assert_eq!(crate::error::exit_code(&err), 2);

        let inputs = [info("x", DType::F32, vec![Dim::Unknown, Dim::Unknown])];
        let msg = plan(
            "m.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("--shape x="), "{msg}");
    }

    #[test]
    fn shape_and_fill_cover_a_stateful_model() {
        // Shaped like silero-vad: audio [?, ?], state [2, ?, 128], sr scalar.
        let inputs = [
            info("input", DType::F32, vec![Dim::Unknown, Dim::Unknown]),
            info(
                "state",
                DType::F32,
                vec![Dim::Fixed(2), Dim::Unknown, Dim::Fixed(128)],
            ),
            info("sr", DType::I64, vec![]),
        ];
        let choices = InputChoices {
            shapes: BTreeMap::from([
                ("input".into(), vec![PlanDim::Fixed(1), PlanDim::Fixed(512)]),
                (
                    "state".into(),
                    vec![PlanDim::Fixed(2), PlanDim::Fixed(1), PlanDim::Fixed(128)],
                ),
            ]),
            fills: BTreeMap::from([("sr".into(), 16000.0)]),
            ..Default::default()
        };
        let p = plan("vad.onnx", &inputs, &BTreeMap::new(), &choices).unwrap();
        assert_eq!(p.batches, vec![1]);
        let sr = p.inputs[2].tensor(1).unwrap();
        assert!(sr.shape.is_empty());
        assert_eq!(sr.data, 16000i64.to_le_bytes().to_vec());
    }

    #[test]
    fn shape_with_batch_keeps_the_sweep_and_placeholders_are_unnamed() {
        // Shaped like PaddleOCR's classifier: [-1, 3, ?, ?].
        let inputs = [info(
            "x",
            DType::F32,
            vec![Dim::Fixed(-1), Dim::Fixed(3), sym("?"), sym("?")],
        )];
        let msg = plan(
            "cls.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("dynamic and unnamed; pass --shape x="),
            "{msg}"
        );
        let choices = InputChoices {
            shapes: BTreeMap::from([(
                "x".into(),
                vec![
                    PlanDim::Batch,
                    PlanDim::Fixed(3),
                    PlanDim::Fixed(48),
                    PlanDim::Fixed(192),
                ],
            )]),
            ..Default::default()
        };
        let p = plan("cls.onnx", &inputs, &BTreeMap::new(), &choices).unwrap();
        assert_eq!(p.batches, DEFAULT_BATCHES);
        assert_eq!(p.inputs[0].shape(8), vec![8, 3, 48, 192]);
    }

    #[test]
    fn defaulted_symbols_are_recorded() {
        let inputs = [info(
            "input",
            DType::F32,
            vec![sym("batch"), sym("sequence")],
        )];
        let p = plan(
            "vad.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap();
        assert_eq!(p.inputs[0].defaulted, vec!["sequence".to_string()]);
    }

    #[test]
    fn flags_naming_no_input_are_rejected() {
        let inputs = [info("x", DType::F32, vec![sym("N")])];
        for choices in [
            InputChoices {
                fills: BTreeMap::from([("y".into(), 1.0)]),
                ..Default::default()
            },
            InputChoices {
                dims: BTreeMap::from([("seq".into(), 1)]),
                ..Default::default()
            },
        ] {
            let msg = plan("m.onnx", &inputs, &BTreeMap::new(), &choices)
                .unwrap_err()
                .to_string();
            assert!(msg.contains("has no"), "{msg}");
        }
    }

    #[test]
    fn shape_must_agree_with_fixed_dims() {
        let inputs = [info("x", DType::F32, vec![sym("N"), Dim::Fixed(3)])];
        let choices = InputChoices {
            shapes: BTreeMap::from([("x".into(), vec![PlanDim::Batch, PlanDim::Fixed(4)])]),
            ..Default::default()
        };
        let msg = plan("m.onnx", &inputs, &BTreeMap::new(), &choices)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("fixed at 3"), "{msg}");
    }

    #[test]
    fn string_inputs_are_rejected() {
        let inputs = [info("text", DType::String, vec![sym("N")])];
        let err = plan(
            "m.onnx",
            &inputs,
            &BTreeMap::new(),
            &InputChoices::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("'text' is of type string"));
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn npy_input_fills_the_batch_by_cycling_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.npy");
        let mut data = Vec::new();
        for v in [1.0f64, 2.0, 3.0] {
            data.extend_from_slice(&v.to_le_bytes());
        }
        let a = npy::NpyArray {
            dtype: DType::F64,
            shape: vec![1, 3],
            data,
        };
        std::fs::write(&path, npy::to_bytes(&a)).unwrap();
        let inputs = [info("x", DType::F32, vec![sym("N"), Dim::Fixed(3)])];
        let choices = InputChoices {
            files: BTreeMap::from([("x".into(), path)]),
            ..Default::default()
        };
        let p = plan("m.onnx", &inputs, &BTreeMap::new(), &choices).unwrap();
        let t = p.inputs[0].tensor(2).unwrap();
        assert_eq!(t.shape, vec![2, 3]);
        assert_eq!(t.dtype, DType::F32);
        assert_eq!(&t.data[12..16], &1.0f32.to_le_bytes());
    }
}
