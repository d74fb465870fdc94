"""What every attack module shares: the e2e server harness, a tally of attacks tried and
refused, canary files planted next to the data directory, and small bundle builders.

Each attack runs inside `with self.attack("label"):` (a subTest): it counts as tried on
entry and as refused only when its block finished without a failed assertion. The class
prints "ATTACKS <module>: N tried, N refused" when it is done, so a run can be reported as
"N attacks tried, N refused" at a glance.
"""

import contextlib
import hashlib
import io
import json
import os
import sys
import tarfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))

# Re-exported for the attack modules.
from aimass_server import AimassServer, dataset_file  # noqa: E402,F401

CANARY_TEXT = b"canary: if this changes or goes, an attack escaped the data directory\n"
LEAKS = (b"root:x:0:0", b"canary: if this", b"PATH=", b"HOME=")


class AttackTestCase(unittest.TestCase):
    """A test class with one server (started by start_server) and an attack tally."""

    tried = 0
    refused = 0
    failed_attacks = ()

    @classmethod
    def start_server(cls, *args, **kw):
        cls.tried, cls.refused, cls.failed_attacks = 0, 0, []
        cls.server = AimassServer(*args, **kw)
        cls.addClassCleanup(cls.report)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.outside = Outside(cls.server)
        return cls.server

    @classmethod
    def report(cls):
        line = f"ATTACKS {cls.__module__}.{cls.__name__}: {cls.tried} tried, {cls.refused} refused"
        if cls.failed_attacks:
            line += " (not refused: " + "; ".join(cls.failed_attacks[:20]) + ")"
        sys.stderr.write("\n" + line + "\n")

    @contextlib.contextmanager
    def attack(self, label, **params):
        cls = type(self)
        cls.tried += 1
        with self.subTest(label, **params):
            ok = False
            try:
                yield
                ok = True
            finally:
                if ok:
                    cls.refused += 1
                else:
                    cls.failed_attacks.append(label + (f" {params}" if params else ""))

    # --- common assertions ---------------------------------------------------------------
    def assert_refused(self, r, statuses=range(400, 500)):
        """A 4xx (never a 5xx) with a JSON error that leaks no file."""
        self.assertIn(r.status, statuses, r)
        self.assert_no_leak(r)
        message = error_message(r.json())
        self.assertIsInstance(message, str, f"no error message in {r!r}")
        self.assertTrue(message.strip(), r)
        return message

    def assert_no_leak(self, r):
        for leak in LEAKS:
            self.assertNotIn(leak, r.body, f"the answer leaks {leak!r}: {r!r}")

    def assert_alive(self):
        r = self.server.get("/v2/health/live", token=None, timeout=10)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(self.server.running(), "the server process is gone")

    def assert_outside_untouched(self):
        self.outside.check(self)


def error_message(doc):
    """The message of an error answer in any of the server's shapes: the REST API's
    {"error":{"code","message"}}, the Open Inference Protocol's {"error":"..."} (and its
    {"name","ready":false}), MLflow's {"error_code","message"}."""
    if not isinstance(doc, dict):
        return None
    error = doc.get("error")
    if isinstance(error, dict):
        return error.get("message")
    if isinstance(error, str):
        return error
    if doc.get("ready") is False:
        return f"model {doc.get('name')!r} is not ready"
    return doc.get("message")


class Outside:
    """Canary files next to the data directory and a snapshot of everything outside it (in
    the test's temp root), to notice a file read, written or removed by an attack."""

    def __init__(self, server):
        self.root = server.root
        self.data_dir = server.data_dir
        self.canaries = {}
        for rel in ("canary.txt", "victim/keep.txt", "data-sibling/canary.txt"):
            path = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(CANARY_TEXT)
            self.canaries[rel] = path
        self.before = self.snapshot()

    def canary(self, rel="canary.txt"):
        return self.canaries[rel]

    def snapshot(self):
        """Every path under the temp root outside the data dir, the CLI's home and the
        server's own output files."""
        found = set()
        skip = {self.data_dir, os.path.join(self.root, "home")}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
            for name in dirnames + filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), self.root)
                if dirpath == self.root and name.startswith("serve-"):
                    continue
                found.add(rel)
        return found

    def allow(self, *paths):
        """Files a test itself writes under the root (bundles to import, ...)."""
        for path in paths:
            self.before.add(os.path.relpath(path, self.root))

    def check(self, test):
        for rel, path in self.canaries.items():
            test.assertTrue(os.path.isfile(path), f"canary {rel} was removed")
            with open(path, "rb") as f:
                test.assertEqual(f.read(), CANARY_TEXT, f"canary {rel} was changed")
        now = self.snapshot()
        test.assertEqual(sorted(now - self.before), [], "files appeared outside the data dir")
        test.assertEqual(sorted(self.before - now), [], "files vanished outside the data dir")


# --- model bundles -----------------------------------------------------------------------
PIPELINE = b'{"pipeline": {"learner": "learners/0.ubj", "features": ["Age", "Income"]}}'
LEARNER = bytes(range(256)) * 4


def manifest_of(members, model="attacked", **changes):
    manifest = {
        "format": "aimass-model-bundle", "format_version": 1, "model": model, "version": 1,
        "created_at": "2026-01-02T03:04:05.000Z", "task": "binary", "description": "",
        "metrics": {"roc_auc": 0.9}, "leaderboard": [], "params": {}, "lineage": {},
        "members": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                    for n, d in members.items()],
    }
    manifest.update(changes)
    return manifest


def tar_bytes(entries):
    """A ustar archive of (TarInfo-like dict) entries: {"name", "data", "type", "linkname",
    "size"}; written by tarfile, so only what tarfile allows."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.type = e.get("type", tarfile.REGTYPE)
            info.linkname = e.get("linkname", "")
            data = e.get("data", b"")
            info.size = e.get("size", len(data)) if info.type == tarfile.REGTYPE else 0
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    return out.getvalue()


def bundle(members=None, model="attacked", extra=(), manifest=None, **changes):
    """A valid bundle (manifest first, then `members`), plus `extra` entries as they are."""
    members = {"model.json": PIPELINE, "learners/0.ubj": LEARNER} if members is None else members
    manifest = manifest_of(members, model, **changes) if manifest is None else manifest
    text = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    entries = [{"name": "manifest.json", "data": text}]
    entries += [{"name": n, "data": d} for n, d in members.items()]
    entries += list(extra)
    return tar_bytes(entries)


def raw_header(name=b"", prefix=b"", size=0, typeflag=b"0", linkname=b"", magic=b"ustar\x0000",
               size_field=None, checksum_delta=0):
    """One 512-byte ustar header built by hand, for what tarfile refuses to write."""
    h = bytearray(512)
    h[0:len(name)] = name[:100]
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = size_field if size_field is not None else b"%011o\x00" % size
    h[136:148] = b"%011o\x00" % 1700000000
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname[:100]
    h[257:257 + len(magic)] = magic
    h[345:345 + len(prefix)] = prefix[:155]
    h[148:156] = b" " * 8
    checksum = sum(h) + checksum_delta
    h[148:156] = b"%06o\x00 " % checksum
    return bytes(h)


def raw_member(data=b"", **header):
    padded = data + b"\x00" * (-len(data) % 512)
    return raw_header(size=header.pop("size", len(data)), **header) + padded


def raw_archive(*parts, end=True):
    return b"".join(parts) + (b"\x00" * 1024 if end else b"")
