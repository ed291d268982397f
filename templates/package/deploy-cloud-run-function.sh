#!/usr/bin/env bash
# Deploys {{MODEL_NAME}} as a Cloud Run function ({{OFFER}}: {{OFFER_NAME}}),
# written by `advisor package`. Advice applied: {{ADVICE}}.
# Usage: MODEL_URI=gs://BUCKET/KEY ./deploy.sh [FUNCTION_NAME]
# (without MODEL_URI the model.onnx shipped in the package is used).
set -euo pipefail
cd "$(dirname "$0")"
name="${1:-{{MODEL_NAME}}}"
gcloud functions deploy "$name" \
    --gen2 \
    --region={{REGION}} \
    --runtime=python312 \
    --source=. \
    --entry-point=predict \
    --trigger-http \
    --no-allow-unauthenticated \
    --memory={{MEMORY_GIB}} \
    --cpu={{VCPU}} \
    --timeout={{TIMEOUT_S}}s \
    --concurrency={{CONCURRENCY}} \
    --min-instances={{PROVISIONED}} \
    --set-env-vars="MODEL_URI=${MODEL_URI:-},BATCH_SIZE={{BATCH_SIZE}},ORT_THREADS={{THREADS}}"
