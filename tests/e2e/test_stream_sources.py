"""A Redis stream source through the real binary, against a real redis-server started here:
records become dataset versions, a kill -9 in the middle of a batch neither loses nor doubles
a record, and a stream that disappears shows as the source's error until it comes back."""

import os
import shutil
import socket
import subprocess
import time
import unittest

from aimass_server import AimassServer, wait_until

RECORDS = 120_000
BATCH = 20_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, root):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", root],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.cli("PING") == "PONG", 10, what="redis-server to start")

    def cli(self, *args, input=None):
        r = subprocess.run(["redis-cli", "-p", str(self.port), *args], input=input,
                           capture_output=True, text=True, timeout=60)
        return r.stdout.strip()

    def add(self, stream, first, count):
        """XADDs records with seq = first .. first + count - 1, through redis-cli --pipe."""
        lines = []
        for i in range(first, first + count):
            fields = ["XADD", stream, "*", "seq", str(i), "user", f"u{i % 97}", "value",
                      str(i * 0.25)]
            lines.append(f"*{len(fields)}\r\n" +
                         "".join(f"${len(f.encode())}\r\n{f}\r\n" for f in fields))
        subprocess.run(["redis-cli", "-p", str(self.port), "--pipe"], input="".join(lines),
                       capture_output=True, text=True, timeout=120, check=True)

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


@unittest.skipUnless(shutil.which("redis-server"), "redis-server is installed by scripts/setup")
class StreamSourceTest(unittest.TestCase):
    def setUp(self):
        self.server = AimassServer("--job-lease-seconds", "2", workers=2)
        self.addCleanup(self.server.close)
        self.server.start()
        self.redis = RedisServer(self.server.root)
        self.addCleanup(self.redis.close)

    def rows(self, dataset):
        r = self.server.get(f"/api/v1/datasets/{dataset}")
        if r.status != 200:
            return 0
        return sum(v["row_count"] for v in r.json()["versions"])

    def create(self, name, **config):
        settings = {"address": f"127.0.0.1:{self.redis.port}", "stream": "events",
                    "group": "aimass", "start": "earliest", "batch_records": BATCH,
                    "batch_seconds": 1, "interval": "1s", "mode": "batch"}
        settings.update(config)
        r = self.server.post("/api/v1/sources", {"name": name, "kind": "redis",
                                                 "dataset": name, "config": settings})
        self.assertEqual(r.status, 201, r)

    def seqs(self, dataset):
        """Every seq stored in the dataset's versions (each version holds one batch)."""
        seen = []
        info = self.server.get_json(f"/api/v1/datasets/{dataset}")
        for version in info["versions"]:
            r = self.server.get(f"/api/v1/datasets/{dataset}/versions/{version['version']}"
                                f"/export?format=csv")
            self.assertEqual(r.status, 200, r)
            lines = r.body.decode().splitlines()
            column = lines[0].split(",").index("seq")
            seen.extend(int(line.split(",")[column]) for line in lines[1:])
        return seen

    def test_kill_9_in_the_middle_of_a_batch_loses_and_doubles_nothing(self):
        self.redis.add("events", 0, RECORDS)
        self.create("clicks")
        wait_until(lambda: 0 < self.rows("clicks") < RECORDS, 60, interval=0.02,
                   what="the first batches to be stored")
        self.server.kill()
        self.server.start()
        wait_until(lambda: self.rows("clicks") >= RECORDS, 120, interval=0.2,
                   what="every record to be stored after the restart")
        seqs = self.seqs("clicks")
        self.assertEqual(len(seqs), RECORDS)
        self.assertEqual(sorted(seqs), list(range(RECORDS)))
        # Everything stored was acknowledged: nothing is pending for the group any more.
        wait_until(lambda: self.redis.cli("XPENDING", "events", "aimass").startswith("0"), 30,
                   what="the group's pending list to empty")
        source = self.server.get_json("/api/v1/sources/clicks")["source"]
        self.assertEqual(source["state"]["rows_taken"], RECORDS)

    def test_a_stream_that_disappears_is_reported_and_the_source_recovers(self):
        self.redis.add("events", 0, 1000)
        self.create("gone")
        wait_until(lambda: self.rows("gone") >= 1000, 60, what="the first records")
        self.redis.cli("DEL", "events")
        self.redis.add("events", 1000, 10)  # a new stream without the group

        def failing():
            state = self.server.get_json("/api/v1/sources/gone")["source"]["state"]
            return state if state.get("error") else None
        state = wait_until(failing, 60, what="the source to report the lost stream")
        self.assertIn("events", state["error"])
        self.assertGreaterEqual(state["failures"], 1)


if __name__ == "__main__":
    unittest.main()
