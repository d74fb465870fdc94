"""Datasets through the REST API: upload, list/show, preview, stats, export, type
overrides, transforms with lineage, and deletion."""

import csv
import hashlib
import io
import math
import os
import re
import shutil
import statistics
import time
import unittest

from aimass_server import AimassServer, dataset_file, wait_until

ISO_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
CREDIT_COLUMNS = ["Status", "Seniority", "Home", "Time", "Age", "Marital", "Records", "Job",
                  "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
ADULTS_SQL = "SELECT * FROM input WHERE Age > 30"


def read_credit():
    with open(dataset_file("credit_data.csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


class DatasetsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer("--transform-timeout-seconds", "20")
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.header, cls.rows = read_credit()
        cls.credit_job = cls.server.import_dataset("credit", dataset_file("credit_data.csv"))

    def assert_version_summary(self, v, dataset, version):
        self.assertEqual(v["dataset"], dataset)
        self.assertEqual(v["version"], version)
        self.assertEqual(v["ref"], f"{dataset}@{version}")
        self.assertRegex(v["hash"], r"^[0-9a-f]{64}$")
        self.assertIsInstance(v["row_count"], int)
        self.assertIsInstance(v["column_count"], int)
        self.assertGreater(v["size_bytes"], 0)
        self.assertRegex(v["created_at"], ISO_TIME)
        self.assertIsInstance(v["job_id"], int)
        self.assertIn("source", v)
        self.assertIn("lineage", v)

    # --- upload ----------------------------------------------------------------------
    def test_upload_via_api(self):
        job = self.credit_job
        self.assertEqual(job["kind"], "dataset.import")
        self.assertEqual(job["progress"], 100)
        self.assertIsNone(job["error"])
        self.assertGreaterEqual(job["attempts"], 1)
        for key in ("created_at", "started_at", "finished_at"):
            self.assertRegex(job[key], ISO_TIME)
        self.assertEqual(job["result"]["ref"], "credit@1")
        v = self.server.get_json("/api/v1/datasets/credit/versions/1")
        self.assert_version_summary(v, "credit", 1)
        self.assertEqual(v["row_count"], 4454)
        self.assertEqual(v["column_count"], 14)
        self.assertEqual(v["job_id"], job["id"])
        self.assertEqual(v["source"], {"kind": "upload", "filename": "credit_data.csv",
                                       "format": "csv"})
        self.assertIsNone(v["lineage"])
        # The blob is content-addressed: blobs/xx/rest, named by the sha256 of its plaintext
        # (the Parquet file) and stored encrypted (test_encryption.py).
        blob = self.server.blob_path(v["hash"])
        self.assertTrue(os.path.isfile(blob), blob)
        with open(blob, "rb") as f:
            self.assertEqual(f.read(8), b"AIMASSE1")
        r = self.server.get("/api/v1/datasets/credit/versions/1/export?format=parquet")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), v["hash"])
        self.assertEqual(len(r.body), v["size_bytes"])
        self.assertEqual(r.body[:4], b"PAR1")

    def test_import_job_result_is_a_version_summary(self):
        # docs/api.md: "the job's result is a VersionSummary".
        result = self.credit_job["result"]
        v = self.server.get_json("/api/v1/datasets/credit/versions/1")
        for key in ("dataset", "version", "ref", "hash", "row_count", "column_count",
                    "size_bytes", "created_at", "job_id", "source", "lineage"):
            with self.subTest(key=key):
                self.assertIn(key, result)
                self.assertEqual(result[key], v[key])

    def test_upload_via_cli(self):
        p = self.server.cli("data", "import", dataset_file("credit_data.csv"), "--name",
                            "credit_cli")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("credit_cli@1", p.stdout)
        v = self.server.get_json("/api/v1/datasets/credit_cli/versions/latest")
        self.assertEqual((v["row_count"], v["column_count"]), (4454, 14))
        self.assertEqual(v["source"]["filename"], "credit_data.csv")
        self.assertEqual([c["name"] for c in v["schema"]], CREDIT_COLUMNS)

    def test_demo_data_is_imported_on_first_start(self):
        demo = os.path.join(self.server.root, "demo")
        os.makedirs(demo, exist_ok=True)
        shutil.copy(dataset_file("iris.csv"), demo)
        server = AimassServer("--demo-data", demo)
        try:
            server.start()
            ds = wait_until(lambda: [d for d in server.get_json("/api/v1/datasets")["datasets"]
                                     if d["name"] == "iris"], 60, what="demo dataset iris")
            self.assertEqual(ds[0]["latest"]["row_count"], 150)
        finally:
            server.close()

    # --- list / show / detail --------------------------------------------------------
    def test_list(self):
        doc = self.server.get_json("/api/v1/datasets")
        credit = [d for d in doc["datasets"] if d["name"] == "credit"]
        self.assertEqual(len(credit), 1, doc)
        credit = credit[0]
        self.assertRegex(credit["created_at"], ISO_TIME)
        self.assertEqual(credit["version_count"], 1)
        self.assert_version_summary(credit["latest"], "credit", 1)

    def test_show(self):
        doc = self.server.get_json("/api/v1/datasets/credit")
        self.assertEqual(doc["name"], "credit")
        self.assertRegex(doc["created_at"], ISO_TIME)
        self.assertEqual([v["ref"] for v in doc["versions"]], ["credit@1"])
        self.assert_version_summary(doc["latest"], "credit", 1)
        self.assertEqual([c["name"] for c in doc["latest"]["schema"]], CREDIT_COLUMNS)

    def test_version_detail(self):
        one = self.server.get_json("/api/v1/datasets/credit/versions/1")
        latest = self.server.get_json("/api/v1/datasets/credit/versions/latest")
        self.assertEqual(one, latest)
        types = {c["name"]: c["type"] for c in one["schema"]}
        self.assertEqual(types["Age"], "BIGINT")
        self.assertEqual(types["Status"], "VARCHAR")
        self.assertEqual(len(one["schema"]), one["column_count"])

    def test_missing_things_are_404(self):
        for path in ["/api/v1/datasets/nosuch", "/api/v1/datasets/nosuch/versions/1",
                     "/api/v1/datasets/credit/versions/42",
                     "/api/v1/datasets/credit/versions/42/preview",
                     "/api/v1/datasets/credit/versions/42/stats",
                     "/api/v1/datasets/credit/versions/42/export?format=csv"]:
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 404, r)
                self.assertEqual(r.error["code"], "not_found")
        for path in ["/api/v1/datasets/nosuch", "/api/v1/datasets/credit/versions/42"]:
            with self.subTest(delete=path):
                r = self.server.delete(path)
                self.assertEqual(r.status, 404, r)
                self.assertEqual(r.error["code"], "not_found")

    # --- preview ---------------------------------------------------------------------
    def test_preview_paging(self):
        doc = self.server.get_json("/api/v1/datasets/credit/versions/1/preview?offset=0&limit=20")
        self.assertEqual(doc["total_rows"], 4454)
        self.assertEqual((doc["offset"], doc["limit"]), (0, 20))
        self.assertEqual([c["name"] for c in doc["columns"]], CREDIT_COLUMNS)
        self.assertEqual(len(doc["rows"]), 20)
        for got, want in zip(doc["rows"], self.rows[:20]):
            self.assertEqual(got[0], want[0])  # Status
            self.assertEqual(got[4], int(want[4]))  # Age
        page = self.server.get_json("/api/v1/datasets/credit/versions/1/preview?offset=10&limit=3")
        self.assertEqual(page["rows"], doc["rows"][10:13])
        self.assertEqual((page["offset"], page["limit"], page["total_rows"]), (10, 3, 4454))
        tail = self.server.get_json(
            "/api/v1/datasets/credit/versions/latest/preview?offset=4450&limit=10")
        self.assertEqual(len(tail["rows"]), 4)
        self.assertEqual(tail["rows"][-1][4], int(self.rows[-1][4]))
        past = self.server.get_json("/api/v1/datasets/credit/versions/1/preview?offset=5000")
        self.assertEqual(past["rows"], [])
        self.assertEqual(past["total_rows"], 4454)

    def test_preview_limit_is_capped(self):
        r = self.server.get("/api/v1/datasets/credit/versions/1/preview?limit=20000")
        if r.status == 200:
            self.assertLessEqual(r.json()["limit"], 10000)
            self.assertLessEqual(len(r.json()["rows"]), 10000)
        else:
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.error["code"], "invalid_argument")
        for bad in ["limit=-1", "offset=-5", "limit=abc"]:
            with self.subTest(query=bad):
                r = self.server.get(f"/api/v1/datasets/credit/versions/1/preview?{bad}")
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.error["code"], "invalid_argument")

    # --- stats -----------------------------------------------------------------------
    def test_stats_shape(self):
        doc = self.server.get_json("/api/v1/datasets/credit/versions/1/stats")
        self.assertEqual(doc["row_count"], 4454)
        cols = {c["name"]: c for c in doc["columns"]}
        self.assertEqual([c["name"] for c in doc["columns"]], CREDIT_COLUMNS)
        for name, c in cols.items():
            with self.subTest(column=name):
                self.assertIn("type", c)
                self.assertIsInstance(c["nulls"], int)
                self.assertIsInstance(c["distinct"], int)
                if c["type"] in ("BIGINT", "DOUBLE", "INTEGER"):
                    for key in ("min", "max", "mean", "stddev"):
                        self.assertIsInstance(c[key], (int, float), key)
                    self.assertLessEqual(c["min"], c["mean"])
                    self.assertLessEqual(c["mean"], c["max"])
                    h = c["histogram"]
                    self.assertEqual(len(h["counts"]), 20)
                    self.assertEqual(len(h["edges"]), 21)
                    self.assertAlmostEqual(h["edges"][0], c["min"])
                    self.assertAlmostEqual(h["edges"][-1], c["max"])
                    self.assertEqual(h["edges"], sorted(h["edges"]))
                    self.assertEqual(sum(h["counts"]), 4454 - c["nulls"])
                elif c["type"] == "VARCHAR":
                    top = c["top"]
                    self.assertTrue(0 < len(top) <= 10)
                    counts = [t["count"] for t in top]
                    self.assertEqual(counts, sorted(counts, reverse=True))
                    self.assertIn("min", c)
                    self.assertIn("max", c)
        # Compare with the CSV itself.
        ages = [int(r[4]) for r in self.rows]
        age = cols["Age"]
        self.assertEqual((age["min"], age["max"]), (min(ages), max(ages)))
        self.assertAlmostEqual(age["mean"], statistics.mean(ages), places=6)
        self.assertAlmostEqual(age["stddev"], statistics.stdev(ages), delta=0.01)
        self.assertLessEqual(abs(age["distinct"] - len(set(ages))), 0.1 * len(set(ages)) + 1)
        homes = [r[2] for r in self.rows]
        self.assertEqual(cols["Home"]["nulls"], homes.count(""))
        top = {t["value"]: t["count"] for t in cols["Home"]["top"]}
        self.assertEqual(top["owner"], homes.count("owner"))
        self.assertEqual(cols["Status"]["top"][0], {"value": "good",
                                                    "count": [r[0] for r in self.rows].count("good")})

    # --- export ----------------------------------------------------------------------
    def test_export_csv(self):
        r = self.server.get("/api/v1/datasets/credit/versions/1/export?format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertIn("attachment", r.headers.get("Content-Disposition", ""))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        self.assertEqual(rows[0], CREDIT_COLUMNS)
        self.assertEqual(len(rows) - 1, len(self.rows))
        self.assertEqual([row[4] for row in rows[1:]], [row[4] for row in self.rows])

    def test_export_parquet(self):
        r = self.server.get("/api/v1/datasets/credit/versions/latest/export?format=parquet")
        self.assertEqual(r.status, 200, r)
        self.assertIn("attachment", r.headers.get("Content-Disposition", ""))
        self.assertEqual(r.body[:4], b"PAR1")
        self.assertEqual(r.body[-4:], b"PAR1")

    def test_export_unknown_format_is_400(self):
        r = self.server.get("/api/v1/datasets/credit/versions/1/export?format=xlsx")
        self.assertEqual(r.status, 400, r)
        self.assertIn("xlsx", r.error["message"])

    # --- type override ---------------------------------------------------------------
    def test_type_override(self):
        self.server.import_dataset("credit_typed", dataset_file("credit_data.csv"),
                                   types="Age:DOUBLE")
        v = self.server.get_json("/api/v1/datasets/credit_typed/versions/1")
        types = {c["name"]: c["type"] for c in v["schema"]}
        self.assertEqual(types["Age"], "DOUBLE")
        self.assertEqual(types["Seniority"], "BIGINT")
        preview = self.server.get_json("/api/v1/datasets/credit_typed/versions/1/preview?limit=1")
        self.assertIsInstance(preview["rows"][0][4], float)

    # --- transforms ------------------------------------------------------------------
    def run_transform(self, body, timeout=120):
        r = self.server.post("/api/v1/transforms", body)
        self.assertEqual(r.status, 202, r)
        job = r.json()["job"]
        self.assertEqual(job["kind"], "dataset.transform")
        return self.server.wait_job(job["id"], timeout)

    def test_transform_makes_a_new_dataset_with_lineage(self):
        job = self.run_transform({"input": "credit@1", "sql": ADULTS_SQL,
                                  "output": "credit_adults"})
        self.assertEqual(job["state"], "succeeded", job)
        parent = self.server.get_json("/api/v1/datasets/credit/versions/1")
        v = self.server.get_json("/api/v1/datasets/credit_adults/versions/latest")
        self.assert_version_summary(v, "credit_adults", 1)
        self.assertEqual(v["row_count"], sum(1 for r in self.rows if int(r[4]) > 30))
        self.assertEqual(v["lineage"], {
            "parent": "credit@1", "parent_hash": parent["hash"], "sql": ADULTS_SQL,
            "sql_hash": hashlib.sha256(ADULTS_SQL.encode()).hexdigest()})
        self.assertEqual(job["result"]["ref"], "credit_adults@1")

    def test_transform_output_defaults_to_a_new_version_of_the_input(self):
        self.server.import_dataset("iris_t", dataset_file("iris.csv"))
        sql = "SELECT * FROM input WHERE target = 'c0'"
        job = self.run_transform({"input": "iris_t", "sql": sql})
        self.assertEqual(job["state"], "succeeded", job)
        doc = self.server.get_json("/api/v1/datasets/iris_t")
        self.assertEqual(sorted(v["version"] for v in doc["versions"]), [1, 2])
        self.assertEqual(doc["latest"]["version"], 2)
        self.assertEqual(doc["latest"]["row_count"], 50)
        self.assertEqual(doc["latest"]["lineage"]["parent"], "iris_t@1")

    # --- delete ----------------------------------------------------------------------
    def test_delete_version_then_dataset(self):
        self.server.import_dataset("doomed", dataset_file("iris.csv"))
        self.server.import_dataset("doomed", dataset_file("credit_data.csv"))
        r = self.server.delete("/api/v1/datasets/doomed/versions/1")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(self.server.get("/api/v1/datasets/doomed/versions/1").status, 404)
        doc = self.server.get_json("/api/v1/datasets/doomed")
        self.assertEqual([v["version"] for v in doc["versions"]], [2])
        self.assertEqual(self.server.delete("/api/v1/datasets/doomed/versions/1").status, 404)
        r = self.server.delete("/api/v1/datasets/doomed")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.server.get("/api/v1/datasets/doomed").status, 404)
        names = [d["name"] for d in self.server.get_json("/api/v1/datasets")["datasets"]]
        self.assertNotIn("doomed", names)
        self.assertEqual(self.server.delete("/api/v1/datasets/doomed").status, 404)
        # The credit blob is still used by credit@1, so it must survive.
        credit = self.server.get_json("/api/v1/datasets/credit/versions/1")
        self.assertTrue(os.path.isfile(self.server.blob_path(credit["hash"])))

    def test_delete_removes_blobs_no_version_uses(self):
        gen = "n,sq\n" + "".join(f"{i},{i * i}\n" for i in range(1000))
        job = self.server.import_dataset("blob_owner", gen.encode(), filename="gen.csv")
        v = self.server.get_json("/api/v1/datasets/blob_owner/versions/1")
        blob = self.server.blob_path(v["hash"])
        self.assertTrue(os.path.isfile(blob))
        self.assertEqual(self.server.delete("/api/v1/datasets/blob_owner").status, 204)
        wait_until(lambda: not os.path.exists(blob), 10,
                   what=f"blob {v['hash']} of the deleted dataset to be removed")
        used = {x["hash"] for x in self.server.all_versions()}
        orphans = [b for b in self.server.blob_files() if b.replace(os.sep, "") not in used]
        self.assertEqual(orphans, [])

    def test_version_in_use_by_a_running_transform_cannot_be_deleted(self):
        n = 4000
        gen = "x\n" + "".join(f"{i}\n" for i in range(1, n + 1))
        self.server.import_dataset("held", gen.encode(), filename="held.csv")
        # n^3 = 64e9 pairs: far longer than the 20 s time limit, and tiny output.
        sql = ("SELECT count(*) AS c FROM input a, input b, input c "
               "WHERE (a.x * 31 + b.x * 17 + c.x) % 1000003 = 7")
        r = self.server.post("/api/v1/transforms", {"input": "held@1", "sql": sql,
                                                    "output": "held_out"})
        self.assertEqual(r.status, 202, r)
        job_id = r.json()["job"]["id"]
        try:
            job = self.server.wait_job(job_id, 30, states=("running", "succeeded", "failed",
                                                           "cancelled"))
            self.assertEqual(job["state"], "running", job)
            r = self.server.delete("/api/v1/datasets/held/versions/1")
            self.assertEqual(r.status, 409, r)
            self.assertEqual(r.error["code"], "conflict")
            self.assertRegex(r.error["message"], rf"(?i)job\D*{job_id}\b")
            r = self.server.delete("/api/v1/datasets/held")
            self.assertEqual(r.status, 409, r)
            self.assertEqual(self.server.get("/api/v1/datasets/held/versions/1").status, 200)
        finally:
            self.server.post(f"/api/v1/jobs/{job_id}/cancel")
            job = self.server.wait_job(job_id, 40)
        self.assertIn(job["state"], ("cancelled", "failed"), job)
        r = self.server.delete("/api/v1/datasets/held/versions/1")
        self.assertEqual(r.status, 204, r)


if __name__ == "__main__":
    unittest.main()
