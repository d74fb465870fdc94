"""Server-side request forgery through URL imports (POST /api/v1/datasets/import-url), the
way TorchServe's model-URL SSRF (CVE-2023-43654) was used: make the server fetch from its
own loopback, the cloud metadata service, a private network, or be redirected there; other
schemes; hosts written as odd numbers; user info; bodies that are huge or compressed.

Two local HTTP servers stand in for the world: `origin` on 127.0.0.1 serves a CSV, redirects
and hostile bodies; `victim` on 127.0.0.2 stands for an internal service and records every
request it gets, which must be none. Each attack must be refused (400/403 at once, or a
failed job whose error names the refused place and the fix), leave no dataset behind, and
the server must stay up; an honest import from an allowed host still works."""

import gzip
import http.server
import os
import threading
import unittest
import urllib.parse

from attack_support import AttackTestCase

MAX_BYTES = 1 << 20  # --max-upload-bytes of this server: the URL imports' size cap
CSV = b"a,b\n1,x\n2,y\n3,z\n"
OUT = "fetched"


class Recorder(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, routes):
        self.hits = []
        self.routes = routes
        super().__init__(address, Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        path = urllib.parse.urlsplit(self.path).path
        route = self.server.routes.get(path)
        if route is None:
            return self.answer(404, b"not found\n")
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, status=302):
        self.answer(status, b"", [("Location", location)])


def start(host, routes):
    server = Recorder((host, 0), routes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class SsrfTest(AttackTestCase):
    @classmethod
    def setUpClass(cls):
        server = cls.start_server("--max-upload-bytes", str(MAX_BYTES))
        cls.victim = start("127.0.0.2", {"/secret": lambda h: h.answer(200, b"s,t\n1,2\n")})
        cls.addClassCleanup(cls.victim.shutdown)
        victim = f"http://127.0.0.2:{cls.victim.server_address[1]}/secret"

        def huge_declared(h):
            h.send_response(200)
            h.send_header("Content-Length", str(MAX_BYTES * 8))
            h.end_headers()
            h.wfile.write(b"a,b\n" + b"1,2\n" * (MAX_BYTES // 2))

        def huge_streamed(h):  # no Content-Length: the cap must hold while streaming
            h.send_response(200)
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(b"a,b\n")
            for _ in range(MAX_BYTES * 4 // 65536):
                h.wfile.write(b"1,2\n" * 16384)

        def chain(h):
            n = int(urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query)["n"][0])
            h.redirect(f"/chain?n={n - 1}" if n > 0 else "/data.csv?sig=chained", 301)

        routes = {
            "/data.csv": lambda h: h.answer(200, CSV, [("Content-Type", "text/csv")]),
            "/redirect-metadata": lambda h: h.redirect("http://169.254.169.254/latest/meta-data/"),
            "/redirect-metadata-v6": lambda h: h.redirect("http://[fd00:ec2::254]/latest/"),
            "/redirect-victim": lambda h: h.redirect(victim, 307),
            "/redirect-private": lambda h: h.redirect("http://10.0.0.1/admin", 308),
            "/redirect-numeric": lambda h: h.redirect(f"http://2130706433:{h.server.server_port}/"),
            "/redirect-mapped": lambda h: h.redirect(
                f"http://[::ffff:127.0.0.2]:{cls.victim.server_address[1]}/secret", 303),
            "/redirect-file": lambda h: h.redirect("file:///etc/passwd"),
            "/redirect-gopher": lambda h: h.redirect("gopher://127.0.0.1:6379/_FLUSHALL"),
            "/redirect-userinfo": lambda h: h.redirect(f"http://127.0.0.1@127.0.0.2:"
                                                       f"{cls.victim.server_address[1]}/secret"),
            "/redirect-loop": lambda h: h.redirect("/redirect-loop"),
            "/chain": chain,
            "/huge-declared.csv": huge_declared,
            "/huge-streamed.csv": huge_streamed,
            "/gzip.csv": lambda h: h.answer(200, gzip.compress(CSV),
                                            [("Content-Encoding", "gzip")]),
        }
        cls.origin = start("127.0.0.1", routes)
        cls.addClassCleanup(cls.origin.shutdown)
        cls.port = cls.origin.server_address[1]
        cls.base = f"http://127.0.0.1:{cls.port}"

        assert server.post("/api/v1/users", {"name": "eve"}).status == 201
        assert server.request("PUT", "/api/v1/projects/default/members/eve",
                              body={"role": "editor"}).status == 200
        r = server.post("/api/v1/tokens", {"user": "eve", "scopes": "read,write"})
        assert r.status == 201, r
        cls.user_token = r.json()["token"]

    def tearDown(self):
        self.assert_alive()

    # --- helpers -------------------------------------------------------------------------
    def set_hosts(self, *hosts):
        s = self.server
        for entry in s.get_json("/api/v1/import-hosts")["hosts"]:
            r = s.delete("/api/v1/import-hosts/" + urllib.parse.quote(entry["host"], safe=""))
            self.assertEqual(r.status, 204, r)
        for host in hosts:
            r = s.request("PUT", "/api/v1/import-hosts/" + urllib.parse.quote(host, safe=""))
            self.assertEqual(r.status, 201, r)

    def import_url(self, url, name=OUT, token=None, **extra):
        kw = {} if token is None else {"token": token}
        return self.server.post("/api/v1/datasets/import-url", dict(url=url, name=name, **extra),
                                **kw)

    def assert_import_refused(self, url, *patterns, statuses=(400, 403)):
        """400/403 at once or a failed job; the message matches every pattern, shows no
        secret of the URL's query, and no dataset is made."""
        r = self.import_url(url)
        if r.status == 202:
            job = self.server.wait_job(r.json()["job"]["id"], timeout=120)
            self.assertEqual(job["state"], "failed", job)
            message = job["error"]
        else:
            message = self.assert_refused(r, statuses=statuses)
        for pattern in patterns:
            self.assertRegex(message, pattern)
        self.assertNotIn("s3cret", message)
        self.assertLess(len(message), 2000)
        self.assertEqual(self.server.get(f"/api/v1/datasets/{OUT}").status, 404)
        self.assertEqual(self.victim.hits, [], "the victim got a request")
        return message

    def assert_no_origin_hit(self, before):
        self.assertEqual(self.origin.hits[before:], [], "the origin got a request")

    # --- the allow-list ------------------------------------------------------------------
    def test_1_empty_allow_list_turns_url_imports_off(self):
        self.set_hosts()
        before = len(self.origin.hits)
        with self.attack("empty allow-list"):
            self.assert_import_refused(self.base + "/data.csv", r"import-hosts add 127\.0\.0\.1",
                                       statuses=(403,))
            self.assert_no_origin_hit(before)
        with self.attack("empty allow-list, other host"):
            self.assert_import_refused("http://169.254.169.254/latest/meta-data/",
                                       r"off on this server", statuses=(403,))

    def test_2_a_name_allowed_that_resolves_to_loopback_is_refused(self):
        self.set_hosts("localhost")
        before = len(self.origin.hits)
        with self.attack("localhost allowed by name"):
            self.assert_import_refused(f"http://localhost:{self.port}/data.csv",
                                       r"'localhost' resolves to", r"loopback",
                                       r"import-hosts add")
            self.assert_no_origin_hit(before)
        with self.attack("127.0.0.1 not on the list"):
            self.assert_import_refused(self.base + "/data.csv", r"not on this server's import "
                                       r"allow-list", statuses=(403,))
            self.assert_no_origin_hit(before)

    def test_3_only_admins_change_the_allow_list(self):
        s = self.server
        for method, path in (("PUT", "/api/v1/import-hosts/127.0.0.1"),
                             ("DELETE", "/api/v1/import-hosts/localhost"),
                             ("PUT", "/api/v1/import-hosts/169.254.169.254"),
                             ("GET", "/api/v1/import-hosts")):
            with self.attack("non-admin " + method, path=path):
                r = s.request(method, path, token=self.user_token)
                self.assertEqual(r.status, 403, r)
        with self.attack("non-admin CLI import-hosts add"):
            done = s.cli("import-hosts", "add", "10.0.0.1", env={"AIMASS_TOKEN": self.user_token})
            self.assertEqual(done.returncode, 1, done)
            self.assertNotIn("10.0.0.1", str(s.get_json("/api/v1/import-hosts")))
        for entry in ("http://127.0.0.1/", "127.1", "2130706433", "*", "*.com", "a.*.b",
                      "127.0.0.1:80", "fe80::1%eth0", "user@host", "a b"):
            with self.attack("bad allow-list entry", entry=entry):
                r = s.request("PUT", "/api/v1/import-hosts/" + urllib.parse.quote(entry, safe=""))
                self.assertIn(r.status, (400, 404), r)
                self.assertNotIn(entry.lower(), [h["host"] for h in
                                                 s.get_json("/api/v1/import-hosts")["hosts"]])

    # --- with the loopback address itself allowed ------------------------------------------
    def allow_loopback(self):
        self.set_hosts("127.0.0.1")

    def test_4_other_schemes_are_refused(self):
        self.allow_loopback()
        for url in ("file:///etc/passwd", "FILE:///etc/passwd", f"file://127.0.0.1/etc/passwd",
                    f"gopher://127.0.0.1:{self.port}/_GET%20/data.csv",
                    "ftp://127.0.0.1/data.csv", "data:text/csv,a%0A1", "dict://127.0.0.1:11211/",
                    "jar:http://127.0.0.1/x.jar!/", "netdoc:///etc/passwd", "ldap://127.0.0.1/",
                    "sftp://127.0.0.1/", "tftp://127.0.0.1/x", "/etc/passwd", "127.0.0.1/data.csv",
                    "//127.0.0.1/data.csv", "http:/127.0.0.1/data.csv"):
            with self.attack("scheme", url=url):
                before = len(self.origin.hits)
                self.assert_import_refused(url, r"scheme|absolute URL|no host", statuses=(400,))
                self.assert_no_origin_hit(before)

    def test_5_numeric_loopback_forms_and_user_info_are_refused(self):
        self.allow_loopback()
        p = self.port
        for host in ("127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1",
                     "0177.1", "127.000.000.001", "127.0.0.1.", "0", "0x7f.1", "[::ffff:127.0.0.1]",
                     "[::ffff:7f00:1]", "[::127.0.0.1]", "[::1]", "[::]", "[0:0:0:0:0:0:0:1]",
                     "0.0.0.0", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "127.0.0.2", "localhost.",
                     "LOCALHOST", "127.0.0.1%00", "127.0.0.1%2f", "%31%32%37.0.0.1"):
            url = f"http://{host}:{p}/data.csv?key=s3cret"
            with self.attack("numeric loopback host", url=url):
                before = len(self.origin.hits)
                self.assert_import_refused(url)
                self.assert_no_origin_hit(before)
        for url in (f"http://127.0.0.1@evil.example/", f"http://user:pw@127.0.0.1:{p}/data.csv",
                    f"http://127.0.0.1:{p}@127.0.0.2:{self.victim.server_address[1]}/secret",
                    f"http://127.0.0.1:{p}\\@127.0.0.2/secret",
                    f"http://%40@127.0.0.1:{p}/data.csv", f"http://@127.0.0.1:{p}/data.csv"):
            with self.attack("user info", url=url):
                before = len(self.origin.hits)
                self.assert_import_refused(url, statuses=(400,))
                self.assert_no_origin_hit(before)
        for url in (f"http://127.0.0.1:{p + 65536}/", "http://127.0.0.1:0/",
                    f"http://127.0.0.1:{p}x/", f"http://127.0.0.1 :{p}/", "http://127.0.0.1:-1/"):
            with self.attack("bad port", url=url):
                self.assert_import_refused(url, statuses=(400,))

    def test_6_redirects_to_refused_places_fail_naming_them(self):
        self.allow_loopback()
        b = self.base
        victim_port = self.victim.server_address[1]
        for path, named in (
                ("/redirect-metadata", r"169\.254\.169\.254"),
                ("/redirect-metadata-v6", r"fd00:ec2::254"),
                ("/redirect-victim", rf"127\.0\.0\.2:{victim_port}/secret"),
                ("/redirect-private", r"10\.0\.0\.1/admin"),
                ("/redirect-numeric", r"2130706433"),
                ("/redirect-mapped", r"::ffff:127\.0\.0\.2"),
                ("/redirect-file", r"file:///etc/passwd"),
                ("/redirect-gopher", r"gopher://127\.0\.0\.1:6379"),
                ("/redirect-userinfo", r"user info"),
                ("/redirect-loop", r"more than 5 redirects"),
                ("/chain?n=6", r"more than 5 redirects")):
            with self.attack("redirect", path=path):
                message = self.assert_import_refused(b + path + ("&" if "?" in path else "?") +
                                                     "token=s3cret", named)
                if path not in ("/redirect-loop", "/chain?n=6"):
                    self.assertRegex(message, r"redirected \(30\d\) to")

    def test_7_limits_hold(self):
        self.allow_loopback()
        for path, pattern in (("/huge-declared.csv", r"larger than this server's limit"),
                              ("/huge-streamed.csv", r"larger than this server's limit"),
                              ("/gzip.csv", r"Content-Encoding: gzip"),
                              ("/missing.csv", r"answered 404")):
            with self.attack("limit", path=path):
                self.assert_import_refused(self.base + path, pattern)
        scratch = os.path.join(self.server.data_dir, "uploads")
        self.assertEqual(os.listdir(scratch) if os.path.isdir(scratch) else [], [])

    # --- what is allowed still works ------------------------------------------------------
    def test_8_an_allowed_address_imports(self):
        self.allow_loopback()
        s = self.server
        for name, path in (("direct", "/data.csv?sig=s3cret"), ("chained", "/chain?n=4")):
            r = self.import_url(self.base + path, name=name, token=self.user_token)
            self.assertEqual(r.status, 202, r)
            job = s.wait_job(r.json()["job"]["id"], timeout=120)
            self.assertEqual(job["state"], "succeeded", job)
            version = s.get_json(f"/api/v1/datasets/{name}/versions/1")
            self.assertEqual(version["row_count"], 3, version)
            source = version["source"]
            self.assertEqual(source["kind"], "url", source)
            self.assertEqual(source["final_url"], self.base + "/data.csv", source)
            self.assertNotIn("s3cret", str(source))
            rows = s.get_json(f"/api/v1/datasets/{name}/versions/1/preview")["rows"]
            self.assertEqual([r[0] for r in rows], [1, 2, 3])
        self.assertEqual(version["source"]["url"], self.base + "/chain")
        done = s.cli("data", "import-url", self.base + "/data.csv", "--name", "by_cli")
        self.assertEqual(done.returncode, 0, done)
        self.assertEqual(s.get_json("/api/v1/datasets/by_cli/versions/1")["row_count"], 3)
        listed = s.cli("import-hosts", "list")
        self.assertIn("127.0.0.1", listed.stdout)

    def test_9_nothing_escaped(self):
        self.assertEqual(self.victim.hits, [])
        self.assert_outside_untouched()


if __name__ == "__main__":
    unittest.main()
