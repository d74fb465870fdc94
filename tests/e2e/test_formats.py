"""Formats and sources: TSV, JSON lines and Parquet uploads, and an admin's import from a
path on the server."""
import os
import tempfile
import unittest

from aimass_server import AimassServer, dataset_file


class FormatsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer()
        cls.server.start()
        cls.tmp = tempfile.mkdtemp(prefix="aimass_formats_")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        for name in os.listdir(cls.tmp):
            os.remove(os.path.join(cls.tmp, name))
        os.rmdir(cls.tmp)

    def version(self, name):
        return self.server.get_json(f"/api/v1/datasets/{name}/versions/latest")

    def rows(self, name):
        page = self.server.get_json(f"/api/v1/datasets/{name}/versions/latest/preview?limit=10")
        return [c["name"] for c in page["columns"]], page["rows"]

    def test_tsv_by_extension(self):
        self.server.import_dataset("tsv", b"city\tpeople\nOslo\t709000\nBergen\t291000\n",
                                   filename="cities.tsv")
        columns, rows = self.rows("tsv")
        self.assertEqual(columns, ["city", "people"])
        self.assertEqual(rows, [["Oslo", 709000], ["Bergen", 291000]])
        self.assertEqual(self.version("tsv")["source"]["format"], "tsv")

    def test_json_lines_by_format_parameter(self):
        body = b'{"id": 1, "tag": "a", "score": 0.5}\n{"id": 2, "tag": "b", "score": 1.5}\n'
        self.server.import_dataset("jsonl", body, filename="data.txt", format="jsonl")
        columns, rows = self.rows("jsonl")
        self.assertEqual(columns, ["id", "tag", "score"])
        self.assertEqual(rows, [[1, "a", 0.5], [2, "b", 1.5]])

    def test_parquet_round_trip_through_export(self):
        self.server.import_dataset("iris_csv", dataset_file("iris.csv"))
        exported = self.server.get("/api/v1/datasets/iris_csv/versions/1/export?format=parquet")
        self.assertEqual(exported.status, 200)
        self.assertEqual(exported.body[:4], b"PAR1")
        self.server.import_dataset("iris_parquet", exported.body, filename="iris.parquet")
        v = self.version("iris_parquet")
        self.assertEqual(v["row_count"], 150)
        self.assertEqual(v["source"]["format"], "parquet")
        # The same rows and schema make the same Parquet bytes: the same blob.
        self.assertEqual(v["hash"], self.version("iris_csv")["hash"])

    def test_semicolon_separated_csv_with_delimiter(self):
        self.server.import_dataset("semi", b"a;b\n1;x\n2;y\n", filename="semi.csv",
                                   delimiter=";")
        self.assertEqual(self.rows("semi"), (["a", "b"], [[1, "x"], [2, "y"]]))

    def test_admin_imports_a_server_side_path(self):
        path = os.path.join(self.tmp, "on_server.csv")
        with open(path, "w") as f:
            f.write("x,y\n1,2\n3,4\n")
        r = self.server.post("/api/v1/datasets?name=serverside&path=" + path)
        self.assertEqual(r.status, 202, r)
        job = self.server.wait_job(r.json()["job"]["id"])
        self.assertEqual(job["state"], "succeeded", job)
        v = self.version("serverside")
        self.assertEqual(v["row_count"], 2)
        self.assertEqual(v["source"]["kind"], "server_path")
        self.assertTrue(os.path.exists(path), "a server-side file is read in place, not moved")

    def test_server_side_path_must_be_absolute_and_exist(self):
        r = self.server.post("/api/v1/datasets?name=rel&path=relative/file.csv")
        self.assertEqual(r.status, 400, r)
        self.assertIn("absolute", r.error["message"])
        r = self.server.post("/api/v1/datasets?name=gone&path=" + os.path.join(self.tmp, "nope.csv"))
        self.assertEqual(r.status, 404, r)
        self.assertIn("nope.csv", r.error["message"])

    def test_bad_names_and_formats_are_400(self):
        for query, word in (("name=../etc", "dataset name"), ("name=ok&format=xlsx", "xlsx"),
                            ("name=ok&types=Age", "column:TYPE"), ("filename=a.csv", "name")):
            with self.subTest(query=query):
                r = self.server.post("/api/v1/datasets?" + query, b"a\n1\n")
                self.assertEqual(r.status, 400, r)
                self.assertIn(word, r.error["message"])


if __name__ == "__main__":
    unittest.main()
