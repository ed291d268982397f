"""Serves an ONNX model from a function: AWS Lambda (function URL or API
Gateway HTTP API, payload format 2.0) and Cloud Run functions (main.py).

Written by `advisor package`. Settings come from advisor-package.json beside
this file; the environment overrides them (MODEL_URI, BATCH_SIZE,
ORT_THREADS, ORT_OPTIMIZATION, MODEL_NAME).

Cold start, as the study advises ("Parallel 1"): the model download starts
first, in a thread that imports its client (boto3 for s3://, the Cloud
Storage client for gs://); onnxruntime and numpy are imported while it runs.
The model is the one optimised offline at package time, so the session does
little graph work when it is created.

Bodies, told by content as `advisor serve` does:
- advisor's JSON: {"inputs": {NAME: {"dtype", "shape", "data"}}} answered
  with {"outputs": {NAME: {"dtype", "shape", "elements", "data"}}} (a
  "summary" of min, max, mean and argmax replaces "data" beyond 1000
  elements); an empty body or {} runs synthetic inputs (free dimensions 1,
  floats 0.5, integers 0);
- Open Inference Protocol: {"inputs": [{"name", "shape", "datatype", "data"}]}
  answered with {"model_name", "outputs": [{"name", "shape", "datatype", "data"}]};
- {"instances": [...]} answered with {"predictions": [...]};
- a client-side batch, {"batch": [BODY, ...]}: the requests the client
  gathered (up to BATCH_SIZE, waiting at most the advised time), run
  BATCH_SIZE at a time stacked on the first dimension where their shapes
  allow, answered with {"batch": [ANSWER, ...]} in the same order.
GET requests (/ping, /healthz, /v2/health/ready) answer the status.
"""

import base64
import json
import math
import os
import threading
import time

_T0 = time.perf_counter()
_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "advisor-package.json"), encoding="utf-8") as _f:
    SETTINGS = json.load(_f)

MODEL_URI = os.environ.get("MODEL_URI") or os.path.join(_HERE, SETTINGS["model_file"])
MODEL_NAME = os.environ.get("MODEL_NAME") or SETTINGS["model_name"]
BATCH_SIZE = max(1, int(os.environ.get("BATCH_SIZE") or SETTINGS["batch_size"]))
THREADS = max(1, int(os.environ.get("ORT_THREADS") or SETTINGS["threads"]))
OPTIMIZATION = os.environ.get("ORT_OPTIMIZATION") or SETTINGS["load_optimization"]
MAX_OUTPUT_ELEMENTS = 1000

_fetched = {}


def _fetch(uri):
    """Reads the model's bytes; runs in a thread so the imports overlap it."""
    try:
        if uri.startswith("s3://"):
            import boto3  # in the Lambda Python runtime

            bucket, _, key = uri[len("s3://"):].partition("/")
            obj = boto3.client("s3").get_object(Bucket=bucket, Key=key)
            _fetched["bytes"] = obj["Body"].read()
        elif uri.startswith("gs://"):
            from google.cloud import storage

            bucket, _, key = uri[len("gs://"):].partition("/")
            blob = storage.Client().bucket(bucket).blob(key)
            _fetched["bytes"] = blob.download_as_bytes()
        else:
            path = uri[len("file://"):] if uri.startswith("file://") else uri
            with open(path, "rb") as f:
                _fetched["bytes"] = f.read()
    except Exception as e:  # reported by the main thread, with the URI
        _fetched["error"] = e
    _fetched["done_s"] = time.perf_counter() - _T0


_download = threading.Thread(target=_fetch, args=(MODEL_URI,), daemon=True)
_download.start()
import numpy as np  # noqa: E402  (imported while the model downloads)
import onnxruntime as ort  # noqa: E402

_IMPORTED_S = time.perf_counter() - _T0
_download.join()
if "error" in _fetched:
    raise RuntimeError(f"MODEL_URI {MODEL_URI}: {_fetched['error']}")

_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
_options = ort.SessionOptions()
_options.intra_op_num_threads = THREADS
_options.inter_op_num_threads = 1
_options.graph_optimization_level = _LEVELS[OPTIMIZATION]
SESSION = ort.InferenceSession(
    _fetched.pop("bytes"), sess_options=_options, providers=["CPUExecutionProvider"]
)
INIT = {
    "download_done_s": round(_fetched["done_s"], 4),
    "imports_done_s": round(_IMPORTED_S, 4),
    "session_ready_s": round(time.perf_counter() - _T0, 4),
}

# ONNX type -> (numpy dtype, advisor's name, Open Inference Protocol's name)
_TYPES = {
    "tensor(float)": (np.float32, "float32", "FP32"),
    "tensor(double)": (np.float64, "float64", "FP64"),
    "tensor(int64)": (np.int64, "int64", "INT64"),
    "tensor(int32)": (np.int32, "int32", "INT32"),
    "tensor(int16)": (np.int16, "int16", "INT16"),
    "tensor(int8)": (np.int8, "int8", "INT8"),
    "tensor(uint8)": (np.uint8, "uint8", "UINT8"),
    "tensor(bool)": (np.bool_, "bool", "BOOL"),
}
_BY_ADVISOR = {v[1]: v for v in _TYPES.values()}
_BY_OIP = {v[2]: v for v in _TYPES.values()}
INPUTS = [(i.name, i.type, i.shape) for i in SESSION.get_inputs()]


class BadRequest(Exception):
    """A body the model cannot take: answered 400 with the reason."""


def _check(name, arr, onnx_type, dims):
    want = _TYPES.get(onnx_type)
    if want is None:
        raise BadRequest(f"input '{name}': type {onnx_type} is not served")
    if arr.dtype != want[0]:
        raise BadRequest(f"input '{name}': dtype {arr.dtype}; the model expects {want[1]}")
    if arr.ndim != len(dims):
        raise BadRequest(
            f"input '{name}': shape {list(arr.shape)} has {arr.ndim} dimensions; "
            f"the model expects {len(dims)} ({dims})"
        )
    for i, (got, d) in enumerate(zip(arr.shape, dims)):
        if isinstance(d, int) and d >= 0 and got != d:
            raise BadRequest(f"input '{name}': dimension {i} is {got}; the model expects {d}")


def _array(name, dtype, shape, data):
    try:
        arr = np.asarray(data, dtype=dtype).reshape(-1)
    except (TypeError, ValueError) as e:
        raise BadRequest(f"input '{name}': data is not {np.dtype(dtype).name} numbers ({e})")
    need = math.prod(shape)
    if arr.size != need:
        raise BadRequest(f"input '{name}': shape {shape} needs {need} elements, got {arr.size}")
    return arr.reshape(shape)


def _synthetic():
    feeds = {}
    for name, onnx_type, dims in INPUTS:
        dtype = _TYPES[onnx_type][0]
        shape = [d if isinstance(d, int) and d >= 0 else 1 for d in dims]
        fill = 0.5 if np.issubdtype(dtype, np.floating) else 0
        feeds[name] = np.full(shape, fill, dtype=dtype)
    return feeds


def _parse(req):
    """One request body (a dict) -> (protocol, feeds, request id, instances)."""
    if not isinstance(req, dict):
        raise BadRequest("expected a JSON object")
    inputs = req.get("inputs")
    if isinstance(inputs, list):
        feeds = {}
        for i, item in enumerate(inputs):
            try:
                name, dt = item["name"], item["datatype"]
                shape, data = list(item["shape"]), item["data"]
            except (KeyError, TypeError):
                raise BadRequest(f"inputs[{i}]: expected name, shape, datatype and data")
            if dt not in _BY_OIP:
                raise BadRequest(f"input '{name}': datatype '{dt}' is not served")
            feeds[name] = _array(name, _BY_OIP[dt][0], shape, data)
        return "oip", feeds, req.get("id"), None
    if "instances" in req and inputs is None:
        rows = req["instances"]
        if not isinstance(rows, list) or not rows:
            raise BadRequest("instances: expected at least one")
        feeds = {}
        for name, onnx_type, _ in INPUTS:
            col = [r[name] if isinstance(r, dict) else r for r in rows]
            feeds[name] = np.asarray(col, dtype=_TYPES[onnx_type][0])
        return "instances", feeds, None, len(rows)
    if inputs is None:
        return "advisor", _synthetic(), None, None
    if not isinstance(inputs, dict):
        raise BadRequest("inputs: expected an object of input name to {dtype, shape, data}")
    feeds = {}
    for name, t in inputs.items():
        if not isinstance(t, dict) or t.get("dtype") not in _BY_ADVISOR:
            raise BadRequest(f"input '{name}': expected dtype one of {sorted(_BY_ADVISOR)}")
        feeds[name] = _array(name, _BY_ADVISOR[t["dtype"]][0], list(t.get("shape", [])), t.get("data", []))
    return "advisor", feeds, None, None


def _validate(feeds):
    names = {n for n, _, _ in INPUTS}
    for extra in sorted(set(feeds) - names):
        raise BadRequest(f"input '{extra}': the model has no such input; it has {sorted(names)}")
    for name, onnx_type, dims in INPUTS:
        if name not in feeds:
            raise BadRequest(f"input '{name}' is missing")
        _check(name, feeds[name], onnx_type, dims)


def _names(onnx_type):
    return _TYPES.get(onnx_type, (None, "float32", "FP32"))


_OUTPUT_TYPES = {o.name: o.type for o in SESSION.get_outputs()}


def _answer(protocol, rid, n_instances, outputs):
    if protocol == "oip":
        outs = [
            {"name": k, "shape": list(v.shape), "datatype": _names(_OUTPUT_TYPES[k])[2],
             "data": v.reshape(-1).tolist()}
            for k, v in outputs.items()
        ]
        body = {"model_name": MODEL_NAME, "outputs": outs}
        if rid is not None:
            body["id"] = rid
        return body
    if protocol == "instances":
        rows = []
        for i in range(n_instances):
            row = {k: (v[i] if v.shape[:1] == (n_instances,) else v).tolist() for k, v in outputs.items()}
            rows.append(next(iter(row.values())) if len(row) == 1 else row)
        return {"predictions": rows}
    outs = {}
    for k, v in outputs.items():
        o = {"dtype": _names(_OUTPUT_TYPES[k])[1], "shape": list(v.shape), "elements": int(v.size)}
        if v.size <= MAX_OUTPUT_ELEMENTS:
            o["data"] = v.reshape(-1).tolist()
        else:
            flat = v.reshape(-1).astype(np.float64)
            o["summary"] = {"min": float(flat.min()), "max": float(flat.max()),
                            "mean": float(flat.mean()), "argmax": int(flat.argmax())}
        outs[k] = o
    return {"outputs": outs}


def _stackable(feeds):
    """The key requests must share to be stacked, or None."""
    key = []
    for name, _, dims in INPUTS:
        a = feeds[name]
        if not dims or (isinstance(dims[0], int) and dims[0] >= 0) or a.ndim == 0:
            return None
        key.append((name, a.dtype.str, a.shape[1:]))
    return tuple(key)


def run_batch(parsed):
    """Runs parsed requests BATCH_SIZE at a time, stacking those that can be."""
    results = [None] * len(parsed)
    i = 0
    while i < len(parsed):
        key = _stackable(parsed[i][1])
        j = i + 1
        while key is not None and j < len(parsed) and j - i < BATCH_SIZE and _stackable(parsed[j][1]) == key:
            j += 1
        group = parsed[i:j]
        feeds = {n: np.concatenate([p[1][n] for p in group]) for n, _, _ in INPUTS}
        names = [o.name for o in SESSION.get_outputs()]
        values = SESSION.run(names, feeds)
        rows = [p[1][INPUTS[0][0]].shape[0] if len(group) > 1 else None for p in group]
        total = sum(r or 0 for r in rows)
        start = 0
        for k, p in enumerate(group):
            if len(group) == 1:
                outs = dict(zip(names, values))
            else:
                r = rows[k]
                outs = {n: (v[start:start + r] if v.shape[:1] == (total,) else v) for n, v in zip(names, values)}
                start += r
            results[i + k] = _answer(p[0], p[2], p[3], outs)
        i = j
    return results


def _http(status, body, extra=None):
    headers = {"content-type": "application/json"}
    headers.update(extra or {})
    return status, headers, json.dumps(body)


def answer(method, path, body, headers):
    """One HTTP request -> (status, headers, body text); shared by both platforms."""
    if method == "GET":
        return _http(200, {"status": "ok", "model_name": MODEL_NAME, "batch_size": BATCH_SIZE,
                           "threads": THREADS, "init": INIT})
    try:
        if headers.get("content-type", "").startswith("application/octet-stream"):
            name = headers.get("x-input-name") or INPUTS[0][0]
            dt = headers.get("x-dtype", "float32")
            if dt not in _BY_ADVISOR:
                raise BadRequest(f"X-Dtype '{dt}' is not served")
            shape = [int(s) for s in headers.get("x-shape", "").split(",") if s.strip()]
            arr = np.frombuffer(body, dtype=np.dtype(_BY_ADVISOR[dt][0]).newbyteorder("<"))
            req = [("advisor", {name: _array(name, _BY_ADVISOR[dt][0], shape, arr)}, None, None)]
            batched = False
        else:
            doc = json.loads(body) if body.strip() else {}
            batched = isinstance(doc, dict) and isinstance(doc.get("batch"), list)
            req = [_parse(r) for r in (doc["batch"] if batched else [doc])]
        for p in req:
            _validate(p[1])
    except (BadRequest, ValueError) as e:
        return _http(400, {"error": str(e)})
    t = time.perf_counter()
    try:
        results = run_batch(req)
    except Exception as e:  # the runtime refused the inputs
        return _http(500, {"error": f"inference failed: {e}"})
    ms = f"{(time.perf_counter() - t) * 1e3:.3f}"
    return _http(200, {"batch": results} if batched else results[0], {"x-inference-ms": ms})


def handler(event, context):
    """AWS Lambda entry point: a function URL or HTTP API (2.0) event."""
    if "inputs" in event or "instances" in event or "batch" in event:
        # Invoked directly with the body as the event.
        raw, method, path, headers = json.dumps(event).encode(), "POST", "/", {}
    else:
        http = (event.get("requestContext") or {}).get("http") or {}
        method = http.get("method") or event.get("httpMethod") or "POST"
        path = event.get("rawPath") or event.get("path") or "/"
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        raw = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    status, out_headers, text = answer(method, path, raw, headers)
    return {"statusCode": status, "headers": out_headers, "body": text, "isBase64Encoded": False}
