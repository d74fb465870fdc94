"""The web console's side of the server: its files at /, and the routes only it needed
(transform preview, endpoint traffic, system use). The console itself is tested in a real
browser by tests/ui."""

import os
import tempfile
import time
import unittest

from aimass_server import AimassServer, dataset_file, wait_until


class ConsoleRoutesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ui = tempfile.TemporaryDirectory()
        os.makedirs(os.path.join(cls.ui.name, "assets"))
        with open(os.path.join(cls.ui.name, "index.html"), "w") as f:
            f.write('<!doctype html><div id="root"></div>')
        with open(os.path.join(cls.ui.name, "assets", "app-1a2b.js"), "w") as f:
            f.write("console.log('console')")
        cls.server = AimassServer("--ui-dir", cls.ui.name)
        cls.addClassCleanup(cls.ui.cleanup)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.server.import_dataset("iris", dataset_file("iris.csv"))

    def test_pages_and_assets_need_no_token_and_carry_the_console_policy(self):
        for path in ("/", "/models/credit", "/datasets/iris?version=1"):
            r = self.server.get(path, token=None)
            self.assertEqual(r.status, 200, path)
            self.assertIn(b'<div id="root">', r.body)
            self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
            self.assertEqual(r.headers["Cache-Control"], "no-cache")
        r = self.server.get("/assets/app-1a2b.js", token=None)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/javascript"))
        self.assertIn("immutable", r.headers["Cache-Control"])
        for missing in ("/assets/gone.js", "/robots.txt", "/%2e%2e/%2e%2e/etc/passwd"):
            self.assertEqual(self.server.get(missing, token=None).status, 404, missing)

    def test_api_paths_never_fall_through_to_the_console(self):
        for path in ("/api/v1/no/such/route", "/v2/nothing", "/api"):
            r = self.server.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.error["code"], "not_found")
        # An unknown route is refused the same with any method.
        self.assertEqual(self.server.post("/models/credit", {}).status, 404)

    def test_transform_preview_shows_rows_and_stores_nothing(self):
        before = self.server.get_json("/api/v1/datasets/iris")["versions"]
        r = self.server.post("/api/v1/transforms/preview",
                             {"input": "iris@1", "limit": 2,
                              "sql": "SELECT target, count(*) AS n FROM input GROUP BY 1 ORDER BY 1;"})
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual([c["name"] for c in doc["columns"]], ["target", "n"])
        self.assertEqual(doc["rows"], [["c0", 50], ["c1", 50]])
        self.assertTrue(doc["truncated"])
        self.assertEqual(self.server.get_json("/api/v1/datasets/iris")["versions"], before)
        refused = self.server.post("/api/v1/transforms/preview",
                                   {"input": "iris", "sql": "SELECT * FROM read_csv('/etc/passwd')"})
        self.assertEqual(refused.status, 400)
        self.assertIn("read_csv", refused.error["message"])
        bad = self.server.post("/api/v1/transforms/preview",
                               {"input": "iris", "sql": "SELECT nope FROM input"})
        self.assertEqual(bad.status, 400)
        self.assertIn("nope", bad.error["message"])
        too_many = self.server.post("/api/v1/transforms/preview",
                                    {"input": "iris", "sql": "SELECT * FROM input", "limit": 5000})
        self.assertEqual(too_many.status, 400)
        self.assertEqual(self.server.post("/api/v1/transforms/preview",
                                          {"input": "nosuch", "sql": "SELECT 1"}).status, 404)

    def test_system_use_is_for_admins(self):
        doc = self.server.get_json("/api/v1/system")
        self.assertGreaterEqual(doc["host"]["cores"], 1)
        self.assertGreater(doc["host"]["memory_total_bytes"], 0)
        self.assertGreater(doc["process"]["resident_bytes"], 0)
        self.assertGreater(doc["disk"]["total_bytes"], 0)
        self.assertEqual(doc["workers"]["threads"], 2)
        self.assertEqual(self.server.post("/api/v1/users", {"name": "viewer"}).status, 201)
        r = self.server.post("/api/v1/tokens", {"user": "viewer", "scopes": "read,write"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.server.get("/api/v1/system", token=r.json()["token"]).status, 403)

    def test_endpoint_stats_count_requests_and_errors_per_version(self):
        job = self.server.post("/api/v1/training-runs",
                               {"dataset": "iris", "target": "target", "budget": "5s",
                                "learners": ["linear"], "register": "iris_stats",
                                "ensemble": "none"}).json()["job"]
        wait_until(lambda: self.server.get_json(f"/api/v1/jobs/{job['id']}")["state"]
                   in ("succeeded", "failed"), 120, what="training")
        self.assertEqual(self.server.post("/api/v1/endpoints",
                                          {"name": "stats", "model": "iris_stats"}).status, 201)
        wait_until(lambda: self.server.get_json("/api/v1/endpoints/stats")["state"] == "ready",
                   60, what="endpoint ready")
        row = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4,
               "petal width (cm)": 0.2}
        for _ in range(3):
            r = self.server.post("/api/v1/endpoints/stats/predict", {"instances": [row]})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(self.server.post("/api/v1/endpoints/stats/predict",
                                          {"instances": [{"sepal length (cm)": 1}]}).status, 400)
        doc = self.server.get_json("/api/v1/endpoints/stats/stats")
        [version] = doc["versions"]
        self.assertEqual(version["model"], "iris_stats@1")
        self.assertEqual((version["requests"], version["errors"]), (4, 1))
        latency = version["latency_seconds"]
        self.assertEqual(latency["count"], 4)
        self.assertEqual(len(latency["cumulative_counts"]), len(latency["bounds"]) + 1)
        self.assertEqual(latency["cumulative_counts"][-1], 4)
        self.assertEqual(self.server.get("/api/v1/endpoints/nosuch/stats").status, 404)


if __name__ == "__main__":
    unittest.main()
