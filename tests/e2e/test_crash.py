"""kill -9 in the middle of an import: the metadata survives intact, no half-made version
shows, the job is re-queued after its lease and finishes, and no blob is left orphaned."""

import os
import sqlite3
import time
import unittest

from aimass_server import AimassServer, wait_until

TARGET_BYTES = 150 * 1024 * 1024


def write_big_csv(path, target_bytes=TARGET_BYTES):
    """Writes ~target_bytes of CSV fast by repeating one chunk; returns the data row count."""
    rows = [f"{i},name_{i % 977},{i * 0.5},{'true' if i % 3 else 'false'},"
            f"some longer text value {i % 101}\n" for i in range(20000)]
    chunk = "".join(rows).encode()
    repeats = max(1, target_bytes // len(chunk))
    with open(path, "wb") as f:
        f.write(b"id,name,value,flag,note\n")
        for _ in range(repeats):
            f.write(chunk)
    return repeats * len(rows)


def integrity_check(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def table_count(db_path, table):
    """Rows in a table of aimass.db, or None when there is no such table."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                            (table,)).fetchone():
            return None
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.server = AimassServer("--job-lease-seconds", "2")
        self.addCleanup(self.server.close)
        self.server.start()
        self.db = os.path.join(self.server.data_dir, "aimass.db")

    def assert_no_half_import(self, name):
        r = self.server.get(f"/api/v1/datasets/{name}")
        if r.status == 200:
            self.assertEqual(r.json()["versions"], [], "a version of an unfinished import shows")
        else:
            self.assertEqual(r.status, 404, r)

    def assert_no_orphan_blobs(self):
        hashes = {v["hash"] for v in self.server.all_versions()}
        blobs = self.server.blob_files()
        orphans = [b for b in blobs if b.replace(os.sep, "") not in hashes]
        self.assertEqual(orphans, [], "blob files that no version names")
        missing = [h for h in hashes if not os.path.isfile(self.server.blob_path(h))]
        self.assertEqual(missing, [], "versions whose blob is missing")

    def test_kill_9_during_import_then_restart(self):
        path = os.path.join(self.server.root, "big.csv")
        try:
            rows = write_big_csv(path)
            r = self.server.upload("big", path)
        finally:
            os.remove(path)
        self.assertEqual(r.status, 202, r)
        job_id = r.json()["job"]["id"]

        # Kill once the job is running.
        job = self.server.wait_job(job_id, 60, states=("running", "succeeded", "failed"))
        if job["state"] != "running":
            self.skipTest(f"the import ended ({job['state']}) before the test could see it "
                          "running; make the file bigger")
        self.assert_no_half_import("big")
        self.server.kill()
        self.assertEqual(integrity_check(self.db), [("ok",)])
        self.assertEqual(table_count(self.db, "dataset_versions") or 0, 0)

        self.server.start()
        self.assertEqual(integrity_check(self.db), [("ok",)])  # read-only while it runs
        deadline = time.monotonic() + 180
        seen_states = []
        while True:
            job = self.server.job(job_id)
            if not seen_states or seen_states[-1] != job["state"]:
                seen_states.append(job["state"])
            if job["state"] == "succeeded":
                break
            self.assert_no_half_import("big")
            if job["state"] in ("failed", "cancelled"):
                break
            self.assertLess(time.monotonic(), deadline,
                            f"job not finished within 180 s of the restart: {job!r}")
            time.sleep(0.2)

        if job["state"] == "succeeded":
            self.assertGreaterEqual(job["attempts"], 2, job)
            v = self.server.get_json("/api/v1/datasets/big/versions/latest")
            self.assertEqual(v["row_count"], rows)
            self.assertEqual(v["version"], 1)
            self.assertEqual(v["job_id"], job_id)
        else:
            self.assertEqual(job["state"], "failed", f"states seen: {seen_states}")
            self.assertTrue(job["error"], job)
            self.assert_no_half_import("big")

        self.assert_no_orphan_blobs()
        # Leftovers of the killed attempt are cleaned up, not kept forever.
        blobs_tmp = os.path.join(self.server.data_dir, "blobs", "tmp")
        wait_until(lambda: os.listdir(blobs_tmp) == [], 10,
                   what=f"{blobs_tmp} to be emptied of the killed attempt's files")

        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(integrity_check(self.db), [("ok",)])

    def test_kill_9_while_idle_keeps_data(self):
        self.server.import_dataset("small", b"a,b\n1,2\n3,4\n", filename="small.csv")
        before = self.server.get_json("/api/v1/datasets/small/versions/1")
        self.server.kill()
        self.assertEqual(integrity_check(self.db), [("ok",)])
        self.server.start()
        self.assertEqual(self.server.get_json("/api/v1/datasets/small/versions/1"), before)
        self.assert_no_orphan_blobs()


if __name__ == "__main__":
    unittest.main()
