"""The postgres and syslog sources through the real binary: a real PostgreSQL server started
here (Debian's binaries, password logins) feeds a dataset incrementally by a cursor column,
and a refused login shows in the source's state; syslog lines sent over UDP and TCP become
rows, malformed ones included."""

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import unittest

from aimass_server import AimassServer, wait_until

PG_BIN = "/usr/lib/postgresql/15/bin"
PASSWORD_ENV = "E2E_PG_PASSWORD"
WRONG_ENV = "E2E_PG_WRONG"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """initdb into a temp folder and a server on a free loopback port (as the postgres user
    when run as root: initdb refuses root)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="aimass-e2e-pg-")
        self.password = "pw-" + secrets.token_hex(8)
        self.port = free_port()
        self.prefix = []
        with open(os.path.join(self.dir, "pwfile"), "w") as f:
            f.write(self.password + "\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in (self.dir, os.path.join(self.dir, "pwfile")):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(self.dir, "data")
        self.run("initdb", "-D", data, "-U", "aimass", "--auth=scram-sha-256",
                 f"--pwfile={self.dir}/pwfile", "-E", "UTF8", "--locale=C", "--no-sync")
        self.run("pg_ctl", "-D", data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t",
                 "60", "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                 "-c fsync=off", "start")

    def run(self, program, *args):
        r = subprocess.run(self.prefix + [os.path.join(PG_BIN, program), *args],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError(f"{program} failed: {r.stdout}\n{r.stderr}")

    def sql(self, statement):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "aimass",
                            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", statement],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, PGPASSWORD=self.password))
        if r.returncode != 0:
            raise AssertionError(f"psql failed: {r.stderr}")

    def dsn(self):
        return f"host=127.0.0.1 port={self.port} dbname=postgres user=aimass"

    def close(self):
        self.run("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(os.path.exists(os.path.join(PG_BIN, "initdb")),
                     "PostgreSQL is installed by scripts/setup")
class DatabaseSourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        os.environ[PASSWORD_ENV] = cls.pg.password  # the server's environment holds it
        os.environ[WRONG_ENV] = "not-the-password"
        cls.server = AimassServer(workers=2)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()

    def rows(self, dataset):
        r = self.server.get(f"/api/v1/datasets/{dataset}")
        # Appended versions: the newest holds every row so far.
        return max(v["row_count"] for v in r.json()["versions"]) if r.status == 200 else 0

    def state(self, source):
        return self.server.get_json(f"/api/v1/sources/{source}")["source"]["state"]

    def test_a_table_feeds_a_dataset_by_its_cursor_column(self):
        self.pg.sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric, "
                    "paid boolean, at timestamptz); INSERT INTO orders SELECT i, 'c' || (i % 7), "
                    "i * 1.5, i % 2 = 0, now() FROM generate_series(1, 500) i")
        r = self.server.post("/api/v1/sources", {
            "name": "orders", "kind": "postgres", "dataset": "orders",
            "config": {"dsn": self.pg.dsn(), "password_env": PASSWORD_ENV,
                       "query": "SELECT * FROM orders", "cursor_column": "id",
                       "interval": "1s"}})
        self.assertEqual(r.status, 201, r)
        wait_until(lambda: self.rows("orders") == 500, 60, what="the first 500 rows")
        self.pg.sql("INSERT INTO orders SELECT i, 'late', 1, true, now() "
                    "FROM generate_series(501, 560) i")
        wait_until(lambda: self.rows("orders") == 560, 60, what="the 60 new rows appended")
        versions = self.server.get_json("/api/v1/datasets/orders")["versions"]
        self.assertEqual(len(versions), 2)  # one per batch; nothing taken twice
        self.assertEqual(self.state("orders")["rows_taken"], 560)

    def test_a_refused_login_shows_in_the_state(self):
        r = self.server.post("/api/v1/sources", {
            "name": "refused", "kind": "postgres", "dataset": "refused",
            "config": {"dsn": self.pg.dsn(), "password_env": WRONG_ENV,
                       "query": "SELECT 1 AS x", "interval": "1s"}})
        self.assertEqual(r.status, 201, r)

        def refused():
            state = self.state("refused")
            return state if state["error"] else None
        state = wait_until(refused, 60, what="the refusal to show")
        self.assertIn("password authentication failed", state["error"])
        self.assertIn("aimass", state["error"])  # the user it logged in as
        self.assertEqual(self.server.get("/api/v1/datasets/refused").status, 404)

    def test_syslog_lines_become_rows(self):
        udp, tcp = free_port(), free_port()
        r = self.server.post("/api/v1/sources", {
            "name": "logs", "kind": "syslog", "dataset": "logs",
            "config": {"udp": f"127.0.0.1:{udp}", "tcp": f"127.0.0.1:{tcp}", "interval": "1s",
                       "mode": "batch"}})
        self.assertEqual(r.status, 201, r)
        wait_until(lambda: self.server.get_json("/api/v1/sources/logs")["source"]["state"]
                   .get("last_run_at"), 30, what="the receiver to run")
        lines = [b"<34>1 2026-11-28T10:00:00Z web01 app 42 ID7 - disk full",
                 b"<13>Nov 28 10:00:01 web02 cron[7]: job done",
                 b"not syslog at all", b"<999>broken"]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for line in lines:
                s.sendto(line, ("127.0.0.1", udp))
        with socket.create_connection(("127.0.0.1", tcp)) as s:
            s.sendall(b"".join(line + b"\n" for line in lines))
        wait_until(lambda: sum(v["row_count"] for v in self.server.get_json(
            "/api/v1/datasets/logs")["versions"]) >= 8 if self.server.get(
            "/api/v1/datasets/logs").status == 200 else False, 60, what="8 rows")
        version = self.server.get_json("/api/v1/datasets/logs")["versions"][0]["version"]
        page = self.server.get_json(f"/api/v1/datasets/logs/versions/{version}/preview")
        text = str(page)
        self.assertIn("disk full", text)
        self.assertIn("malformed", text)


if __name__ == "__main__":
    unittest.main()
