"""Starts the real aimass binary for black-box tests and speaks HTTP and CLI to it.

An AimassServer owns a temp directory (data dir, HOME for the CLI, server output), starts
`aimass serve` on port 0, reads the port and the admin token from its stdout, and always
stops the process and removes the directory on close(). Not thread-safe; one per test class.
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AIMASS_BIN = os.environ.get("AIMASS_BIN") or os.path.join(REPO, "build", "aimass")
DATASETS = os.environ.get("AIMASS_DATASETS") or "/work/shared/datasets"
FINISHED = ("succeeded", "failed", "cancelled")
DEFAULT = object()  # "use the server's admin token"


def dataset_file(name):
    """Path of a shipped test dataset (AIMASS_DATASETS, default /work/shared/datasets)."""
    path = os.path.join(DATASETS, name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"test dataset {path} is missing; set AIMASS_DATASETS")
    return path


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wait_until(predicate, timeout, interval=0.1, what="condition"):
    """Polls predicate() until it returns a truthy value; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"answer {self.status} is not JSON ({e}): {self.body[:300]!r}")

    @property
    def error(self):
        """The {"code","message"} of an error answer (fails if the shape is wrong)."""
        doc = self.json()
        if not isinstance(doc, dict) or not isinstance(doc.get("error"), dict):
            raise AssertionError(f"answer {self.status} is not an error object: {doc!r}")
        return doc["error"]

    def __repr__(self):
        return f"Response({self.status}, {self.body[:300]!r})"


class AimassServer:
    """args go to `aimass serve`. For a server started with --tls-cert, pass ssl_context (an
    ssl.SSLContext that trusts its certificate): requests then go over https."""

    def __init__(self, *args, workers=2, ssl_context=None):
        self.root = tempfile.mkdtemp(prefix="aimass-e2e-")
        self.data_dir = os.path.join(self.root, "data")
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        self.args = list(args)
        self.workers = workers
        self.ssl_context = ssl_context
        self.proc = None
        self.port = None
        self.url = None
        self.management_port = None  # set when started with --management-listen
        self.management_url = None
        self.token = None
        self.starts = 0
        self.stdout_path = None

    # --- lifecycle -------------------------------------------------------------------
    def start(self, timeout=60):
        self.starts += 1
        self.stdout_path = os.path.join(self.root, f"serve-{self.starts}.out")
        stderr_path = os.path.join(self.root, f"serve-{self.starts}.err")
        cmd = [AIMASS_BIN, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
               "--workers", str(self.workers)] + self.args
        with open(self.stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         env=self.base_env(), start_new_session=True)
        deadline = time.monotonic() + timeout
        self.url = None
        while True:
            text = self.output()
            m = re.search(r"^listening: (https?://127\.0\.0\.1:(\d+))\s*$", text, re.M)
            mg = re.search(r"^management: (https?://127\.0\.0\.1:(\d+))\s*$", text, re.M)
            t = re.search(r"^admin token: (\S+)", text, re.M)
            if t:
                self.token = t.group(1)
            if m and self.token:
                self.url, self.port = m.group(1), int(m.group(2))
                if mg:
                    self.management_url, self.management_port = mg.group(1), int(mg.group(2))
                break
            if self.proc.poll() is not None:
                raise AssertionError(f"aimass serve exited with {self.proc.returncode}:\n"
                                     f"{text}\n{self.output(stderr=True)}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"aimass serve printed no port/token in {timeout}s:\n{text}")
            time.sleep(0.05)
        while True:
            try:
                r = self.request("GET", "/v2/health/ready", token=None, timeout=5)
                if r.status == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server at {self.url} not ready after {timeout}s")
            time.sleep(0.05)

    def output(self, stderr=False):
        path = self.stdout_path if not stderr else self.stdout_path[:-4] + ".err"
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL after timeout seconds; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def kill(self):
        """kill -9, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # --- HTTP ------------------------------------------------------------------------
    def connection(self, timeout=60, port=None):
        port = port or self.port
        if self.ssl_context is not None:
            return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def auth_headers(self, token=DEFAULT):
        token = self.token if token is DEFAULT else token
        return {"Authorization": "Bearer " + token} if token else {}

    def request(self, method, path, body=None, headers=None, token=DEFAULT, timeout=60,
                port=None):
        hdrs = self.auth_headers(token)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif hasattr(body, "read"):
            hdrs["Content-Length"] = str(os.fstat(body.fileno()).st_size - body.tell())
        hdrs.update(headers or {})
        conn = self.connection(timeout, port)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def get_json(self, path, status=200):
        r = self.get(path)
        if r.status != status:
            raise AssertionError(f"GET {path}: expected {status}, got {r!r}")
        return r.json()

    # --- datasets and jobs -----------------------------------------------------------
    def upload(self, name, data, filename=None, **params):
        """POST /api/v1/datasets with bytes or a file path as the body; returns the Response."""
        query = {"name": name}
        if filename is None and isinstance(data, str):
            filename = os.path.basename(data)
        if filename:
            query["filename"] = filename
        query.update(params)
        path = "/api/v1/datasets?" + urllib.parse.urlencode(query)
        if isinstance(data, str):
            with open(data, "rb") as f:
                return self.post(path, f, timeout=300)
        return self.post(path, data, timeout=300)

    def import_dataset(self, name, data, timeout=120, **params):
        """Uploads and waits; fails unless the job succeeded. Returns the finished job."""
        r = self.upload(name, data, **params)
        if r.status != 202:
            raise AssertionError(f"upload of {name}: expected 202, got {r!r}")
        job = self.wait_job(r.json()["job"]["id"], timeout)
        if job["state"] != "succeeded":
            raise AssertionError(f"import of {name} did not succeed: {job!r}")
        return job

    def job(self, job_id):
        return self.get_json(f"/api/v1/jobs/{job_id}")

    def wait_job(self, job_id, timeout=60, states=FINISHED):
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["state"] in states:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} not in {states} after {timeout}s: {job!r}")
            time.sleep(0.05)

    def all_versions(self):
        """Every VersionSummary of every dataset, through the API."""
        versions = []
        for ds in self.get_json("/api/v1/datasets")["datasets"]:
            name = urllib.parse.quote(ds["name"], safe="")
            versions.extend(self.get_json(f"/api/v1/datasets/{name}")["versions"])
        return versions

    def blob_files(self):
        """Files under DATA_DIR/blobs except blobs/tmp, as paths relative to blobs/."""
        root = os.path.join(self.data_dir, "blobs")
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            if dirpath == root and "tmp" in dirnames:
                dirnames.remove("tmp")
            for f in filenames:
                found.append(os.path.relpath(os.path.join(dirpath, f), root))
        return sorted(found)

    def blob_path(self, hash_hex):
        return os.path.join(self.data_dir, "blobs", hash_hex[:2], hash_hex[2:])

    # --- CLI -------------------------------------------------------------------------
    def base_env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AIMASS_") and k != "XDG_CONFIG_HOME"}
        env["HOME"] = self.home
        env["XDG_CONFIG_HOME"] = os.path.join(self.home, ".config")
        return env

    def cli(self, *args, env=None, auth=True, input=None, timeout=120):
        """Runs `aimass ARGS` with HOME in the temp dir; auth=True sets AIMASS_URL/TOKEN."""
        full_env = self.base_env()
        if auth:
            full_env["AIMASS_URL"] = self.url
            full_env["AIMASS_TOKEN"] = self.token
        if env:
            for k, v in env.items():
                if v is None:
                    full_env.pop(k, None)
                else:
                    full_env[k] = v
        return subprocess.run([AIMASS_BIN] + [str(a) for a in args], env=full_env,
                              input=input, capture_output=True, text=True, timeout=timeout,
                              stdin=None if input is not None else subprocess.DEVNULL)
