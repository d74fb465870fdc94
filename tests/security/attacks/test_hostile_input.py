"""Hostile input to the HTTP layer and the JSON handlers: JSON (and UBJSON) nested 100,000
deep, bodies past the limits, lying or malformed Content-Length and Transfer-Encoding,
header floods, protocol garbage and connections that stall. Each must get a 4xx (or, for
bytes that are not HTTP at all, a closed connection), never a 5xx or a crash, and the server
must keep answering."""

import socket
import threading
import time
import unittest
import urllib.parse

from attack_support import AttackTestCase, dataset_file

MAX_BODY = 1 << 20    # --max-body-bytes
MAX_UPLOAD = 8 << 20  # --max-upload-bytes
DEEP = 100_000


def deep_array(n=DEEP):
    return b"[" * n + b"]" * n


def deep_object(n=DEEP):
    return b'{"a":' * n + b"1" + b"}" * n


def inside(prefix, deep, suffix="}"):
    return prefix.encode() + deep + suffix.encode()


def deep_ubjson_object(n=DEEP):
    return b"{i\x07learner{" + b"i\x01a{" * n + b"}" * (n + 2)


def deep_ubjson_hidden(n=DEEP):
    """Optimized UBJSON objects whose first key is a quote: a JSON-text scan would see every
    later '{' inside a string."""
    return b'{#i\x01i\x01"' + b"{#i\x01i\x01a" * n + b"Z"


class HostileInputTest(AttackTestCase):
    @classmethod
    def setUpClass(cls):
        server = cls.start_server("--max-body-bytes", str(MAX_BODY),
                                  "--max-upload-bytes", str(MAX_UPLOAD), workers=1)
        server.import_dataset("iris", dataset_file("iris.csv"))
        r = server.post("/api/v1/training-runs", {
            "dataset": "iris@1", "target": "target", "register": "flowers",
            "learners": ["linear"], "max_trials": 1, "cv": 2, "ensemble": "none", "seed": 1})
        assert r.status == 202, r
        job = server.wait_job(r.json()["job"]["id"], timeout=120)
        assert job["state"] == "succeeded", job
        r = server.post("/api/v1/endpoints", {"name": "scorer", "model": "flowers@1"})
        assert r.status == 201, r

    def tearDown(self):
        self.assert_alive()
        self.assert_outside_untouched()

    # --- raw HTTP --------------------------------------------------------------------------
    def raw(self, data, timeout=10, then=None):
        """Sends raw bytes; returns (status or None when closed unanswered, the answer)."""
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout)
        try:
            try:
                for part in data if isinstance(data, (list, tuple)) else [data]:
                    sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before taking everything: read it
            if then:
                then(sock)
            answer = b""
            try:
                while b"\r\n\r\n" not in answer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except ConnectionResetError:
                pass
        finally:
            sock.close()
        if not answer.startswith(b"HTTP/1."):
            return None, answer
        return int(answer.split(b" ", 2)[1]), answer

    def head(self, method="POST", path="/api/v1/transforms", headers=(), auth=True):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        if auth:
            lines.append(f"Authorization: Bearer {self.server.token}")
        lines += list(headers)
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def assert_raw_refused(self, status, answer, allow_close=False, statuses=range(400, 500)):
        if status is None:
            self.assertTrue(allow_close, f"closed without an answer: {answer[:200]!r}")
        else:
            self.assertIn(status, statuses, answer[:300])
        self.assertNotIn(b"root:x:0:0", answer)

    # --- JSON nested 100,000 deep ---------------------------------------------------------
    def test_deeply_nested_json(self):
        routes = [
            ("POST", "/api/v1/transforms", None),
            ("POST", "/api/v1/transforms", '{"input":"iris@1","sql":"SELECT 1 AS a","junk":'),
            ("POST", "/api/v1/models", None),
            ("POST", "/api/v1/models", '{"name":"deep","tags":'),
            ("POST", "/api/v1/models", '{"name":"deep","description":'),
            ("PATCH", "/api/v1/models/flowers", '{"description":'),
            ("PUT", "/api/v1/models/flowers/aliases/champion", '{"version":'),
            ("PUT", "/api/v1/models/flowers/tags/team", '{"value":'),
            ("POST", "/api/v1/training-runs", None),
            ("POST", "/api/v1/training-runs", '{"dataset":"iris@1","target":"target","learners":'),
            ("POST", "/api/v1/endpoints", '{"name":"deep","model":'),
            ("POST", "/api/v1/endpoints", '{"name":"deep","model":"flowers@1","canary":'),
            ("PUT", "/api/v1/endpoints/scorer", '{"model":"flowers@1","shadow":'),
            ("POST", "/api/v1/batch-predictions", '{"endpoint":'),
            ("POST", "/api/v1/endpoints/scorer/feedback", '{"id":"x","truth":'),
            ("POST", "/api/v1/endpoints/scorer/predict", '{"instances":'),
            ("POST", "/api/v1/endpoints/scorer/predict", '{"instances":[{"a":1}],"explain":'),
            ("POST", "/v2/models/scorer/infer", '{"inputs":'),
            ("POST", "/api/2.0/mlflow/registered-models/create", None),
            ("POST", "/api/2.0/mlflow/registered-models/set-tag",
             '{"name":"flowers","key":"k","value":'),
        ]
        for method, path, prefix in routes:
            shapes = {"arrays": deep_array(), "objects": deep_object()}
            if prefix is None:
                shapes["unclosed"] = b"[" * DEEP
            for shape, deep in shapes.items():
                body = deep if prefix is None else inside(prefix, deep)
                with self.attack(f"{method} {path} {shape}", field=prefix):
                    r = self.server.request(method, path, body=body, timeout=30,
                                            headers={"Content-Type": "application/json"})
                    self.assertRegex(self.assert_refused(r), r"deeper than 64 levels")
        # Routes that read only strings and numbers from their body and never copy a deep
        # value: refused for the value's type (no depth check there yet). (A whole-body
        # object is left out for tokens: its unknown key is ignored, as any unknown field.)
        for path, prefix in (("/api/v1/users", '{"name":'), ("/api/v1/tokens", '{"scopes":')):
            for shape, deep in {"arrays": deep_array(), "objects": deep_object()}.items():
                whole = [] if path.endswith("tokens") and shape == "objects" else [deep]
                for body in whole + [inside(prefix, deep)]:
                    with self.attack(f"POST {path} {shape}", whole=body is deep):
                        r = self.server.request("POST", path, body=body, timeout=30,
                                                headers={"Content-Type": "application/json"})
                        self.assert_refused(r)
        self.assertEqual(self.server.get("/api/v1/models/deep").status, 404)
        ep = self.server.get_json("/api/v1/endpoints/scorer")
        self.assertEqual((ep["model"], ep["shadow"]), ("flowers@1", None))

    def test_deeply_nested_model_files(self):
        """XGBoost models are JSON or UBJSON, read by recursive parsers."""
        files = {"JSON": inside('{"learner":', deep_object()),
                 "UBJSON objects": deep_ubjson_object(),
                 "UBJSON arrays": b"{i\x07learner[" + deep_array() + b"}",
                 "UBJSON with a quote key": deep_ubjson_hidden()}
        for label, data in files.items():
            with self.attack(f"POST /api/v1/models/import-xgboost {label}"):
                q = urllib.parse.urlencode({"name": "deep_xgb", "filename": "m.ubj"})
                r = self.server.post("/api/v1/models/import-xgboost?" + q, data, timeout=30)
                self.assertRegex(self.assert_refused(r), r"deeper than 64 levels")
        self.assertEqual(self.server.get("/api/v1/models/deep_xgb").status, 404)

    def test_json_that_is_only_big_or_odd_still_parses_safely(self):
        odd = [("numbers past double", b'{"instances":[{"a":1e999999}]}'),
               ("a long string of escapes", b'{"instances":"' + b"\\u0000" * 50000 + b'"}'),
               ("invalid UTF-8", b'{"instances":[{"a":"\xff\xfe"}]}'),
               ("a lone surrogate", b'{"instances":[{"a":"\\ud800"}]}'),
               ("a wide array", b'{"instances":[' + b"{}," * 100000 + b"{}]}")]
        for label, body in odd:
            with self.attack(f"POST predict {label}"):
                r = self.server.request("POST", "/api/v1/endpoints/scorer/predict", body=body,
                                        headers={"Content-Type": "application/json"})
                self.assert_refused(r)

    # --- bodies past the limits -----------------------------------------------------------
    def test_bodies_past_the_limits(self):
        with self.attack("JSON body past --max-body-bytes"):
            body = b'{"input":"iris@1","sql":"SELECT 1 AS a","pad":"' + b"x" * MAX_BODY + b'"}'
            r = self.server.post("/api/v1/transforms", body)
            self.assert_refused(r, statuses=(413,))
        for label, path in (("upload", "/api/v1/datasets?name=too_big&filename=big.csv"),
                            ("bundle", "/api/v1/models/import?name=too_big")):
            with self.attack(f"{label} past --max-upload-bytes"):
                data = b"a,b\n" + b"1,2\n" * (MAX_UPLOAD // 4 + 10)
                status, answer = self.raw([self.head(path=path, headers=[
                    f"Content-Length: {len(data)}"]), data])
                self.assert_raw_refused(status, answer, statuses=(413,))
        with self.attack("a Content-Length of a terabyte, no body sent"):
            status, answer = self.raw(self.head(path="/api/v1/datasets?name=tb",
                                                headers=["Content-Length: 1000000000000"]))
            self.assert_raw_refused(status, answer, statuses=(413,))
        with self.attack("a chunked body that grows past the limit"):
            chunk = b"%x\r\n%s\r\n" % (256 * 1024, b"x" * 256 * 1024)
            status, answer = self.raw([self.head(headers=["Transfer-Encoding: chunked",
                                                          "Content-Type: application/json"])]
                                      + [chunk] * 5 + [b"0\r\n\r\n"])
            self.assert_raw_refused(status, answer, statuses=(413,))
        self.assertEqual(self.server.get("/api/v1/datasets/too_big").status, 404)
        self.assertEqual(self.server.get("/api/v1/models/too_big").status, 404)

    # --- lying and malformed framing --------------------------------------------------------
    def test_bad_content_length_and_transfer_encoding(self):
        body = b'{"input":"iris@1","sql":"SELECT 1 AS a","output":"framing"}'
        cases = [
            ("non-numeric Content-Length", ["Content-Length: abc"], body),
            ("negative Content-Length", ["Content-Length: -1"], body),
            ("Content-Length with a plus", ["Content-Length: +5"], body),
            ("hex Content-Length", ["Content-Length: 0x10"], body),
            ("Content-Length past 2^64", ["Content-Length: 18446744073709551616"], body),
            ("a list as Content-Length", ["Content-Length: 5, 6"], body),
            ("two different Content-Lengths",
             [f"Content-Length: {len(body)}", f"Content-Length: {len(body) + 5}"], body),
            ("Content-Length and chunked (smuggling)",
             [f"Content-Length: {len(body)}", "Transfer-Encoding: chunked"],
             b"0\r\n\r\nGET /api/v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("an unknown Transfer-Encoding", ["Transfer-Encoding: gzip, chunked, rot13"], body),
            ("a bad chunk size", ["Transfer-Encoding: chunked"], b"zz\r\nabc\r\n0\r\n\r\n"),
            ("a chunk size past 2^64", ["Transfer-Encoding: chunked"],
             b"1ffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
        ]
        for label, headers, data in cases:
            with self.attack(label):
                status, answer = self.raw([self.head(headers=headers), data])
                self.assert_raw_refused(status, answer, allow_close=True)
                self.assertNotIn(b'"framing"', answer)
        with self.attack("a Content-Length longer than the body, then silence"):
            status, answer = self.raw(
                [self.head(headers=[f"Content-Length: {len(body) + 1000}"]), body],
                timeout=3, then=lambda sock: sock.shutdown(socket.SHUT_WR))
            self.assert_raw_refused(status, answer, allow_close=True)
        with self.attack("a Content-Length shorter than the body"):
            status, answer = self.raw([self.head(headers=["Content-Length: 10",
                                                          "Content-Type: application/json"]),
                                       body])
            self.assert_raw_refused(status, answer, allow_close=True)
        self.assertEqual(self.server.get("/api/v1/datasets/framing").status, 404)

    # --- header floods and protocol garbage ---------------------------------------------------
    def test_header_floods(self):
        cases = [
            ("10,000 headers", [f"X-Flood-{i}: {i}" for i in range(10000)]),
            ("a 1 MiB header", ["X-Big: " + "x" * (1 << 20)]),
            ("a 1 MiB cookie", ["Cookie: " + "a=b; " * 200000]),
            ("100,000 empty header values", ["X-E:"] * 100000),
            ("a header with a NUL", ["X-Nul: a\0b"]),
            ("a header line without a colon", ["Not a header line"]),
            ("a bare CR inside a header", ["X-Cr: a\rb"]),
        ]
        for label, headers in cases:
            with self.attack(label):
                status, answer = self.raw(self.head(method="GET", path="/api/v1/whoami",
                                                    headers=headers), timeout=20)
                self.assert_raw_refused(status, answer, allow_close=True)
        with self.attack("a 1 MiB URL"):
            status, answer = self.raw(self.head(method="GET",
                                                path="/api/v1/datasets/" + "a" * (1 << 20)))
            self.assert_raw_refused(status, answer, allow_close=True)
        with self.attack("5,000 query parameters"):
            query = "&".join(f"p{i}=1" for i in range(5000))
            r = self.server.get("/api/v1/jobs?" + query)
            self.assertLess(r.status, 500, r)

    def test_protocol_garbage(self):
        cases = [
            ("not HTTP", b"GARBAGE\r\n\r\n"),
            ("HTTP/0.9", b"GET /\r\n\r\n"),
            ("HTTP/2.0 on an HTTP/1 socket", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
            ("the HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            ("an unknown method", self.head(method="FROB", path="/api/v1/datasets")),
            ("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n"),
            ("an absolute URI", self.head(method="GET", path="http://evil.example/etc/passwd")),
            ("a target without a slash", self.head(method="GET", path="etc/passwd")),
            ("TRACE", self.head(method="TRACE", path="/api/v1/whoami")),
            ("a NUL in the request line", b"GET /api/v1/whoami\0 HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("a binary request line", bytes(range(256)) + b"\r\n\r\n"),
        ]
        for label, data in cases:
            with self.attack(label):
                status, answer = self.raw(data)
                self.assert_raw_refused(status, answer, allow_close=True)

    def test_stalled_connections_do_not_starve_others(self):
        """Slowloris: many connections that send half a request and wait."""
        with self.attack("200 stalled connections"):
            stalled = []
            try:
                for _ in range(200):
                    sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
                    sock.sendall(b"POST /api/v1/transforms HTTP/1.1\r\nHost: x\r\nContent-Le")
                    stalled.append(sock)
                start = time.monotonic()
                results = []

                def probe():
                    results.append(self.server.get("/v2/health/live", token=None,
                                                   timeout=10).status)
                threads = [threading.Thread(target=probe) for _ in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(results, [200] * 8)
                self.assertLess(time.monotonic() - start, 5, "others were starved")
            finally:
                for sock in stalled:
                    sock.close()


if __name__ == "__main__":
    unittest.main()
