// Calls to the API through the view's proxy (/ui/api/...), which adds
// the session's token; writes carry the CSRF token the session gave.

export const GROUP = 'minka.dev';
export const VERSION = 'v1alpha1';
const BASE = '/ui/api/apis/' + GROUP + '/' + VERSION;

let csrf = '';
export function setCSRF(token) { csrf = token; }

export class APIError extends Error {
  constructor(code, status, text) {
    super((status && status.message) || text || ('HTTP ' + code));
    this.code = code;
    this.status = status;
  }
}

export async function call(method, path, body, contentType) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const opts = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new APIError(res.status, data, text);
  return data;
}

export async function text(path) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
  const t = await res.text();
  if (!res.ok) {
    let st = null;
    try { st = JSON.parse(t); } catch { st = null; }
    throw new APIError(res.status, st, t);
  }
  return t;
}

export function path(resource, ns, name, sub) {
  let p = BASE;
  if (ns) p += '/namespaces/' + encodeURIComponent(ns);
  p += '/' + resource;
  if (name) p += '/' + encodeURIComponent(name);
  if (sub) p += '/' + sub;
  return p;
}

const MERGE = 'application/merge-patch+json';

export function mergePatch(resource, ns, name, patch, sub) {
  return call('PATCH', path(resource, ns, name, sub), patch, MERGE);
}

export function scale(resource, ns, name, replicas) {
  return mergePatch(resource, ns, name, { spec: { replicas } }, 'scale');
}

export function create(resource, ns, obj) {
  return call('POST', path(resource, ns), obj);
}

export function session() { return call('GET', '/ui/session'); }
export function login(token) { return call('POST', '/ui/login', { token }); }
export function logout() { return call('POST', '/ui/logout'); }
export function namespaces() { return call('GET', '/ui/api/api/v1/namespaces'); }
