"""The aimass CLI against a real server: login, env vars, the data and jobs commands,
--json output and error reporting."""

import csv
import json
import os
import stat
import unittest

from aimass_server import AimassServer, dataset_file

ADULTS_SQL = "SELECT * FROM input WHERE Age > 30\n"


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer()
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        p = cls.server.cli("data", "import", dataset_file("credit_data.csv"), "--name", "credit")
        if p.returncode != 0:
            raise AssertionError(f"setup import failed: {p.stderr}")
        cls.import_out = p

    def setUp(self):
        self.work = os.path.join(self.server.root, self.id().rsplit(".", 1)[-1])
        os.makedirs(self.work)

    def run_ok(self, *args, **kw):
        p = self.server.cli(*args, **kw)
        self.assertEqual(p.returncode, 0, f"aimass {' '.join(map(str, args))}: {p.stderr}")
        return p

    def assert_cli_error(self, p, pattern=None):
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stderr, r"(?m)^error: \S")
        if pattern:
            self.assertRegex(p.stderr, pattern)

    # --- login and configuration -----------------------------------------------------
    def login_env(self, home, xdg=None):
        env = {"HOME": home, "XDG_CONFIG_HOME": xdg}
        return env

    def test_login_writes_config_0600_under_home(self):
        home = os.path.join(self.work, "home")
        os.makedirs(home)
        env = self.login_env(home)
        p = self.run_ok("login", "--server", self.server.url, "--token", self.server.token,
                        env=env, auth=False)
        config = os.path.join(home, ".config", "aimass", "config.json")
        self.assertTrue(os.path.isfile(config), p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(config).st_mode), 0o600)
        with open(config) as f:
            doc = json.load(f)
        self.assertEqual(doc["server"], self.server.url)
        self.assertEqual(doc["token"], self.server.token)
        # The saved login is used without env vars or flags.
        p = self.run_ok("data", "list", env=env, auth=False)
        self.assertIn("credit", p.stdout)

    def test_login_honours_xdg_config_home(self):
        home = os.path.join(self.work, "home")
        xdg = os.path.join(self.work, "xdg")
        os.makedirs(home)
        env = self.login_env(home, xdg)
        self.run_ok("login", "--server", self.server.url, "--token", self.server.token,
                    env=env, auth=False)
        config = os.path.join(xdg, "aimass", "config.json")
        self.assertTrue(os.path.isfile(config))
        self.assertEqual(stat.S_IMODE(os.stat(config).st_mode), 0o600)
        self.assertFalse(os.path.exists(os.path.join(home, ".config", "aimass")))
        self.run_ok("data", "list", env=env, auth=False)

    def test_login_with_a_bad_token_fails_and_saves_nothing(self):
        home = os.path.join(self.work, "home")
        os.makedirs(home)
        env = self.login_env(home)
        p = self.server.cli("login", "--server", self.server.url, "--token", "aim_bad",
                            env=env, auth=False)
        self.assert_cli_error(p)
        self.assertFalse(os.path.exists(os.path.join(home, ".config", "aimass", "config.json")))

    def test_env_vars_win_over_the_saved_login(self):
        home = os.path.join(self.work, "home")
        os.makedirs(home)
        env = self.login_env(home)
        self.run_ok("login", "--server", self.server.url, "--token", self.server.token,
                    env=env, auth=False)
        # A bad env token beats the good saved one.
        p = self.server.cli("data", "list", env=dict(env, AIMASS_TOKEN="aim_wrong"), auth=False)
        self.assert_cli_error(p)
        # A dead env URL beats the good saved one.
        p = self.server.cli("data", "list", env=dict(env, AIMASS_URL="http://127.0.0.1:9"),
                            auth=False)
        self.assert_cli_error(p)
        # A good env token beats a bad saved one.
        config = os.path.join(home, ".config", "aimass", "config.json")
        with open(config) as f:
            doc = json.load(f)
        doc["token"] = "aim_stale"
        with open(config, "w") as f:
            json.dump(doc, f)
        self.assert_cli_error(self.server.cli("data", "list", env=env, auth=False))
        p = self.run_ok("data", "list", env=dict(env, AIMASS_TOKEN=self.server.token),
                        auth=False)
        self.assertIn("credit", p.stdout)
        # And --token beats the env.
        p = self.server.cli("--token", "aim_flag_wrong", "data", "list")
        self.assert_cli_error(p)

    # --- the data commands -----------------------------------------------------------
    def test_import_shows_progress_and_the_new_version(self):
        p = self.import_out
        self.assertIn("credit@1", p.stdout)
        self.assertIn("4454", p.stdout)
        self.assertIn("100%", p.stderr)

    def test_data_commands_end_to_end(self):
        p = self.run_ok("data", "import", dataset_file("iris.csv"), "--name", "flowers")
        self.assertIn("flowers@1", p.stdout)
        p = self.run_ok("data", "list")
        self.assertRegex(p.stdout, r"(?m)^flowers\s+1\s+flowers@1\s+150\s+5")
        p = self.run_ok("data", "show", "flowers")
        self.assertIn("flowers@1", p.stdout)
        self.assertRegex(p.stdout, r"(?m)^target\s+VARCHAR")
        p = self.run_ok("data", "show", "flowers@1")
        self.assertIn("flowers@1", p.stdout)
        p = self.run_ok("data", "preview", "flowers", "--limit", "3", "--offset", "50")
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        self.assertIn("target", lines[0])
        data_lines = [l for l in lines[1:] if l.rstrip().endswith(("c0", "c1", "c2"))]
        self.assertEqual(len(data_lines), 3, p.stdout)
        self.assertTrue(all(l.rstrip().endswith("c1") for l in data_lines), p.stdout)
        p = self.run_ok("data", "stats", "flowers")
        self.assertRegex(p.stdout, r"(?m)^target\s+VARCHAR")
        self.assertRegex(p.stdout, r"(?m)^sepal length \(cm\)\s+DOUBLE\s+0")

        out_csv = os.path.join(self.work, "flowers.csv")
        self.run_ok("data", "export", "flowers", "-o", out_csv)
        with open(out_csv, newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(len(rows), 151)
        self.assertEqual(rows[0][-1], "target")
        out_pq = os.path.join(self.work, "flowers.parquet")
        self.run_ok("data", "export", "flowers@1", "-o", out_pq)
        with open(out_pq, "rb") as f:
            self.assertEqual(f.read(4), b"PAR1")

        sql = os.path.join(self.work, "setosa.sql")
        with open(sql, "w") as f:
            f.write("SELECT * FROM input WHERE target = 'c0'\n")
        p = self.run_ok("data", "transform", "flowers@1", "--sql", sql, "--as", "setosa")
        self.assertIn("setosa@1", p.stdout)
        v = self.server.get_json("/api/v1/datasets/setosa/versions/1")
        self.assertEqual(v["row_count"], 50)
        self.assertEqual(v["lineage"]["parent"], "flowers@1")
        # SQL from stdin, output defaulting to a new version of the input.
        p = self.run_ok("data", "transform", "flowers", "--sql", "-",
                        input="SELECT * FROM input LIMIT 10")
        self.assertIn("flowers@2", p.stdout)

        self.run_ok("data", "delete", "setosa@1", "--yes")
        self.assertEqual(self.server.get("/api/v1/datasets/setosa/versions/1").status, 404)
        self.run_ok("data", "delete", "flowers", "--yes")
        self.assertEqual(self.server.get("/api/v1/datasets/flowers").status, 404)

    def test_delete_without_yes_and_no_terminal_refuses(self):
        p = self.server.cli("data", "delete", "credit@1")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(self.server.get("/api/v1/datasets/credit/versions/1").status, 200)

    def test_import_no_wait_prints_the_job_id(self):
        p = self.run_ok("data", "import", dataset_file("iris.csv"), "--name", "nowait",
                        "--no-wait")
        ids = [int(t) for t in p.stdout.replace("#", " ").split() if t.isdigit()]
        self.assertTrue(ids, p.stdout)
        job = self.server.wait_job(ids[0], 60)
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["result"]["ref"], "nowait@1")

    def test_json_outputs_parse(self):
        work = self.work
        sql = os.path.join(work, "q.sql")
        with open(sql, "w") as f:
            f.write("SELECT Age FROM input LIMIT 5")
        commands = [
            ("data", "list"), ("data", "show", "credit"), ("data", "show", "credit@1"),
            ("data", "preview", "credit", "--limit", "2"), ("data", "stats", "credit"),
            ("jobs", "list"), ("jobs", "show", "1"),
            ("data", "import", dataset_file("iris.csv"), "--name", "json_iris"),
            ("data", "transform", "credit@1", "--sql", sql, "--as", "json_ages"),
        ]
        for args in commands:
            with self.subTest(command=" ".join(args)):
                p = self.server.cli("--json", *args)
                self.assertEqual(p.returncode, 0, p.stderr)
                json.loads(p.stdout)
        doc = json.loads(self.run_ok("--json", "data", "list").stdout)
        self.assertIn("credit", [d["name"] for d in doc["datasets"]])
        doc = json.loads(self.run_ok("--json", "data", "preview", "credit", "--limit", "2").stdout)
        self.assertEqual(len(doc["rows"]), 2)

    # --- errors ----------------------------------------------------------------------
    def test_errors_print_error_and_exit_nonzero(self):
        cases = [
            (("data", "show", "nosuch"), r"nosuch"),
            (("data", "preview", "credit@99"), r"99"),
            (("data", "delete", "nosuch", "--yes"), r"nosuch"),
            (("jobs", "show", "999999"), r"999999"),
            (("jobs", "log", "999999"), r"999999"),
            (("data", "import", dataset_file("iris.csv"), "--name", "x", "--type", "bad"),
             r"bad"),
        ]
        for args, pattern in cases:
            with self.subTest(command=" ".join(args)):
                self.assert_cli_error(self.server.cli(*args), pattern)
                self.assert_cli_error(self.server.cli("--json", *args), pattern)

    def test_error_when_the_server_is_down(self):
        p = self.server.cli("data", "list", env={"AIMASS_URL": "http://127.0.0.1:9"})
        self.assert_cli_error(p, r"127\.0\.0\.1:9")

    def test_error_for_a_missing_file(self):
        p = self.server.cli("data", "import", os.path.join(self.work, "missing.csv"),
                            "--name", "missing")
        self.assert_cli_error(p, r"missing\.csv")

    def test_error_for_a_sandbox_violation(self):
        sql = os.path.join(self.work, "bad.sql")
        with open(sql, "w") as f:
            f.write("SELECT * FROM read_csv('/etc/passwd')")
        p = self.server.cli("data", "transform", "credit", "--sql", sql, "--as", "pw")
        self.assert_cli_error(p, r"read_csv")

    def test_error_for_a_failed_import_job(self):
        path = os.path.join(self.work, "ragged.csv")
        with open(path, "w") as f:
            f.write("a,b\n1,2\n3\n")
        p = self.server.cli("data", "import", path, "--name", "ragged")
        self.assert_cli_error(p, r"line 3")

    # --- jobs ------------------------------------------------------------------------
    def test_jobs_list_show_log_watch_cancel(self):
        jobs = self.server.get_json("/api/v1/jobs?kind=dataset.import&state=succeeded")["jobs"]
        first = jobs[0]  # the newest, so that `jobs list` (20 rows) shows it
        ref = first["result"]["ref"]
        p = self.run_ok("jobs", "list")
        self.assertRegex(p.stdout, rf"(?m)^\s*{first['id']}\s+dataset\.import\s+succeeded")
        p = self.run_ok("jobs", "list", "--state", "succeeded", "--kind", "dataset.import",
                        "--limit", "1000")
        self.assertRegex(p.stdout, rf"(?m)^\s*{first['id']}\s")
        doc = json.loads(self.run_ok("--json", "jobs", "list", "--state", "failed").stdout)
        self.assertTrue(all(j["state"] == "failed" for j in doc["jobs"]), doc)
        p = self.run_ok("jobs", "show", str(first["id"]))
        self.assertRegex(p.stdout, r"(?m)^state\s+succeeded")
        self.assertIn(ref, p.stdout)
        p = self.run_ok("jobs", "log", str(first["id"]))
        self.assertTrue(p.stdout.strip())
        self.assertIn(ref, p.stdout)
        api_log = self.server.get(f"/api/v1/jobs/{first['id']}/log")
        self.assertEqual(api_log.status, 200)
        self.assertTrue(api_log.headers.get("Content-Type", "").startswith("text/plain"))
        self.assertEqual(api_log.body.decode(), p.stdout)
        self.run_ok("jobs", "watch", str(first["id"]), timeout=30)
        # A finished job cannot be cancelled (409).
        self.assert_cli_error(self.server.cli("jobs", "cancel", str(first["id"])))

    def test_job_events_stream_ends_after_a_finished_state(self):
        jobs = self.server.get_json("/api/v1/jobs?kind=dataset.import&limit=1")["jobs"]
        r = self.server.get(f"/api/v1/jobs/{jobs[0]['id']}/events", timeout=10)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/event-stream"))
        events = [l[len("data:"):].strip() for l in r.body.decode().splitlines()
                  if l.startswith("data:")]
        self.assertTrue(events, r.body)
        self.assertIn("event: job", r.body.decode())
        self.assertEqual(json.loads(events[-1])["state"], "succeeded")


if __name__ == "__main__":
    unittest.main()
