"""Malicious model bundles (POST /api/v1/models/import and `aimass models import`): zip-slip
and absolute member names, links and special files, pax and GNU headers, oversize and lying
sizes, a decompression bomb, too many members, damaged manifests and checksums, JSON nested
too deep, and a registered bundle whose model files attack the loader when it is deployed.
Each must be refused with a message that names the problem, change nothing in the registry,
and write nothing outside the data directory."""

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import unittest
import zlib

from attack_support import (AttackTestCase, LEARNER, PIPELINE, bundle, dataset_file,
                            manifest_of, raw_archive, raw_header, raw_member, tar_bytes)

MAX_MEMBER = 4096  # --max-bundle-member-bytes of this server


def gzip_bomb(size=1 << 30):
    """A gzip stream of `size` zero bytes (about 1 MB for 1 GiB)."""
    out = io.BytesIO()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    for _ in range(size >> 20):
        out.write(compressor.compress(zeros))
    out.write(compressor.flush())
    return out.getvalue()


class BundleAttackTest(AttackTestCase):
    @classmethod
    def setUpClass(cls):
        server = cls.start_server("--max-bundle-member-bytes", str(MAX_MEMBER), workers=1)
        r = server.post("/api/v1/models/import", bundle(model="kept"))
        assert r.status == 201, r
        tag = f"/tmp/aimass-attack-{os.getpid()}"
        cls.slip_targets = [tag + "-abs", tag + "-slip", os.path.join(server.root, "slipped"),
                            os.path.join(server.root, "data-sibling", "slipped")]

    def setUp(self):
        self.before = self.registry_state()

    def tearDown(self):
        self.assert_alive()

    def registry_state(self):
        models = self.server.get_json("/api/v1/models?limit=1000")["models"]
        versions = {m["name"]: [v["ref"] for v in
                                self.server.get_json(f"/api/v1/models/{m['name']}")["versions"]]
                    for m in models}
        return versions, self.server.blob_files()

    def assert_nothing_changed(self):
        self.assertEqual(self.registry_state(), self.before)
        scratch = os.path.join(self.server.data_dir, "blobs", "tmp")
        self.assertEqual(os.listdir(scratch) if os.path.isdir(scratch) else [], [])
        for target in self.slip_targets:
            self.assertFalse(os.path.lexists(target), f"{target} was written")
        self.assert_outside_untouched()

    def assert_bundle_refused(self, data, pattern, max_seconds=30):
        start = time.monotonic()
        r = self.server.post("/api/v1/models/import?filename=evil.aimass", data, timeout=120)
        message = self.assert_refused(r, statuses=(400, 413))
        self.assertRegex(message, pattern)
        self.assertLess(time.monotonic() - start, max_seconds)
        self.assert_nothing_changed()
        return message

    def run_attacks(self, attacks):
        for label, data, pattern in attacks:
            with self.attack(label):
                self.assert_bundle_refused(data, pattern)

    # --- member names ------------------------------------------------------------------------
    def test_zip_slip_and_absolute_names(self):
        abs_target, slip_target = self.slip_targets[0], self.slip_targets[1]
        names = ["../../slipped", "../../../../../../.." + slip_target, abs_target,
                 "//" + abs_target.lstrip("/"), "learners/../../slipped", "a/b/../../../slipped",
                 "..\\..\\slipped", "./model2.json", "learners//0.ubj", "learners/./0.ubj",
                 "..", "learners/..", "manifest.json/../slipped", "~/.ssh/authorized_keys",
                 "slipped\u2024", " ../slipped", "learners/0.ubj\n../slipped"]
        attacks = []
        for name in names:
            data = b"owned"
            attacks.append((f"unlisted member {name!r}",
                            bundle(extra=[{"name": name, "data": data}]),
                            r"(?s)member .* (has|is|holds)"))
            members = {"model.json": PIPELINE, name: data}
            attacks.append((f"listed member {name!r}", bundle(members=members),
                            r"(?s)member .* (has|is|holds)"))
        # Names tarfile will not write, in hand-made headers.
        manifest = json.dumps(manifest_of({"model.json": PIPELINE})).encode()
        head = raw_member(manifest, name=b"manifest.json")
        for label, header in [
            ("a '..' prefix field", dict(prefix=b"..", name=b"slipped")),
            ("an absolute prefix field", dict(prefix=b"/tmp", name=b"slipped")),
            ("a NUL inside the name", dict(name=b"model.json\x00../../slipped")),
            ("a name with no NUL, all 100 bytes", dict(name=b"a/" * 50)),
        ]:
            data = raw_archive(head, raw_member(PIPELINE, name=b"model.json"),
                               raw_member(b"owned", **header))
            attacks.append((f"header with {label}", data,
                            r"(?s)member .* (has|is|holds|appears twice|not listed)"))
        self.run_attacks(attacks)

    # --- links, special files, extended headers ------------------------------------------------
    def test_links_special_files_and_extended_headers(self):
        passwd = {"linkname": "/etc/passwd"}
        attacks = [
            ("symlink to /etc/passwd",
             bundle(extra=[dict(name="learners/1.ubj", type=tarfile.SYMTYPE, **passwd)]),
             r"symbolic link"),
            ("symlink replacing a listed member",
             tar_bytes([{"name": "manifest.json",
                         "data": json.dumps(manifest_of({"model.json": PIPELINE,
                                                         "learners/0.ubj": LEARNER})).encode()},
                        {"name": "model.json", "data": PIPELINE},
                        dict(name="learners/0.ubj", type=tarfile.SYMTYPE, **passwd)]),
             r"symbolic link"),
            ("symlink to a directory, then a file through it",
             bundle(extra=[dict(name="learners/x", type=tarfile.SYMTYPE, linkname="/tmp"),
                           {"name": "learners/x/owned", "data": b"owned"}]),
             r"symbolic link"),
            ("hard link to /etc/passwd",
             bundle(extra=[dict(name="learners/2.ubj", type=tarfile.LNKTYPE, **passwd)]),
             r"hard link"),
            ("hard link to the manifest",
             bundle(extra=[dict(name="learners/2.ubj", type=tarfile.LNKTYPE,
                                linkname="manifest.json")]), r"hard link"),
            ("directory", bundle(extra=[dict(name="learners", type=tarfile.DIRTYPE)]),
             r"directory"),
            ("FIFO", bundle(extra=[dict(name="fifo", type=tarfile.FIFOTYPE)]), r"FIFO"),
            ("character device",
             bundle(extra=[dict(name="null", type=tarfile.CHRTYPE)]), r"character device"),
            ("block device", bundle(extra=[dict(name="sda", type=tarfile.BLKTYPE)]),
             r"block device"),
        ]
        manifest = json.dumps(manifest_of({"model.json": PIPELINE})).encode()
        start = raw_member(manifest, name=b"manifest.json")
        pax = b"30 path=../../../../tmp/slip\n"
        for label, member in [
            ("pax header renaming the next member",
             raw_member(pax, name=b"PaxHeaders/x", typeflag=b"x")),
            ("global pax header", raw_member(pax, name=b"global", typeflag=b"g")),
            ("GNU long name", raw_member(b"../../slipped\0", name=b"././@LongLink",
                                         typeflag=b"L", magic=b"ustar  \0")),
            ("GNU sparse member claiming 1 TiB",
             raw_member(b"", name=b"sparse", typeflag=b"S", magic=b"ustar  \0")),
            ("contiguous-file type", raw_member(b"owned", name=b"contig", typeflag=b"7")),
        ]:
            attacks.append((label, raw_archive(start, member, raw_member(PIPELINE,
                                                                         name=b"model.json")),
                            r"(?i)pax|GNU|type|regular files only"))
        self.run_attacks(attacks)

    # --- sizes, bombs, counts ------------------------------------------------------------------
    def test_sizes_bombs_and_counts(self):
        manifest = json.dumps(manifest_of({"model.json": PIPELINE})).encode()
        start = raw_member(manifest, name=b"manifest.json")
        files = {f"m/{i}": b"" for i in range(10001)}
        many = [{"name": "manifest.json", "data": json.dumps(manifest_of(files)).encode()}]
        many += [{"name": name, "data": data} for name, data in files.items()]
        attacks = [
            ("member over --max-bundle-member-bytes",
             bundle(members={"model.json": PIPELINE, "big.bin": b"b" * (MAX_MEMBER + 1)}),
             r"over the limit of 4096 bytes"),
            ("unlisted member over the limit",
             bundle(extra=[{"name": "big.bin", "data": b"b" * (MAX_MEMBER * 4)}]),
             r"not listed|over the limit"),
            ("size field past the end of the file",
             raw_archive(start, raw_member(PIPELINE, name=b"model.json", size=1 << 30)),
             r"truncated"),
            ("base-256 size of 2^62",
             raw_archive(start, raw_header(name=b"model.json",
                                           size_field=b"\x80" + (1 << 62).to_bytes(11, "big"))),
             r"truncated|size"),
            ("garbage size field",
             raw_archive(start, raw_header(name=b"model.json", size_field=b"-1234567890\0")),
             r"invalid size"),
            ("damaged header checksum",
             raw_archive(start, raw_member(PIPELINE, name=b"model.json", checksum_delta=1)),
             r"checksum"),
            ("a header that is not ustar",
             raw_archive(start, raw_member(PIPELINE, name=b"model.json", magic=b"\0" * 8)),
             r"not a ustar"),
            ("no end-of-archive marker", start + raw_member(PIPELINE, name=b"model.json"),
             r"truncated"),
            ("gzip bomb (1 GiB of zeros)", gzip_bomb(), r"ustar|damaged|truncated"),
            ("gzip-compressed bundle", gzip.compress(bundle()), r"ustar|damaged|truncated"),
            ("10,001 members", tar_bytes(many), r"more than 10000 members"),
            ("manifest over 16 MiB",
             bundle(manifest=b'{"pad":"' + b"x" * (16 << 20) + b'"}'), r"manifest\.json is"),
            ("empty file", b"\0" * 1024, r"no manifest"),
        ]
        self.run_attacks(attacks)

    # --- manifests and checksums ---------------------------------------------------------------
    def test_manifests_and_checksums(self):
        members = {"model.json": PIPELINE, "learners/0.ubj": LEARNER}
        other = {"model.json": PIPELINE, "learners/0.ubj": b"tampered" + LEARNER[8:]}
        deep = "[" * 100000 + "]" * 100000
        deep_obj = '{"a":' * 100000 + "1" + "}" * 100000

        def text_manifest(**changes):
            m = json.dumps(manifest_of(members, **{k: "@@" + k for k in changes}))
            for k, v in changes.items():
                m = m.replace(json.dumps("@@" + k), v)
            return m.encode()

        attacks = [
            ("SHA-256 mismatch", bundle(members=other, manifest=manifest_of(members)),
             r"does not match its SHA-256"),
            ("size mismatch", bundle(manifest=dict(manifest_of(members), members=[
                {"name": "model.json", "size": len(PIPELINE) + 1,
                 "sha256": hashlib.sha256(PIPELINE).hexdigest()},
                {"name": "learners/0.ubj", "size": len(LEARNER),
                 "sha256": hashlib.sha256(LEARNER).hexdigest()}])), r"manifest\.json says"),
            ("upper-case SHA-256", bundle(manifest=dict(manifest_of(members), members=[
                {"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest().upper()}
                for n, d in members.items()])), r"64 lower-case hex"),
            ("listed member missing", bundle(members={"model.json": PIPELINE},
                                             manifest=manifest_of(members)),
             r"missing from the archive"),
            ("member not listed", bundle(extra=[{"name": "notes.txt", "data": b"hi"}]),
             r"not listed"),
            ("member twice", bundle(extra=[{"name": "model.json", "data": PIPELINE}]),
             r"appears twice"),
            ("manifest twice", bundle(extra=[{"name": "manifest.json",
                                              "data": json.dumps(manifest_of(members)).encode()}]),
             r"manifest\.json appears twice"),
            ("manifest listing '../../x'",
             bundle(manifest=manifest_of({"../../slipped": b"x", **members})), r"'\.\.'"),
            ("manifest listing an absolute path",
             bundle(manifest=manifest_of({"/etc/passwd": b"x", **members})), r"absolute"),
            ("manifest listing a name twice", bundle(manifest=dict(
                manifest_of(members), members=manifest_of(members)["members"] * 2)),
             r"listed twice"),
            ("manifest that is not JSON", bundle(manifest=b"{not json"), r"not a JSON object"),
            ("manifest that is a list", bundle(manifest=b"[]"), r"not a JSON object"),
            ("manifest of another format", bundle(format="zip"), r"'format'"),
            ("manifest from a newer aimass", bundle(format_version=99), r"newer aimass"),
            ("manifest with a model name '../x'", bundle(model="../slipped"), r"model name"),
            ("manifest with params nested 100,000 deep",
             bundle(manifest=text_manifest(params=deep_obj)), r"deeper than 64 levels"),
            ("manifest with metrics nested 100,000 deep",
             bundle(manifest=text_manifest(metrics='{"a":' + deep + "}")),
             r"deeper than 64 levels"),
            ("manifest with a member list nested 100,000 deep",
             bundle(manifest=text_manifest(lineage=deep_obj)), r"deeper than 64 levels"),
        ]
        self.run_attacks(attacks)

    # --- the CLI -----------------------------------------------------------------------------
    def test_cli_import_of_malicious_bundles(self):
        work = os.path.join(self.server.root, "cli-bundles")
        os.makedirs(work)
        cases = [("zip-slip", bundle(extra=[{"name": "../../slipped", "data": b"x"}]), r"'\.\.'"),
                 ("symlink", bundle(extra=[dict(name="l", type=tarfile.SYMTYPE,
                                                linkname="/etc/passwd")]), r"symbolic link"),
                 ("bomb", gzip_bomb(64 << 20), r"ustar|damaged")]
        for label, data, pattern in cases:
            path = os.path.join(work, label + ".aimass")
            with open(path, "wb") as f:
                f.write(data)
            self.outside.allow(work, path)
            with self.attack(f"aimass models import ({label})"):
                p = self.server.cli("models", "import", path)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertRegex(p.stderr, r"(?m)^error: .*" + pattern)
                self.assert_nothing_changed()


class LoaderAttackTest(AttackTestCase):
    """A registered bundle whose files attack the model loader when it is deployed: the
    registry keeps member files as opaque bytes, and the loader reads them with JSON and
    UBJSON readers that recurse once per level. The bundles are a real trained model's
    (model.json and an XGBoost UBJSON member), with one file swapped. (Its own server: the
    member limit is the default here.)"""

    @classmethod
    def setUpClass(cls):
        server = cls.start_server(workers=1)
        server.import_dataset("iris", dataset_file("iris.csv"))
        r = server.post("/api/v1/training-runs", {
            "dataset": "iris@1", "target": "target", "register": "real",
            "learners": ["xgboost"], "max_trials": 1, "cv": 2, "ensemble": "none", "seed": 1})
        assert r.status == 202, r
        job = server.wait_job(r.json()["job"]["id"], timeout=180)
        assert job["state"] == "succeeded", job
        version = server.get_json("/api/v1/models/real/versions/1")
        cls.real = {}
        for member in version["members"]:
            r = server.get(f"/api/v1/models/real/versions/1/members/{member['name']}")
            assert r.status == 200, r
            cls.real[member["name"]] = r.body
        cls.learner = next(n for n in cls.real if n.startswith("members/"))
        assert cls.real[cls.learner][:1] == b"{", cls.real[cls.learner][:20]

    def tearDown(self):
        self.assert_alive()
        self.assert_outside_untouched()

    def test_the_real_bundle_deploys(self):
        r = self.server.post("/api/v1/models/import?name=control", bundle(members=self.real))
        self.assertEqual(r.status, 201, r)
        r = self.server.post("/api/v1/endpoints", {"name": "control", "model": "control@1"})
        self.assertEqual(r.status, 201, r)

    def test_deploying_hostile_model_files(self):
        deep_json = b'{"format":' + b"[" * 100000 + b"]" * 100000 + b"}"
        deep_ubj = b"{i\x07learner{" + b"i\x01a{" * 100000 + b"}" * 100002
        hidden_ubj = b'{#i\x01i\x01"' + b"{#i\x01i\x01a" * 100000 + b"Z"
        cases = [("model.json nested 100,000 deep", "model.json", deep_json,
                  r"member 'model\.json' nests .* deeper than 64 levels"),
                 ("an XGBoost UBJSON member nested 100,000 deep", self.learner, deep_ubj,
                  r"deeper than 64 levels"),
                 ("an XGBoost JSON member nested 100,000 deep", self.learner,
                  b'{"learner":' + deep_json + b"}", r"deeper than 64 levels"),
                 ("a UBJSON member hiding its nesting behind a quote", self.learner, hidden_ubj,
                  r"deeper than 64 levels"),
                 ("a UBJSON member that lies about its sizes", self.learner,
                  b"{i\x07learner[$d#L\x7f\xff\xff\xff\xff\xff\xff\xff}",
                  r"UBJSON|damaged|cut short"),
                 ("model.json that is not a pipeline", "model.json", b"\0\1\2",
                  r"model\.json")]
        for i, (label, member, data, pattern) in enumerate(cases):
            with self.attack(f"deploy {label}"):
                name = f"hostile{i}"
                members = dict(self.real, **{member: data})
                r = self.server.post(f"/api/v1/models/import?name={name}",
                                     bundle(members=members))
                self.assertEqual(r.status, 201, r)  # the registry stores opaque files
                r = self.server.post("/api/v1/endpoints", {"name": f"ep{i}",
                                                           "model": f"{name}@1"})
                self.assertRegex(self.assert_refused(r), pattern)
                self.assertEqual(self.server.get(f"/api/v1/endpoints/ep{i}").status, 404)
                self.assert_alive()


if __name__ == "__main__":
    unittest.main()
