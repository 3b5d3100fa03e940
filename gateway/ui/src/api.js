// The gateway's API as the page uses it: a session token held in memory (never a cookie, never storage),
// sent as a bearer header; lists, watches (chunked JSON lines) and log streams read with fetch.
import { splitLines } from './store.js';

let session = null; // {token, user, expiresAt}
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Called when the session is refused (expired, gateway restarted): the page asks for a new login URL. */
export function onSessionLost(fn) {
  listeners.add(fn);
}

export const user = () => session?.user;

/**
 * Signs in from the login token in the address's fragment (#token=…, from `berth dashboard`): removes it from the
 * address bar and the history at once, then exchanges it (good once, for 5 minutes) for a session token.
 */
export async function signIn() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, '', location.pathname + location.search);
  const exchange = () => fetch('/ui/api/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: decodeURIComponent(m[1]) }),
    credentials: 'omit',
  });
  // a browser does not resend a POST whose kept-alive connection the server had just closed: try again on a
  // network error (a token the gateway did spend then answers 401, which is shown)
  let res;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await exchange();
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body);
  session = body;
  return true;
}

function headers(extra = {}) {
  return { Authorization: `Bearer ${session?.token}`, Accept: 'application/json', ...extra };
}

function lost(status) {
  if (status === 401) listeners.forEach((fn) => fn());
}

/** One request; the answer's JSON, or an ApiError carrying Kubernetes' Status. */
export async function call(method, path, body, contentType = 'application/json') {
  const init = { method, headers: headers(body !== undefined ? { 'Content-Type': contentType } : {}), credentials: 'omit' };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(path, init);
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { message: text };
  }
  if (!res.ok) {
    lost(res.status);
    throw new ApiError(res.status, json);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const mergePatch = (path, body) => call('PATCH', path, body, 'application/merge-patch+json');

/** The subprotocol the gateway echoes for the dashboard's watches (a browser needs one echoed). */
export const WATCH_PROTOCOL = 'watch.berth.io';

/**
 * A watch over a WebSocket (one text frame per event), not chunked HTTP: a browser keeps at most 6 HTTP/1.1
 * connections per server, fewer than the page's watches. The session token goes in Kubernetes' subprotocol
 * base64url.bearer.authorization.k8s.io.<token>, never in the URL. Resolves when the socket closes.
 */
export function watchSocket(path, onEvent) {
  const token = btoa(session?.token || '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [WATCH_PROTOCOL, `base64url.bearer.authorization.k8s.io.${token}`]);
    let events = 0;
    ws.onmessage = (m) => {
      events++;
      onEvent(JSON.parse(m.data));
    };
    ws.onclose = () => resolve(events);
  });
}

/**
 * Reads a streaming answer (a watch, a followed log) chunk by chunk until it ends or `signal` aborts;
 * `onLine` gets each complete line. Resolves when the stream ends; rejects on HTTP errors.
 */
export async function stream(path, onLine, signal, lines = true) {
  const res = await fetch(path, { headers: headers(), signal, credentials: 'omit' });
  if (!res.ok) {
    lost(res.status);
    throw new ApiError(res.status, await res.json().catch(() => ({})));
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    if (!lines) {
      onLine(chunk);
      continue;
    }
    const split = splitLines(rest, chunk);
    rest = split.rest;
    split.lines.forEach(onLine);
  }
  if (lines && rest.trim()) onLine(rest);
}
