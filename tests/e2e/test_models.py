"""The model registry through the REST API, the CLI and the MLflow-compatible API. Training
is not needed: versions come from bundles this test builds itself (tarfile + hashlib) and
from XGBoost models that Python's xgboost saves; bad bundles and bad model files must be
refused with a message and leave the registry unchanged."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import unittest
import urllib.parse

from aimass_server import AimassServer, sha256_file

ISO_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
MAX_MEMBER = 4096  # the server's --max-bundle-member-bytes in these tests
LEARNER = bytes(range(256)) * 4  # binary, NULs included
PIPELINE = b'{"pipeline": {"learner": "learners/0.ubj", "features": ["Age", "Income"]}}'


def tar_entry(tar, name, data=b"", kind=tarfile.REGTYPE, linkname="", size=None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if size is None else size
    info.mtime = 1700000000
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def build_bundle(model="credit_risk", members=None, metrics=None, listed=None, extra=(),
                 manifest_changes=None, manifest_last=False):
    """The bytes of a bundle: manifest.json (listing `listed`, default every member, with
    real sizes and hashes) and the members; `extra` are (name, data, kind, linkname) entries
    added as they are, to build bad bundles."""
    members = {"model.json": PIPELINE, "learners/0.ubj": LEARNER} if members is None else members
    listed = members if listed is None else listed
    manifest = {
        "format": "aimass-model-bundle", "format_version": 1, "model": model, "version": 7,
        "created_at": "2026-01-02T03:04:05.000Z", "task": "binary",
        "description": "boosted trees on credit data",
        "metrics": {"roc_auc": 0.91, "accuracy": 0.87} if metrics is None else metrics,
        "leaderboard": [{"learner": "xgboost", "roc_auc": 0.91}, {"learner": "linear", "roc_auc": 0.85}],
        "params": {"max_depth": 6, "eta": 0.3},
        "lineage": {"dataset": "credit@1", "dataset_hash": "ab" * 32, "seed": 42},
        "members": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                    for n, d in listed.items()],
    }
    manifest.update(manifest_changes or {})
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        if not manifest_last:
            tar_entry(tar, "manifest.json", json.dumps(manifest).encode())
        for name, data in members.items():
            tar_entry(tar, name, data)
        for name, data, kind, linkname in extra:
            tar_entry(tar, name, data, kind, linkname)
        if manifest_last:
            tar_entry(tar, "manifest.json", json.dumps(manifest).encode())
    return out.getvalue()


class ModelsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer("--max-bundle-member-bytes", str(MAX_MEMBER))
        cls.addClassCleanup(cls.server.close)
        cls.server.start()

    def setUp(self):
        self.work = os.path.join(self.server.root, self.id().rsplit(".", 1)[-1])
        os.makedirs(self.work)

    # --- helpers ---------------------------------------------------------------------
    def import_bundle(self, data, name=None, filename="model.aimass"):
        query = {"filename": filename}
        if name:
            query["name"] = name
        return self.server.post("/api/v1/models/import?" + urllib.parse.urlencode(query), data,
                                headers={"Content-Type": "application/octet-stream"})

    def imported(self, data=None, name=None):
        r = self.import_bundle(build_bundle() if data is None else data, name=name)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def model(self, name, status=200):
        return self.server.get_json(f"/api/v1/models/{name}", status)

    def api(self, method, path, body=None, status=200):
        r = self.server.request(method, path, body=body)
        self.assertEqual(r.status, status, r)
        return r.json() if r.body else None

    def cli_ok(self, *args, **kw):
        p = self.server.cli(*args, **kw)
        self.assertEqual(p.returncode, 0, f"aimass {' '.join(map(str, args))}: {p.stderr}")
        return p

    def registry_state(self):
        """What "the registry is unchanged" compares: every model's versions, and the blobs."""
        models = self.server.get_json("/api/v1/models?limit=1000")["models"]
        versions = {m["name"]: [v["ref"] for v in self.model(m["name"])["versions"]]
                    for m in models}
        tmp = os.path.join(self.server.data_dir, "blobs", "tmp")
        return versions, self.server.blob_files(), sorted(os.listdir(tmp))

    # --- registering and reading -----------------------------------------------------
    def test_import_registers_a_version_with_its_members_and_metadata(self):
        v = self.imported(build_bundle(model="reader"))
        self.assertEqual((v["model"], v["version"], v["ref"]), ("reader", 1, "reader@1"))
        self.assertEqual(v["task"], "binary")
        self.assertEqual(v["metrics"], {"roc_auc": 0.91, "accuracy": 0.87})
        self.assertEqual(v["params"], {"max_depth": 6, "eta": 0.3})
        self.assertEqual(v["lineage"]["seed"], 42)
        self.assertEqual(len(v["leaderboard"]), 2)
        self.assertEqual(v["source"]["kind"], "bundle")
        self.assertEqual(v["source"]["from"], "reader@7")  # the manifest's model and version
        self.assertIsNone(v["job_id"])
        self.assertRegex(v["created_at"], ISO_TIME)
        members = {m["name"]: m for m in v["members"]}
        self.assertEqual(sorted(members), ["learners/0.ubj", "model.json"])
        self.assertEqual(members["learners/0.ubj"]["size_bytes"], len(LEARNER))
        self.assertEqual(members["learners/0.ubj"]["sha256"], hashlib.sha256(LEARNER).hexdigest())
        self.assertEqual(v["size_bytes"], len(LEARNER) + len(PIPELINE))
        # Each member is a content-addressed blob (named by its plaintext, stored encrypted).
        blob = self.server.blob_path(members["model.json"]["sha256"])
        with open(blob, "rb") as f:
            self.assertEqual(f.read(8), b"AIMASSE1")

        m = self.model("reader")
        self.assertEqual(m["version_count"], 1)
        self.assertEqual(m["latest_version"], 1)
        self.assertEqual([x["ref"] for x in m["versions"]], ["reader@1"])
        self.assertEqual(m["latest"]["members"], v["members"])
        for path in ("/api/v1/models/reader/versions/1", "/api/v1/models/reader/versions/latest"):
            self.assertEqual(self.server.get_json(path)["ref"], "reader@1")
        listed = self.server.get_json("/api/v1/models/reader/versions")["versions"]
        self.assertEqual([x["version"] for x in listed], [1])

    def test_versions_number_up_per_model(self):
        self.assertEqual(self.imported(build_bundle(model="numbers"))["version"], 1)
        self.assertEqual(self.imported(build_bundle(model="numbers"))["version"], 2)
        self.assertEqual(self.imported(build_bundle(model="numbers"), name="numbers_b")["version"], 1)
        self.assertEqual(self.model("numbers")["version_count"], 2)

    def test_unknown_models_versions_and_bad_names(self):
        r = self.server.get("/api/v1/models/nope")
        self.assertEqual(r.status, 404)
        self.assertRegex(r.error["message"], "model 'nope' does not exist")
        self.imported(build_bundle(model="known"))
        self.assertEqual(self.server.get("/api/v1/models/known/versions/9").status, 404)
        self.assertEqual(self.server.get("/api/v1/models/known/versions/champion").status, 404)
        r = self.server.get("/api/v1/models/bad%20name")
        self.assertEqual(r.status, 400)
        self.assertRegex(r.error["message"], "model name 'bad name' is not allowed")

    # --- aliases, tags, descriptions, search -------------------------------------------
    def test_aliases_move_and_refuse_numbers_and_unknown_versions(self):
        self.imported(build_bundle(model="aliased"))
        self.imported(build_bundle(model="aliased"))
        m = self.api("PUT", "/api/v1/models/aliased/aliases/champion", {"version": 1})
        self.assertEqual(m["aliases"], {"champion": 1})
        self.assertEqual(self.server.get_json("/api/v1/models/aliased/versions/champion")["version"], 1)
        self.api("PUT", "/api/v1/models/aliased/aliases/champion", {"version": 2})
        v = self.server.get_json("/api/v1/models/aliased/versions/champion")
        self.assertEqual((v["version"], v["aliases"]), (2, ["champion"]))
        self.assertEqual(self.server.get_json("/api/v1/models/aliased/versions/1")["aliases"], [])

        r = self.server.request("PUT", "/api/v1/models/aliased/aliases/3", body={"version": 1})
        self.assertEqual(r.status, 400)
        self.assertRegex(r.error["message"], "looks like a version")
        r = self.server.request("PUT", "/api/v1/models/aliased/aliases/champion", body={"version": 9})
        self.assertEqual(r.status, 404)
        self.assertRegex(r.error["message"], "no version 9")
        self.assertEqual(self.model("aliased")["aliases"], {"champion": 2})

        r = self.server.delete("/api/v1/models/aliased/versions/2")
        self.assertEqual(r.status, 409)
        self.assertRegex(r.error["message"], "alias 'champion' points at aliased@2")
        self.assertEqual(self.server.delete("/api/v1/models/aliased/aliases/champion").status, 204)
        self.assertEqual(self.server.get("/api/v1/models/aliased/versions/champion").status, 404)
        self.assertEqual(self.server.delete("/api/v1/models/aliased/aliases/champion").status, 404)

    def test_create_tag_describe_and_search(self):
        created = self.api("POST", "/api/v1/models",
                           {"name": "searched_a", "description": "first", "tags": {"team": "risk"}},
                           status=201)
        self.assertEqual((created["description"], created["tags"]), ("first", {"team": "risk"}))
        self.assertIsNone(created["latest_version"])
        self.assertEqual(self.server.post("/api/v1/models", {"name": "searched_a"}).status, 409)
        self.assertEqual(self.server.post("/api/v1/models", {"name": "no/slash"}).status, 400)
        self.imported(build_bundle(model="searched_a", metrics={"roc_auc": 0.95}))
        self.imported(build_bundle(model="searched_b", metrics={"roc_auc": 0.70}))
        m = self.api("PUT", "/api/v1/models/searched_b/tags/team", {"value": "ops"})
        self.assertEqual(m["tags"], {"team": "ops"})
        m = self.api("PATCH", "/api/v1/models/searched_b", {"description": "second"})
        self.assertEqual(m["description"], "second")

        def names(query):
            doc = self.server.get_json("/api/v1/models?" + query)
            return [x["name"] for x in doc["models"] if x["name"].startswith("searched")]
        self.assertEqual(names("q=searched"), ["searched_a", "searched_b"])
        self.assertEqual(names("q=ched_b"), ["searched_b"])
        self.assertEqual(names("tag=team:risk"), ["searched_a"])
        self.assertEqual(names(urllib.parse.urlencode({"metric": "roc_auc>=0.9"})), ["searched_a"])
        self.assertEqual(names(urllib.parse.urlencode({"metric": "roc_auc<0.9", "tag": "team:ops"})),
                         ["searched_b"])
        r = self.server.get("/api/v1/models?metric=roc_auc%3E%3Dhigh")
        self.assertEqual(r.status, 400)
        self.assertRegex(r.error["message"], "NAME OP NUMBER")

        self.assertEqual(self.server.delete("/api/v1/models/searched_b/tags/team").status, 204)
        self.assertEqual(self.model("searched_b")["tags"], {})
        self.assertEqual(self.server.delete("/api/v1/models/searched_b/tags/team").status, 404)

    # --- members, deletion -------------------------------------------------------------
    def test_member_download(self):
        self.imported(build_bundle(model="members"))
        r = self.server.get("/api/v1/models/members/versions/1/members/learners/0.ubj")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, LEARNER)
        r = self.server.get("/api/v1/models/members/versions/latest/members/model.json")
        self.assertEqual(r.body, PIPELINE)
        r = self.server.get("/api/v1/models/members/versions/1/members/nope.bin")
        self.assertEqual(r.status, 404)
        self.assertRegex(r.error["message"], "no member 'nope.bin'")

    def test_delete_versions_and_models_frees_their_blobs(self):
        unique = b"only in deleted@1" * 10
        v1 = self.imported(build_bundle(model="deleted", members={"model.json": unique}))
        self.imported(build_bundle(model="deleted"))
        blob = self.server.blob_path(v1["members"][0]["sha256"])
        self.assertTrue(os.path.isfile(blob))
        self.assertEqual(self.server.delete("/api/v1/models/deleted/versions/1").status, 204)
        self.assertFalse(os.path.exists(blob))
        self.assertEqual([v["version"] for v in self.model("deleted")["versions"]], [2])
        self.assertEqual(self.server.delete("/api/v1/models/deleted").status, 204)
        self.assertEqual(self.server.get("/api/v1/models/deleted").status, 404)
        self.assertEqual(self.server.delete("/api/v1/models/deleted").status, 404)

    def test_members_survive_a_restart_and_its_garbage_collection(self):
        # At start the server deletes blobs that no metadata names: model members count.
        server = AimassServer()
        try:
            server.start()
            r = server.post("/api/v1/models/import", build_bundle(model="kept"))
            self.assertEqual(r.status, 201, r)
            blobs = server.blob_files()
            self.assertEqual(len(blobs), 2)
            self.assertEqual(server.stop(), 0)
            server.start()
            self.assertEqual(server.blob_files(), blobs)
            r = server.get("/api/v1/models/kept/versions/1/members/learners/0.ubj")
            self.assertEqual((r.status, r.body), (200, LEARNER))
        finally:
            server.close()

    # --- bundles through the CLI -------------------------------------------------------
    def test_cli_export_import_round_trip(self):
        self.imported(build_bundle(model="exported"))
        self.api("PUT", "/api/v1/models/exported/aliases/champion", {"version": 1})
        bundle = os.path.join(self.work, "exported.aimass")
        p = self.cli_ok("models", "export", "exported@champion", "-o", bundle)
        self.assertIn("exported@1", p.stdout)
        # A plain ustar archive: manifest first, then the members, with their checksums.
        with tarfile.open(bundle) as tar:
            names = tar.getnames()
            self.assertEqual(names[0], "manifest.json")
            self.assertEqual(sorted(names[1:]), ["learners/0.ubj", "model.json"])
            manifest = json.load(tar.extractfile("manifest.json"))
            self.assertEqual(tar.extractfile("learners/0.ubj").read(), LEARNER)
        self.assertEqual((manifest["format"], manifest["format_version"]),
                         ("aimass-model-bundle", 1))
        self.assertEqual((manifest["model"], manifest["version"]), ("exported", 1))
        self.assertEqual({m["name"]: m["sha256"] for m in manifest["members"]},
                         {"model.json": hashlib.sha256(PIPELINE).hexdigest(),
                          "learners/0.ubj": hashlib.sha256(LEARNER).hexdigest()})
        if shutil.which("tar"):
            listing = subprocess.run(["tar", "tf", bundle], capture_output=True, text=True)
            self.assertEqual(listing.stdout.split(), names)

        p = self.cli_ok("models", "import", bundle, "--name", "exported_copy")
        self.assertIn("imported exported_copy@1", p.stdout)
        original = self.server.get_json("/api/v1/models/exported/versions/1")
        copy = self.server.get_json("/api/v1/models/exported_copy/versions/1")
        for key in ("task", "description", "metrics", "leaderboard", "params", "lineage",
                    "members"):
            self.assertEqual(copy[key], original[key], key)
        self.assertEqual(copy["source"]["from"], "exported@1")
        self.assertEqual(copy["source"]["filename"], "exported.aimass")
        # Exporting the same version again gives the same bytes.
        again = os.path.join(self.work, "again.aimass")
        self.cli_ok("models", "export", "exported@1", "-o", again)
        self.assertEqual(sha256_file(again), sha256_file(bundle))
        r = self.server.get("/api/v1/models/exported/versions/1/bundle")
        self.assertEqual(r.status, 200)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), sha256_file(bundle))
        self.assertEqual(len(r.body), original["bundle_size_bytes"])
        self.assertIn('filename="exported-1.aimass"', r.headers["Content-Disposition"])

    def test_cli_verbs(self):
        self.imported(build_bundle(model="cli_model"))
        self.imported(build_bundle(model="cli_model", metrics={"roc_auc": 0.93}))
        p = self.cli_ok("models", "alias", "cli_model@1", "champion")
        self.assertIn("champion -> cli_model@1", p.stdout)
        self.cli_ok("models", "tag", "cli_model", "team=risk")
        self.cli_ok("models", "describe", "cli_model", "scores loan applications")
        p = self.cli_ok("models", "list", "--tag", "team:risk")
        self.assertRegex(p.stdout, r"(?m)^NAME\s+VERSIONS\s+LATEST")
        self.assertRegex(p.stdout, r"(?m)^cli_model\s+2\s+cli_model@2\s+binary\s+champion=1\s+team=risk")
        p = self.cli_ok("models", "list", "--q", "no_such_model")
        self.assertIn("no models match", p.stdout)
        p = self.cli_ok("models", "show", "cli_model")
        self.assertIn("scores loan applications", p.stdout)
        self.assertRegex(p.stdout, r"(?m)^cli_model@1\s+binary\s+2\s.*champion")
        p = self.cli_ok("models", "show", "cli_model@champion")
        self.assertRegex(p.stdout, r"(?m)^cli_model@1 \(binary")
        self.assertRegex(p.stdout, r"(?m)^learners/0\.ubj\s+1\.0 KiB\s+" + hashlib.sha256(LEARNER).hexdigest())
        p = self.cli_ok("--json", "models", "show", "cli_model@2")
        self.assertEqual(json.loads(p.stdout)["metrics"], {"roc_auc": 0.93})

        out = os.path.join(self.work, "learner.ubj")
        self.cli_ok("models", "download", "cli_model@champion", "learners/0.ubj", "-o", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), LEARNER)

        p = self.server.cli("models", "delete", "cli_model@champion", "--yes")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^error: alias 'champion' points at cli_model@1")
        p = self.server.cli("models", "alias", "cli_model@1", "7")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, "looks like a version")
        self.cli_ok("models", "unalias", "cli_model", "champion")
        self.cli_ok("models", "untag", "cli_model", "team")
        p = self.cli_ok("models", "delete", "cli_model@1", "--yes")
        self.assertIn("deleted version cli_model@1", p.stdout)
        p = self.server.cli("models", "delete", "cli_model")  # no terminal to ask on
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, "pass --yes")
        self.cli_ok("models", "delete", "cli_model", "--yes")
        self.assertEqual(self.server.get("/api/v1/models/cli_model").status, 404)
        p = self.server.cli("models", "show", "cli_model@")
        self.assertEqual(p.returncode, 2)

    # --- bad bundles -------------------------------------------------------------------
    def assert_refused(self, data, pattern):
        before = self.registry_state()
        r = self.import_bundle(data)
        self.assertEqual(r.status, 400, r)
        self.assertRegex(r.error["message"], pattern)
        self.assertEqual(self.registry_state(), before)
        return r.error["message"]

    def test_bad_bundles_are_refused_and_change_nothing(self):
        self.imported(build_bundle(model="bad_bundles"))  # something to leave unchanged
        whole = build_bundle(model="bad_bundles")
        cases = {
            # manifest 0-1536, model.json 1536-2560, learners/0.ubj 2560-4096, end marker.
            "truncated inside a member": (whole[:3500], r"truncated"),
            "truncated inside a header": (whole[:2700], r"truncated"),
            "cut before the end marker": (whole[:4096], r"truncated"),
            "wrong checksum": (build_bundle(members={"model.json": PIPELINE,
                                                     "learners/0.ubj": b"tampered" + LEARNER[8:]},
                                            listed={"model.json": PIPELINE,
                                                    "learners/0.ubj": LEARNER}),
                               r"member 'learners/0\.ubj' does not match its SHA-256"),
            "absolute path": (build_bundle(extra=[("/etc/cron.d/evil", b"x", tarfile.REGTYPE, "")]),
                              r"member '/etc/cron\.d/evil' is an absolute path"),
            "parent component": (build_bundle(extra=[("learners/../../evil", b"x",
                                                      tarfile.REGTYPE, "")]),
                                 r"member 'learners/\.\./\.\./evil' has a '\.\.' component"),
            "symlink": (build_bundle(extra=[("learners/1.ubj", b"", tarfile.SYMTYPE,
                                             "/etc/passwd")]),
                        r"'learners/1\.ubj' is a symbolic link"),
            "hard link": (build_bundle(extra=[("learners/2.ubj", b"", tarfile.LNKTYPE,
                                               "model.json")]),
                          r"'learners/2\.ubj' is a hard link"),
            "oversize": (build_bundle(members={"model.json": PIPELINE,
                                               "big.bin": b"b" * (MAX_MEMBER + 1)}),
                         r"member 'big\.bin' is 4097 bytes, over the limit of 4096 bytes"),
            "missing member": (build_bundle(members={"model.json": PIPELINE},
                                            listed={"model.json": PIPELINE,
                                                    "learners/0.ubj": LEARNER}),
                               r"'learners/0\.ubj' is listed in manifest\.json but missing"),
            "extra member": (build_bundle(extra=[("notes.txt", b"hi", tarfile.REGTYPE, "")]),
                             r"'notes\.txt' is not listed in manifest\.json"),
            "extra member, manifest last": (
                build_bundle(extra=[("notes.txt", b"hi", tarfile.REGTYPE, "")],
                             manifest_last=True),
                r"'notes\.txt' is not listed in manifest\.json"),
            "duplicate": (build_bundle(extra=[("model.json", PIPELINE, tarfile.REGTYPE, "")]),
                          r"member 'model\.json' appears twice"),
            "no manifest": (whole[1024:], r"no manifest\.json|not a ustar|damaged"),
            "newer format": (build_bundle(manifest_changes={"format_version": 2}),
                             r"newer aimass"),
            "not a tar": (b"{}" * 600, r"damaged|not a ustar"),
        }
        for case, (data, pattern) in cases.items():
            with self.subTest(case=case):
                self.assert_refused(data, pattern)
        self.assertEqual(self.model("bad_bundles")["version_count"], 1)
        r = self.server.post("/api/v1/models/import", b"")
        self.assertEqual(r.status, 400)
        self.assertRegex(r.error["message"], "send the bundle file")

    def test_cli_import_of_a_bad_bundle_reports_the_reason(self):
        path = os.path.join(self.work, "bad.aimass")
        with open(path, "wb") as f:
            f.write(build_bundle(extra=[("../evil", b"x", tarfile.REGTYPE, "")]))
        p = self.server.cli("models", "import", path)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr,
                         r"(?m)^error: the bundle is refused: member '\.\./evil' has a '\.\.'")

    # --- XGBoost models trained elsewhere ---------------------------------------------
    def save_xgboost_model(self, filename, feature_names=None):
        """Trains a small binary model with Python's xgboost, as a user would, and saves it."""
        path = os.path.join(self.work, filename)
        script = (
            "import sys, numpy as np, xgboost as xgb\n"
            "rng = np.random.default_rng(1)\n"
            "x = rng.normal(size=(200, 3)); y = (x[:, 0] > x[:, 1]).astype(int)\n"
            "names = sys.argv[2].split(',') if sys.argv[2] else None\n"
            "d = xgb.DMatrix(x, label=y, feature_names=names)\n"
            "xgb.train({'objective': 'binary:logistic', 'nthread': 1}, d, 10)"
            ".save_model(sys.argv[1])\n")
        subprocess.run(["/usr/bin/python3", "-c", script, path, ",".join(feature_names or [])],
                       check=True)
        return path

    @staticmethod
    def read(path):
        with open(path, "rb") as f:
            return f.read()

    def test_cli_import_xgboost_registers_a_version(self):
        path = self.save_xgboost_model("churn.ubj")
        p = self.cli_ok("models", "import-xgboost", path, "--name", "churn_ext",
                        "--features", "tenure,spend,calls", "--classes", "stays,leaves")
        self.assertRegex(p.stdout, r"imported churn_ext@1 \(binary\) from churn.ubj")
        v = self.server.get_json("/api/v1/models/churn_ext/versions/1")
        self.assertEqual(v["task"], "binary")
        self.assertEqual(v["source"], {"kind": "xgboost_import", "filename": "churn.ubj"})
        self.assertEqual(v["params"]["features"], ["tenure", "spend", "calls"])
        self.assertEqual(v["params"]["classes"], ["stays", "leaves"])
        self.assertEqual(v["params"]["rounds"], 10)
        self.assertEqual(v["lineage"]["model_file_sha256"], sha256_file(path))
        self.assertIn("xgboost", v["lineage"]["libraries"])
        members = sorted(m["name"] for m in v["members"])
        self.assertEqual(members, ["importance.json", "members/0.model", "model.json"])
        model = json.loads(self.server.get(
            "/api/v1/models/churn_ext/versions/1/members/model.json").body)
        self.assertEqual([c["name"] for c in model["schema"]], ["tenure", "spend", "calls"])
        self.assertEqual(model["classes"], ["stays", "leaves"])

        # A model saved with feature names needs none; a second import is version 2.
        named = self.save_xgboost_model("named.json", ["a", "b", "c"])
        r = self.server.post("/api/v1/models/import-xgboost?name=churn_ext&filename=named.json",
                             self.read(named))
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json()["ref"], r.json()["params"]["features"]),
                         ("churn_ext@2", ["a", "b", "c"]))

    def test_bad_xgboost_imports_are_refused_and_change_nothing(self):
        unnamed = self.read(self.save_xgboost_model("plain.json"))
        self.assertEqual(self.server.post(
            "/api/v1/models/import-xgboost?name=kept&features=x,y,z", unnamed).status, 201)
        before = self.registry_state()
        cases = {
            "not a model": ("name=kept&features=x,y,z", b'{"hello": 1}', "not an XGBoost model"),
            "truncated": ("name=kept&features=x,y,z", unnamed[:len(unnamed) // 2],
                          "not an XGBoost model"),
            "no names": ("name=kept", unnamed, "name its 3 features in order with --features"),
            "too few": ("name=kept&features=x,y", unnamed, "2 features were named but the model"),
            "wrong task": ("name=kept&features=x,y,z&task=regression", unnamed,
                           "answers a binary task"),
            "classes": ("name=kept&features=x,y,z&classes=a,b,c", unnamed, "predicts 2"),
            "no name": ("features=x,y,z", unnamed, r"\?name=N"),
            "bad name": ("name=a/b&features=x,y,z", unnamed, "name"),
            "empty": ("name=kept", b"", "send the XGBoost model file"),
        }
        for case, (query, body, pattern) in cases.items():
            with self.subTest(case=case):
                r = self.server.post("/api/v1/models/import-xgboost?" + query, body)
                self.assertEqual(r.status, 400, r)
                self.assertRegex(r.error["message"], pattern)
        self.assertEqual(self.registry_state(), before)
        garbage = os.path.join(self.work, "garbage.json")
        with open(garbage, "wb") as f:
            f.write(b"[1, 2, 3]")
        p = self.server.cli("models", "import-xgboost", garbage, "--name", "kept",
                            "--features", "x,y,z")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"(?m)^error: not an XGBoost model")
        self.assertEqual(self.registry_state(), before)

    # --- the MLflow-compatible API -----------------------------------------------------
    def mlflow(self, method, endpoint, params=None, status=200):
        """A request shaped as MLflow's Python client sends it: GET parameters in the query
        string, other methods' as a JSON body; the Bearer token of MLFLOW_TRACKING_TOKEN."""
        path = "/api/2.0/mlflow/" + endpoint
        headers = {"User-Agent": "mlflow-python-client/2.16.0"}
        body = None
        if method == "GET":
            path += "?" + urllib.parse.urlencode(params or {}, doseq=True)
        else:
            body = json.dumps(params or {}).encode()
            headers["Content-Type"] = "application/json"
        r = self.server.request(method, path, body=body, headers=headers)
        self.assertEqual(r.status, status, r)
        return r.json()

    def assert_mlflow_error(self, doc, code):
        self.assertEqual(doc["error_code"], code, doc)
        self.assertIsInstance(doc["message"], str)

    def test_mlflow_registered_models(self):
        rm = self.mlflow("POST", "registered-models/create",
                         {"name": "mlf_model", "description": "from mlflow",
                          "tags": [{"key": "team", "value": "risk"}]})["registered_model"]
        self.assertEqual(rm["name"], "mlf_model")
        self.assertEqual(rm["description"], "from mlflow")
        self.assertEqual(rm["tags"], [{"key": "team", "value": "risk"}])
        self.assertIsInstance(rm["creation_timestamp"], int)
        self.assertEqual(rm["latest_versions"], [])
        self.assert_mlflow_error(self.mlflow("POST", "registered-models/create",
                                             {"name": "mlf_model"}, status=400),
                                 "RESOURCE_ALREADY_EXISTS")
        self.imported(build_bundle(model="mlf_model"))
        self.imported(build_bundle(model="mlf_model"))

        rm = self.mlflow("GET", "registered-models/get", {"name": "mlf_model"})["registered_model"]
        self.assertEqual([v["version"] for v in rm["latest_versions"]], ["2"])
        self.assertGreaterEqual(rm["last_updated_timestamp"], rm["creation_timestamp"])
        self.assert_mlflow_error(self.mlflow("GET", "registered-models/get", {"name": "nope"},
                                             status=404), "RESOURCE_DOES_NOT_EXIST")

        rm = self.mlflow("PATCH", "registered-models/update",
                         {"name": "mlf_model", "description": "updated"})["registered_model"]
        self.assertEqual(rm["description"], "updated")
        self.mlflow("POST", "registered-models/set-tag",
                    {"name": "mlf_model", "key": "stage", "value": "prod"})
        self.mlflow("DELETE", "registered-models/delete-tag", {"name": "mlf_model", "key": "team"})
        rm = self.mlflow("GET", "registered-models/get", {"name": "mlf_model"})["registered_model"]
        self.assertEqual(rm["tags"], [{"key": "stage", "value": "prod"}])

        # Aliases: set (version as a string, as the client sends it), read, delete.
        self.assertEqual(self.mlflow("POST", "registered-models/alias",
                                     {"name": "mlf_model", "alias": "champion", "version": "1"}), {})
        mv = self.mlflow("GET", "registered-models/alias",
                         {"name": "mlf_model", "alias": "champion"})["model_version"]
        self.assertEqual((mv["name"], mv["version"], mv["aliases"]), ("mlf_model", "1", ["champion"]))
        rm = self.mlflow("GET", "registered-models/get", {"name": "mlf_model"})["registered_model"]
        self.assertEqual(rm["aliases"], [{"alias": "champion", "version": "1"}])
        self.mlflow("DELETE", "registered-models/alias", {"name": "mlf_model", "alias": "champion"})
        self.assert_mlflow_error(self.mlflow("GET", "registered-models/alias",
                                             {"name": "mlf_model", "alias": "champion"},
                                             status=404), "RESOURCE_DOES_NOT_EXIST")

        latest = self.mlflow("POST", "registered-models/get-latest-versions",
                             {"name": "mlf_model", "stages": ["None"]})["model_versions"]
        self.assertEqual([v["version"] for v in latest], ["2"])
        latest = self.mlflow("POST", "registered-models/get-latest-versions",
                             {"name": "mlf_model", "stages": ["Production"]})["model_versions"]
        self.assertEqual(latest, [])

        self.assertEqual(self.mlflow("DELETE", "registered-models/delete", {"name": "mlf_model"}), {})
        self.mlflow("GET", "registered-models/get", {"name": "mlf_model"}, status=404)

    def test_mlflow_search_and_model_versions(self):
        for name in ("mls_a", "mls_b", "mls_c"):
            self.imported(build_bundle(model=name))
        self.imported(build_bundle(model="mls_b"))
        page = self.mlflow("GET", "registered-models/search",
                           {"filter": "name LIKE 'mls_%'", "max_results": 2})
        self.assertEqual([m["name"] for m in page["registered_models"]], ["mls_a", "mls_b"])
        self.assertIn("next_page_token", page)
        rest = self.mlflow("GET", "registered-models/search",
                           {"filter": "name LIKE 'mls_%'", "max_results": 2,
                            "page_token": page["next_page_token"]})
        self.assertEqual([m["name"] for m in rest["registered_models"]], ["mls_c"])
        self.assertNotIn("next_page_token", rest)
        everything = self.mlflow("GET", "registered-models/search", {"max_results": 1000})
        self.assertIn("mls_c", [m["name"] for m in everything["registered_models"]])
        exact = self.mlflow("GET", "registered-models/search", {"filter": "name = 'mls_b'"})
        self.assertEqual([m["name"] for m in exact["registered_models"]], ["mls_b"])
        self.assert_mlflow_error(self.mlflow("GET", "registered-models/search",
                                             {"filter": "name REGEXP 'x'"}, status=400),
                                 "INVALID_PARAMETER_VALUE")

        mv = self.mlflow("GET", "model-versions/get", {"name": "mls_b", "version": "2"})["model_version"]
        self.assertEqual(mv["version"], "2")
        self.assertEqual(mv["current_stage"], "None")
        self.assertEqual(mv["status"], "READY")
        self.assertEqual(mv["run_id"], "")
        self.assertEqual(mv["description"], "boosted trees on credit data")
        self.assertIsInstance(mv["creation_timestamp"], int)
        self.assertTrue(mv["source"].endswith("/api/v1/models/mls_b/versions/2/bundle"), mv)
        self.assert_mlflow_error(self.mlflow("GET", "model-versions/get",
                                             {"name": "mls_b", "version": "x"}, status=400),
                                 "INVALID_PARAMETER_VALUE")
        self.assert_mlflow_error(self.mlflow("GET", "model-versions/get",
                                             {"name": "mls_b", "version": "9"}, status=404),
                                 "RESOURCE_DOES_NOT_EXIST")

        found = self.mlflow("GET", "model-versions/search", {"filter": "name='mls_b'"})
        self.assertEqual([(v["name"], v["version"]) for v in found["model_versions"]],
                         [("mls_b", "2"), ("mls_b", "1")])

        uri = self.mlflow("GET", "model-versions/get-download-uri",
                          {"name": "mls_a", "version": "1"})["artifact_uri"]
        path = urllib.parse.urlparse(uri).path
        self.assertEqual(path, "/api/v1/models/mls_a/versions/1/bundle")
        r = self.server.get(path)
        self.assertEqual(r.status, 200)
        with tarfile.open(fileobj=io.BytesIO(r.body)) as tar:
            self.assertEqual(tar.getnames()[0], "manifest.json")

        self.assertEqual(self.mlflow("DELETE", "model-versions/delete",
                                     {"name": "mls_b", "version": "1"}), {})
        self.assertEqual([v["version"] for v in self.model("mls_b")["versions"]], [2])

    def test_mlflow_needs_the_token(self):
        r = self.server.request("GET", "/api/2.0/mlflow/registered-models/search", token=None)
        self.assertEqual(r.status, 401)
        r = self.server.request("GET", "/api/2.0/mlflow/registered-models/search", token="wrong")
        self.assertEqual(r.status, 401)


if __name__ == "__main__":
    unittest.main()
