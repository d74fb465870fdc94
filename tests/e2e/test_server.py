"""Server-level behaviour: health, auth on every route, request ids, keep-alive, error
shapes, body limits, graceful stop and token replacement."""

import json
import socket
import subprocess
import time
import unittest

from aimass_server import AIMASS_BIN, AimassServer, dataset_file, wait_until

# Every /api/v1 route of docs/api.md except GET /api/v1/version, with concrete paths.
PROTECTED_ROUTES = [
    ("GET", "/api/v1/whoami"),
    ("GET", "/api/v1/jobs?state=succeeded&kind=dataset.import&limit=50&offset=0"),
    ("GET", "/api/v1/jobs/1"),
    ("GET", "/api/v1/jobs/1/log"),
    ("GET", "/api/v1/jobs/1/events"),
    ("POST", "/api/v1/jobs/1/cancel"),
    ("POST", "/api/v1/datasets?name=unauth&filename=x.csv"),
    ("POST", "/api/v1/datasets?name=unauth2&path=/etc/hostname"),
    ("GET", "/api/v1/datasets"),
    ("GET", "/api/v1/datasets/iris"),
    ("GET", "/api/v1/datasets/iris/versions/1"),
    ("GET", "/api/v1/datasets/iris/versions/latest"),
    ("GET", "/api/v1/datasets/iris/versions/1/preview?offset=0&limit=5"),
    ("GET", "/api/v1/datasets/iris/versions/1/stats"),
    ("GET", "/api/v1/datasets/iris/versions/1/export?format=csv"),
    ("GET", "/api/v1/datasets/iris/versions/1/export?format=parquet"),
    ("DELETE", "/api/v1/datasets/iris/versions/1"),
    ("DELETE", "/api/v1/datasets/iris"),
    ("POST", "/api/v1/transforms"),
]

BAD_AUTH = {
    "no header": {},
    "unknown token": {"Authorization": "Bearer aim_" + "0" * 64},
    "empty bearer": {"Authorization": "Bearer "},
    "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
}


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The walk below sends many invalid tokens; the lock-out has its own test
        # (test_access.BruteForceTest).
        cls.server = AimassServer("--max-body-bytes", "4096", "--auth-failure-limit", "0")
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.iris_job = cls.server.import_dataset("iris", dataset_file("iris.csv"))

    def test_health_live_and_ready_need_no_token(self):
        r = self.server.get("/v2/health/live", token=None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"live": True})
        r = self.server.get("/v2/health/ready", token=None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"ready": True})

    def test_version_needs_no_token(self):
        r = self.server.get("/api/v1/version", token=None)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["name"], "aimass")
        self.assertRegex(doc["version"], r"^\d+\.\d+\.\d+")
        self.assertRegex(doc["duckdb"], r"^v\d+\.\d+")

    def test_whoami_with_token(self):
        r = self.server.get("/api/v1/whoami")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"user": "admin", "is_admin": True})

    def test_every_protected_route_answers_401_without_a_valid_token(self):
        for method, path in PROTECTED_ROUTES:
            for label, headers in BAD_AUTH.items():
                with self.subTest(route=f"{method} {path}", auth=label):
                    body = None
                    if method == "POST" and path.startswith("/api/v1/transforms"):
                        body = json.dumps({"input": "iris@1", "sql": "SELECT * FROM input",
                                           "output": "unauth3"}).encode()
                    elif method == "POST" and "name=unauth&" in path:
                        body = b"a,b\n1,2\n"
                    r = self.server.request(method, path, body=body, headers=headers,
                                            token=None)
                    self.assertEqual(r.status, 401, r)
                    self.assertEqual(r.error["code"], "unauthenticated")
                    self.assertTrue(r.error["message"])
        # Nothing happened behind the 401s.
        self.assertEqual(self.server.get_json("/api/v1/datasets/iris")["latest"]["version"], 1)
        names = [d["name"] for d in self.server.get_json("/api/v1/datasets")["datasets"]]
        self.assertNotIn("unauth", names)
        self.assertNotIn("unauth2", names)
        self.assertNotIn("unauth3", names)
        self.assertEqual(self.server.job(self.iris_job["id"])["state"], "succeeded")

    def test_request_id_is_echoed_or_made(self):
        for method, path, token in [("GET", "/v2/health/live", None),
                                    ("GET", "/api/v1/datasets", "bad"),
                                    ("GET", "/api/v1/datasets", None),
                                    ("GET", "/api/v1/datasets/nosuch", "default"),
                                    ("GET", "/api/v1/datasets", "default")]:
            with self.subTest(path=path, token=token):
                kw = {} if token == "default" else {"token": token}
                r = self.server.request(method, path, headers={"X-Request-Id": "e2e-req-42"},
                                        **kw)
                self.assertEqual(r.headers.get("X-Request-Id"), "e2e-req-42", r)
                r = self.server.request(method, path, **kw)
                self.assertTrue(r.headers.get("X-Request-Id"), r)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = self.server.connection(timeout=10)
        try:
            sock = None
            paths = ["/v2/health/live", "/api/v1/version", "/api/v1/datasets",
                     "/api/v1/datasets/iris", "/api/v1/datasets/nosuch", "/api/v1/whoami"]
            for i, path in enumerate(paths):
                conn.request("GET", path, headers=self.server.auth_headers())
                r = conn.getresponse()
                r.read()
                self.assertIn(r.status, (200, 404), path)
                self.assertNotEqual((r.getheader("Connection") or "").lower(), "close", path)
                if i == 0:
                    sock = conn.sock
                self.assertIsNotNone(conn.sock, f"connection closed after {path}")
                self.assertIs(conn.sock, sock, f"a new connection was opened for {path}")
        finally:
            conn.close()

    def assert_json_error(self, r, status, code=None):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"), r)
        err = r.error
        self.assertIsInstance(err.get("code"), str)
        self.assertIsInstance(err.get("message"), str)
        self.assertTrue(err["message"])
        if code:
            self.assertEqual(err["code"], code)
        return err

    def test_404_error_shapes(self):
        err = self.assert_json_error(self.server.get("/api/v1/no/such/route"), 404, "not_found")
        err = self.assert_json_error(self.server.get("/api/v1/datasets/nosuch"), 404, "not_found")
        self.assertIn("nosuch", err["message"])
        err = self.assert_json_error(self.server.get("/api/v1/datasets/iris/versions/99"), 404,
                                     "not_found")
        self.assertIn("99", err["message"])
        err = self.assert_json_error(self.server.get("/api/v1/jobs/987654"), 404, "not_found")
        self.assertIn("987654", err["message"])

    def test_405_error_shape(self):
        r = self.server.request("PUT", "/api/v1/datasets", body=b"{}")
        self.assert_json_error(r, 405)
        self.assertIn("GET", r.headers.get("Allow", ""))
        r = self.server.request("PATCH", "/api/v1/jobs/1")
        self.assert_json_error(r, 405)

    def test_413_for_small_body_over_the_limit(self):
        body = {"input": "iris@1", "sql": "SELECT * FROM input -- " + "x" * 8000,
                "output": "too_big"}
        r = self.server.post("/api/v1/transforms", body)
        self.assert_json_error(r, 413, "payload_too_large")

    def test_413_comes_before_the_server_reads_a_huge_body(self):
        # Announce 100 MB, send only 1 KiB, and expect the 413 at once.
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            head = ("POST /api/v1/transforms HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {self.server.token}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode()
            start = time.monotonic()
            try:
                sock.sendall(head + b"{" + b" " * 1023)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before taking the first bytes
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.assertLess(time.monotonic() - start, 10)
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        except socket.timeout:
            self.fail("no answer in 10 s: the server waits for the whole over-limit body")
        finally:
            sock.close()
        self.assertEqual(self.server.get("/v2/health/live", token=None).status, 200)

    def test_unknown_dataset_name_in_transform_is_404(self):
        r = self.server.post("/api/v1/transforms",
                             {"input": "nosuch@1", "sql": "SELECT * FROM input", "output": "x"})
        self.assert_json_error(r, 404, "not_found")


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_0(self):
        with AimassServer() as server:
            server.import_dataset("iris", dataset_file("iris.csv"))
            server.proc.send_signal(15)
            try:
                rc = server.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.fail("aimass serve did not stop within 20 s of SIGTERM")
            self.assertEqual(rc, 0, server.output(stderr=True)[-2000:])
            # A restart on the same data dir finds the dataset again.
            server.start()
            self.assertEqual(server.get_json("/api/v1/datasets/iris")["latest"]["row_count"],
                             150)

    def new_token(self, server):
        p = subprocess.run([AIMASS_BIN, "admin", "new-token", "--data-dir", server.data_dir],
                           capture_output=True, text=True, timeout=60, env=server.base_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        tokens = [l.split(":", 1)[1].strip() for l in p.stdout.splitlines()
                  if l.startswith("admin token:")]
        self.assertEqual(len(tokens), 1, p.stdout)
        return tokens[0]

    def test_admin_new_token_replaces_the_token_offline(self):
        with AimassServer() as server:
            old = server.token
            self.assertEqual(server.stop(), 0)
            new = self.new_token(server)
            self.assertNotEqual(new, old)
            server.start()
            self.assertEqual(server.get("/api/v1/whoami", token=old).status, 401)
            self.assertEqual(server.get("/api/v1/whoami", token=new).status, 200)

    def test_admin_new_token_replaces_the_token_while_running(self):
        with AimassServer() as server:
            old = server.token
            self.assertEqual(server.get("/api/v1/whoami", token=old).status, 200)
            new = self.new_token(server)
            self.assertNotEqual(new, old)
            self.assertEqual(server.get("/api/v1/whoami", token=new).status, 200)
            # The server trusts a token it checked for 5 s (every request carries one), so
            # one replaced by another process stops working within that time.
            wait_until(lambda: server.get("/api/v1/whoami", token=old).status == 401, 8,
                       what="the old token to stop working")


if __name__ == "__main__":
    unittest.main()
