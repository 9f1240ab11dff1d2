// Starts the real `api` and `proxy` binaries on loopback port 0 (each reports the port it got in
// its "listening on" log line), against a fresh SQLite file and stub market-data and
// exchange-rate servers, the way a user runs them; stops them again.

import { spawn, execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startEcbStub } from './ecb-stub.mjs';
import { startFinnhubStub } from './finnhub-stub.mjs';
import { startHistoryStub } from './history-stub.mjs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = join(REPO, 'tests/e2e/artifacts');
export const ACCESS_TOKEN_LIFETIME_SECS = 3;
export const STAFF = { username: 'staff', password: 'staff-password-e2e' };

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function binary(name) {
  const target = resolve(REPO, process.env.CARGO_TARGET_DIR ?? 'target');
  const path = join(target, 'debug', name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: build it with \`cargo build -p api -p proxy\` (scripts/e2e does)`);
  }
  return path;
}

// The port in the child's first stderr line containing `prefix` ("api listening on http://"),
// read as the child writes it.
function listeningPort(what, child, prefix, timeoutMs = 30_000) {
  return new Promise((done, fail) => {
    let seen = '';
    const finish = (result) => {
      clearTimeout(timer);
      child.stderr.off('data', read);
      result();
    };
    const read = (chunk) => {
      seen += chunk;
      const line = seen.split('\n').find((text) => text.includes(prefix) && /\s/.test(text.slice(text.indexOf(prefix))));
      if (!line) return;
      const address = line.slice(line.indexOf(prefix) + prefix.length).split(/\s/)[0];
      finish(() => done(Number(address.slice(address.lastIndexOf(':') + 1))));
    };
    const timer = setTimeout(() => finish(() => fail(new Error(`${what} did not log "${prefix}":\n${tail(child.log)}`))), timeoutMs);
    child.stderr.on('data', read);
    child.exited.then((status) => finish(() => fail(new Error(`${what} exited (${JSON.stringify(status)}):\n${tail(child.log)}`))));
  });
}

// Only what the binaries need: nothing from the developer's shell or .env leaks in.
function environment(extra) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...extra };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function launch(name, args, env, cwd, logPrefix = '') {
  const log = join(ARTIFACTS, `${logPrefix}${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(binary(name), args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  child.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  child.log = log;
  return child;
}

async function waitFor(what, child, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.exited.then((status) => {
    exited = status;
  });
  let last = null;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited (${JSON.stringify(exited)}) before it was ready:\n${tail(child.log)}`);
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms (${last?.message ?? 'no answer'}):\n${tail(child.log)}`);
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}

// `prices`: each symbol's live quote and (unless `closes` names it) its close on every weekday
// (history symbols are Stooq's: `VOD.UK` in pence for VOD.L, `SAP.DE`); `closes`: symbols'
// daily closes by date, for a history that moves. `rates`: one euro in each currency, every
// weekday (`{ USD: '1.08' }`) or by date (`{ GBP: { '2024-01-02': '0.86' } }`), served by a
// stub ECB the api fetches its exchange rates from; without it the api has no rate provider
// (FX_PROVIDER=none), which is all a ledger in one currency needs. `keyless`: no Finnhub key,
// so quotes are the history's latest closes (`price_source: "close"`). `logPrefix` names the
// servers' logs apart when test files run side by side. `demoPassword`: the database starts as
// `api demo-data` writes it, with this password for its users.
export async function startStack({ prices, closes = {}, rates = null, keyless = false, logPrefix = '', demoPassword }) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'fattore-e2e-'));
  const finnhub = await startFinnhubStub(prices);
  // The benchmark, SPY, has a history but no live quote (the game's weeks use it as an option).
  const history = await startHistoryStub({ SPY: '500', ...prices, ...closes });
  const ecb = rates ? await startEcbStub(rates) : null;
  const apiEnv = environment({
    APP_ENV: 'development',
    API_LISTEN: '127.0.0.1:0',
    API_WORKERS: '2',
    DATABASE_URL: `sqlite://${join(dir, 'app.sqlite3')}`,
    ACCESS_TOKEN_LIFETIME_SECS: String(ACCESS_TOKEN_LIFETIME_SECS),
    FINNHUB_URL: finnhub.url,
    FINNHUB_TOKEN: keyless ? undefined : 'e2e-stub-token',
    QUOTE_CACHE_SECS: '1',
    // One user reloads pages quickly against a stub: the market-data budget is the api tests' subject.
    FINNHUB_CALLS_PER_MINUTE: '0',
    QUOTE_USER_SYMBOLS_PER_MINUTE: '0',
    // Quotes expire quickly, so a test can take market data away (`finnhub.refuseQuotes`).
    QUOTE_CACHE_SECS: '1',
    HISTORY_PROVIDER: 'stooq',
    HISTORY_URL: history.url,
    // Never the real ECB: the stub's rates, or none at all.
    FX_PROVIDER: ecb ? 'ecb' : 'none',
    FX_URL: ecb?.url,
    // Weeks are opened and closed by the tests through the staff endpoints, not by the clock.
    WALLSTREET_SCHEDULER: 'false',
    // The start-up line, which names the port, is logged at info.
    RUST_LOG: 'warn,api=info',
  });

  // cwd is the temporary folder so a developer's .env is not read. The demo fills only an
  // empty database, so it goes first.
  if (demoPassword) {
    await promisify(execFile)(binary('api'), ['demo-data'], { env: { ...apiEnv, API_DEMO_PASSWORD: demoPassword }, cwd: dir });
  }
  await promisify(execFile)(
    binary('api'),
    ['createsuperuser', '--username', STAFF.username, '--email', 's@example.com'],
    { env: { ...apiEnv, API_SUPERUSER_PASSWORD: STAFF.password }, cwd: dir },
  );

  const children = [];
  const stack = {
    baseURL: null,
    apiURL: null,
    finnhub,
    history,
    ecb,
    async stop() {
      for (const child of children.reverse()) await stop(child);
      await finnhub.close();
      await history.close();
      await ecb?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const api = launch('api', ['serve'], apiEnv, dir, logPrefix);
    children.push(api);
    const apiPort = await listeningPort('api', api, 'api listening on http://');
    stack.apiURL = `http://127.0.0.1:${apiPort}`;
    await waitFor('api', api, async () => (await fetch(`${stack.apiURL}/api/health`)).status === 200);

    const proxy = launch(
      'proxy',
      [],
      environment({
        PROXY_LISTEN: '127.0.0.1:0',
        PROXY_UPSTREAMS: `127.0.0.1:${apiPort}`,
        PROXY_STATIC_DIR: join(REPO, 'web'),
        PROXY_HEALTH_INTERVAL_SECS: '1',
        // The stories log in more often than a person would; the login limit has tests of its own.
        PROXY_RATE_LOGIN_PER_MIN: '0',
        RUST_LOG: 'warn,proxy=info',
      }),
      dir,
      logPrefix,
    );
    children.push(proxy);
    stack.baseURL = `http://127.0.0.1:${await listeningPort('proxy', proxy, 'proxy listening on http://')}`;
    await waitFor('proxy', proxy, async () => {
      const health = await (await fetch(`${stack.baseURL}/healthz`)).json();
      return health.upstreams_healthy >= 1;
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  // A test run that dies abruptly still takes its servers down.
  process.once('exit', () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')));
  return stack;
}

// JSON over HTTP, for setting up data as the staff user would.
export async function call(base, method, path, { token, body } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return json;
}
