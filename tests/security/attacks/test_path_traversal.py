"""Path traversal in every name, version, id and file-name input of the REST API (the list is
in README.md), for reads, writes and deletes. Each vector must get a 4xx (never a 5xx, never
a file's content), must leave the canaries next to the data directory as they were, create
nothing outside it, and the server must still answer /v2/health/live."""

import os
import unittest
import urllib.parse

from attack_support import AttackTestCase, bundle, dataset_file

CSV = b"sepal_length,sepal_width,species\n5.1,3.5,setosa\n6.2,2.9,versicolor\n7.7,3.0,virginica\n"


def segment_vectors(canary_path):
    """Raw URL text put where a path segment goes; the comment says what the server sees."""
    absolute = urllib.parse.quote(canary_path, safe="")
    return [
        "..",                                      # ..
        "../canary.txt",                           # splits into segments
        "../../../../../../etc/passwd",
        "..%2fcanary.txt",                         # ../canary.txt in one segment
        "%2e%2e%2fcanary.txt",
        "%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary.txt",
        "%252e%252e%252fcanary.txt",               # double-encoded: %2e%2e%2fcanary.txt
        "..%5ccanary.txt",                         # ..\canary.txt
        "..\\..\\canary.txt",                      # raw backslashes
        "%2f%2fproc%2fself%2froot%2fetc%2fpasswd",  # //proc/self/root/etc/passwd
        "/proc/self/root/etc/passwd",              # raw: an empty segment, then more
        "%23%2f..%2fcanary.txt",                   # #/../canary.txt
        "#/../canary.txt",                         # raw fragment mark in the target
        "%2fetc%2fpasswd",                         # /etc/passwd
        absolute,                                  # the canary's own absolute path
        "%00",                                     # NUL
        "iris%00..%2f..%2fcanary.txt",
        "iris%2f..%2f..%2fcanary.txt",             # a valid name, then ../..
        "%c0%ae%c0%ae%c0%afcanary.txt",            # overlong UTF-8 ../
        "%ff%fe",                                  # not UTF-8
    ]


def text_vectors(canary_path):
    """Decoded text for query parameters and JSON fields."""
    return ["..", "../canary.txt", "../../../../../../etc/passwd", "..\\..\\canary.txt",
            "%2e%2e%2fcanary.txt", "%252e%252e%252fcanary.txt", "//proc/self/root/etc/passwd",
            "#/../canary.txt", "/etc/passwd", canary_path, "iris\x00../../canary.txt",
            "iris/../../canary.txt", "\x00", "\u2025/canary.txt"]


# Routes with a {param}: method, pattern, valid values, JSON body. {member...} takes slashes.
SEGMENT_ROUTES = [
    ("GET", "/api/v1/datasets/{name}", None),
    ("DELETE", "/api/v1/datasets/{name}", None),
    ("GET", "/api/v1/datasets/{name}/versions/{v}", None),
    ("GET", "/api/v1/datasets/{name}/versions/{v}/preview", None),
    ("GET", "/api/v1/datasets/{name}/versions/{v}/stats", None),
    ("GET", "/api/v1/datasets/{name}/versions/{v}/export", None),
    ("DELETE", "/api/v1/datasets/{name}/versions/{v}", None),
    ("GET", "/api/v1/models/{model}", None),
    ("PATCH", "/api/v1/models/{model}", {"description": "changed"}),
    ("DELETE", "/api/v1/models/{model}", None),
    ("GET", "/api/v1/models/{model}/versions", None),
    ("GET", "/api/v1/models/{model}/versions/{mv}", None),
    ("DELETE", "/api/v1/models/{model}/versions/{mv}", None),
    ("GET", "/api/v1/models/{model}/versions/{mv}/bundle", None),
    ("GET", "/api/v1/models/{model}/versions/{mv}/members/{member}", None),
    ("PUT", "/api/v1/models/{model}/aliases/{alias}", {"version": 1}),
    ("DELETE", "/api/v1/models/{model}/aliases/{alias}", None),
    ("PUT", "/api/v1/models/{model}/tags/{key}", {"value": "x"}),
    ("DELETE", "/api/v1/models/{model}/tags/{key}", None),
    ("GET", "/api/v1/endpoints/{endpoint}", None),
    ("PUT", "/api/v1/endpoints/{endpoint}", {"model": "credit@1"}),
    ("DELETE", "/api/v1/endpoints/{endpoint}", None),
    ("POST", "/api/v1/endpoints/{endpoint}/predict", {"instances": [{"a": 1}]}),
    ("POST", "/api/v1/endpoints/{endpoint}/feedback", {"id": "p-1", "truth": "good"}),
    ("GET", "/api/v1/endpoints/{endpoint}/quality", None),
    ("GET", "/v2/models/{endpoint}", None),
    ("GET", "/v2/models/{endpoint}/ready", None),
    ("POST", "/v2/models/{endpoint}/infer", {"inputs": []}),
    ("GET", "/v2/models/{endpoint}/versions/{mv}", None),
    ("POST", "/v2/models/{endpoint}/versions/{mv}/infer", {"inputs": []}),
    ("GET", "/api/v1/jobs/{job}", None),
    ("GET", "/api/v1/jobs/{job}/log", None),
    ("GET", "/api/v1/jobs/{job}/events", None),
    ("POST", "/api/v1/jobs/{job}/cancel", None),
    ("GET", "/api/v1/training-runs/{job}", None),
    ("GET", "/api/v1/datasets/{name}/versions/{v}/lineage", None),
    ("GET", "/api/v1/models/{model}/versions/{mv}/lineage", None),
    ("GET", "/api/v1/ledger/entries/{job}/proof", None),
    ("DELETE", "/api/v1/tokens/{job}", None),
]
VALID = {"name": "iris", "v": "1", "model": "credit", "mv": "1", "member": "model.json",
         "alias": "champion", "key": "team", "endpoint": "fraud", "job": "1"}


class PathTraversalTest(AttackTestCase):
    @classmethod
    def setUpClass(cls):
        server = cls.start_server()
        server.import_dataset("iris", dataset_file("iris.csv"))
        # A real endpoint, so that its name routes reach a deployed model and its log.
        r = server.post("/api/v1/training-runs", {
            "dataset": "iris@1", "target": "target", "register": "flowers",
            "learners": ["linear"], "max_trials": 1, "cv": 2, "ensemble": "none", "seed": 1})
        assert r.status == 202, r
        job = server.wait_job(r.json()["job"]["id"], timeout=120)
        assert job["state"] == "succeeded", job
        r = server.post("/api/v1/endpoints", {"name": "fraud", "model": "flowers@1"})
        assert r.status == 201, r
        for _ in range(2):
            r = server.post("/api/v1/models/import?name=credit", bundle(model="credit"))
            assert r.status == 201, r
        r = server.request("PUT", "/api/v1/models/credit/aliases/champion", body={"version": 1})
        assert r.status == 200, r
        r = server.request("PUT", "/api/v1/models/credit/tags/team", body={"value": "risk"})
        assert r.status == 200, r
        cls.canary = cls.outside.canary()

    def tearDown(self):
        self.assert_alive()
        self.assert_outside_untouched()
        self.assert_state_intact()

    def assert_state_intact(self):
        """What the attacks targeted is still there: deletes and writes did not land."""
        ds = self.server.get_json("/api/v1/datasets/iris")
        self.assertEqual([v["ref"] for v in ds["versions"]], ["iris@1"])
        m = self.server.get_json("/api/v1/models/credit")
        self.assertEqual([v["ref"] for v in m["versions"]], ["credit@1", "credit@2"])
        self.assertEqual((m["aliases"], m["tags"]), ({"champion": 1}, {"team": "risk"}))
        self.assertEqual(m["description"], "")
        ep = self.server.get_json("/api/v1/endpoints/fraud")
        self.assertEqual((ep["model"], ep["state"]), ("flowers@1", "ready"))

    # --- {param} in the URL path -------------------------------------------------------
    def test_every_path_parameter(self):
        vectors = segment_vectors(self.canary)
        for method, pattern, body in SEGMENT_ROUTES:
            params = [p for p in VALID if "{" + p + "}" in pattern]
            for param in params:
                for vector in vectors:
                    values = dict(VALID, **{param: vector})
                    path = pattern.format(**values)
                    with self.attack(f"{method} {pattern} {param}", vector=vector):
                        r = self.server.request(method, path, body=body, timeout=20)
                        self.assert_refused(r)
            self.assert_alive()
            self.assert_outside_untouched()

    def test_routes_still_answer_with_valid_parameters(self):
        """The attacks above are refused for what they hold, not because the routes are
        wrong: the same routes with valid values answer 2xx (or 404 where nothing exists)."""
        for path in ("/api/v1/datasets/iris/versions/1/preview",
                     "/api/v1/models/credit/versions/champion/members/model.json",
                     "/api/v1/models/credit/versions/1/bundle", "/api/v1/jobs/1/log"):
            self.assertEqual(self.server.get(path).status, 200, path)
        self.assertEqual(self.server.get("/api/v1/endpoints/fraud").status, 200)

    # --- names in query parameters and JSON bodies ----------------------------------------
    def test_dataset_upload_name(self):
        for vector in text_vectors(self.canary):
            with self.attack("POST /api/v1/datasets?name=", vector=vector):
                self.assert_refused(self.server.upload(vector, CSV, filename="ok.csv"))

    def test_dataset_upload_file_name_is_only_a_label(self):
        """The upload's ?filename= is a label (and the format's hint): the server keeps the
        upload under a random folder and a sanitised name, never under the given path."""
        for i, vector in enumerate(text_vectors(self.canary)):
            with self.attack("POST /api/v1/datasets?filename=", vector=vector):
                r = self.server.upload(f"fn{i}", CSV, filename=vector, format="csv")
                self.assertEqual(r.status, 202, r)
                job = r.json()["job"]
                upload = job["params"]["upload"]
                folder, name = upload.split("/")
                self.assertRegex(folder, r"^[0-9a-f]+$")
                self.assertRegex(name, r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
                job = self.server.wait_job(job["id"], 60)
                self.assertEqual(job["state"], "succeeded", job)
                self.assert_outside_untouched()
                self.assertEqual(self.server.delete(f"/api/v1/datasets/fn{i}").status, 204)
        uploads = os.path.join(self.server.data_dir, "tmp", "uploads")
        self.assertEqual(os.listdir(uploads) if os.path.isdir(uploads) else [], [])

    def test_dataset_import_from_a_relative_server_path(self):
        """?path= (admins only) must be absolute: relative and traversal paths are refused.
        An absolute path is the admin feature itself and is not counted as an attack."""
        for vector in ["../canary.txt", "..\\..\\canary.txt", "%2e%2e%2fcanary.txt",
                       "data/../../canary.txt", "canary.txt", "..", "\x00/etc/passwd",
                       "#/../canary.txt"]:
            with self.attack("POST /api/v1/datasets?path=", vector=vector):
                self.assert_refused(self.server.post(
                    "/api/v1/datasets?" + urllib.parse.urlencode({"name": "frompath",
                                                                  "path": vector})))

    def test_server_paths_need_an_admin(self):
        """?path= reads a file on the server: a user who is not an admin is refused whatever
        the path, absolute ones included."""
        r = self.server.post("/api/v1/users", {"name": "mallory"})
        self.assertEqual(r.status, 201, r)
        r = self.server.post("/api/v1/tokens", {"user": "mallory", "scopes": "read,write",
                                                "label": "attacker"})
        self.assertEqual(r.status, 201, r)
        token = r.json()["token"]
        for vector in ["/etc/passwd", self.canary, "//proc/self/root/etc/passwd",
                       "/proc/self/environ", os.path.join(self.server.data_dir, "aimass.db"),
                       "../canary.txt", "/etc/passwd\x00.csv"]:
            with self.attack("POST /api/v1/datasets?path= as a non-admin", vector=vector):
                q = urllib.parse.urlencode({"name": "stolen", "path": vector})
                r = self.server.post("/api/v1/datasets?" + q, token=token)
                self.assertRegex(self.assert_refused(r, statuses=(403,)), r"(?i)admin")
        self.assertEqual(self.server.get("/api/v1/datasets/stolen").status, 404)

    def test_user_and_token_names(self):
        for vector in text_vectors(self.canary):
            with self.attack("POST /api/v1/users name", vector=vector):
                self.assert_refused(self.server.post("/api/v1/users", {"name": vector}))
            for field in ("user", "endpoint"):
                with self.attack(f"POST /api/v1/tokens {field}", vector=vector):
                    self.assert_refused(self.server.post(
                        "/api/v1/tokens", {field: vector, "scopes": "read", "label": "x"}))

    def test_transform_input_and_output(self):
        for vector in text_vectors(self.canary):
            for field in ("input", "output"):
                body = {"input": "iris@1", "sql": "SELECT * FROM input", "output": "ok_out"}
                body[field] = vector
                with self.attack(f"POST /api/v1/transforms {field}", vector=vector):
                    self.assert_refused(self.server.post("/api/v1/transforms", body))
        self.assertEqual(self.server.get("/api/v1/datasets/ok_out").status, 404)

    def test_training_run_dataset_and_register_as(self):
        for vector in text_vectors(self.canary):
            for field in ("dataset", "register"):
                body = {"dataset": "iris@1", "target": "target", "register": "ok_model",
                        "budget_seconds": 1}
                body[field] = vector
                with self.attack(f"POST /api/v1/training-runs {field}", vector=vector):
                    self.assert_refused(self.server.post("/api/v1/training-runs", body))

    def test_model_names_in_bodies_and_queries(self):
        for vector in text_vectors(self.canary):
            with self.attack("POST /api/v1/models name", vector=vector):
                self.assert_refused(self.server.post("/api/v1/models", {"name": vector}))
            with self.attack("POST /api/v1/models tags key", vector=vector):
                self.assert_refused(self.server.post(
                    "/api/v1/models", {"name": "tagged_ok", "tags": {vector: "x"}}))
            with self.attack("POST /api/v1/models/import?name=", vector=vector):
                q = urllib.parse.urlencode({"name": vector, "filename": "m.aimass"})
                self.assert_refused(self.server.post("/api/v1/models/import?" + q, bundle()))
            with self.attack("bundle manifest model name", vector=vector):
                self.assert_refused(self.server.post("/api/v1/models/import",
                                                     bundle(model=vector)))
            with self.attack("POST /api/v1/models/import-xgboost?name=", vector=vector):
                q = urllib.parse.urlencode({"name": vector, "filename": "m.json"})
                r = self.server.post("/api/v1/models/import-xgboost?" + q, b'{"learner": {}}')
                self.assertRegex(self.assert_refused(r), "model name")
        self.assertEqual(self.server.get("/api/v1/models/tagged_ok").status, 404)

    def test_bundle_file_name_is_only_a_label(self):
        for vector in text_vectors(self.canary):
            with self.attack("POST /api/v1/models/import?filename=", vector=vector):
                q = urllib.parse.urlencode({"name": "labelled", "filename": vector})
                r = self.server.post("/api/v1/models/import?" + q, bundle())
                self.assertEqual(r.status, 201, r)
                self.assertEqual(r.json()["source"]["filename"], vector)
                self.assert_outside_untouched()
        self.assertEqual(self.server.delete("/api/v1/models/labelled").status, 204)

    def test_endpoint_and_batch_names(self):
        for vector in text_vectors(self.canary):
            with self.attack("POST /api/v1/endpoints name", vector=vector):
                self.assert_refused(self.server.post("/api/v1/endpoints",
                                                     {"name": vector, "model": "credit@1"}))
            with self.attack("POST /api/v1/endpoints model", vector=vector):
                self.assert_refused(self.server.post("/api/v1/endpoints",
                                                     {"name": "ep_ok", "model": vector}))
            for field in ("endpoint", "dataset", "output"):
                body = {"endpoint": "fraud", "dataset": "iris@1", "output": "scored"}
                body[field] = vector
                with self.attack(f"POST /api/v1/batch-predictions {field}", vector=vector):
                    self.assert_refused(self.server.post("/api/v1/batch-predictions", body))
        self.assertEqual(self.server.get("/api/v1/endpoints/ep_ok").status, 404)

    def test_mlflow_parameters(self):
        calls = [("GET", "registered-models/get", {"name": None}),
                 ("DELETE", "registered-models/delete", {"name": None}),
                 ("GET", "model-versions/get", {"name": "credit", "version": None}),
                 ("GET", "model-versions/get", {"name": None, "version": "1"}),
                 ("GET", "model-versions/get-download-uri", {"name": None, "version": "1"}),
                 ("DELETE", "model-versions/delete", {"name": None, "version": "1"}),
                 ("POST", "registered-models/alias", {"name": "credit", "alias": None,
                                                      "version": "1"}),
                 ("DELETE", "registered-models/alias", {"name": "credit", "alias": None}),
                 ("GET", "registered-models/alias", {"name": None, "alias": "champion"}),
                 ("POST", "registered-models/set-tag", {"name": "credit", "key": None,
                                                        "value": "x"}),
                 ("DELETE", "registered-models/delete-tag", {"name": "credit", "key": None}),
                 ("POST", "registered-models/create", {"name": None})]
        for vector in text_vectors(self.canary):
            for method, path, params in calls:
                filled = {k: (vector if v is None else v) for k, v in params.items()}
                field = next(k for k, v in params.items() if v is None)
                url = "/api/2.0/mlflow/" + path
                with self.attack(f"{method} mlflow {path} {field}", vector=vector):
                    if method == "GET":
                        r = self.server.get(url + "?" + urllib.parse.urlencode(filled))
                    else:
                        r = self.server.request(method, url, body=filled)
                    self.assertIn(r.status, range(400, 500), r)
                    self.assert_no_leak(r)
                    self.assertTrue(r.json()["message"], r)


if __name__ == "__main__":
    unittest.main()
