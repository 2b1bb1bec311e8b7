// The JSON API under /api/v1: cookie session + X-CSRF-Token on writes.
// Errors reject with ApiError carrying status, code, message and field.

let csrf = null;
let onExpired = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || 'HTTP ' + status);
    this.status = status;
    this.code = e.code || null;
    this.field = e.field || null;
  }
}

export function setCsrf(token) { csrf = token; }
export function setOnExpired(fn) { onExpired = fn; }

export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let r;
  try {
    r = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { error: { code: 'offline', message: e.message } });
  }
  let js = null;
  if (r.status !== 204) {
    try { js = await r.json(); } catch (e) { js = null; }
  }
  if (!r.ok) {
    if (r.status === 401 && !opts.noExpire) onExpired();
    throw new ApiError(r.status, js);
  }
  return js;
}

// A query string from an object, skipping empty values.
export function qs(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? '?' + s : '';
}
