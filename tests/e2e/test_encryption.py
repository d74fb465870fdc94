"""Encryption at rest against the real binary: every blob file is ciphertext holding none of
the data; a flipped byte is reported (5xx naming the blob), never returned; `aimass keys
rotate` re-wraps the data keys while previews keep being answered, records a "key rotated"
ledger entry, and the server restarts with the new key and reads old blobs; a wrong
AIMASS_MASTER_KEY stops the server with a message naming the key ids, touching nothing."""

import hashlib
import os
import threading
import unittest

from aimass_server import AimassServer

MAGIC = b"AIMASSE1"
# Words that appear in the CSV and nowhere else: a plaintext blob would show them.
SECRETS = ["zebracorn", "quillfeather", "marmalade-7731", "obsidianhawk"]
KEY_ONE = "1" * 64
KEY_TWO = "2" * 64


def distinctive_csv(rows=300):
    lines = ["name,city,amount,label"]
    for i in range(rows):
        lines.append(f"{SECRETS[i % 4]}{i},{SECRETS[(i + 1) % 4]},{i * 7 % 1000},{i % 2}")
    return ("\n".join(lines) + "\n").encode()


class EnvServer(AimassServer):
    """An AimassServer that passes `env` (e.g. AIMASS_MASTER_KEY) to `aimass serve`."""

    def __init__(self, *args, env=None, **kw):
        super().__init__(*args, **kw)
        self.env = dict(env or {})

    def base_env(self):
        env = super().base_env()
        env.update(self.env)
        return env


class EncryptionTest(unittest.TestCase):
    def start(self, server):
        self.addCleanup(server.close)
        return server.start()

    def blob_bytes(self, server):
        out = {}
        for rel in server.blob_files():
            with open(os.path.join(server.data_dir, "blobs", rel), "rb") as f:
                out[rel] = f.read()
        return out

    def preview(self, server, name="people", version=1):
        return server.get(f"/api/v1/datasets/{name}/versions/{version}/preview?limit=5")

    def test_blobs_are_ciphertext_and_a_flipped_byte_is_reported(self):
        server = self.start(AimassServer())
        server.import_dataset("people", distinctive_csv(), filename="people.csv")
        blobs = self.blob_bytes(server)
        self.assertTrue(blobs)
        for rel, data in blobs.items():
            self.assertTrue(data.startswith(MAGIC), f"blob {rel} is not encrypted")
            for word in SECRETS:
                self.assertNotIn(word.encode(), data, f"blob {rel} holds '{word}' in the clear")
        # The scratch area holds no decrypted copy once a request is answered.
        r = self.preview(server)
        self.assertEqual(r.status, 200, r)
        self.assertIn("zebracorn", r.body.decode())
        self.assertEqual(os.listdir(os.path.join(server.data_dir, "blobs", "tmp")), [])
        stat = os.stat(os.path.join(server.data_dir, "keys", "master.key"))
        self.assertEqual(stat.st_mode & 0o777, 0o600)

        for rel, data in blobs.items():
            path = os.path.join(server.data_dir, "blobs", rel)
            damaged = bytearray(data)
            damaged[len(damaged) // 2] ^= 0x01
            with open(path, "wb") as f:
                f.write(damaged)
        version = server.get_json("/api/v1/datasets/people/versions/1")
        blob = version["hash"]
        for path in ["/api/v1/datasets/people/versions/1/preview?limit=5",
                     "/api/v1/datasets/people/versions/1/export?format=csv",
                     "/api/v1/datasets/people/versions/1/export?format=parquet"]:
            r = server.get(path)
            self.assertGreaterEqual(r.status, 500, f"{path}: {r!r}")
            self.assertIn(blob, r.error["message"], path)
            for word in SECRETS:
                self.assertNotIn(word.encode(), r.body)

    def test_rotation_while_reading_then_restart(self):
        server = self.start(AimassServer())
        server.import_dataset("people", distinctive_csv(), filename="people.csv")
        before = server.get_json("/api/v1/keys")
        self.assertTrue(before["master_key_in_data_dir"])
        self.assertEqual(len(before["data_key_ids"]), 1)
        with open(os.path.join(server.data_dir, "keys", "master.key")) as f:
            old_key_text = f.read()

        failures, answered = [], [0]
        stop = threading.Event()

        def read():
            while not stop.is_set():
                r = self.preview(server)
                if r.status != 200:
                    failures.append(r)
                answered[0] += 1

        readers = [threading.Thread(target=read) for _ in range(2)]
        for t in readers:
            t.start()
        try:
            r = server.post("/api/v1/keys/rotate", {"new_data_key": True})
            self.assertEqual(r.status, 200, r)
            cli = server.cli("keys", "rotate")
            self.assertEqual(cli.returncode, 0, cli.stderr)
            self.assertIn("master key rotated", cli.stdout)
        finally:
            stop.set()
            for t in readers:
                t.join(60)
        self.assertEqual(failures, [])
        self.assertGreater(answered[0], 0)

        after = server.get_json("/api/v1/keys")
        self.assertNotEqual(after["master_key_id"], before["master_key_id"])
        self.assertEqual(len(after["data_key_ids"]), 2)
        self.assertNotEqual(after["current_data_key"], before["current_data_key"])
        with open(os.path.join(server.data_dir, "keys", "master.key")) as f:
            self.assertNotEqual(f.read(), old_key_text)
        shown = server.cli("keys", "show")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(after["master_key_id"], shown.stdout)

        entries = server.get_json("/api/v1/ledger/entries?limit=1000")["entries"]
        rotations = [e for e in entries if e["action"] == "key rotated"]
        self.assertEqual(len(rotations), 2)
        self.assertEqual(rotations[0]["subject"], "keys")
        details = rotations[0]["details"]
        self.assertEqual(details["old_master_key_id"], before["master_key_id"])
        self.assertEqual(details["old_current_data_key"], before["current_data_key"])
        self.assertEqual(rotations[1]["details"]["new_master_key_id"], after["master_key_id"])
        self.assertNotIn(old_key_text.strip(), str(entries))

        # A blob written under the new data key, then a restart with the rotated key.
        server.import_dataset("later", distinctive_csv(50), filename="later.csv")
        self.assertEqual(server.stop(), 0)
        server.start()
        self.assertEqual(self.preview(server).status, 200)
        self.assertEqual(self.preview(server, "later").status, 200)
        self.assertEqual(server.get_json("/api/v1/keys")["master_key_id"],
                         after["master_key_id"])

    def test_master_key_from_the_environment(self):
        server = self.start(EnvServer(env={"AIMASS_MASTER_KEY": KEY_ONE}))
        server.import_dataset("people", distinctive_csv(), filename="people.csv")
        keys = server.get_json("/api/v1/keys")
        self.assertIn("AIMASS_MASTER_KEY", keys["master_key_source"])
        self.assertFalse(os.path.exists(os.path.join(server.data_dir, "keys", "master.key")))
        # The server cannot make an environment variable's next key: 409 with the fix.
        r = server.post("/api/v1/keys/rotate")
        self.assertEqual(r.status, 409, r)
        self.assertIn("new_master_key", r.error["message"])
        blobs = self.blob_bytes(server)
        db = os.path.join(server.data_dir, "aimass.db")
        self.assertEqual(server.stop(), 0)
        with open(db, "rb") as f:
            db_digest = hashlib.sha256(f.read()).hexdigest()

        # A wrong key: the server stops with the ids and the fix, and changes nothing.
        server.env["AIMASS_MASTER_KEY"] = KEY_TWO
        with self.assertRaises(AssertionError) as refused:
            server.start(timeout=30)
        message = str(refused.exception)
        self.assertIn(keys["master_key_id"], message)
        self.assertIn("AIMASS_MASTER_KEY", message)
        self.assertEqual(self.blob_bytes(server), blobs)
        with open(db, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), db_digest)

        # Rotate to a key the operator made, sent in the request; then start with it.
        server.env["AIMASS_MASTER_KEY"] = KEY_ONE
        server.start()
        key_file = os.path.join(server.root, "next.key")
        with open(key_file, "w") as f:
            f.write(KEY_TWO + "\n")
        os.chmod(key_file, 0o600)
        cli = server.cli("keys", "rotate", "--new-master-key-file", key_file)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertIn("master key rotated", cli.stdout)
        self.assertEqual(self.preview(server).status, 200)
        self.assertEqual(server.stop(), 0)
        server.env["AIMASS_MASTER_KEY"] = KEY_TWO
        server.start()
        r = self.preview(server)
        self.assertEqual(r.status, 200, r)
        self.assertIn("zebracorn", r.body.decode())


if __name__ == "__main__":
    unittest.main()
