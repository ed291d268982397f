//! The package of a function offer: the Python handler, its settings,
//! pinned requirements checked against the unzipped size limit, the
//! deployment README and the AWS SAM template or `gcloud` script.

use super::output::PackageFile;
use super::settings::{Form, Settings};
use crate::profile::Profile;

/// The handler: Lambda's entry point and the code both platforms share.
pub const HANDLER_PY: &str = include_str!("../../templates/package/handler.py");
/// The Cloud Run functions entry point.
const MAIN_PY: &str = include_str!("../../templates/package/main.py");
const SAM_TEMPLATE: &str = include_str!("../../templates/package/template.yaml");
const GCLOUD_SCRIPT: &str = include_str!("../../templates/package/deploy-cloud-run-function.sh");
const README: &str = include_str!("../../templates/package/README-function.md");

/// The pinned versions: the ONNX Runtime advisor is built against, and the
/// numpy its tests run with (the newest for Python 3.11 and later).
pub const ONNXRUNTIME_PIN: &str = "onnxruntime==1.31.1";
/// numpy's pin.
pub const NUMPY_PIN: &str = "numpy==2.4.6";
const GCP_PINS: &str = "functions-framework==3.10.2\ngoogle-cloud-storage==3.17.1\n";

/// Bytes in an MB of the size check (2^20, as the platforms' limits use).
const MB: f64 = 1_048_576.0;

/// The files of a function package.
pub fn files(
    s: &Settings,
    profile: &Profile,
    model: Vec<u8>,
    how: &str,
    notes: &mut Vec<String>,
) -> Vec<PackageFile> {
    let size = size_check(s, profile, model.len() as f64 / MB);
    notes.push(size.clone());
    let mut requirements = format!(
        "# Pinned by advisor package; boto3 comes with the Lambda Python runtime.\n{ONNXRUNTIME_PIN}\n{NUMPY_PIN}\n"
    );
    let mut out = vec![
        PackageFile::text("handler.py", HANDLER_PY),
        PackageFile::text("advisor-package.json", &settings_json(s)),
        PackageFile::bytes("model.onnx", model),
    ];
    match s.form {
        Form::CloudRunFunction => {
            requirements.push_str(GCP_PINS);
            out.push(PackageFile::text("main.py", MAIN_PY));
            let script = fill(GCLOUD_SCRIPT, s, how, &size);
            out.push(PackageFile::executable("deploy.sh", &script));
        }
        _ => out.push(PackageFile::text(
            "template.yaml",
            &fill(SAM_TEMPLATE, s, how, &size),
        )),
    }
    out.push(PackageFile::text("requirements.txt", &requirements));
    out.push(PackageFile::text("README.md", &fill(README, s, how, &size)));
    out
}

/// What the handler reads at start-up (the environment overrides it).
fn settings_json(s: &Settings) -> String {
    let v = serde_json::json!({
        "model_file": "model.onnx",
        "model_name": s.model_name,
        "batch_size": s.batch_size,
        "batch_wait_ms": s.batch_wait_ms,
        "threads": s.threads,
        "load_optimization": "disable",
        "offer": s.offer,
        "advice_option": s.advice_option,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// The unzipped package against the platform's limit, from the profile's
/// measured runtime and numpy sizes and the model shipped.
pub fn size_check(s: &Settings, profile: &Profile, model_mb: f64) -> String {
    let Some(import) = &profile.cold_start.import else {
        return "package size: the profile has no measured package; run `advisor profile` with Python's onnxruntime to size it".into();
    };
    let total = import.libraries_mb() + model_mb;
    let mut parts = format!(
        "runtime {:.1} MB + numpy {:.1} MB + model {:.2} MB",
        import.runtime_mb, import.numpy_mb, model_mb
    );
    if !import.is_python() {
        parts.push_str(" (numpy not measured: the profile's import fell back to the native library; its size is not counted)");
    }
    if s.form == Form::CloudRunFunction {
        parts.push_str(" (the Google client libraries not counted)");
    }
    match s.package_limit_mb {
        Some(limit) if total > limit => format!(
            "package size: {total:.1} MB unzipped ({parts}) is OVER the {limit:.0} MB limit: download the model from MODEL_URI instead of shipping it, or use a container image"
        ),
        Some(limit) => format!(
            "package size: {total:.1} MB unzipped ({parts}), within the {limit:.0} MB limit"
        ),
        None => format!("package size: {total:.1} MB unzipped ({parts})"),
    }
}

/// Replaces the `{{NAME}}` fields of a template.
pub fn fill(template: &str, s: &Settings, how: &str, size: &str) -> String {
    let fields: [(&str, String); 15] = [
        ("OFFER", s.offer.clone()),
        ("OFFER_NAME", s.offer_name.clone()),
        ("REGION", s.region.clone()),
        ("ARCH", s.arch.to_string()),
        ("MEMORY_MB", s.memory_mb.to_string()),
        (
            "MEMORY_GIB",
            format!("{}Gi", (s.memory_mb as f64 / 1024.0).ceil()),
        ),
        ("VCPU", s.vcpu.to_string()),
        ("TIMEOUT_S", s.timeout_s.to_string()),
        ("CONCURRENCY", s.concurrency.to_string()),
        ("PROVISIONED", s.provisioned.to_string()),
        ("BATCH_SIZE", s.batch_size.to_string()),
        ("BATCH_WAIT_MS", s.batch_wait_ms.to_string()),
        ("THREADS", s.threads.to_string()),
        ("MODEL_NAME", s.model_name.clone()),
        ("NOTES", format!("- {how}\n- {size}")),
    ];
    let mut out = template.to_string();
    for (k, v) in fields {
        out = out.replace(&format!("{{{{{k}}}}}"), &v);
    }
    out.replace(
        "{{ADVICE}}",
        s.advice_option
            .as_deref()
            .unwrap_or("none (the offer's own settings)"),
    )
    .replace("{{PROVISIONED_YAML}}", &provisioned_yaml(s))
    .replace("{{WORKERS}}", &s.workers.to_string())
    .replace("{{QUEUE}}", &s.queue.to_string())
}

/// SAM's provisioned concurrency lines, or a comment when none is advised.
fn provisioned_yaml(s: &Settings) -> String {
    if s.provisioned == 0 {
        "      # No provisioned concurrency advised.".into()
    } else {
        format!(
            "      AutoPublishAlias: live\n      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: {}",
            s.provisioned
        )
    }
}
