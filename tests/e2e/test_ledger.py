"""The tamper-evident ledger against the real binary: every change over the API appends an
entry naming its user; the head, inclusion and consistency proofs check out with an
independent RFC 9162 verifier written here; `aimass ledger verify` passes on an intact data
directory and fails on an edited one; the server refuses to sign over tampering; 200
concurrent writers lose and repeat nothing; kill -9 during appends leaves each change with its
entry or neither."""

import hashlib
import json
import os
import sqlite3
import threading
import unittest

from aimass_server import AimassServer, dataset_file


def leaf_hash(text):
    return hashlib.sha256(b"\x00" + text.encode()).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 section 2.1.4.2 (first > 0, first < second)."""
    if first & (first - 1) == 0:  # a power of two: the old root starts the path
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


class LedgerTest(unittest.TestCase):
    def setUp(self):
        self.server = AimassServer()
        self.addCleanup(self.server.close)
        self.server.start()
        self.db = os.path.join(self.server.data_dir, "aimass.db")

    def entries(self):
        return self.server.get_json("/api/v1/ledger/entries?limit=1000")["entries"]

    def head(self):
        return self.server.get_json("/api/v1/ledger/head")

    def put_tag(self, key, value="v", model="fraud"):
        return self.server.request("PUT", f"/api/v1/models/{model}/tags/{key}", {"value": value})

    def verify_cli(self, *extra):
        return self.server.cli("ledger", "verify", "--data-dir", self.server.data_dir, *extra,
                               auth=False)

    def test_changes_are_entries_with_proofs_that_check_out(self):
        self.server.import_dataset("iris", dataset_file("iris.csv"))
        self.assertEqual(self.server.post("/api/v1/models", {"name": "fraud"}).status, 201)
        self.assertEqual(self.put_tag("team", "risk").status, 200)
        first = self.head()
        self.assertEqual(self.put_tag("owner", "ana").status, 200)
        entries = self.entries()
        actions = [e["action"] for e in entries]
        for action in ("user.created", "token.created", "job.queued", "dataset.version.created",
                       "model.created", "model.tag.set"):
            self.assertIn(action, actions)
        tags = [e for e in entries if e["action"] == "model.tag.set"]
        self.assertEqual([t["details"]["key"] for t in tags], ["team", "owner"])
        self.assertEqual(tags[0]["actor"], "admin")
        created = next(e for e in entries if e["action"] == "dataset.version.created")
        self.assertEqual(created["actor"], "admin (job 1)")
        self.assertEqual(created["subject"], "dataset:iris@1")

        head = self.head()
        self.assertEqual(head["size"], len(entries))
        root = bytes.fromhex(head["root"])
        for e in entries:
            self.assertEqual(leaf_hash(e["entry"]).hex(), e["leaf_hash"])
            r = self.server.get_json(f"/api/v1/ledger/entries/{e['index']}/proof")
            proof = [bytes.fromhex(h) for h in r["inclusion_proof"]]
            self.assertTrue(verify_inclusion(leaf_hash(e["entry"]), e["index"], head["size"],
                                             proof, root), e)
            # A proof for another entry's text fails.
            self.assertFalse(verify_inclusion(leaf_hash(e["entry"] + " "), e["index"],
                                              head["size"], proof, root))
        r = self.server.get_json(f"/api/v1/ledger/consistency?from={first['size']}")
        proof = [bytes.fromhex(h) for h in r["proof"]]
        self.assertTrue(verify_consistency(first["size"], head["size"],
                                           bytes.fromhex(first["root"]), root, proof))
        self.assertFalse(verify_consistency(first["size"], head["size"], root, root, proof))

        lineage = self.server.get_json("/api/v1/datasets/iris/versions/1/lineage")
        self.assertEqual([e["action"] for e in lineage["entries"]],
                         ["job.queued", "dataset.version.created"])
        self.assertTrue(all(e["sealed"] for e in lineage["entries"]))

        self.assertEqual(self.server.get("/api/v1/ledger/entries/9999/proof").status, 404)
        self.assertEqual(self.server.get("/api/v1/ledger/consistency?from=1&tree_size=99999")
                         .status, 400)
        self.assertEqual(self.server.get("/api/v1/ledger/head", token=None).status, 401)

    def test_verify_passes_intact_and_catches_an_edit_and_a_truncation(self):
        self.assertEqual(self.server.post("/api/v1/models", {"name": "fraud"}).status, 201)
        for i in range(4):
            self.assertEqual(self.put_tag(f"k{i}").status, 200)
        saved = os.path.join(self.server.root, "head.json")
        r = self.server.cli("ledger", "head", "-o", saved)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(saved) as f:
            self.assertEqual(json.load(f)["size"], len(self.entries()))
        r = self.verify_cli("--trusted-head", saved)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("OK", r.stdout)

        self.server.stop()
        conn = sqlite3.connect(self.db)
        with conn:
            # Back to an earlier signed head, as a careful attacker would.
            size = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
            earlier = conn.execute("SELECT max(size) FROM ledger_heads WHERE size < ?",
                                   (size,)).fetchone()[0]
            conn.execute("DELETE FROM ledger_entries WHERE idx >= ?", (earlier,))
            conn.execute("DELETE FROM ledger_heads WHERE size > ?", (earlier,))
        conn.close()
        r = self.verify_cli()
        self.assertEqual(r.returncode, 0, "without a trusted head a clean truncation hides: "
                         + r.stdout)
        r = self.verify_cli("--trusted-head", saved)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("truncated", r.stdout)

        conn = sqlite3.connect(self.db)
        with conn:
            conn.execute("UPDATE ledger_entries SET entry = replace(entry, 'user:admin', "
                         "'user:eve') WHERE idx = 0")
        conn.close()
        r = self.verify_cli()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("TAMPERED", r.stdout)
        self.assertIn("does not hash to its stored leaf hash", r.stdout)

        # The server starts, serves, and refuses to sign a head over the edited ledger.
        self.server.start()
        r = self.server.get("/api/v1/ledger/head")
        self.assertEqual(r.status, 500)
        self.assertIn("failed verification", r.error["message"])
        self.assertEqual(self.server.get("/v2/health/live", token=None).status, 200)

    def test_two_hundred_concurrent_writers_get_one_entry_each(self):
        self.assertEqual(self.server.post("/api/v1/models", {"name": "fraud"}).status, 201)
        statuses = []

        def write(i):
            statuses.append(self.put_tag(f"t{i}", str(i)).status)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(statuses, [200] * 200)
        entries = self.entries()
        self.assertEqual([e["index"] for e in entries], list(range(len(entries))))
        keys = sorted(e["details"]["key"] for e in entries if e["action"] == "model.tag.set")
        self.assertEqual(keys, sorted(f"t{i}" for i in range(200)))
        # The sealer may not have signed the newest entries yet: seal, then check.
        self.head()
        r = self.verify_cli()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_kill_during_appends_leaves_each_change_whole(self):
        self.assertEqual(self.server.post("/api/v1/models", {"name": "fraud"}).status, 201)
        stop = threading.Event()

        def write(worker):
            i = 0
            while not stop.is_set():
                try:
                    self.put_tag(f"w{worker}_{i}")
                except OSError:
                    return
                i += 1

        threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        threading.Event().wait(1.5)
        self.server.kill()
        stop.set()
        for t in threads:
            t.join()
        conn = sqlite3.connect(self.db)
        tags = {k for (k,) in conn.execute("SELECT key FROM model_tags")}
        logged = {json.loads(e)["details"]["key"] for (e,) in conn.execute(
            "SELECT entry FROM ledger_entries WHERE action = 'model.tag.set'")}
        conn.close()
        self.assertGreater(len(tags), 10)
        self.assertEqual(tags, logged, "a change without its entry, or an entry without it")
        self.server.start()  # seals what the killed server had not
        self.head()
        r = self.verify_cli()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
