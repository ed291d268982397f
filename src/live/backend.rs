//! The inference backend behind `advisor serve`: anything that turns input
//! tensors into output tensors, blocking.
//!
//! ONNX Runtime is one such backend ([`super::onnx`]); tests plug in others
//! so the HTTP side can be checked without a model or a runtime.

use super::signature::Signature;
use super::tensor::Tensor;

/// Runs one inference at a time; owned by one worker thread.
pub trait Backend: Send {
    /// Runs the model on `inputs` (already checked against the signature)
    /// and returns its outputs.
    fn run(&mut self, inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>>;
}

/// Makes one [`Backend`] per worker and says what the model accepts.
pub trait BackendFactory: Send + Sync {
    /// The inputs every backend made here accepts.
    fn signature(&self) -> &Signature;

    /// One line on what is served, for `GET /healthz` and the start-up message.
    fn describe(&self) -> String;

    /// A new backend for worker `worker` (0-based).
    fn create(&self, worker: usize) -> anyhow::Result<Box<dyn Backend>>;
}
