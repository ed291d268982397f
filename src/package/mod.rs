//! `advisor package`: what it takes to run one option with the advice applied.
//!
//! A function offer (AWS Lambda, Cloud Run functions) gets a Python handler
//! (templates/package/handler.py) that overlaps the model download with the
//! runtime import, loads the model optimised offline here, and batches a
//! client's request list as advised; pinned requirements checked against the
//! platform's unzipped package limit; a deployment README and an AWS SAM
//! template or a `gcloud` script. Every other offer (managed endpoints,
//! servers, Cloud Run services) gets a Dockerfile that runs `advisor serve`
//! under the container contract with the advised workers and threads.

mod container;
mod function;
mod optimize;
mod output;
mod settings;

pub use output::{write_package, PackageFile};
pub use settings::{Form, Settings};

use crate::advise::Advice;
use crate::pricing::Offer;
use crate::profile::Profile;
use std::path::{Path, PathBuf};

/// What to package.
pub struct Request<'a> {
    /// The option's offer.
    pub offer: &'a Offer,
    /// The model file.
    pub model: &'a Path,
    /// The model's profile (package size, import).
    pub profile: &'a Profile,
    /// The advice to apply, when given.
    pub advice: Option<&'a Advice>,
    /// The ONNX Runtime library, when not found the usual way.
    pub ort_lib: Option<PathBuf>,
}

/// What was written, for the command to print.
#[derive(Debug, serde::Serialize)]
pub struct Written {
    /// The folder.
    pub dir: String,
    /// The settings applied.
    pub settings: Settings,
    /// The files, relative to the folder.
    pub files: Vec<String>,
    /// Remarks (the optimisation, the size check), one line each.
    pub notes: Vec<String>,
}

/// Builds the files of the package for `req` in memory.
pub fn build(req: &Request) -> anyhow::Result<(Settings, Vec<PackageFile>, Vec<String>)> {
    let settings = Settings::derive(req.offer, req.profile, req.advice, req.model)?;
    let mut notes = settings.notes.clone();
    let (model_bytes, how) = optimize::optimised_model(req.model, req.ort_lib.as_deref())?;
    notes.push(how.clone());
    let files = match settings.form {
        Form::Lambda | Form::CloudRunFunction => {
            function::files(&settings, req.profile, model_bytes, &how, &mut notes)
        }
        Form::Container => container::files(
            &settings,
            model_bytes,
            &how,
            req.offer.kind,
            req.offer.cloud,
        ),
    };
    Ok((settings, files, notes))
}
