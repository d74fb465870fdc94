"""HTTPS (`aimass serve --tls-cert/--tls-key`) and the management listener
(`--management-listen`), against the real binary: a self-signed certificate made with the
openssl CLI at test time, Python's ssl module as the client, and the aimass CLI with and
without --ca-cert."""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import warnings

from aimass_server import AIMASS_BIN, AimassServer

SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy",
                    "Referrer-Policy", "Cache-Control")


def make_cert(directory, name, cn="127.0.0.1", san="IP:127.0.0.1,DNS:localhost"):
    """A self-signed certificate (it is its own CA), by default for 127.0.0.1 and localhost."""
    cert = os.path.join(directory, name + "-cert.pem")
    key = os.path.join(directory, name + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", key, "-out", cert, "-subj", f"/CN={cn}",
                    "-addext", f"subjectAltName={san}"],
                   check=True, capture_output=True)
    return cert, key


def client_context(cafile):
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("the openssl CLI is missing (scripts/setup installs it)")
        cls.certs = tempfile.mkdtemp(prefix="aimass-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.certs, True)
        cls.cert, cls.key = make_cert(cls.certs, "server")
        cls.other_cert, cls.other_key = make_cert(cls.certs, "other")
        cls.server = AimassServer("--tls-cert", cls.cert, "--tls-key", cls.key,
                                  "--tls-handshake-timeout", "2",
                                  "--management-listen", "127.0.0.1:0",
                                  ssl_context=client_context(cls.cert))
        cls.addClassCleanup(cls.server.close)
        cls.server.start()

    # --- HTTPS -----------------------------------------------------------------------
    def test_prints_https_urls(self):
        self.assertTrue(self.server.url.startswith("https://127.0.0.1:"), self.server.url)
        self.assertTrue(self.server.management_url.startswith("https://127.0.0.1:"))

    def test_health_over_https_with_security_headers_and_hsts(self):
        r = self.server.get("/v2/health/live", token=None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"live": True})
        for name in SECURITY_HEADERS:
            self.assertIsNotNone(r.headers.get(name), name)
        self.assertEqual(r.headers.get("Strict-Transport-Security"), "max-age=31536000")
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))  # CORS stays closed

    def test_plain_http_on_the_tls_port_gets_no_http_answer(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        self.assertNotIn(b"HTTP/1.1", data)
        self.assertNotIn(b"live", data)

    def test_tls_1_1_is_refused(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(self.cert)
        try:
            with warnings.catch_warnings():  # old versions on purpose
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
            # Debian's OpenSSL would not even offer TLS 1.1 at its default security level;
            # lowered, the client offers it and the refusal is the server's.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError) as e:
            self.skipTest(f"this Python's OpenSSL cannot offer TLS 1.1: {e}")
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionResetError)) as caught:
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.recv(100)
        self.assertNotIn("NO_CIPHERS_AVAILABLE", str(caught.exception))
        self.assertNotIn("NO_PROTOCOLS_AVAILABLE", str(caught.exception))

    def test_a_client_that_never_handshakes_is_dropped(self):
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=20) as s:
            try:
                self.assertEqual(s.recv(100), b"")  # the server closes the connection
            except ConnectionResetError:
                pass
        elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 1.5)
        self.assertLess(elapsed, 10)
        # The server still serves others.
        self.assertEqual(self.server.get("/v2/health/live", token=None).status, 200)

    def test_session_cookie_is_secure_over_https(self):
        password = "Tr0ub4dor&3-horse-staple"
        r = self.server.post("/api/v1/users", {"name": "carol", "password": password},
                             port=self.server.management_port)
        self.assertIn(r.status, (200, 201), r)
        r = self.server.post("/api/v1/login", {"user": "carol", "password": password},
                             token=None)
        self.assertEqual(r.status, 200, r)
        cookie = r.headers.get("Set-Cookie")
        self.assertIn("aimass_session=", cookie)
        self.assertIn("; Secure", cookie)

    # --- the CLI ---------------------------------------------------------------------
    def test_cli_with_ca_cert_works(self):
        p = self.server.cli("--ca-cert", self.cert, "data", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.server.cli("data", "list", env={"AIMASS_CA_CERT": self.cert})
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_cli_without_ca_cert_fails_naming_the_fix(self):
        p = self.server.cli("data", "list")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("certificate", p.stderr)
        self.assertIn("--ca-cert", p.stderr)

    def test_cli_with_the_wrong_ca_fails(self):
        p = self.server.cli("--ca-cert", self.other_cert, "data", "list")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("--ca-cert", p.stderr)

    def test_cli_checks_the_host_name(self):
        url = self.server.url.replace("127.0.0.1", "localhost")  # in the certificate too
        p = self.server.cli("--ca-cert", self.cert, "data", "list", env={"AIMASS_URL": url})
        self.assertEqual(p.returncode, 0, p.stderr)
        # A trusted certificate made for another name: a TLS server on a thread here.
        cert, key = make_cert(self.certs, "elsewhere", cn="elsewhere.invalid",
                              san="DNS:elsewhere.invalid")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)

        def serve_one():
            conn, _ = listener.accept()
            try:
                with context.wrap_socket(conn, server_side=True) as s:
                    s.recv(100)
            except (ssl.SSLError, OSError):
                pass

        thread = threading.Thread(target=serve_one, daemon=True)
        thread.start()
        url = f"https://127.0.0.1:{listener.getsockname()[1]}"
        p = self.server.cli("--ca-cert", cert, "data", "list", env={"AIMASS_URL": url})
        thread.join(10)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("certificate", p.stderr)
        self.assertIn("mismatch", p.stderr)

    def test_cli_login_saves_the_ca_cert(self):
        home = os.path.join(self.server.root, "login-home")
        os.makedirs(home)
        env = {"HOME": home, "XDG_CONFIG_HOME": None}
        p = self.server.cli("login", "--server", self.server.url, "--token", self.server.token,
                            "--ca-cert", self.cert, env=env, auth=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.server.cli("data", "list", env=env, auth=False)
        self.assertEqual(p.returncode, 0, p.stderr)

    # --- the management listener -----------------------------------------------------
    def test_admin_routes_and_metrics_only_on_the_management_port(self):
        main, management = self.server.port, self.server.management_port
        for path in ("/api/v1/users", "/api/v1/routes", "/metrics"):
            r = self.server.get(path, port=main)
            self.assertEqual(r.status, 404, f"{path} on the main port: {r!r}")
            self.assertEqual(r.error["code"], "not_found")
            r = self.server.get(path, port=management)
            self.assertEqual(r.status, 200, f"{path} on the management port: {r!r}")

    def test_other_routes_only_on_the_main_port(self):
        management = self.server.management_port
        for path in ("/api/v1/datasets", "/v2/health/live", "/api/v1/whoami"):
            self.assertEqual(self.server.get(path).status, 200, path)
            self.assertEqual(self.server.get(path, port=management).status, 404, path)

    def test_cli_admin_verbs_through_the_management_url(self):
        p = self.server.cli("--ca-cert", self.cert, "users", "list",
                            env={"AIMASS_URL": self.server.management_url})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("admin", p.stdout)


class TlsStartupTest(unittest.TestCase):
    """The server refuses to start, with a message naming the file, on bad TLS files."""

    @classmethod
    def setUpClass(cls):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("the openssl CLI is missing (scripts/setup installs it)")
        cls.dir = tempfile.mkdtemp(prefix="aimass-tls-start-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.cert, cls.key = make_cert(cls.dir, "a")
        cls.other_cert, cls.other_key = make_cert(cls.dir, "b")

    def serve(self, *args):
        data = tempfile.mkdtemp(dir=self.dir)
        return subprocess.run([AIMASS_BIN, "serve", "--data-dir", data, "--listen",
                               "127.0.0.1:0"] + list(args), capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def test_key_that_does_not_match_the_cert(self):
        p = self.serve("--tls-cert", self.cert, "--tls-key", self.other_key)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("does not match the certificate", p.stderr)
        self.assertIn(self.other_key, p.stderr)

    def test_missing_file(self):
        missing = os.path.join(self.dir, "nope.pem")
        p = self.serve("--tls-cert", missing, "--tls-key", self.key)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(missing, p.stderr)
        self.assertIn("cannot be read", p.stderr)

    def test_cert_without_key(self):
        p = self.serve("--tls-cert", self.cert)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--tls-key", p.stderr)


class ManagementWithoutTlsTest(unittest.TestCase):
    """Without --management-listen everything stays on the one listener (plain HTTP)."""

    def test_everything_on_the_main_listener(self):
        with AimassServer() as server:
            self.assertIsNone(server.management_port)
            self.assertTrue(server.url.startswith("http://"))
            self.assertEqual(server.get("/metrics").status, 200)
            self.assertEqual(server.get("/api/v1/users").status, 200)
            r = server.get("/v2/health/live", token=None)
            self.assertIsNone(r.headers.get("Strict-Transport-Security"))


if __name__ == "__main__":
    unittest.main()
