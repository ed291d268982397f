//! Finding (and if asked, provisioning) the ONNX Runtime library.
