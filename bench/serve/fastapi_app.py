"""The FastAPI peer of bench/serve/run: one XGBoost model behind POST /predict.

Takes the body aimass's record-style predict takes ({"instances": [{"f0": 0.1, ...}]}) and
answers in the same shape ({"predictions": [{"prediction": "1", "probabilities": {"0": p0,
"1": p1}}]}), with the Python xgboost package's Booster.inplace_predict. The model file and
the feature names come from BENCH_SERVE_MODEL and BENCH_SERVE_FEATURES (comma-separated).
Run it as bench/serve/run does: python3 -m uvicorn fastapi_app:app --app-dir bench/serve
--workers N --no-access-log. Each worker is one process with one event loop, so XGBoost gets
one thread per worker.
"""
import math
import os

import numpy as np
import xgboost as xgb
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

FEATURES = os.environ["BENCH_SERVE_FEATURES"].split(",")
BOOSTER = xgb.Booster(model_file=os.environ["BENCH_SERVE_MODEL"])
BOOSTER.set_param({"nthread": 1})

app = FastAPI()


def value(record, name):
    v = record.get(name)
    return math.nan if v is None else float(v)


@app.post("/predict")
async def predict(request: Request):
    body = await request.json()
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list):
        return JSONResponse({"error": "send {\"instances\": [{...}]}"}, status_code=400)
    rows = np.array([[value(r, name) for name in FEATURES] for r in instances],
                    dtype=np.float32).reshape(len(instances), len(FEATURES))
    p1 = BOOSTER.inplace_predict(rows, missing=np.nan) if len(instances) else []
    predictions = [{"prediction": "1" if p >= 0.5 else "0",
                    "probabilities": {"0": 1.0 - float(p), "1": float(p)}} for p in p1]
    return JSONResponse({"predictions": predictions})
