//! Built-in models: real architectures with seeded random weights.
//!
//! Profiling needs a model's operator mix, parameter count and size, not its
//! trained values, so these graphs follow the published architectures node
//! for node and fill the weights from a fixed generator. The same build gives
//! the same bytes on every machine and every version of the dependencies.

mod albert;
pub mod graph;
mod mobilenetv2;
pub mod rng;
mod tiny_cnn;

pub use albert::{albert_base, HF_PARAMS as ALBERT_HF_PARAMS};
pub use mobilenetv2::{mobilenetv2, TORCHVISION_PARAMS as MOBILENETV2_TORCHVISION_PARAMS};
pub use tiny_cnn::tiny_cnn;

use crate::model::proto::ModelProto;
use prost::Message;

/// The models that can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// MobileNetV2 (torchvision), ~3.5 M parameters.
    MobileNetV2,
    /// ALBERT-base, 12 layers sharing weights, ~11.7 M parameters.
    AlbertBase,
    /// A tiny CNN for tests, 9,098 parameters.
    TinyCnn,
}

impl Builtin {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::MobileNetV2 => "mobilenetv2",
            Builtin::AlbertBase => "albert-base",
            Builtin::TinyCnn => "tiny-cnn",
        }
    }

    /// The model as a protobuf message.
    pub fn model(self) -> ModelProto {
        match self {
            Builtin::MobileNetV2 => mobilenetv2(),
            Builtin::AlbertBase => albert_base(),
            Builtin::TinyCnn => tiny_cnn(),
        }
    }

    /// The bytes of the `.onnx` file.
    pub fn bytes(self) -> Vec<u8> {
        self.model().encode_to_vec()
    }
}
