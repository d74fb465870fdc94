"""Serving end to end against the real binary: endpoints that follow an alias (switching under
load without a failed request), canary and shadow traffic, endpoints surviving a restart,
record predictions with contributions, feedback and live quality, the Open Inference
Protocol v2 (checked against the protocol's shapes), /metrics read by the Prometheus
client's parser, and bad input that changes nothing."""
import csv
import json
import os
import threading
import time
import unittest

from aimass_server import AimassServer, dataset_file, wait_until

SL, SW, PL, PW = "sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"
IRIS = {SL: 5.1, SW: 3.5, PL: 1.4, PW: 0.2}  # a setosa: class c0


class EndpointsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer(workers=1)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.server.import_dataset("iris", dataset_file("iris.csv"))
        cls.server.import_dataset("diabetes", dataset_file("diabetes.csv"))
        cls.server.import_dataset("credit", dataset_file("credit_data.csv"))
        # Three iris versions (xgboost, then linear models), one regression model.
        for learners in (["xgboost"], ["linear"], ["linear"]):
            cls.train("iris", "target", "flowers", learners)
        cls.train("diabetes", "target", "sugar", ["xgboost"])
        cls.train("credit", "Status", "credit", ["xgboost"])
        cls.put("/api/v1/models/flowers/aliases/champion", {"version": 1})

    @classmethod
    def train(cls, dataset, target, name, learners):
        r = cls.server.post("/api/v1/training-runs", {
            "dataset": dataset, "target": target, "register": name, "learners": learners,
            "budget": "60s", "max_trials": 2, "cv": 3, "ensemble": "none", "seed": 1})
        assert r.status == 202, r
        job = cls.server.wait_job(r.json()["job"]["id"], timeout=180)
        assert job["state"] == "succeeded", job

    @classmethod
    def put(cls, path, body):
        r = cls.server.request("PUT", path, body)
        assert r.status == 200, r
        return r.json()

    def deploy(self, body, status=201):
        r = self.server.post("/api/v1/endpoints", body)
        self.assertEqual(r.status, status, r)
        return r.json()

    def predict(self, endpoint, records, status=200, **extra):
        r = self.server.post(f"/api/v1/endpoints/{endpoint}/predict",
                             dict({"instances": records}, **extra))
        self.assertEqual(r.status, status, r)
        return r.json()

    def test_deploy_predict_with_contributions_and_feedback(self):
        made = self.deploy({"name": "petals", "model": "flowers@champion"})
        self.assertEqual(made["state"], "ready")
        self.assertEqual(made["serving"]["model"], "flowers@1")
        self.assertTrue(any("compiled" in note for note in made["serving"]["notes"]), made)
        answer = self.predict("petals", [IRIS, {SL: 6.5, SW: 3.0, PL: 6.0, PW: 2.2}],
                              explain=True)
        self.assertEqual((answer["model"], answer["version"]), ("flowers@1", 1))
        self.assertEqual(len(answer["predictions"]), 2)
        for p in answer["predictions"]:
            probabilities = p["probabilities"]
            self.assertAlmostEqual(sum(probabilities.values()), 1.0, places=6)
            self.assertEqual(p["prediction"], max(probabilities, key=probabilities.get))
            self.assertEqual(set(p["contributions"]), set(probabilities))  # one set per class
            self.assertIn(PL, p["contributions"][p["prediction"]])
            self.assertTrue(p["id"].startswith(answer["id"]))
        self.assertEqual(answer["predictions"][0]["prediction"], "c0")

        # Ground truth for both; live accuracy counts them.
        for p, truth in zip(answer["predictions"], ["c0", "c0"]):
            r = self.server.post("/api/v1/endpoints/petals/feedback", {"id": p["id"], "truth": truth})
            self.assertEqual(r.status, 202, r)
        quality = self.server.get_json("/api/v1/endpoints/petals/quality")
        [version] = quality["versions"]
        self.assertEqual((version["model"], version["with_feedback"]), ("flowers@1", 2))
        self.assertAlmostEqual(version["accuracy"], 0.5)

        regression = self.deploy({"name": "sugar", "model": "sugar"})
        row = {c: 0.01 for c in ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")}
        row["s6"] = None  # a missing value
        value = self.predict("sugar", [row])["predictions"][0]["prediction"]
        self.assertIsInstance(value, float)

    def test_an_alias_move_switches_under_load_without_a_failed_request(self):
        self.deploy({"name": "follow", "model": "flowers@live"}, status=404)  # no such alias yet
        self.assertEqual(self.server.get("/api/v1/endpoints/follow").status, 404)  # not stored
        self.put("/api/v1/models/flowers/aliases/live", {"version": 1})
        self.deploy({"name": "follow", "model": "flowers@live"})
        failures, versions, stop = [], [], threading.Event()

        def hammer():
            while not stop.is_set():
                r = self.server.post("/api/v1/endpoints/follow/predict", {"instances": [IRIS]})
                if r.status != 200:
                    failures.append(r)
                else:
                    versions.append(r.json()["version"])

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            time.sleep(1)
            self.put("/api/v1/models/flowers/aliases/live", {"version": 2})
            wait_until(lambda: versions and versions[-1] == 2, 15, what="the switch to version 2")
            time.sleep(0.5)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(failures, [])
        self.assertIn(1, versions)
        self.assertEqual(versions[-1], 2)
        status = self.server.get_json("/api/v1/endpoints/follow")
        self.assertEqual(status["serving"]["model"], "flowers@2")
        # The alias an endpoint follows and the version it serves cannot be deleted.
        self.assertEqual(self.server.delete("/api/v1/models/flowers/aliases/live").status, 409)
        r = self.server.delete("/api/v1/models/flowers/versions/2")
        self.assertEqual(r.status, 409, r)
        self.assertIn("served by endpoint", r.error["message"])
        self.assertEqual(self.server.delete("/api/v1/models/flowers").status, 409)

    def test_canary_splits_and_shadow_is_logged_not_returned(self):
        self.deploy({"name": "split", "model": "flowers@1", "canary": "flowers@2:50%",
                     "shadow": "flowers@3"})
        seen = {self.predict("split", [IRIS])["version"] for _ in range(60)}
        self.assertEqual(seen, {1, 2})  # never 3: the shadow only listens
        quality = wait_until(
            lambda: {v["model"]: v for v in
                     self.server.get_json("/api/v1/endpoints/split/quality")["versions"]},
            10, what="the log")
        wait_until(lambda: self.server.get_json("/api/v1/endpoints/split/quality")["versions"][-1]
                   ["predictions"] >= 60, 10, what="the shadow's 60 predictions")
        by_model = {(v["model"], v["shadow"]): v for v in
                    self.server.get_json("/api/v1/endpoints/split/quality")["versions"]}
        self.assertEqual(by_model[("flowers@3", True)]["predictions"], 60)
        self.assertEqual(by_model[("flowers@1", False)]["predictions"] +
                         by_model[("flowers@2", False)]["predictions"], 60)
        self.assertTrue(quality)

    def test_open_inference_protocol(self):
        self.deploy({"name": "oip", "model": "flowers@1"})
        server = self.server.get_json("/v2")
        self.assertEqual(server["name"], "aimass")
        self.assertIsInstance(server["extensions"], list)
        meta = self.server.get_json("/v2/models/oip")
        self.assertEqual((meta["name"], meta["versions"], meta["platform"]), ("oip", ["1"], "aimass"))
        self.assertEqual([i["name"] for i in meta["inputs"]],
                         [SL, SW, PL, PW])
        for tensor in meta["inputs"] + meta["outputs"]:
            self.assertLessEqual({"name", "datatype", "shape"}, set(tensor))
        self.assertEqual(self.server.get("/v2/models/oip/ready").status, 200)
        self.assertEqual(self.server.get("/v2/models/oip/versions/1/ready").status, 200)
        self.assertEqual(self.server.get("/v2/models/oip/versions/9/ready").status // 100, 4)

        by_column = {"id": "r1", "inputs": [
            {"name": k, "shape": [2], "datatype": "FP32", "data": [v, v]} for k, v in IRIS.items()]}
        r = self.server.post("/v2/models/oip/infer", by_column)
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertEqual((out["model_name"], out["model_version"], out["id"]), ("oip", "1", "r1"))
        outputs = {o["name"]: o for o in out["outputs"]}
        self.assertEqual(outputs["predict"], {"name": "predict", "shape": [2], "datatype": "BYTES",
                                              "data": ["c0", "c0"]})
        probabilities = outputs["probabilities"]
        self.assertEqual((probabilities["shape"], probabilities["datatype"]), ([2, 3], "FP64"))
        self.assertEqual(probabilities["parameters"]["classes"], ["c0", "c1", "c2"])
        self.assertAlmostEqual(sum(probabilities["data"][:3]), 1.0, places=6)

        matrix = {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64",
                              "data": [[5.1, 3.5, 1.4, 0.2]]}], "outputs": [{"name": "predict"}]}
        out = self.server.post("/v2/models/oip/versions/1/infer", matrix).json()
        self.assertEqual([o["name"] for o in out["outputs"]], ["predict"])
        self.assertEqual(out["outputs"][0]["data"], ["c0"])

        # Errors are the protocol's {"error": "..."}.
        for path, body, status in [
                ("/v2/models/oip/infer", {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64",
                                                      "data": [1, 2, 3]}]}, 400),
                ("/v2/models/oip/infer", {"inputs": []}, 400),
                ("/v2/models/oip/infer", {"inputs": [{"name": PL, "shape": [2],
                                                      "datatype": "FP32", "data": [1]}]}, 400),
                ("/v2/models/nothing/infer", by_column, 404),
                ("/v2/models/oip/versions/7/infer", by_column, 404)]:
            r = self.server.post(path, body)
            self.assertEqual(r.status, status, (path, r))
            self.assertEqual(set(r.json()), {"error"}, r)
            self.assertIsInstance(r.json()["error"], str)

    def test_metrics_are_prometheus_text(self):
        from prometheus_client.parser import text_string_to_metric_families
        self.deploy({"name": "counted", "model": "flowers@1"})
        for _ in range(3):
            self.predict("counted", [IRIS, IRIS])
        self.predict("counted", [{SL: "long"}], status=400)
        r = self.server.get("/metrics", token=None)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"), r.headers)
        families = {f.name: f for f in text_string_to_metric_families(r.body.decode())}
        requests = {(s.labels["model"], s.labels["outcome"]): s.value
                    for s in families["aimass_predictions"].samples
                    if s.labels.get("endpoint") == "counted" and s.name.endswith("_total")}
        self.assertEqual(requests[("flowers@1", "ok")], 3)
        self.assertEqual(requests[("flowers@1", "error")], 1)
        latency = families["aimass_prediction_duration_seconds"]
        self.assertEqual(latency.type, "histogram")
        counts = [s.value for s in latency.samples if s.name.endswith("_count")
                  and s.labels["endpoint"] == "counted"]
        self.assertEqual(counts, [4])
        self.assertGreaterEqual(next(iter(families["aimass_loaded_models"].samples)).value, 1)
        self.assertGreater(next(iter(families["process_resident_memory_bytes"].samples)).value, 0)

    def test_bad_input_is_refused_and_changes_nothing(self):
        before = self.server.get_json("/api/v1/endpoints")["endpoints"]
        for body, status, words in [
                ({"name": "x", "model": "nope@1"}, 404, "nope"),
                ({"name": "x", "model": "flowers@9"}, 404, "9"),
                ({"name": "x"}, 400, "needs a \"model\""),
                ({"name": "../x", "model": "flowers"}, 400, "endpoint name"),
                ({"name": "x", "model": "flowers", "canary": "flowers@2"}, 400, "canary"),
                ({"name": "x", "model": "flowers", "canary": {"model": "flowers@2", "percent": 101}},
                 400, "0..100")]:
            r = self.server.post("/api/v1/endpoints", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertIn(words, r.error["message"], body)
        self.assertEqual(self.server.get_json("/api/v1/endpoints")["endpoints"], before)

        self.deploy({"name": "strict", "model": "flowers@1"})
        self.deploy({"name": "strict", "model": "flowers@2"}, status=409)
        self.assertEqual(self.server.get_json("/api/v1/endpoints/strict")["serving"]["model"],
                         "flowers@1")
        for body in [{"instances": {"a": 1}}, {"instances": []}, {"records": [IRIS]},
                     {"instances": [{PL: "very long"}]}]:
            r = self.server.post("/api/v1/endpoints/strict/predict", body)
            self.assertEqual(r.status, 400, (body, r))
            self.assertTrue(r.error["message"], r)
        self.assertEqual(self.server.post("/api/v1/endpoints/absent/predict",
                                          {"instances": [IRIS]}).status, 404)
        # The list: each is a 400 that names the problem, and the server goes on.
        self.predict("strict", [dict(IRIS, **{PL: "1.4"})])  # a number as text is fine
        # A category the model never saw is not an error either.
        self.deploy({"name": "lending", "model": "credit"})
        row = {"Seniority": 9, "Home": "castle", "Time": 60, "Age": 30, "Marital": "married",
               "Records": "no", "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0,
               "Debt": 0, "Amount": 800, "Price": 846}
        answer = self.predict("lending", [row])["predictions"][0]
        self.assertIn(answer["prediction"], answer["probabilities"])
        for records, words in [
                ([{SL: 5.1, SW: 3.5, PL: 1.4}], f"has no '{PW}'"),         # a missing feature
                ([dict(IRIS, **{PL: "very long"})], PL),                    # a wrong type
                ([dict(IRIS, **{PL: "NaN"})], "not a finite number"),        # NaN
                ([dict(IRIS, **{PL: "Infinity"})], "not a finite number"),   # infinity
                ([], "non-empty array"),                                     # no instances
                ([7], "not an object")]:
            r = self.server.post("/api/v1/endpoints/strict/predict", {"instances": records})
            self.assertEqual(r.status, 400, (records, r))
            self.assertIn(words, r.error["message"], records)
        bad_numbers = json.dumps({"instances": [dict(IRIS, **{PL: 1e308})]})
        for raw, words in [(bad_numbers.replace("1e+308", "1e999"), "number overflow"),
                           (bad_numbers.replace("1e+308", "NaN"), "no NaN or Infinity"),
                           (bad_numbers.replace("1e+308", "-Infinity"), "no NaN or Infinity")]:
            r = self.server.post("/api/v1/endpoints/strict/predict", raw.encode(),
                                 headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, (raw, r))
            self.assertIn(words, r.error["message"])
        for raw in [b'{"instances": [{"a": 1}', b"[" * 100000 + b"]" * 100000,
                    b'{"instances":' + b"[" * 100000 + b"]" * 100000 + b"}"]:
            r = self.server.post("/api/v1/endpoints/strict/predict", raw,
                                 headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, r)
        # 1 GB announced: refused before it is read.
        conn = self.server.connection(timeout=10)
        try:
            conn.putrequest("POST", "/api/v1/endpoints/strict/predict")
            for k, v in self.server.auth_headers().items():
                conn.putheader(k, v)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(1 << 30))
            conn.endheaders()
            conn.send(b'{"instances": [')
            self.assertEqual(conn.getresponse().status, 413)
        finally:
            conn.close()
        # An unknown version, on both APIs.
        self.assertEqual(self.server.post("/v2/models/strict/versions/5/infer", {"inputs": [
            {"name": k, "shape": [1], "datatype": "FP64", "data": [v]} for k, v in IRIS.items()]}).status, 404)
        # The server is fine afterwards.
        self.assertEqual(self.predict("strict", [IRIS])["predictions"][0]["prediction"], "c0")
        r = self.server.post("/api/v1/endpoints/strict/feedback", {"id": "p1-0"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.server.delete("/api/v1/endpoints/strict").status, 204)
        self.assertEqual(self.server.delete("/api/v1/endpoints/strict").status, 404)


class BatchPredictionTest(unittest.TestCase):
    """Batch predictions over a dataset version, and the CLI verbs: deploy, endpoints,
    predict (a local file in, a file out)."""

    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer(workers=1)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.server.import_dataset("iris", dataset_file("iris.csv"))
        cls.server.import_dataset("diabetes", dataset_file("diabetes.csv"))
        EndpointsTest.server = cls.server
        EndpointsTest.train("iris", "target", "flowers", ["xgboost"])

    def test_cli_deploys_lists_predicts_a_file_and_deletes(self):
        p = self.server.cli("deploy", "flowers@1", "--endpoint", "cli-petals")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("serves flowers@1", p.stdout)
        p = self.server.cli("endpoints", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"cli-petals +flowers@1 +flowers@1 +ready")
        again = self.server.cli("deploy", "flowers@1", "--endpoint", "cli-petals")
        self.assertEqual(again.returncode, 1)
        self.assertIn("exists", again.stderr)

        rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]
        path_in = os.path.join(self.server.root, "rows.csv")
        path_out = os.path.join(self.server.root, "scored.csv")
        with open(path_in, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([SL, SW, PL, PW])
            writer.writerows(rows)
        p = self.server.cli("predict", "cli-petals", "--input", path_in, "--output", path_out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("3 rows", p.stdout)
        with open(path_out, newline="") as f:
            scored = list(csv.DictReader(f))
        self.assertEqual(list(scored[0]), [SL, SW, PL, PW, "prediction", "probability_c0",
                                           "probability_c1", "probability_c2"])
        online = self.server.post("/api/v1/endpoints/cli-petals/predict", {"instances": [
            dict(zip([SL, SW, PL, PW], r)) for r in rows]}).json()["predictions"]
        for row, batch, live in zip(rows, scored, online):
            self.assertEqual(float(batch[PL]), row[2])  # the input columns are kept
            self.assertEqual(batch["prediction"], live["prediction"])
            for c in ("c0", "c1", "c2"):
                self.assertAlmostEqual(float(batch["probability_" + c]), live["probabilities"][c],
                                       places=9)
        names = [d["name"] for d in self.server.get_json("/api/v1/datasets")["datasets"]]
        self.assertFalse([n for n in names if n.startswith("predict-")], names)  # cleaned up

        p = self.server.cli("predict", "cli-petals", "--input", path_in, "--output", "x.txt")
        self.assertEqual(p.returncode, 2)
        self.assertIn(".csv or .parquet", p.stderr)
        p = self.server.cli("endpoints", "delete", "cli-petals", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.server.get("/api/v1/endpoints/cli-petals").status, 404)

    def test_batch_job_writes_a_dataset_version(self):
        self.assertEqual(self.server.post("/api/v1/endpoints",
                                          {"name": "batch", "model": "flowers"}).status, 201)
        r = self.server.post("/api/v1/batch-predictions",
                             {"endpoint": "batch", "dataset": "iris@1", "output": "iris_scored"})
        self.assertEqual(r.status, 202, r)
        job = self.server.wait_job(r.json()["job"]["id"], 120)
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["kind"], "endpoint.batch_predict")
        version = self.server.get_json("/api/v1/datasets/iris_scored/versions/1")
        self.assertEqual((version["row_count"], version["column_count"]), (150, 5 + 4))
        log = self.server.get(f"/api/v1/jobs/{job['id']}/log").body.decode()
        self.assertIn("rows/s", log)

        # A dataset without the model's columns: the job fails and names the column.
        r = self.server.post("/api/v1/batch-predictions",
                             {"endpoint": "batch", "dataset": "diabetes@1", "output": "nope"})
        job = self.server.wait_job(r.json()["job"]["id"], 120)
        self.assertEqual(job["state"], "failed")
        self.assertIn(f"has no column '{SL}'", job["error"])
        self.assertEqual(self.server.get("/api/v1/datasets/nope").status, 404)
        for body, status in [({"endpoint": "batch", "dataset": "iris@1", "output": "../x"}, 400),
                             ({"endpoint": "batch", "dataset": "iris@7", "output": "x"}, 404),
                             ({"endpoint": "none", "dataset": "iris@1", "output": "x"}, 404),
                             ({"endpoint": "batch"}, 400)]:
            self.assertEqual(self.server.post("/api/v1/batch-predictions", body).status, status,
                             body)


class EndpointRestartTest(unittest.TestCase):
    def test_endpoints_are_loaded_again_on_start(self):
        with AimassServer(workers=1) as server:
            server.import_dataset("iris", dataset_file("iris.csv"))
            r = server.post("/api/v1/training-runs", {
                "dataset": "iris", "target": "target", "register": "flowers",
                "learners": ["xgboost"], "budget": "60s", "max_trials": 1, "cv": 3})
            self.assertEqual(server.wait_job(r.json()["job"]["id"], 180)["state"], "succeeded")
            self.assertEqual(server.post("/api/v1/endpoints",
                                         {"name": "petals", "model": "flowers"}).status, 201)
            server.stop()
            server.start()  # returns once /v2/health/ready is 200: endpoints are loaded
            r = server.post("/api/v1/endpoints/petals/predict", {"instances": [IRIS]})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["model"], "flowers@1")
            self.assertEqual(server.get_json("/api/v1/endpoints/petals")["state"], "ready")


if __name__ == "__main__":
    unittest.main()
