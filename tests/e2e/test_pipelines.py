"""Pipelines through the real binary: bad YAML refused with the line of each problem, the
demo pipeline (files dropped into a watched folder end with a new champion being served, with
no manual step), the webhook and manual triggers, cancel, projects, and kill -9 in the middle
of a run."""

import json
import os
import time
import unittest

from aimass_server import AimassServer, dataset_file, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "examples", "pipelines", "retrain-on-new-data.yaml")
FINISHED = ("succeeded", "failed", "cancelled")


def apply(server, yaml_text, **query):
    path = "/api/v1/pipelines"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return server.request("POST", path, body=yaml_text.encode(),
                          headers={"Content-Type": "application/yaml"})


def wait_run(server, run_id, timeout=120):
    def done():
        run = server.get_json(f"/api/v1/pipeline-runs/{run_id}")
        return run if run["state"] in FINISHED else None
    return wait_until(done, timeout, interval=0.2, what=f"pipeline run {run_id} to end")


def steps(run):
    return {step["name"]: step for step in run["steps"]}


def train_then_alias(name, budget):
    """A pipeline that trains on iris, then points `champion` at the new model."""
    return (f"name: {name}\nsteps:\n"
            "  - name: train\n    type: train\n    with:\n      dataset: iris\n"
            f"      target: target\n      register: iris_model\n      budget: {budget}\n"
            "  - name: promote\n    type: set-alias\n    needs: train\n    with:\n"
            "      model: ${{ steps.train.outputs.model }}\n      alias: champion\n")


def start_run_until_training(server, pipeline):
    """Starts a run and returns it once its train step's job is running."""
    run = server.post(f"/api/v1/pipelines/{pipeline}/runs").json()
    wait_until(lambda: steps(server.get_json(f"/api/v1/pipeline-runs/{run['id']}"))["train"]
               ["state"] == "running", 30, what="the train step to start")
    return run


class PipelineCheckTest(unittest.TestCase):
    """What apply refuses, and that nothing is stored then."""

    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer(workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def refused(self, yaml_text, *expected):
        r = apply(self.server, yaml_text)
        self.assertEqual(r.status, 400, r)
        message = r.error["message"]
        for text in expected:
            self.assertIn(text, message)
        return message

    def test_bad_pipelines_are_refused_with_their_lines(self):
        self.refused("name: loop\nsteps:\n"
                     "  - {name: a, type: transform, needs: b, with: {input: x, sql: SELECT 1}}\n"
                     "  - {name: b, type: transform, needs: a, with: {input: x, sql: SELECT 1}}\n",
                     "cycle: a -> b -> a")
        self.refused("name: p\nsteps:\n  - name: t\n    type: trian\n",
                     "line 3", "unknown type 'trian'", "train, transform")
        self.refused("name: p\nsteps:\n"
                     "  - {name: t, type: transform, with: {input: x, sql: SELECT 1}}\n"
                     "  - name: d\n    type: deploy\n    needs: t\n    with:\n"
                     "      endpoint: e\n      model: ${{ steps.t.outputs.model }}\n",
                     "line 9", "has no output 'model'")
        self.refused("name: p\ntriggers:\n  - cron: '* * 32 * *'\nsteps:\n"
                     "  - {name: t, type: transform, with: {input: x, sql: SELECT 1}}\n",
                     "line 3", "day of month '32' is out of range 1-31")
        self.refused("name: p\nsteps:\n"
                     "  - {name: t, type: transform, with: {input: x, sql: 'DROP TABLE y'}}\n",
                     "step 't'")
        self.refused("name: p\nsteps: [\n", "not valid YAML", "line")
        self.assertEqual(self.server.get_json("/api/v1/pipelines")["pipelines"], [])

    def test_check_only_and_the_step_types(self):
        r = self.server.cli("pipelines", "apply", DEMO, "--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is a valid pipeline (8 steps)", r.stdout)
        self.assertEqual(self.server.get_json("/api/v1/pipelines")["pipelines"], [])
        types = self.server.get_json("/api/v1/pipeline-step-types")["step_types"]
        self.assertEqual(sorted(t["name"] for t in types),
                         ["batch-predict", "deploy", "evaluate", "gate", "import", "notify",
                          "register", "set-alias", "train", "transform"])


class PipelineRunTest(unittest.TestCase):
    """The demo end to end, then the other triggers on the same server."""

    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer(workers=2).start()
        cls.inbox = os.path.join(cls.server.root, "inbox")
        os.makedirs(cls.inbox)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_1_files_dropped_into_a_folder_end_with_a_new_champion_served(self):
        s = self.server
        r = s.post("/api/v1/sources", {"name": "inbox", "kind": "directory",
                                       "dataset": "credit_inbox",
                                       "config": {"path": self.inbox, "pattern": "*.csv",
                                                  "interval": "1s", "settle": "500ms"}})
        self.assertEqual(r.status, 201, r)
        with open(DEMO) as f:
            r = apply(s, f.read())
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["version"], 1)

        with open(dataset_file("credit_data.csv")) as f:
            lines = f.readlines()
        part = os.path.join(self.inbox, "part-1.csv.tmp")
        with open(part, "w") as f:
            f.writelines(lines[:2200])
        os.rename(part, part[:-4])  # appears whole, as a careful writer does

        def first_run():
            runs = s.get_json("/api/v1/pipelines/retrain-on-new-data/runs")["runs"]
            return runs[-1] if runs else None
        run = wait_run(s, wait_until(first_run, 60, what="a run to start")["id"], timeout=180)
        self.assertEqual(run["state"], "succeeded", json.dumps(run, indent=1))
        self.assertEqual(run["trigger"], "dataset")
        by_name = steps(run)
        self.assertFalse(by_name["score-champion"]["outputs"]["found"])  # no champion yet
        self.assertTrue(by_name["better"]["outputs"]["passed"])
        self.assertEqual(by_name["promote"]["outputs"]["model"], "credit_model@1")
        endpoint = s.get_json("/api/v1/endpoints/credit")
        self.assertIn("credit_model@1", json.dumps(endpoint))
        record = {"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married",
                  "Records": "no", "Job": "freelance", "Expenses": 73, "Income": 129,
                  "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}
        r = s.post("/api/v1/endpoints/credit/predict", {"instances": [record]})
        self.assertEqual(r.status, 200, r)

        # More rows: the source appends them as version 2, the pipeline runs again, and the
        # gate decides by the holdout scores it recorded.
        with open(os.path.join(self.inbox, "part-2.csv"), "w") as f:
            f.writelines(lines[:1] + lines[2200:])
        second = wait_until(lambda: next((x for x in s.get_json(
            "/api/v1/pipelines/retrain-on-new-data/runs")["runs"] if x["id"] != run["id"]), None),
            60, what="a second run")
        second = wait_run(s, second["id"], timeout=180)
        self.assertEqual(second["state"], "succeeded", json.dumps(second, indent=1))
        gate = steps(second)["better"]["outputs"]
        self.assertTrue(steps(second)["score-champion"]["outputs"]["found"])
        new, old = gate["candidate_value"], gate["baseline_value"]
        self.assertEqual(gate["passed"], new >= old + 0.005, gate)
        champion = s.get_json("/api/v1/models/credit_model")
        expected = "credit_model@2" if gate["passed"] else "credit_model@1"
        self.assertEqual(steps(second)["promote"]["state"],
                         "succeeded" if gate["passed"] else "skipped")
        self.assertIn(expected.split("@")[1], json.dumps(champion.get("aliases", champion)))

    def test_2_manual_runs_follow_with_the_cli_and_webhooks_need_their_token(self):
        s = self.server
        s.import_dataset("iris", dataset_file("iris.csv"))
        pipeline = ("name: hook\ntriggers:\n  - webhook: {}\nsteps:\n"
                    "  - name: setosa\n    type: transform\n    with:\n      input: iris\n"
                    "      sql: \"SELECT * FROM input WHERE target = 'c0'\"\n"
                    "      output: setosa\n")
        r = apply(s, pipeline)
        self.assertEqual(r.status, 201, r)
        token = r.json()["webhook_token"]
        self.assertEqual(apply(s, pipeline).status, 200)  # unchanged: no new version

        r = s.cli("pipelines", "run", "hook")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("setosa@1", r.stdout)

        path = "/api/v1/pipelines/hook/webhook"
        for bad in ({}, {"X-Aimass-Webhook-Token": "aimwh_wrong"}):
            r = s.request("POST", path, headers=bad, token=None)
            self.assertEqual(r.status, 401, r)
        r = s.request("POST", path, headers={"X-Aimass-Webhook-Token": token}, token=None)
        self.assertEqual(r.status, 202, r)
        run = wait_run(s, r.json()["run"])
        self.assertEqual(run["trigger"], "webhook")
        # The transform's input did not change: its output is reused, and it says so.
        self.assertEqual(steps(run)["setosa"]["state"], "cached")
        self.assertIn("reused", steps(run)["setosa"]["log"])

    def test_3_cancel_and_a_failing_step(self):
        s = self.server
        r = apply(s, train_then_alias("slow", "60s"))
        self.assertEqual(r.status, 201, r)
        run = start_run_until_training(s, "slow")
        r = s.cli("pipelines", "cancel", str(run["id"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        run = wait_run(s, run["id"])
        self.assertEqual(run["state"], "cancelled")
        self.assertEqual(steps(run)["promote"]["state"], "cancelled")

        r = apply(s, "name: broken\nsteps:\n"
                     "  - {name: t, type: transform, with: {input: nothing_here, sql: SELECT 1}}\n")
        self.assertEqual(r.status, 201, r)
        r = s.cli("pipelines", "run", "broken")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing_here", r.stdout + r.stderr)


class PipelineProjectTest(unittest.TestCase):
    def test_members_of_another_project_cannot_see_or_run_a_pipeline(self):
        with AimassServer(workers=1) as s:
            self.assertEqual(s.post("/api/v1/users", {"name": "bob"}).status, 201)
            r = s.post("/api/v1/tokens", {"user": "bob", "scopes": "read,write", "label": "t"})
            self.assertEqual(r.status, 201, r)
            bob = r.json()["token"]
            self.assertEqual(s.post("/api/v1/projects", {"name": "alpha"}).status, 201)
            self.assertEqual(s.post("/api/v1/projects", {"name": "beta"}).status, 201)
            r = s.request("PUT", "/api/v1/projects/beta/members/bob", body={"role": "editor"})
            self.assertEqual(r.status, 200, r)
            s.import_dataset("iris", dataset_file("iris.csv"))
            text = ("name: secret\nsteps:\n"
                    "  - {name: t, type: transform, with: {input: iris, sql: SELECT 1}}\n")
            self.assertEqual(apply(s, text, project="alpha").status, 201)
            for method, path in (("GET", "/api/v1/pipelines/secret"),
                                 ("POST", "/api/v1/pipelines/secret/runs"),
                                 ("DELETE", "/api/v1/pipelines/secret")):
                r = s.request(method, path, token=bob)
                self.assertEqual(r.status, 403, (method, path, r))
                self.assertIn("project 'alpha'", r.error["message"])
            self.assertEqual(s.get_json("/api/v1/pipelines")["pipelines"][0]["name"], "secret")
            r = s.request("GET", "/api/v1/pipelines", token=bob)
            self.assertEqual(r.json()["pipelines"], [])


class PipelineCrashTest(unittest.TestCase):
    def test_kill_9_in_the_middle_of_a_run_and_it_carries_on_after_restart(self):
        with AimassServer("--job-lease-seconds", "2", workers=1) as s:
            s.import_dataset("iris", dataset_file("iris.csv"))
            r = apply(s, train_then_alias("crash", "4s"))
            self.assertEqual(r.status, 201, r)
            run = start_run_until_training(s, "crash")
            time.sleep(1)
            s.kill()
            s.start()
            run = wait_run(s, run["id"], timeout=120)
            self.assertEqual(run["state"], "succeeded", json.dumps(run, indent=1))
            self.assertEqual(steps(run)["promote"]["outputs"]["model"], "iris_model@1")
            versions = s.get_json("/api/v1/models/iris_model")
            self.assertEqual(len(versions.get("versions", [1])), 1, versions)


if __name__ == "__main__":
    unittest.main()
