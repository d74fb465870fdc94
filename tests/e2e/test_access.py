"""Who may call what, against the real binary: the test walks the server's own route table
(GET /api/v1/routes) and checks every route answers 401 without a token, 403 to a token too
weak for it (read-only, predict-only for another endpoint, a non-admin's), and lets a strong
enough one through. Also: users and tokens over the API and the CLI (shown once, scoped,
expiring, revocable, last use recorded), and token guessing locked out with 429."""

import re
import unittest

from aimass_server import AimassServer


def concrete(pattern):
    """A path for a route pattern: every {param} becomes 'web' (an endpoint name the predict
    token is limited to, and a valid name elsewhere), {v} and {id} become 1, and a user's
    {name} is bob, the tokens' own user."""
    path = pattern.replace("/users/{name}", "/users/bob")
    path = re.sub(r"\{(v|id|index)\}", "1", path)
    return re.sub(r"\{[a-z_.]+\}", "web", path)


class AccessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The walk sends an invalid token to every route; the lock-out has its own test.
        cls.server = AimassServer("--auth-failure-limit", "0")
        cls.server.start()
        s = cls.server
        assert s.post("/api/v1/users", {"name": "bob"}).status == 201
        # An editor of the project "default", so that a token's scopes alone decide.
        assert s.request("PUT", "/api/v1/projects/default/members/bob",
                         body={"role": "editor"}).status == 200
        cls.tokens = {}
        for name, body in {"read": {"scopes": "read"},
                           "write": {"scopes": "read,write"},
                           "predict_web": {"scopes": "predict", "endpoint": "web"},
                           "predict_other": {"scopes": "predict", "endpoint": "other"}}.items():
            body = dict(body, user="bob", label=name)
            r = s.post("/api/v1/tokens", body)
            assert r.status == 201, r
            cls.tokens[name] = r.json()["token"]
        cls.routes = s.get_json("/api/v1/routes")["routes"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def call(self, route, token):
        path = concrete(route["pattern"])
        body = {} if route["method"] in ("POST", "PUT", "PATCH") else None
        return self.server.request(route["method"], path, body=body, token=token)

    def test_the_route_table_covers_the_api(self):
        self.assertGreater(len(self.routes), 50)
        by_permission = {}
        for route in self.routes:
            by_permission.setdefault(route["permission"], []).append(route)
        self.assertEqual(set(by_permission), {"none", "read", "write", "predict", "admin"})
        self.assertIn({"method": "POST", "pattern": "/api/v1/endpoints/{name}/predict",
                       "permission": "predict"}, self.routes)
        self.assertIn({"method": "POST", "pattern": "/api/v1/users", "permission": "admin"},
                      self.routes)

    def test_every_route_needs_a_token_and_the_right_scope(self):
        expected_403 = {
            "read": {"write", "predict", "admin"},
            "write": {"admin"},
            "predict_other": {"read", "write", "predict", "admin"},  # 'web' is not its endpoint
            "predict_web": {"read", "write", "admin"},
        }
        tried = 0
        for route in self.routes:
            needed = route["permission"]
            if needed == "none":
                continue
            with self.subTest(route=route, token=None):
                r = self.call(route, None)
                self.assertEqual(r.status, 401, r)
                tried += 1
            with self.subTest(route=route, token="invalid"):
                r = self.call(route, "aim_" + "0" * 64)
                self.assertEqual(r.status, 401, r)
                tried += 1
            for name, refused in expected_403.items():
                if route["pattern"] == "/api/v1/logout" and needed not in refused:
                    continue  # it would end the token the walk goes on with
                with self.subTest(route=route, token=name):
                    r = self.call(route, self.tokens[name])
                    if needed in refused:
                        self.assertEqual(r.status, 403, r)
                        self.assertEqual(r.error["code"], "permission_denied")
                    else:
                        self.assertNotIn(r.status, (401, 403), r)
                    tried += 1
        print(f"\n{tried} route x token checks")

    def test_tokens_are_shown_once_listed_without_secret_and_revocable(self):
        s = self.server
        r = s.post("/api/v1/tokens", {"label": "ci", "scopes": "read", "expires_in_days": 1},
                   token=self.tokens["write"])
        self.assertEqual(r.status, 201, r)
        created = r.json()
        self.assertTrue(created["token"].startswith("aim_"))
        self.assertEqual(created["user"], "bob")
        self.assertIsNotNone(created["expires_at"])
        self.assertEqual(s.get("/api/v1/whoami", token=created["token"]).status, 200)
        listed = s.get("/api/v1/tokens", token=self.tokens["write"]).json()["tokens"]
        mine = next(t for t in listed if t["id"] == created["id"])
        self.assertNotIn("token", mine)
        self.assertIsNotNone(mine["last_used_at"])
        self.assertTrue(all(t["user"] == "bob" for t in listed))
        # A read token cannot make a write token; bob cannot make users or see others' tokens.
        r = s.post("/api/v1/tokens", {"scopes": "read,write"}, token=created["token"])
        self.assertEqual(r.status, 403, r)
        r = s.post("/api/v1/tokens", {"scopes": "admin"}, token=self.tokens["write"])
        self.assertEqual(r.status, 403, r)
        r = s.get("/api/v1/tokens?user=admin", token=self.tokens["write"])
        self.assertEqual(r.status, 403, r)
        r = s.post("/api/v1/tokens", {"scopes": "read", "expires_in_days": "soon"},
                   token=self.tokens["write"])
        self.assertEqual(r.status, 400, r)
        self.assertEqual(s.delete(f"/api/v1/tokens/{created['id']}",
                                  token=self.tokens["write"]).status, 204)
        self.assertEqual(s.get("/api/v1/whoami", token=created["token"]).status, 401)

    def test_users_and_tokens_from_the_cli(self):
        s = self.server
        r = s.cli("users", "create", "carol")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = s.cli("tokens", "create", "--user", "carol", "--scopes", "read", "--label", "nb")
        self.assertEqual(r.returncode, 0, r.stderr)
        secret = re.search(r"aim_[0-9a-f]{64}", r.stdout).group(0)
        self.assertIn("shown once", r.stdout)
        self.assertEqual(s.get("/api/v1/whoami", token=secret).json()["user"], "carol")
        r = s.cli("users", "list")
        self.assertIn("carol", r.stdout)
        r = s.cli("tokens", "list", "--user", "carol")
        self.assertEqual(r.returncode, 0, r.stderr)
        token_id = re.search(r"^\s*(\d+)\s+carol", r.stdout, re.M).group(1)
        r = s.cli("tokens", "revoke", token_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(s.get("/api/v1/whoami", token=secret).status, 401)
        r = s.cli("users", "create", "../x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not valid", r.stderr)


class LoginTest(unittest.TestCase):
    """Password login for the web console: a session cookie (HttpOnly, SameSite=Strict) plus a
    CSRF token for every change; the same answer for an unknown user and a wrong password;
    lock-out after repeated failures."""

    PASSWORD = "correct horse battery"

    @classmethod
    def setUpClass(cls):
        cls.server = AimassServer()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def login(self, user, password):
        return self.server.post("/api/v1/login", {"user": user, "password": password},
                                token=None)

    def with_cookie(self, method, path, cookie, csrf=None, body=None):
        headers = {"Cookie": f"theme=dark; aimass_session={cookie}"}
        if csrf:
            headers["X-CSRF-Token"] = csrf
        return self.server.request(method, path, body=body, headers=headers, token=None)

    def test_a_session_cookie_needs_its_csrf_token_to_change_things(self):
        s = self.server
        r = s.post("/api/v1/users", {"name": "dana", "password": "short"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(s.get("/api/v1/users").json()["users"][-1]["name"], "admin",
                         "a refused password makes no user")
        self.assertEqual(s.post("/api/v1/users", {"name": "dana", "password": self.PASSWORD})
                         .status, 201)
        self.assertEqual(s.request("PUT", "/api/v1/projects/default/members/dana",
                                   body={"role": "editor"}).status, 200)
        wrong = self.login("dana", "not the password")
        unknown = self.login("nobody", self.PASSWORD)
        self.assertEqual((wrong.status, unknown.status), (401, 401))
        self.assertEqual(wrong.error["message"], unknown.error["message"])

        r = self.login("dana", self.PASSWORD)
        self.assertEqual(r.status, 200, r)
        cookie_header = r.headers["Set-Cookie"]
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="):
            self.assertIn(attribute, cookie_header)
        cookie = re.match(r"aimass_session=([^;]+)", cookie_header).group(1)
        csrf = r.json()["csrf_token"]
        self.assertEqual(r.json()["user"], "dana")

        r = self.with_cookie("GET", "/api/v1/whoami", cookie)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"], "dana")
        r = self.with_cookie("POST", "/api/v1/models", cookie, body={"name": "m1"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("CSRF", r.error["message"])
        r = self.with_cookie("POST", "/api/v1/models", cookie, csrf="0" * 64, body={"name": "m1"})
        self.assertEqual(r.status, 403, r)
        r = self.with_cookie("POST", "/api/v1/models", cookie, csrf=csrf, body={"name": "m1"})
        self.assertEqual(r.status, 201, r)
        r = self.with_cookie("POST", "/api/v1/users", cookie, csrf=csrf, body={"name": "x"})
        self.assertEqual(r.status, 403, "a non-admin's session is not an admin's")

        r = self.with_cookie("POST", "/api/v1/logout", cookie, csrf=csrf)
        self.assertEqual(r.status, 204, r)
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        self.assertEqual(self.with_cookie("GET", "/api/v1/whoami", cookie).status, 401)

    def test_repeated_failures_lock_the_user_out(self):
        s = self.server
        self.assertEqual(s.post("/api/v1/users", {"name": "eve", "password": self.PASSWORD})
                         .status, 201)
        for i in range(5):
            self.assertEqual(self.login("eve", f"guess number {i}").status, 401)
        self.assertEqual(self.login("eve", self.PASSWORD).status, 401, "locked")
        # An admin setting a new password lifts the lock.
        r = s.request("PUT", "/api/v1/users/eve/password", {"password": "another long one"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.login("eve", "another long one").status, 200)

    def test_passwords_from_the_cli(self):
        s = self.server
        r = s.cli("users", "create", "fay", "--password-stdin", input=self.PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.login("fay", self.PASSWORD).status, 200)
        r = s.cli("users", "passwd", "fay", input="a brand new password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.login("fay", "a brand new password").status, 200)
        entries = s.get_json("/api/v1/ledger/entries?limit=1000")["entries"]
        self.assertIn("user.password.set", [e["action"] for e in entries])
        self.assertNotIn("argon2", json_text(entries), "no hash in the ledger")


def json_text(value):
    import json
    return json.dumps(value)


class BruteForceTest(unittest.TestCase):
    def test_guessing_tokens_is_locked_out(self):
        with AimassServer() as s:
            statuses = [s.get("/api/v1/whoami", token="aim_%064x" % i).status for i in range(25)]
            self.assertEqual(statuses[:20], [401] * 20)
            self.assertEqual(set(statuses[20:]), {429})
            r = s.get("/api/v1/whoami", token="aim_" + "f" * 64)
            self.assertEqual(r.status, 429)
            self.assertGreater(int(r.headers["Retry-After"]), 0)
            # Even the right token waits: the address is locked, not the token.
            self.assertEqual(s.get("/api/v1/whoami").status, 429)
            # Routes without a token still answer.
            self.assertEqual(s.get("/v2/health/live", token=None).status, 200)

    def test_guessing_passwords_from_one_address_is_locked_out(self):
        # Each guess names another user, so no user's own lock-out (5 failures) stops it;
        # the address's does.
        with AimassServer("--auth-failure-limit", "6") as s:
            statuses = [s.post("/api/v1/login", {"user": f"user{i}", "password": "guess" * 3},
                               token=None).status for i in range(9)]
            self.assertEqual(statuses[:6], [401] * 6)
            self.assertEqual(set(statuses[6:]), {429})
            r = s.post("/api/v1/login", {"user": "admin", "password": "guess" * 3}, token=None)
            self.assertEqual(r.status, 429)
            self.assertGreater(int(r.headers["Retry-After"]), 0)
            self.assertIn("passwords", r.error["message"])


if __name__ == "__main__":
    unittest.main()
