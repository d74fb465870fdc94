"""AutoML training end to end: POST /api/v1/training-runs and `aimass train` against the real
binary, the model each run registers, the trials it streams, and bad requests."""
import io
import json
import random
import unittest

from aimass_server import AimassServer, dataset_file

BUDGET = "6s"


def csv_bytes(header, rows):
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join("" if v is None else str(v) for v in row) + "\n")
    return out.getvalue().encode()


class TrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer(workers=1)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.server.import_dataset("iris", dataset_file("iris.csv"))
        cls.server.import_dataset("credit", dataset_file("credit_data.csv"))

    def train(self, body, status=202):
        r = self.server.post("/api/v1/training-runs", json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, status, r)
        return r

    def train_and_wait(self, body, timeout=120):
        job = self.train(body).json()["job"]
        self.assertEqual(job["kind"], "model.train")
        return self.server.wait_job(job["id"], timeout)

    def test_api_run_registers_a_model_with_its_leaderboard(self):
        job = self.train_and_wait({"dataset": "credit", "target": "Status", "budget": BUDGET,
                                   "seed": 3, "register": "credit_risk"})
        self.assertEqual(job["state"], "succeeded", job)
        result = job["result"]
        self.assertEqual(result["ref"], "credit_risk@1")
        self.assertEqual((result["task"], result["metric"]), ("binary", "roc_auc"))
        self.assertGreater(result["score"], 0.75)
        self.assertGreaterEqual(result["trials"], 2)
        self.assertTrue(result["leaderboard"])
        run = self.server.get_json(f"/api/v1/training-runs/{job['id']}")
        self.assertEqual(len(run["trials"]), result["trials"])
        first = run["trials"][0]
        for key in ("id", "learner", "params", "fold_scores", "score", "seconds"):
            self.assertIn(key, first)
        self.assertEqual(len(first["fold_scores"]), 5)
        runs = self.server.get_json("/api/v1/training-runs")["training_runs"]
        self.assertIn(job["id"], [r["id"] for r in runs])
        version = self.server.get_json("/api/v1/models/credit_risk/versions/1")
        self.assertEqual(version["task"], "binary")
        self.assertIn("roc_auc", version["metrics"])
        lineage = version["lineage"]
        self.assertEqual(lineage["dataset"], "credit@1")
        self.assertRegex(lineage["dataset_hash"], r"^[0-9a-f]{64}$")
        self.assertEqual(lineage["seed"], 3)
        self.assertIn("xgboost", lineage["libraries"])
        self.assertIn("model.json", [m["name"] for m in version["members"]])

    def test_cli_streams_trials_and_prints_the_leaderboard(self):
        p = self.server.cli("train", "iris", "--target", "target", "--budget", BUDGET,
                            "--learners", "xgboost,linear", "--cv", "3", timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"trial 1 +(xgboost|linear) +log_loss")
        self.assertIn("registered iris@1", p.stdout)
        self.assertIn("RANK", p.stdout)
        self.assertNotIn(" rf ", p.stdout)

    def test_same_seed_same_leaderboard(self):
        body = {"dataset": "iris", "target": "target", "budget": "10m", "max_trials": 5,
                "learners": ["xgboost", "linear"], "ensemble": "none", "seed": 11,
                "register": "iris_seeded"}
        scores = []
        for _ in range(2):
            job = self.train_and_wait(body)
            self.assertEqual(job["state"], "succeeded", job)
            trials = self.server.get_json(f"/api/v1/training-runs/{job['id']}")["trials"]
            scores.append([(t["learner"], t["params"], t["score"]) for t in trials])
        self.assertEqual(scores[0], scores[1])

    def test_bad_requests_are_refused_before_a_job(self):
        cases = [
            ({"dataset": "credit", "target": "Nope"}, 400, "Seniority"),
            ({"dataset": "credit", "target": "Status", "budget": 0}, 400, "more than 0 seconds"),
            ({"dataset": "credit", "target": "Status", "budget": "-1m"}, 400, "more than 0"),
            ({"dataset": "credit", "target": "Status", "learners": ["magic"]}, 400,
             "unknown learner 'magic'"),
            ({"dataset": "nosuch", "target": "Status"}, 404, "nosuch"),
            ({"target": "Status"}, 400, "'dataset' is required"),
        ]
        before = len(self.server.get_json("/api/v1/training-runs")["training_runs"])
        for body, status, text in cases:
            r = self.train(body, status)
            self.assertIn(text, r.error["message"], body)
        after = len(self.server.get_json("/api/v1/training-runs")["training_runs"])
        self.assertEqual(before, after)

    def test_bad_data_fails_the_job_clearly_and_registers_nothing(self):
        rng = random.Random(5)
        cases = {
            "constant": ([[rng.random(), "same"] for _ in range(50)], "one value"),
            "tiny": ([[rng.random(), "a" if i % 2 else "b"] for i in range(4)], "fold"),
        }
        for name, (rows, text) in cases.items():
            self.server.import_dataset(name, csv_bytes(["x", "y"], rows), filename="d.csv")
            job = self.train_and_wait({"dataset": name, "target": "y", "budget": BUDGET})
            self.assertEqual(job["state"], "failed", job)
            self.assertIn(text, job["error"])
            r = self.server.get(f"/api/v1/models/{name}")
            self.assertEqual(r.status, 404, r)

    def test_hard_columns_are_handled(self):
        """An all-missing column is dropped and a 50,000-category column is target encoded."""
        rng = random.Random(9)
        rows = []
        for i in range(50000):
            x = rng.random()
            rows.append([x, None, f"c{i}" if i % 2 else f"k{i % 5000}",
                         "yes" if x + 0.3 * rng.random() > 0.6 else "no"])
        self.server.import_dataset("hard", csv_bytes(["x", "empty", "code", "y"], rows),
                                   filename="hard.csv")
        job = self.train_and_wait({"dataset": "hard", "target": "y", "budget": BUDGET,
                                   "cv": 3}, timeout=180)
        self.assertEqual(job["state"], "succeeded", job)
        log = self.server.get(f"/api/v1/jobs/{job['id']}/log").body.decode()
        self.assertIn("empty", log)
        self.assertIn("missing", log)
        self.assertGreater(job["result"]["score"], 0.85)


if __name__ == "__main__":
    unittest.main()
