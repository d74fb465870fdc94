// The one way the console talks to the server: the public REST API under /api/v1.
// Signed in with a password, the session cookie carries the credentials and every change
// sends the CSRF token; signed in with a token, it goes in the Authorization header.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Credentials {
  token?: string; // a bearer token pasted into the sign-in form
  csrf?: string; // the session's CSRF token, after a password login
}

const kStorageKey = 'aimass.credentials';

function load(): Credentials {
  try {
    return JSON.parse(sessionStorage.getItem(kStorageKey) ?? '{}') as Credentials;
  } catch {
    return {};
  }
}

let credentials: Credentials = load();

export function setCredentials(next: Credentials): void {
  credentials = next;
  sessionStorage.setItem(kStorageKey, JSON.stringify(next));
}

export function clearCredentials(): void {
  credentials = {};
  sessionStorage.removeItem(kStorageKey);
}

export function authHeaders(method = 'GET'): Record<string, string> {
  const headers: Record<string, string> = {};
  if (credentials.token) headers['Authorization'] = `Bearer ${credentials.token}`;
  else if (credentials.csrf && method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = credentials.csrf;
  }
  return headers;
}

// Turns a non-2xx answer into an ApiError carrying the server's own message.
async function failure(response: Response): Promise<ApiError> {
  let code = 'http_' + response.status;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error?.message) {
      code = body.error.code ?? code;
      message = body.error.message;
    } else if (typeof body?.error === 'string') {
      message = body.error;
    }
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) onUnauthenticated?.();
  return new ApiError(response.status, code, message);
}

let onUnauthenticated: (() => void) | undefined;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function request(
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: BodyInit } = {},
): Promise<Response> {
  const headers: Record<string, string> = authHeaders(method);
  let payload: BodyInit | undefined = init.raw;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (init.contentType) {
    headers['Content-Type'] = init.contentType;
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await request('GET', path)).json() as Promise<T>;
}

export async function getText(path: string): Promise<string> {
  return (await request('GET', path)).text();
}

export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const response = await request('POST', path, body ?? {});
  return (response.status === 204 ? {} : await response.json()) as T;
}

export async function putJson<T>(path: string, body: unknown): Promise<T> {
  const response = await request('PUT', path, body);
  return (response.status === 204 ? {} : await response.json()) as T;
}

export async function patchJson<T>(path: string, body: unknown): Promise<T> {
  return (await request('PATCH', path, body)).json() as Promise<T>;
}

export async function del(path: string): Promise<void> {
  await request('DELETE', path);
}

// Uploads a file as the raw body, calling onProgress with 0..1 as bytes leave the browser
// (fetch cannot report upload progress; XMLHttpRequest can).
export function upload<T>(path: string, file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(authHeaders('POST'))) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: any = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
      } else {
        const message = body?.error?.message ?? `${xhr.status} ${xhr.statusText}`;
        reject(new ApiError(xhr.status, body?.error?.code ?? 'http_' + xhr.status, message));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the server could not be reached'));
    xhr.send(file);
  });
}

// Path segments are user names: encode each one.
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    out += encodeURIComponent(String(value)) + strings[i + 1];
  });
  return out;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
