// The one way the UI talks to the API: JSON in and out, the access token attached, refreshed
// once on `token_not_valid` (shared by concurrent requests, since each refresh token works only
// once) and the request retried; when the refresh token is refused too, the session ends and
// `onSessionLost` sends the user to log in.

import { session } from './session.0568d11bcd.js';

export class ApiError extends Error {
  constructor(status, body) {
    const fields = fieldErrors(body);
    const detail = typeof body?.detail === 'string' ? body.detail : null;
    super(detail ?? describe(status, fields));
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof body?.code === 'string' ? body.code : null;
    this.fields = fields;
    // The import's `{created, skipped, errors}`, when the body is one.
    this.report = body && typeof body === 'object' && 'errors' in body ? body : null;
  }
}

// DRF-style `{"field": ["message", ...]}`; `non_field_errors` stays in the map for the form.
function fieldErrors(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body) || 'detail' in body || 'errors' in body) return {};
  const fields = {};
  for (const [name, messages] of Object.entries(body)) {
    const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => typeof m === 'string');
    if (list.length) fields[name] = list;
  }
  return fields;
}

function describe(status, fields) {
  if (Object.keys(fields).length) return 'Please correct the highlighted fields.';
  if (status === 0) return 'Could not reach the server. Check your connection and try again.';
  if (status === 401) return 'Please log in again.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return 'The server could not answer right now. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}

// An error as one sentence where no form can show it field by field (a refused delete): the
// API's own messages, or the general one.
export function errorText(error) {
  const messages = Object.values(error?.fields ?? {}).flat();
  return messages.length ? messages.join(' ') : (error?.message ?? String(error));
}

let sessionLost = () => {};

export function onSessionLost(handler) {
  sessionLost = handler;
}

// A body that is not JSON: `{ type, text }` (the CSV import).
class RawBody {
  constructor(type, text) {
    this.type = type;
    this.text = text;
  }
}

async function send(method, path, body, { token, signal, raw = false }) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  if (body instanceof RawBody) headers['Content-Type'] = body.type;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body instanceof RawBody ? body.text : body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    return { status: 0, ok: false, body: null };
  }
  let parsed = null;
  if (raw && response.ok) {
    return { status: response.status, ok: true, body: await response.blob() };
  }
  if (response.status !== 204 && (response.headers.get('Content-Type') ?? '').includes('json')) {
    try {
      parsed = await response.json();
    } catch (err) {
      if (err?.name === 'AbortError') throw err;
    }
  }
  return { status: response.status, ok: response.ok, body: parsed };
}

let refreshing = null;

// One refresh at a time: concurrent 401s wait for the same new access token.
// Resolves true (new token stored), false (refresh refused) or throws (server unreachable).
function refreshAccess() {
  refreshing ??= (async () => {
    const refresh = session.refresh;
    if (!refresh) return false;
    const result = await send('POST', '/api/token/refresh/', { refresh }, {});
    if (result.ok && typeof result.body?.access === 'string' && typeof result.body?.refresh === 'string') {
      session.rotate(result.body);
      return true;
    }
    if (result.status === 400 || result.status === 401) return false;
    throw new ApiError(result.status, result.body);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function request(method, path, { body, auth = true, signal, raw = false } = {}) {
  let result = await send(method, path, body, { token: auth ? session.access : null, signal, raw });
  if (auth && result.status === 401 && result.body?.code === 'token_not_valid') {
    if (await refreshAccess()) {
      result = await send(method, path, body, { token: session.access, signal, raw });
    }
  }
  if (auth && result.status === 401) {
    session.end();
    sessionLost();
    throw new ApiError(401, { detail: 'Your session has expired. Please log in again.', code: 'session_expired' });
  }
  if (!result.ok) throw new ApiError(result.status, result.body);
  return result.body;
}

const slash = (path) => (path.endsWith('/') ? path : `${path}/`);
const query = (params) => {
  const entries = Object.entries(params).filter(([, v]) => v != null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
};

export const api = {
  register: (fields) => request('POST', '/api/users/', { body: fields, auth: false }),
  obtainTokens: (credentials) => request('POST', '/api/token/', { body: credentials, auth: false }),
  // Ends the session on the server, so its tokens stop working everywhere, not just here.
  logout: (refresh) => request('POST', '/api/token/logout/', { body: { refresh }, auth: false }),

  // The signed-in user, with `base_currency`: the currency the portfolio's figures are
  // reported in. Only `base_currency` can be changed.
  me: (signal) => request('GET', '/api/users/me/', { signal }),
  updateMe: (fields) => request('PATCH', '/api/users/me/', { body: fields }),

  listAssets: (signal) => request('GET', '/api/assets/', { signal }),
  createAsset: (fields) => request('POST', '/api/assets/', { body: fields }),
  updateAsset: (id, fields) => request('PATCH', slash(`/api/assets/${id}`), { body: fields }),
  deleteAsset: (id) => request('DELETE', slash(`/api/assets/${id}`)),

  // Blob of `ticker,shares,costbasis,buy` lines.
  exportAssets: () => request('GET', '/api/assets/export.csv', { raw: true }),
  // `{created, skipped, errors}`; a refused real import throws an ApiError carrying the report.
  importAssets: async (text, { dryRun }) => {
    try {
      return await request('POST', `/api/assets/import/${query({ dry_run: dryRun ? 'true' : null })}`, { body: new RawBody('text/csv', text) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && Array.isArray(error.report?.errors)) return error.report;
      throw error;
    }
  },
  summary: (signal) => request('GET', '/api/portfolio/summary/', { signal }),

  accounts: (signal) => request('GET', '/api/accounts/', { signal }),
  createAccount: (fields) => request('POST', '/api/accounts/', { body: fields }),
  updateAccount: (id, fields) => request('PATCH', slash(`/api/accounts/${id}`), { body: fields }),
  deleteAccount: (id) => request('DELETE', slash(`/api/accounts/${id}`)),

  transactions: ({ account, ticker, type, from, to } = {}, signal) =>
    request('GET', `/api/transactions/${query({ account, ticker, type, from, to })}`, { signal }),
  createTransaction: (fields) => request('POST', '/api/transactions/', { body: fields }),
  updateTransaction: (id, fields) => request('PATCH', slash(`/api/transactions/${id}`), { body: fields }),
  deleteTransaction: (id) => request('DELETE', slash(`/api/transactions/${id}`)),

  positions: ({ account } = {}, signal) => request('GET', `/api/portfolio/positions/${query({ account })}`, { signal }),
  realized: ({ year, account } = {}, signal) => request('GET', `/api/portfolio/realized/${query({ year, account })}`, { signal }),
  performance: ({ from, to, benchmark, account }, signal) =>
    request('GET', `/api/portfolio/performance/${query({ from, to, benchmark, account })}`, { signal }),

  watchlist: (signal) => request('GET', '/api/watchlist/', { signal }),
  watch: (ticker) => request('POST', '/api/watchlist/', { body: { ticker } }),
  unwatch: (ticker) => request('DELETE', slash(`/api/watchlist/${encodeURIComponent(ticker)}`)),

  week: (sunday, signal) => request('GET', slash(`/api/wallstreet/weeks/${sunday}`), { auth: false, signal }),
  selections: (sunday, signal) => request('GET', `/api/wallstreet/selections/${query({ sunday })}`, { signal }),
  pick: (optionId) => request('POST', '/api/wallstreet/selections/', { body: { option: optionId } }),
  unpick: (selectionId) => request('DELETE', slash(`/api/wallstreet/selections/${selectionId}`)),
  leaderboard: ({ sunday, page, pageSize } = {}, signal) =>
    request('GET', `/api/wallstreet/leaderboard/${query({ sunday, page, page_size: pageSize })}`, {
      auth: false,
      signal,
    }),
};
