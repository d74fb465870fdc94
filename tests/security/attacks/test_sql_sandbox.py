"""SQL transforms that try to escape their sandbox: read or write files, reach the network,
load extensions, change the engine's settings, reveal the server, or exhaust its time and
memory. Each must be refused (400 at once, or a failed job) with a message that names the
problem, leave no file and no dataset behind, and the server must keep working: an honest
transform still succeeds afterwards."""

import os
import time
import unittest

from attack_support import AttackTestCase, dataset_file

TIME_LIMIT = 3  # --transform-timeout-seconds of this server
OUT = "escaped"


class SqlSandboxTest(AttackTestCase):
    @classmethod
    def setUpClass(cls):
        server = cls.start_server("--transform-timeout-seconds", str(TIME_LIMIT))
        server.import_dataset("iris", dataset_file("iris.csv"))
        root = server.root
        cls.targets = [os.path.join(root, name) for name in
                       ("copied.csv", "exported", "attached.db", "escaped.parquet")]
        cls.targets += [f"/tmp/aimass-attack-{os.getpid()}-{n}" for n in ("copy.csv", "db")]
        # A folder IMPORT DATABASE would read: its schema.sql must never be opened.
        cls.importable = os.path.join(root, "importable")
        os.makedirs(cls.importable)
        for name, text in (("schema.sql", "leaked_secret_token;\n"), ("load.sql", "")):
            with open(os.path.join(cls.importable, name), "w") as f:
                f.write(text)
        cls.outside.allow(cls.importable, *(os.path.join(cls.importable, n)
                                            for n in ("schema.sql", "load.sql")))

    def tearDown(self):
        self.assert_alive()

    def assert_nothing_left(self):
        self.assertEqual(self.server.get(f"/api/v1/datasets/{OUT}").status, 404)
        for target in self.targets:
            self.assertFalse(os.path.exists(target), f"{target} was written")
        scratch = os.path.join(self.server.data_dir, "blobs", "tmp")
        self.assertEqual(os.listdir(scratch) if os.path.isdir(scratch) else [], [])
        self.assert_outside_untouched()

    def assert_sql_refused(self, sql, pattern, max_seconds=TIME_LIMIT + 15):
        """Runs one attack: 400 at once or a failed job, with `pattern` in the message."""
        start = time.monotonic()
        r = self.server.post("/api/v1/transforms", {"input": "iris@1", "sql": sql, "output": OUT})
        if r.status == 202:
            job = self.server.wait_job(r.json()["job"]["id"], timeout=120)
            self.assertEqual(job["state"], "failed", job)
            message = job["error"]
        else:
            message = self.assert_refused(r, statuses=(400,))
        self.assertRegex(message, pattern)
        self.assertLess(len(message), 2000, "the message must not echo data")
        self.assertNotIn("root:x:0:0", message)
        self.assertLess(time.monotonic() - start, max_seconds, "not stopped by the time limit")
        self.assert_nothing_left()
        return message

    def run_attacks(self, attacks):
        for label, sql, pattern in attacks:
            with self.attack(label, sql=sql[:120]):
                self.assert_sql_refused(sql, pattern)

    # --- reading files and the network ---------------------------------------------------
    def test_reading_files(self):
        canary = self.outside.canary()
        blobs = os.path.join(self.server.data_dir, "blobs")
        self.run_attacks([
            ("read_csv", "SELECT * FROM read_csv('/etc/passwd')", r"read_csv\(\)"),
            ("read_csv_auto", f"SELECT * FROM read_csv_auto('{canary}')", r"read_csv_auto"),
            ("read_csv list", "SELECT * FROM read_csv(['/etc/passwd', '/etc/group'])",
             r"read_csv"),
            ("read_text", "SELECT * FROM read_text('/etc/passwd')", r"read_text"),
            ("read_blob", "SELECT content FROM read_blob('/etc/shadow')", r"read_blob"),
            ("read_json", "SELECT * FROM read_json('/etc/passwd')", r"read_json"),
            ("read_parquet of other datasets' blobs",
             f"SELECT * FROM read_parquet('{blobs}/*/*')", r"read_parquet"),
            ("read_parquet glob", "SELECT * FROM read_parquet('/**/*.parquet')", r"read_parquet"),
            ("replacement scan", "SELECT * FROM '/etc/passwd'", r"/etc/passwd"),
            ("replacement scan, quoted name", 'SELECT * FROM "/etc/passwd"', r"/etc/passwd"),
            ("replacement scan, relative", "SELECT * FROM '../../canary.txt'", r"canary"),
            ("replacement scan of a URL",
             f"SELECT * FROM 'http://127.0.0.1:{self.server.port}/api/v1/datasets'",
             r"http://"),
            ("read_csv of a URL", "SELECT * FROM read_csv('https://example.com/x.csv')",
             r"read_csv"),
            ("glob", "SELECT * FROM glob('/*')", r"glob\(\)"),
            ("sniff_csv", "SELECT * FROM sniff_csv('/etc/passwd')", r"sniff_csv"),
            ("parquet_metadata", f"SELECT * FROM parquet_metadata('{blobs}/*/*')",
             r"parquet_metadata"),
            ("query()", "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')",
             r"query"),
            ("in a subquery", "SELECT * FROM input WHERE target IN "
             "(SELECT 1 FROM read_csv('/etc/passwd'))", r"read_csv"),
            ("in a scalar subquery",
             "SELECT (SELECT count(*) FROM read_text('/etc/passwd')) AS n FROM input",
             r"read_text"),
            ("in a CTE", "WITH p AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM p",
             r"read_text"),
            ("in a LATERAL join",
             "SELECT * FROM input, LATERAL (SELECT * FROM read_csv('/etc/passwd'))",
             r"read_csv"),
            ("in a UNION", "SELECT content AS c FROM input UNION ALL "
             "SELECT content FROM read_text('/etc/passwd')", r"read_text"),
        ])

    # --- writing files, other databases, extensions, settings -------------------------------
    def test_writing_files_and_changing_the_engine(self):
        copied, exported, attached = self.targets[0], self.targets[1], self.targets[2]
        tmp_copy, tmp_db = self.targets[4], self.targets[5]
        self.run_attacks([
            ("COPY TO", f"COPY (SELECT * FROM input) TO '{copied}'", r"COPY"),
            ("COPY table TO /tmp", f"COPY input TO '{tmp_copy}' (FORMAT csv)", r"COPY"),
            ("EXPORT DATABASE", f"EXPORT DATABASE '{exported}'", r"EXPORT"),
            ("IMPORT DATABASE", "IMPORT DATABASE '/etc'", r"IMPORT is not allowed"),
            ("IMPORT DATABASE of a folder with schema.sql",
             f"IMPORT DATABASE '{self.importable}'",
             r"^(?!.*leaked_secret).*IMPORT is not allowed"),
            ("IMPORT DATABASE after a SELECT",
             f"SELECT 1 AS a; IMPORT DATABASE '{self.importable}'", r"^(?!.*leaked_secret)"),
            ("ATTACH", f"ATTACH '{attached}' AS other", r"ATTACH"),
            ("ATTACH in /tmp", f"ATTACH '{tmp_db}' AS other (TYPE sqlite)", r"ATTACH"),
            ("DETACH", "DETACH memory", r"DETACH"),
            ("USE", "USE system", r"USE"),
            ("INSTALL httpfs", "INSTALL httpfs", r"INSTALL"),
            ("FORCE INSTALL from a URL", "FORCE INSTALL httpfs FROM 'http://127.0.0.1:1'",
             r"(?i)install|not allowed"),
            ("LOAD httpfs", "LOAD httpfs", r"LOAD"),
            ("SET enable_external_access", "SET enable_external_access = true", r"SET"),
            ("SET lock_configuration", "SET lock_configuration = false", r"SET"),
            ("RESET", "RESET enable_external_access", r"RESET"),
            ("PRAGMA", "PRAGMA enable_external_access", r"(?i)pragma"),
            ("CALL", "CALL pragma_version()", r"CALL"),
            ("pragma table function", "SELECT * FROM pragma_database_list()",
             r"pragma_database_list"),
            ("CREATE TABLE", "CREATE TABLE t AS SELECT * FROM input", r"CREATE"),
            ("CREATE MACRO", "CREATE MACRO m(x) AS x", r"CREATE"),
            ("CREATE SECRET", "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", r"CREATE"),
            ("INSERT INTO input", "INSERT INTO input SELECT * FROM input", r"INSERT"),
            ("DELETE FROM input", "DELETE FROM input", r"DELETE"),
            ("two statements", "SELECT * FROM input; SET enable_external_access = true",
             r"2 statements"),
            ("a statement after a comment",
             "SELECT 1 AS a -- comment\n; COPY input TO '/tmp/x.csv'", r"2 statements"),
            ("a statement behind a block comment",
             "/* SELECT */ SET enable_external_access = true", r"SET"),
            ("breaking out of COPY ( ... )",
             f"SELECT * FROM input) TO '{copied}' (FORMAT csv); COPY (SELECT 1",
             r"(?i)parse|statement"),
            ("unterminated comment", "SELECT * FROM input /*", r"(?i)parse|comment"),
            ("settings table", "SELECT * FROM duckdb_settings()", r"duckdb_settings"),
            ("secrets table", "SELECT * FROM duckdb_secrets()", r"duckdb_secrets"),
            ("catalog", "SELECT * FROM information_schema.tables", r"information_schema"),
            ("current_setting", "SELECT current_setting('allowed_paths') AS p",
             r"current_setting\(\).*server"),
            ("current_setting temp_directory",
             "SELECT current_setting('temp_directory') AS p FROM input", r"current_setting"),
            ("getenv", "SELECT getenv('HOME') AS h FROM input", r"getenv"),
            ("100,000 nested parentheses",
             "SELECT " + "(" * 100000 + "1" + ")" * 100000 + " AS x", r"(?i)parse|depth"),
            ("100,000 nested subqueries",
             "SELECT " + "(SELECT " * 100000 + "1" + ")" * 100000 + " AS x",
             r"(?i)parse|depth"),
            ("2,000 nested function calls",
             "SELECT " + "abs(" * 2000 + "1" + ")" * 2000 + " AS x", r"(?i)parse|depth"),
        ])

    # --- time and memory ----------------------------------------------------------------
    def test_exhausting_time_and_memory(self):
        limit = rf"time limit of {TIME_LIMIT}s"
        self.run_attacks([
            ("endless recursive CTE",
             "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
             "SELECT count(*) AS c FROM t", limit),
            ("a trillion rows", "SELECT count(*) AS c FROM range(1000000000000)", limit),
            ("cross join explosion",
             "SELECT count(*) AS c FROM input a, input b, input c, input d, input e", limit),
            ("repeat 10^10", "SELECT repeat('x', 10000000000) AS x", r"repeat\(\)|string"),
            ("repeat 2*10^9 (under DuckDB's own 4 GB cap)",
             "SELECT length(repeat('x', 2000000000)) AS n", r"repeat\(\).*at most"),
            ("repeat with a size from the data",
             "SELECT repeat('x', CAST(target AS BIGINT) * 1000000000) AS s FROM input",
             r"repeat\(\)"),
            ("lpad", "SELECT lpad('x', 1000000000, 'y') AS s", r"lpad\(\)"),
            ("list range", "SELECT len(range(200000000)) AS n", r"range\(\)"),
            ("list_resize", "SELECT len(list_resize([1], 200000000)) AS n", r"list_resize"),
            ("printf width", "SELECT length(printf('%900000000d', 1)) AS n", r"printf\(\)"),
            ("format width", "SELECT length(format('{:>900000000}', 1)) AS n", r"format\(\)"),
            ("bitstring", "SELECT length(bitstring('1', 2000000000)) AS n", r"bitstring"),
            ("a huge aggregate",
             "SELECT length(string_agg(repeat('x', 10000), '')) AS n FROM range(1000000)",
             r"memory limit of"),
        ])

    # --- and the sandbox still does honest work -------------------------------------------
    def test_zz_an_honest_transform_still_works(self):
        r = self.server.post("/api/v1/transforms", {
            "input": "iris@1", "output": "iris_small",
            "sql": "SELECT *, lpad(target, 4, '_') AS code FROM input WHERE target = 'c0'"})
        self.assertEqual(r.status, 202, r)
        job = self.server.wait_job(r.json()["job"]["id"], 60)
        self.assertEqual(job["state"], "succeeded", job)
        v = self.server.get_json("/api/v1/datasets/iris_small/versions/1")
        self.assertEqual(v["row_count"], 50)
        rows = self.server.get_json("/api/v1/datasets/iris_small/versions/1/preview?limit=1")
        self.assertEqual(rows["rows"][0][-1], "__c0")


if __name__ == "__main__":
    unittest.main()
