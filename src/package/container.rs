//! The package of a container offer (managed endpoints, servers, Cloud Run
//! services): a Dockerfile whose entry point runs `advisor serve` with the
//! advised workers and threads, and the platform's deploy commands.

use super::function::fill;
use super::output::PackageFile;
use super::settings::Settings;
use crate::pricing::offer::{Cloud, Kind};

const DOCKERFILE: &str = include_str!("../../templates/package/Dockerfile");
const SERVE_SH: &str = include_str!("../../templates/package/serve.sh");
const README: &str = include_str!("../../templates/package/README-container.md");

/// Where the image holds the model.
pub const MODEL_IN_IMAGE: &str = "/opt/model/model.onnx";

/// The `advisor serve` arguments the container runs (after `advisor serve`).
pub fn serve_args(s: &Settings) -> Vec<String> {
    vec![
        MODEL_IN_IMAGE.to_string(),
        "--workers".into(),
        s.workers.to_string(),
        "--threads".into(),
        s.threads.to_string(),
        "--queue".into(),
        s.queue.to_string(),
    ]
}

/// The files of a container package.
pub fn files(
    s: &Settings,
    model: Vec<u8>,
    how: &str,
    kind: Kind,
    cloud: Cloud,
) -> Vec<PackageFile> {
    let args = serve_args(s);
    let command = format!("advisor serve {}", args.join(" "));
    let size = format!("image: python:3.12-slim-bookworm with onnxruntime 1.31.1's library, advisor and the model ({:.1} MB)", model.len() as f64 / 1_048_576.0);
    let fill_all = |t: &str| {
        fill(t, s, how, &size)
            .replace("{{SERVE_COMMAND}}", &command)
            .replace("{{DEPLOY}}", &deploy(s, kind, cloud))
    };
    let manifest = serde_json::json!({
        "offer": s.offer,
        "advice_option": s.advice_option,
        "serve_args": args,
        "port": 8080,
    });
    vec![
        PackageFile::text("Dockerfile", &fill_all(DOCKERFILE)),
        PackageFile::executable("serve.sh", &fill_all(SERVE_SH)),
        PackageFile::bytes("model.onnx", model),
        PackageFile::text(
            "advisor-package.json",
            &(serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"),
        ),
        PackageFile::text("README.md", &fill_all(README)),
    ]
}

/// The platform's deploy commands for the image.
fn deploy(s: &Settings, kind: Kind, cloud: Cloud) -> String {
    let image = "REGISTRY/IMAGE:TAG";
    match (cloud, kind) {
        (Cloud::Aws, Kind::Managed) | (Cloud::Aws, Kind::Serverless) => {
            let instance = s.offer.strip_prefix("aws-sagemaker-").unwrap_or("ml.m5.xlarge");
            let variant = if kind == Kind::Serverless {
                format!("ServerlessConfig={{MemorySizeInMB={},MaxConcurrency=20}}", s.memory_mb)
            } else {
                format!("InstanceType={instance},InitialInstanceCount=1")
            };
            format!(
                "Push the image to Amazon ECR, then (SageMaker bring-your-own-container):\n\n    \
                 aws sagemaker create-model --model-name {m} --execution-role-arn ROLE_ARN \\\n        \
                 --primary-container Image={image}\n    \
                 aws sagemaker create-endpoint-config --endpoint-config-name {m} \\\n        \
                 --production-variants VariantName=main,ModelName={m},{variant}\n    \
                 aws sagemaker create-endpoint --endpoint-name {m} --endpoint-config-name {m}\n",
                m = s.model_name
            )
        }
        (Cloud::Gcp, Kind::Managed) => format!(
            "Push the image to Artifact Registry, then (Vertex AI custom container):\n\n    \
             gcloud ai models upload --region={r} --display-name={m} --container-image-uri={image} \\\n        \
             --container-ports=8080 --container-health-route=/v2/health/ready \\\n        \
             --container-predict-route=/invocations\n    \
             gcloud ai endpoints create --region={r} --display-name={m}\n    \
             gcloud ai endpoints deploy-model ENDPOINT_ID --region={r} --model=MODEL_ID --display-name={m}\n",
            r = s.region,
            m = s.model_name
        ),
        (Cloud::Gcp, _) => format!(
            "Push the image to Artifact Registry, then (Cloud Run service):\n\n    \
             gcloud run deploy {m} --image={image} --region={r} --no-allow-unauthenticated \\\n        \
             --cpu={c} --memory={mem}Mi --concurrency={conc} --min-instances={p} --timeout={t}{extra}\n",
            m = s.model_name,
            r = s.region,
            c = s.vcpu.ceil(),
            mem = s.memory_mb,
            conc = s.concurrency,
            p = s.provisioned,
            t = s.timeout_s,
            extra = cloud_run_billing(s)
        ),
        _ => "On the server (Docker installed):\n\n    \
              docker run -d --restart=always -p 8080:8080 IMAGE\n"
            .to_string(),
    }
}

/// The Cloud Run flags of instance-based billing (CPU always allocated,
/// which is how it is chosen) and of the GPU, which needs it.
fn cloud_run_billing(s: &Settings) -> String {
    let mut extra = String::new();
    if s.instance_billing {
        extra.push_str(" \\\n        --no-cpu-throttling");
    }
    if let Some(g) = &s.gpu_type {
        extra.push_str(&format!(" --gpu=1 --gpu-type={g}"));
    }
    extra
}
