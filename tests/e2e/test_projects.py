"""Projects isolate what they own, against the real binary. Project "alpha" holds a dataset,
a model, an endpoint and jobs; the test walks the server's own route table and checks that
every route naming one of them answers 403 to a member of another project (whatever their
scopes), lets an alpha viewer read but not change (a viewer deploying is refused), and lets
alpha's owner do both. Lists show only the caller's projects; new things cannot be put in,
or take the name of something in, a project one is not an editor of."""

import re
import unittest

from aimass_server import AimassServer, dataset_file

# What each {param} of a route becomes: alpha's things.
ALPHA = {"name": None, "v": "1", "id": None, "project": "alpha", "user": "bo",
         "alias": "champion", "key": "team", "member": "model.json"}
# The prefix a pattern starts with, and the name its {name} takes there.
NAMES = [("/api/v1/datasets/{name}", "a_data"), ("/api/v1/models/{name}", "a_model"),
         ("/api/v1/endpoints/{name}", "a_web"), ("/v2/models/{name}", "a_web")]
GUARDED = ("/api/v1/datasets/{", "/api/v1/models/{", "/api/v1/endpoints/{", "/v2/models/{",
           "/api/v1/jobs/{", "/api/v1/training-runs/{", "/api/v1/projects/{")


def alpha_path(pattern, job_id):
    name = next((n for prefix, n in NAMES if pattern.startswith(prefix)), "x")
    values = dict(ALPHA, name=name, id=str(job_id))
    path = re.sub(r"\{member\.\.\.\}", values["member"], pattern)
    return re.sub(r"\{([a-z_]+)\}", lambda m: values[m.group(1)], path)


class ProjectsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer("--auth-failure-limit", "0", workers=1)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        s = cls.server
        cls.tokens = {}
        for user in ("ana", "vi", "bo"):
            assert s.post("/api/v1/users", {"name": user}).status == 201
            r = s.post("/api/v1/tokens", {"user": user, "scopes": "read,write", "label": "t"})
            assert r.status == 201, r
            cls.tokens[user] = r.json()["token"]
        assert s.post("/api/v1/projects", {"name": "alpha", "owner": "ana"}).status == 201
        assert s.post("/api/v1/projects", {"name": "beta", "owner": "bo"}).status == 201
        r = s.request("PUT", "/api/v1/projects/alpha/members/vi", body={"role": "viewer"},
                      token=cls.tokens["ana"])
        assert r.status == 200, r
        # alpha's things, made by its owner.
        ana = cls.tokens["ana"]
        cls.import_job = s.import_dataset("a_data", dataset_file("iris.csv"), project="alpha")
        r = s.request("POST", "/api/v1/training-runs", token=ana, body={
            "dataset": "a_data", "target": "target", "register": "a_model",
            "learners": ["linear"], "budget": "30s", "max_trials": 1, "cv": 2,
            "ensemble": "none", "seed": 1})
        assert r.status == 202, r
        cls.train_job = r.json()["job"]["id"]
        assert s.wait_job(cls.train_job, 180)["state"] == "succeeded"
        r = s.request("POST", "/api/v1/endpoints", token=ana,
                      body={"name": "a_web", "model": "a_model@1"})
        assert r.status == 201, r
        cls.routes = s.get_json("/api/v1/routes")["routes"]

    def call(self, route, token):
        path = alpha_path(route["pattern"], self.train_job)
        body = {} if route["method"] in ("POST", "PUT", "PATCH") else None
        return self.server.request(route["method"], path, body=body, token=token)

    def guarded_routes(self):
        return [r for r in self.routes
                if r["pattern"].startswith(GUARDED) and r["permission"] != "admin"]

    def test_a_project_that_is_not_a_name_is_a_400_everywhere(self):
        for path, body in (("/api/v1/models", {"name": "m", "project": 5}),
                           ("/api/v1/sources", {"name": "s", "kind": "directory", "dataset": "d",
                                                "config": {"path": "/tmp"}, "project": [1]}),
                           ("/api/v1/datasets/import-url",
                            {"name": "d", "url": "http://example.com/a.csv", "project": {}})):
            r = self.server.post(path, body)
            self.assertEqual(r.status, 400, (path, r))
            self.assertIn("'project' must be a project's name", r.error["message"])

    def test_another_projects_member_is_refused_on_every_route(self):
        routes = self.guarded_routes()
        self.assertGreater(len(routes), 30)
        for route in routes:
            with self.subTest(route=route):
                r = self.call(route, self.tokens["bo"])
                self.assertEqual(r.status, 403, r)
                self.assertEqual(r.error["code"], "permission_denied")
                self.assertIn("project 'alpha'", r.error["message"])
        print(f"\n{len(routes)} routes refused to a member of another project")

    def test_a_viewer_reads_but_does_not_change(self):
        reads = changes = 0
        for route in self.guarded_routes():
            viewer_may = route["method"] == "GET" or route["permission"] == "predict"
            with self.subTest(route=route):
                r = self.call(route, self.tokens["vi"])
                if viewer_may:
                    self.assertNotIn(r.status, (401, 403), r)
                    reads += 1
                else:
                    self.assertEqual(r.status, 403, r)
                    self.assertIn("viewer", r.error["message"])
                    changes += 1
        self.assertGreater(changes, 10)
        # The case: a viewer deploying.
        r = self.server.request("POST", "/api/v1/endpoints", token=self.tokens["vi"],
                                body={"name": "mine", "model": "a_model@1"})
        self.assertEqual(r.status, 403, r)
        print(f"\nviewer: {reads} reads allowed, {changes} changes refused")

    def test_the_owner_may_do_both(self):
        for route in self.guarded_routes():
            if route["method"] == "DELETE":
                continue  # the other tests go on with alpha's things
            with self.subTest(route=route):
                r = self.call(route, self.tokens["ana"])
                self.assertNotIn(r.status, (401, 403), r)

    def test_lists_show_only_ones_own_projects(self):
        s = self.server
        for path, key in (("/api/v1/datasets", "datasets"), ("/api/v1/models", "models"),
                          ("/api/v1/endpoints", "endpoints"), ("/api/v1/jobs", "jobs"),
                          ("/api/v1/training-runs", "training_runs")):
            with self.subTest(path=path):
                seen = s.request("GET", path, token=self.tokens["vi"]).json()[key]
                self.assertTrue(seen)
                self.assertTrue(all(item["project"] == "alpha" for item in seen), seen)
                self.assertEqual(s.request("GET", path, token=self.tokens["bo"]).json()[key], [])
                r = s.request("GET", path + "?project=alpha", token=self.tokens["bo"])
                self.assertEqual(r.status, 403, r)
        names = [p["name"] for p in
                 s.request("GET", "/api/v1/projects", token=self.tokens["bo"]).json()["projects"]]
        self.assertEqual(names, ["beta"])
        mlflow = s.request("GET", "/api/2.0/mlflow/registered-models/search",
                           token=self.tokens["bo"]).json()
        self.assertEqual(mlflow.get("registered_models", []), [])
        r = s.request("GET", "/api/2.0/mlflow/registered-models/get?name=a_model",
                      token=self.tokens["bo"])
        self.assertEqual(r.status, 403, r)

    def test_nothing_new_goes_into_or_takes_names_from_another_project(self):
        s, bo = self.server, self.tokens["bo"]
        data = b"a,b\n1,2\n"
        # Into alpha, where bo is no member: refused.
        r = s.request("POST", "/api/v1/datasets?name=mine&project=alpha", body=data, token=bo)
        self.assertEqual(r.status, 403, r)
        # A new version of alpha's dataset, by name: refused, and alpha's data unchanged.
        r = s.request("POST", "/api/v1/datasets?name=a_data&project=beta", body=data, token=bo)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(len(s.get_json("/api/v1/datasets/a_data")["versions"]), 1)
        # A transform from alpha's data into beta, or from beta's into alpha's name.
        r = s.request("POST", "/api/v1/transforms", token=bo,
                      body={"input": "a_data", "sql": "SELECT * FROM input", "output": "b"})
        self.assertEqual(r.status, 403, r)
        job = s.import_dataset("b_data", data, project="beta")
        self.assertEqual(job["project"], "beta")
        r = s.request("POST", "/api/v1/transforms", token=bo,
                      body={"input": "b_data", "sql": "SELECT * FROM input", "output": "a_data"})
        self.assertEqual(r.status, 403, r)
        # An endpoint in beta serving alpha's model; a model registered under alpha's name.
        r = s.request("POST", "/api/v1/endpoints", token=bo,
                      body={"name": "b_web", "model": "a_model@1"})
        self.assertEqual(r.status, 403, r)
        r = s.request("POST", "/api/v1/models", token=bo, body={"name": "a_model",
                                                               "project": "beta"})
        self.assertEqual(r.status, 403, r)
        # Members are managed by owners only; projects are made by admins only.
        r = s.request("PUT", "/api/v1/projects/alpha/members/bo", body={"role": "owner"},
                      token=self.tokens["vi"])
        self.assertEqual(r.status, 403, r)
        r = s.request("POST", "/api/v1/projects", body={"name": "gamma"}, token=bo)
        self.assertEqual(r.status, 403, r)
        # The admin sees everything, and the ledger has the project changes.
        self.assertEqual(s.get_json("/api/v1/projects/alpha")["name"], "alpha")
        entries = s.get_json("/api/v1/ledger/entries?limit=1000")["entries"]
        actions = {e["action"] for e in entries}
        self.assertTrue({"project.created", "project.member.set"} <= actions, actions)

    def test_projects_from_the_cli(self):
        s = self.server

        def cli(*args):
            done = s.cli("projects", *args)
            self.assertEqual(done.returncode, 0, done.stderr)
            return done.stdout

        self.assertIn("delta", cli("create", "delta", "--description", "from the cli"))
        cli("add-member", "delta", "vi", "--role", "editor")
        self.assertRegex(cli("members", "delta"), r"vi\s+editor")
        cli("remove-member", "delta", "vi")
        self.assertNotIn("vi", cli("members", "delta"))
        self.assertIn("delta", cli("list"))
        cli("delete", "delta")
        self.assertNotIn("delta", cli("list"))
        refused = s.cli("projects", "delete", "alpha")  # it holds things
        self.assertEqual(refused.returncode, 1)
        self.assertIn("still holds", refused.stderr)

if __name__ == "__main__":
    unittest.main()
