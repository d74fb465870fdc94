// Starts the real aimass binary for the browser tests and speaks HTTP to it.
//
// startServer() makes a fresh temp directory, runs `aimass serve --listen 127.0.0.1:0` in it
// (plus --ui-dir $AIMASS_UI_DIR when set), reads the port and the admin token from its
// stdout and waits for /v2/health/ready. server.stop() sends SIGTERM (SIGKILL after 10 s)
// and removes the directory; call it from an `after` hook so it runs when a test failed.
//
// The console's origin (server.uiUrl) is the server itself, unless AIMASS_UI_URL says:
//   AIMASS_UI_URL=vite          start the Vite dev server (ui/) proxying /api and /v2 to
//                               this test's server, and drive the console there;
//   AIMASS_UI_URL=http://HOST:P drive a console already served there (it must proxy /api and
//                               /v2 to this server: set AIMASS_LISTEN=127.0.0.1:PORT to fix
//                               the server's port).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Relative paths in the environment are taken from the current directory (the server runs
// in its temp dir).
export const AIMASS_BIN = resolve(process.env.AIMASS_BIN || join(REPO, 'build', 'aimass'));
export const DATASETS = resolve(process.env.AIMASS_DATASETS || join(REPO, 'examples', 'data'));
const UI_DIR = process.env.AIMASS_UI_DIR ? resolve(process.env.AIMASS_UI_DIR) : null;
export const FINISHED = ['succeeded', 'failed', 'cancelled'];

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Polls fn() until it returns a truthy value; fails after timeoutMs naming `what`.
export async function waitUntil(fn, { timeoutMs = 30_000, intervalMs = 250, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}` + (last ? ` (last error: ${last.message})` : ''));
    }
    await sleep(intervalMs);
  }
}

// A free TCP port on 127.0.0.1 (for the Vite dev server, which wants one up front).
export function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

// The child processes still running, killed on exit if an `after` hook never ran.
const children = new Set();
process.on('exit', () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

function startProcess(cmd, args, { cwd, env, log }) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.output = '';
  child.errors = '';
  child.failure = null; // set when it could not be started at all
  child.exited = new Promise((done) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    });
    child.once('error', (error) => {
      children.delete(child);
      child.failure = error;
      done({ code: null, signal: null, error });
    });
  });
  child.stdout.on('data', (chunk) => {
    child.output += chunk;
    log?.write(chunk);
  });
  child.stderr.on('data', (chunk) => {
    child.errors += chunk;
    log?.write(chunk);
  });
  return child;
}

// SIGTERM to the process group, SIGKILL after graceMs; resolves with the exit.
async function stopProcess(child, graceMs = 10_000) {
  if (!child || child.failure || child.exitCode !== null || child.signalCode !== null) return child?.exited;
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // gone already
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  const exit = await child.exited;
  clearTimeout(timer);
  return exit;
}

// The environment for `aimass serve`: no AIMASS_* variables of the caller, a HOME of its own.
function serverEnv(home) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AIMASS_') && key !== 'XDG_CONFIG_HOME') env[key] = value;
  }
  env.HOME = home;
  env.XDG_CONFIG_HOME = join(home, '.config');
  env.OMP_WAIT_POLICY = 'passive';
  return env;
}

export class AimassServer {
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'aimass-ui-'));
    this.dataDir = join(this.root, 'data');
    this.home = join(this.root, 'home');
    mkdirSync(this.home);
    this.url = null; // the API, e.g. http://127.0.0.1:41234
    this.uiUrl = null; // where the browser opens the console
    this.token = null;
    this.proc = null;
    this.vite = null;
  }

  async start({ timeoutMs = 60_000 } = {}) {
    const args = ['serve', '--data-dir', this.dataDir, '--listen', process.env.AIMASS_LISTEN || '127.0.0.1:0', '--workers', '2'];
    if (UI_DIR) args.push('--ui-dir', UI_DIR);
    this.proc = startProcess(AIMASS_BIN, args, { cwd: this.root, env: serverEnv(this.home) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.proc.output;
      const listening = /^listening: (https?:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(text);
      const token = /^admin token: (\S+)/m.exec(text);
      if (listening && token) {
        this.url = listening[1];
        this.token = token[1];
        break;
      }
      if (this.proc.failure) throw new Error(`cannot start ${AIMASS_BIN}: ${this.proc.failure.message}`);
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`aimass serve exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${text}\n${this.proc.errors}`);
      }
      if (Date.now() > deadline) throw new Error(`aimass serve printed no port and token in ${timeoutMs / 1000}s:\n${text}\n${this.proc.errors}`);
      await sleep(50);
    }
    await waitUntil(async () => (await fetch(this.url + '/v2/health/ready')).status === 200, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
      intervalMs: 100,
      what: `${this.url}/v2/health/ready`,
    });
    this.uiUrl = await this.consoleOrigin();
    return this;
  }

  // Where the browser finds the console (see the top of this file).
  async consoleOrigin() {
    const wanted = process.env.AIMASS_UI_URL;
    if (!wanted) return this.url;
    if (wanted !== 'vite') return wanted.replace(/\/+$/, '');
    const port = await freePort();
    const ui = join(REPO, 'ui');
    const env = { ...process.env, AIMASS_URL: this.url };
    this.vite = startProcess(process.execPath, [join(ui, 'node_modules', 'vite', 'bin', 'vite.js'), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
      cwd: ui,
      env,
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitUntil(
      async () => {
        if (this.vite.failure || this.vite.exitCode !== null) throw new Error(`vite exited: ${this.vite.output}${this.vite.errors}`);
        return (await fetch(origin + '/')).ok;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `the Vite dev server at ${origin}` },
    );
    return origin;
  }

  output() {
    return (this.proc?.output ?? '') + (this.proc?.errors ?? '');
  }

  async stop() {
    try {
      await stopProcess(this.vite);
      await stopProcess(this.proc);
    } finally {
      rmSync(this.root, { recursive: true, force: true });
    }
  }

  // --- HTTP ----------------------------------------------------------------------------
  // fetch() against the server; a JSON body is sent as JSON; token: null sends none.
  async request(method, path, body, { token = this.token, headers = {}, base = this.url } = {}) {
    const init = { method, headers: { ...headers } };
    if (token) init.headers.Authorization = 'Bearer ' + token;
    if (body !== undefined && body !== null) {
      if (typeof body === 'string' || body instanceof Uint8Array) {
        init.body = body;
      } else {
        init.body = JSON.stringify(body);
        init.headers['Content-Type'] = 'application/json';
      }
    }
    return fetch(base + path, init);
  }

  // The JSON answer of an admin-token request; throws naming the route on an unexpected status.
  async api(method, path, body, { expect } = {}) {
    const response = await this.request(method, path, body);
    const text = await response.text();
    const ok = expect === undefined ? response.ok : response.status === expect;
    if (!ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: ${response.status} is not JSON: ${text.slice(0, 300)}`);
    }
  }

  async job(id) {
    return this.api('GET', `/api/v1/jobs/${id}`);
  }

  async waitJob(id, { timeoutMs = 60_000, states = FINISHED } = {}) {
    let job;
    await waitUntil(
      async () => {
        job = await this.job(id);
        return states.includes(job.state);
      },
      { timeoutMs, intervalMs: 500, what: `job ${id} to reach ${states.join('/')}` },
    );
    return job;
  }
}

export async function startServer(options) {
  const server = new AimassServer();
  try {
    return await server.start(options);
  } catch (e) {
    await server.stop();
    throw e;
  }
}

// The header line and the first data rows of a CSV file (quoted fields without commas).
export function readCsvHead(path, rows = 1) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const split = (line) => line.split(',').map((cell) => cell.replace(/^"(.*)"$/, '$1'));
  return { columns: split(lines[0]), rows: lines.slice(1, 1 + rows).map(split) };
}
