"""DataLake sources, the watched directory: files dropped in a folder become appended dataset
versions; a file still being written waits; a restart imports nothing again; an unreadable
folder shows in the state and recovers; only admins watch server folders; and kill -9 in the
middle of a run leaves every row stored exactly once."""

import os
import shutil
import tempfile
import time
import unittest

from aimass_server import AimassServer, dataset_file, wait_until

FAST = {"pattern": "*.csv", "interval": "1s", "settle": "1s"}


def iris_halves():
    with open(dataset_file("iris.csv")) as f:
        lines = f.read().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    return header, rows[:70], rows[70:]


def write_old(path, text):
    """Writes a finished file last modified a minute ago (settled at once)."""
    with open(path, "w") as f:
        f.write(text)
    past = time.time() - 60
    os.utime(path, (past, past))


class SourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer()
        cls.server.start()
        cls.folder = tempfile.mkdtemp(prefix="aimass-inbox-")

    @classmethod
    def tearDownClass(cls):
        os.chmod(cls.folder, 0o755)
        shutil.rmtree(cls.folder, ignore_errors=True)
        cls.server.close()

    def create(self, name, dataset, folder, token=None, **config):
        body = {"name": name, "kind": "directory", "dataset": dataset,
                "config": dict(FAST, path=folder, **config)}
        kw = {} if token is None else {"token": token}
        return self.server.request("POST", "/api/v1/sources", body, **kw)

    def versions(self, dataset):
        r = self.server.get(f"/api/v1/datasets/{dataset}")
        return r.json()["versions"] if r.status == 200 else []

    def source(self, name):
        return self.server.get_json(f"/api/v1/sources/{name}")["source"]

    def wait_versions(self, dataset, count, timeout=30):
        wait_until(lambda: len(self.versions(dataset)) >= count, timeout,
                   what=f"{count} versions of {dataset}")
        return sorted(self.versions(dataset), key=lambda v: v["version"])

    def test_files_become_appended_versions_once_finished_and_never_again(self):
        s, header, first, second = self.server, *iris_halves()
        folder = os.path.join(self.folder, "flowers")
        os.makedirs(folder)
        r = self.create("flowers", "flowers", folder)
        self.assertEqual(r.status, 201, r)
        write_old(os.path.join(folder, "a.csv"), header + "".join(first))
        write_old(os.path.join(folder, ".hidden.csv"), header + "".join(first))
        versions = self.wait_versions("flowers", 1)
        self.assertEqual(versions[0]["row_count"], 70)
        self.assertEqual(versions[0]["source"]["source"], "flowers")
        write_old(os.path.join(folder, "b.csv"), header + "".join(second))
        versions = self.wait_versions("flowers", 2)
        self.assertEqual(versions[1]["row_count"], 150)  # appended
        self.assertIn("a.csv", versions[1]["source"]["cursor"]["files"])
        # The state is written just after the version is committed.
        wait_until(lambda: self.source("flowers")["state"]["batches"] == 2, 10, what="state")
        state = self.source("flowers")["state"]
        self.assertEqual((state["rows_taken"], state["batches"], state["error"]), (150, 2, None))
        self.assertIsNotNone(state["last_success_at"])
        self.assertIsNotNone(state["lag_seconds"])

        # A file still being written (open, half of it there) is left until it is finished.
        path = os.path.join(folder, "c.csv")
        with open(path, "w") as f:
            f.write(header + "".join(first[:10]))
            f.flush()
            time.sleep(1.2)
            f.write("".join(first[10:20]))
            f.flush()
            time.sleep(1.2)
            self.assertEqual(len(self.versions("flowers")), 2)
            f.write("".join(first[20:30]))
        versions = self.wait_versions("flowers", 3)
        self.assertEqual(versions[2]["row_count"], 180)

        # A restart on the same data directory imports nothing again.
        s.stop()
        s.start()
        time.sleep(3.5)
        self.assertEqual(len(self.versions("flowers")), 3)
        self.assertEqual(self.source("flowers")["state"]["rows_taken"], 180)

        listed = s.cli("sources", "list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("flowers", listed.stdout)
        shown = s.cli("sources", "show", "flowers")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertRegex(shown.stdout, r"rows_taken:\s+180\n")

    def test_an_unreadable_folder_shows_in_the_state_and_recovers(self):
        # chmod 000 stops every user but root; as root, the folder is missing instead.
        as_root = os.geteuid() == 0
        folder = os.path.join(self.folder, "locked")
        stash = os.path.join(self.folder, "stash")
        os.makedirs(stash if as_root else folder)
        write_old(os.path.join(stash if as_root else folder, "a.csv"), "x,y\n1,2\n")
        if not as_root:
            os.chmod(folder, 0)
        try:
            r = self.server.cli("sources", "create", "locked", "--kind", "directory",
                                "--dataset", "locked", "--set", f"path={folder}",
                                "--set", "interval=1s", "--set", "settle=1s")
            self.assertEqual(r.returncode, 0, r.stderr)
            wait_until(lambda: self.source("locked")["state"]["error"], 15, what="the error")
            state = self.source("locked")["state"]
            reason = "no such file or directory" if as_root else "permission denied"
            self.assertEqual(state["error"],
                             f"cannot read folder '{folder}': {reason}; make it "
                             "readable by the user running aimass")
            self.assertGreaterEqual(state["failures"], 1)
        finally:
            if as_root:
                os.rename(stash, folder)
            else:
                os.chmod(folder, 0o755)
        versions = self.wait_versions("locked", 1, timeout=30)
        self.assertEqual(versions[0]["row_count"], 1)
        wait_until(lambda: self.source("locked")["state"]["error"] is None, 10,
                   what="the error to clear")
        self.assertEqual(self.source("locked")["state"]["failures"], 0)

    def test_only_admins_watch_server_folders(self):
        s = self.server
        self.assertEqual(s.post("/api/v1/users", {"name": "eve"}).status, 201)
        r = s.request("PUT", "/api/v1/projects/default/members/eve", {"role": "editor"})
        self.assertEqual(r.status, 200, r)
        r = s.post("/api/v1/tokens", {"user": "eve", "scopes": "read,write", "label": "t"})
        self.assertEqual(r.status, 201, r)
        r = self.create("sneaky", "sneaky", "/etc", token=r.json()["token"])
        self.assertEqual(r.status, 403, r)
        self.assertIn("only admins", r.error["message"])
        self.assertEqual(s.get("/api/v1/sources/sneaky").status, 404)

    def test_an_import_appends_by_column_name(self):
        s = self.server
        s.import_dataset("grows", b"x,y\n1,2\n", filename="a.csv")
        s.import_dataset("grows", b"y,z\n3,4\n", filename="b.csv", append="true")
        r = s.cli("data", "import", "--name", "grows", "--append",
                  dataset_file("iris.csv"))
        self.assertEqual(r.returncode, 0, r.stderr)
        versions = sorted(self.versions("grows"), key=lambda v: v["version"])
        self.assertEqual([v["row_count"] for v in versions], [1, 2, 152])
        self.assertEqual(versions[1]["column_count"], 3)  # x, y, z: NULL where absent
        self.assertEqual(versions[1]["lineage"]["parent"], "grows@1")
        self.assertEqual(versions[2]["lineage"]["appended_rows"], 150)

    def test_bad_config_names_the_field(self):
        r = self.create("bad", "bad", "relative/path")
        self.assertEqual(r.status, 400, r)
        self.assertIn("config.path", r.error["message"])
        r = self.create("bad", "bad", "/tmp", interval="soon")
        self.assertEqual(r.status, 400, r)
        self.assertIn("config.interval", r.error["message"])


class SourceCrashTest(unittest.TestCase):
    def test_kill_9_mid_run_stores_every_row_exactly_once(self):
        server = AimassServer("--job-lease-seconds", "2")
        self.addCleanup(server.close)
        server.start()
        folder = tempfile.mkdtemp(prefix="aimass-inbox-")
        self.addCleanup(shutil.rmtree, folder, True)
        rows = 400_000
        with open(os.path.join(folder, "big.csv"), "w") as f:
            f.write("id,name,value\n")
            f.writelines(f"{i},name_{i % 977},{i * 0.5}\n" for i in range(rows))
        past = time.time() - 60
        os.utime(os.path.join(folder, "big.csv"), (past, past))
        r = server.post("/api/v1/sources", {"name": "big", "kind": "directory",
                                            "dataset": "big", "config": dict(FAST, path=folder)})
        self.assertEqual(r.status, 201, r)

        def running():
            job = server.get_json("/api/v1/sources/big")["source"]["state"]["job"]
            return job is not None and server.job(job)["state"] == "running"
        wait_until(running, 20, interval=0.02, what="a run in flight")
        server.kill()
        server.start()

        def stored():
            r = server.get("/api/v1/datasets/big")
            return r.status == 200 and r.json()["versions"]
        wait_until(stored, 60, what="the rows after the restart")
        time.sleep(3)
        versions = server.get_json("/api/v1/datasets/big")["versions"]
        self.assertEqual(len(versions), 1, versions)
        self.assertEqual(versions[0]["row_count"], rows)


if __name__ == "__main__":
    unittest.main()
