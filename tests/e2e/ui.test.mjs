// The web UI in headless Chromium, through the real proxy, against the real api on SQLite: one
// user's story from sign-up to the Wall Street leaderboard. The steps run in order and share
// one browser tab, as a person would. Screenshots go to tests/e2e/artifacts/.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from './lib/browser.mjs';
import { ACCESS_TOKEN_LIFETIME_SECS, ARTIFACTS, STAFF, call, startStack } from './lib/stack.mjs';

// What the stub market-data server quotes (JSON numbers, as Finnhub sends them).
const PRICES = { AAPL: '190.25', VTI: '250.5', MSFT: '410.1', NVDA: '135.4', TSLA: '242.8' };

const USER = { username: `alice-${Date.now().toString(36)}`, email: 'alice@example.com', password: 'correct-horse-battery' };

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Dates on New York's calendar, as the game's server counts weeks (computed here independently
// of the UI's own code).
const newYorkToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'America/New_York' });
const shiftDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const sundayOnOrBefore = (date) => shiftDays(date, -new Date(`${date}T00:00:00Z`).getUTCDay());

// Retries an assertion until it holds or `timeout` ms pass (the UI updates asynchronously).
async function eventually(check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe('the web UI', { concurrency: false }, () => {
  let stack;
  let browser;
  let page;
  let openSunday;
  let lastSunday;
  let inPlay;
  const problems = [];

  const staffToken = async () => (await call(stack.baseURL, 'POST', '/api/token/', { body: STAFF })).access;
  const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const text = async (locator) => (await locator.textContent())?.trim();
  const row = (ticker) => page.locator(`[data-testid="position-row"][data-ticker="${ticker}"]`);
  const cell = (ticker, column) => row(ticker).locator(`[data-col="${column}"]`);
  const txRow = (type, ticker) => page.locator(`[data-testid="transaction-row"][data-type="${type}"][data-ticker="${ticker}"]`);
  // Buys through the Portfolio page's "Add a transaction" form.
  const addBuy = async ({ ticker, quantity, price, date }) => {
    const form = page.getByTestId('add-transaction');
    await form.getByLabel('Type', { exact: true }).selectOption('BUY');
    await form.getByLabel('Ticker', { exact: true }).fill(ticker);
    await form.getByLabel('Quantity', { exact: true }).fill(quantity);
    await form.getByLabel('Price per share', { exact: true }).fill(price);
    await form.getByLabel('Date', { exact: true }).fill(date);
    await form.getByRole('button', { name: 'Add transaction' }).click();
  };
  const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  // Every form control has a label and every button a name.
  async function assertAccessibleNames() {
    const missing = await page.evaluate(() => {
      const unnamed = [];
      for (const el of document.querySelectorAll('input, select, textarea')) {
        if (el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label')) unnamed.push(`${el.tagName} ${el.name}`);
      }
      for (const el of document.querySelectorAll('button')) {
        if (!el.textContent.trim() && !el.getAttribute('aria-label')) unnamed.push(`button ${el.outerHTML}`);
      }
      return unnamed;
    });
    assert.deepEqual(missing, []);
  }

  before(async () => {
    stack = await startStack({ prices: PRICES });
    const base = stack.baseURL;

    // The week whose picks are open: this one until Monday's market open, then next week.
    const current = sundayOnOrBefore(newYorkToday());
    const currentWeek = await call(base, 'GET', `/api/wallstreet/weeks/${current}/`);
    openSunday = currentWeek.picks_open ? current : shiftDays(current, 7);
    lastSunday = shiftDays(current, -7);

    let token = await staffToken();
    for (const [ticker, start] of [['AAPL', '188.50'], ['MSFT', '405'], ['NVDA', '130.25'], ['TSLA', '250']]) {
      await call(base, 'POST', '/api/wallstreet/options/', { token, body: { ticker, sunday: openSunday, start_price: start } });
    }
    // After Monday's market open the current week is in play: it shows with its start prices.
    if (openSunday !== current) {
      for (const [ticker, start] of [['SPY', '590.1'], ['QQQ', '510']]) {
        await call(base, 'POST', '/api/wallstreet/options/', { token, body: { ticker, sunday: current, start_price: start } });
      }
    }
    inPlay = openSunday !== current;
    for (const [ticker, start] of [['KO', '60'], ['PEP', '170'], ['XOM', '110']]) {
      await call(base, 'POST', '/api/wallstreet/options/', { token, body: { ticker, sunday: lastSunday, start_price: start } });
    }
    token = await staffToken();
    await call(base, 'POST', `/api/wallstreet/weeks/${lastSunday}/close/`, {
      token,
      body: { prices: { KO: '61.20', PEP: '168.30', XOM: '110' } },
    });

    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every 4xx the tests provoke on purpose; anything else is a problem.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('the proxy serves index.html uncached and the fingerprinted assets immutable', async () => {
    const index = await fetch(`${stack.baseURL}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.match(index.headers.get('cache-control'), /no-cache/);
    const html = await index.text();
    const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.css')) && assets.some((a) => a.endsWith('.js')), `assets in index.html: ${assets}`);
    for (const asset of assets) {
      assert.match(asset, /\.[0-9a-f]{10,}\.(js|css)$/);
      const response = await fetch(`${stack.baseURL}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers.get('content-type'), asset.endsWith('.js') ? /javascript/ : /^text\/css/, asset);
      assert.match(response.headers.get('cache-control'), /max-age=31536000/, asset);
      assert.match(response.headers.get('cache-control'), /immutable/, asset);
      await response.arrayBuffer();
    }
    const deepLink = await fetch(`${stack.baseURL}/wallstreet`);
    assert.equal(await deepLink.text(), html, 'a client-side route is answered with index.html');
    assert.equal((await fetch(`${stack.baseURL}/assets/missing.0123456789.js`)).status, 404);
  });

  test('a visitor is sent to the login page', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    await assertAccessibleNames();
    await shot('login');
  });

  test('registering shows the API’s field errors, then signs the new user in', async () => {
    await nav('Register').click();
    await page.waitForURL('**/register');
    const form = page.locator('form');
    await form.getByLabel('Username').fill(USER.username);
    await form.getByLabel('Email (optional)').fill(USER.email);
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    const error = form.locator('.field-error').filter({ hasText: '8' });
    await error.waitFor();
    assert.equal(await form.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    await assertAccessibleNames();
    await shot('register');

    await form.getByLabel('Password').fill(USER.password);
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/portfolio');
    assert.equal(await text(page.getByTestId('signed-in-as')), USER.username);
  });

  test('logging out ends the session on the server, then back in with the keyboard', async () => {
    const refresh = await page.evaluate(() => sessionStorage.getItem('fattore.refresh'));
    const loggedOut = page.waitForResponse(
      (response) => new URL(response.url()).pathname === '/api/token/logout/' && response.status() === 204,
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    await loggedOut;
    await page.waitForURL('**/login');
    const reused = await page.request.post(new URL('/api/token/refresh/', page.url()).href, { data: { refresh } });
    assert.equal(reused.status(), 401);
    await page.getByText('You have logged out.').waitFor();
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: /credentials|password/i }).waitFor();

    await page.getByLabel('Password').fill(USER.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/portfolio');
    await page.getByTestId('no-positions').waitFor();
  });

  test('adding two buys shows exact amounts, market values and totals', async () => {
    const form = page.getByTestId('add-transaction');
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/transactions/' && r.status() === 400);
    await addBuy({ ticker: 'aapl', quantity: '-1', price: '150.25', date: '2024-03-01' });
    const { quantity: messages } = await (await refused).json();
    const quantity = form.getByLabel('Quantity', { exact: true });
    await form.locator(`#${await quantity.getAttribute('id')}-error`).filter({ hasText: messages.join(' ') }).waitFor();
    assert.equal(await quantity.getAttribute('aria-invalid'), 'true');
    assert.equal(await row('AAPL').count(), 0);

    await quantity.fill('10.5');
    await form.getByRole('button', { name: 'Add transaction' }).click();
    await row('AAPL').waitFor();
    assert.equal(await form.locator('.field-error:visible').count(), 0, 'errors are cleared after a success');
    await addBuy({ ticker: 'VTI', quantity: '3.25', price: '200.10', date: '2023-11-15' });
    await row('VTI').waitFor();

    // The API's exact figures, money in the report currency (dollars, a new user's) with two
    // decimals and thousands grouped (en-US here), share counts with their trailing zeros
    // trimmed; totals are the server's exact sums: the rounded costs add up to 2227.94, the
    // exact total is 2227.95.
    assert.equal(await text(cell('AAPL', 'quantity')), '10.5');
    assert.equal(await text(cell('AAPL', 'average-cost')), '$150.25');
    assert.equal(await text(cell('AAPL', 'cost')), '$1,577.62');
    assert.equal(await text(cell('VTI', 'cost')), '$650.32');
    assert.equal(await text(page.getByTestId('total-cost')), '$2,227.95');

    await eventually(async () => assert.equal(await text(page.getByTestId('total-value')), '$2,811.75'));
    assert.equal(await text(cell('AAPL', 'price')), '$190.25');
    assert.equal(await text(cell('AAPL', 'value')), '$1,997.62');
    assert.equal(await text(cell('VTI', 'price')), '$250.50', 'the stub quotes 250.5');
    assert.equal(await text(cell('AAPL', 'unrealized')), '+$420.00');
    assert.equal(await text(cell('AAPL', 'realized')), '$0.00');
    assert.equal(await text(cell('AAPL', 'dividends')), '$0.00');
    assert.equal(await text(page.getByTestId('total-unrealized')), '+$583.80');
    await assertAccessibleNames();
    await shot('portfolio');
  });

  test('the allocation page charts the portfolio by ticker with the numbers beside it', async () => {
    await nav('Allocation').click();
    await page.waitForURL('**/allocation');
    const chart = page.getByTestId('allocation-chart');
    await chart.waitFor();
    assert.equal(await chart.locator('circle[data-ticker]').count(), 2);
    const share = (ticker, column) => page.locator(`[data-testid="allocation-row"][data-ticker="${ticker}"] [data-col="${column}"]`);
    assert.equal(await text(share('AAPL', 'value')), '$1,997.62');
    assert.equal(await text(share('AAPL', 'percent')), '71.05%');
    assert.equal(await text(share('VTI', 'value')), '$814.12');
    assert.equal(await text(share('VTI', 'percent')), '28.95%');
    assert.equal(await text(page.getByTestId('allocation-total')), '$2,811.75');
    await shot('allocation');
  });

  test('editing a buy shows the API’s errors inline, then saves', async () => {
    await nav('Transactions').click();
    await page.waitForURL('**/transactions');
    await txRow('BUY', 'AAPL').waitFor();
    await page.getByRole('button', { name: 'Edit Buy AAPL on 2024-03-01' }).click();
    const form = page.getByTestId('edit-transaction');
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'account', 'focus moves into the editor');
    assert.match(await form.getByLabel('Quantity').inputValue(), /^10\.50*$/, 'fields hold the API’s exact values');
    assert.match(await form.getByLabel('Price per share').inputValue(), /^150\.250*$/);

    await form.getByLabel('Quantity').fill('-12');
    const refused = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 400);
    await form.getByRole('button', { name: 'Save changes' }).click();
    const { quantity: messages } = await (await refused).json();
    await form.locator('.field-error').filter({ hasText: messages.join(' ') }).waitFor();
    await shot('transaction-edit-error');

    await form.getByLabel('Quantity').fill('12');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => assert.equal(await text(txRow('BUY', 'AAPL').locator('[data-col="quantity"]')), '12'));
    assert.equal(await form.count(), 0, 'the editor closes');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Edit Buy AAPL on 2024-03-01', 'focus goes back');
  });

  test('deleting a buy asks first, and works from the keyboard', async () => {
    await page.getByRole('button', { name: 'Delete Buy VTI on 2023-11-15' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm deleting Buy VTI on 2023-11-15' });
    await confirm.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep', 'the safe choice has focus');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Delete');
    await page.keyboard.press('Enter');
    await txRow('BUY', 'VTI').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('transaction-row').count(), 1);
    await nav('Portfolio').click();
    await row('AAPL').waitFor();
    assert.equal(await page.getByTestId('position-row').count(), 1);
    assert.equal(await text(cell('AAPL', 'quantity')), '12');
    assert.equal(await text(page.getByTestId('total-cost')), '$1,803.00');
  });

  test('a deep link survives a reload', async () => {
    await page.reload();
    assert.equal(new URL(page.url()).pathname, '/portfolio');
    await row('AAPL').waitFor();
    await page.goto('/allocation');
    await page.getByTestId('allocation-chart').waitFor();
    await page.goto('/portfolio/');
    await row('AAPL').waitFor();
    assert.equal(new URL(page.url()).pathname, '/portfolio');
  });

  test('an expired access token is refreshed and the next action goes through', async () => {
    const seen = [];
    const record = (response) => {
      const { pathname } = new URL(response.url());
      if (pathname.startsWith('/api/')) seen.push(`${response.request().method()} ${pathname} ${response.status()}`);
    };
    page.on('response', record);
    await sleep((ACCESS_TOKEN_LIFETIME_SECS + 1.5) * 1000);

    await addBuy({ ticker: 'MSFT', quantity: '2', price: '400.00', date: '2024-05-01' });
    await row('MSFT').waitFor();
    page.off('response', record);

    assert.deepEqual(seen.slice(0, 3), ['POST /api/transactions/ 401', 'POST /api/token/refresh/ 200', 'POST /api/transactions/ 201']);
    assert.equal(new URL(page.url()).pathname, '/portfolio');
  });

  test('without market data the portfolio and allocation are shown at cost', async () => {
    // Finnhub refuses every quote (as it does a revoked key); the api keeps no failure, and
    // its quotes expire after a second, so the next positions and summary have no prices at all.
    stack.finnhub.refuseQuotes = true;
    try {
      await sleep(1500);
      await page.reload();
      await row('MSFT').waitFor();
      await page.getByTestId('quotes-note').filter({ hasText: 'not available' }).waitFor();
      for (const column of ['price', 'value', 'unrealized']) assert.equal(await text(cell('MSFT', column)), '—', `no ${column} without a quote`);
      assert.equal(await text(page.getByTestId('total-cost')), '$2,603.00');
      await shot('portfolio-at-cost');

      await nav('Allocation').click();
      await page.getByTestId('allocation-basis').filter({ hasText: 'Valued at cost' }).waitFor();
      assert.equal(await text(page.getByTestId('allocation-total')), '$2,603.00');
      // 1803.00 and 800.00 of 2603.00, rounded half-even to hundredths by the server.
      const share = (ticker) => page.locator(`[data-testid="allocation-row"][data-ticker="${ticker}"] [data-col="percent"]`);
      assert.equal(await text(share('AAPL')), '69.27%');
      assert.equal(await text(share('MSFT')), '30.73%');
    } finally {
      stack.finnhub.refuseQuotes = false;
    }
  });

  test('a failed load says so and offers to try again', async () => {
    const failOnce = (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"detail":"A server error occurred.","code":"internal_error"}' })
        : route.fallback();
    await page.route('**/api/portfolio/positions/', failOnce);
    await nav('Portfolio').click();
    const failure = page.getByRole('alert').filter({ hasText: 'Could not load your positions' });
    await failure.waitFor();
    await page.unroute('**/api/portfolio/positions/', failOnce);
    await failure.getByRole('button', { name: 'Try again' }).click();
    await row('MSFT').waitFor();
  });

  test('the watch list starts with VTI and SPY, and tickers are added and removed with the keyboard', async () => {
    await nav('Watch list').click();
    await page.waitForURL('**/watchlist');
    const watched = (ticker) => page.locator(`[data-testid="watch-row"][data-ticker="${ticker}"]`);
    await watched('VTI').waitFor();
    assert.deepEqual(await page.getByTestId('watch-row').evaluateAll((rows) => rows.map((r) => r.dataset.ticker)), ['VTI', 'SPY']);
    assert.equal(await text(watched('VTI').locator('[data-col="price"]')), '$250.50');
    assert.equal(await text(watched('VTI').locator('[data-col="change"]')), '+$1.50 (+0.75%)');
    assert.equal(await text(watched('VTI').locator('[data-col="market-cap"]')), '$2.87T');
    assert.equal(await text(watched('SPY').locator('[data-col="price"]')), '—', 'no quote, no price');

    const form = page.getByTestId('add-watch');
    await form.getByLabel('Ticker').focus();
    await page.keyboard.type('nvda');
    await page.keyboard.press('Enter');
    await watched('NVDA').waitFor();
    assert.equal(await text(watched('NVDA').locator('[data-col="price"]')), '$135.40');
    await form.getByLabel('Ticker').fill('NVDA');
    await page.keyboard.press('Enter');
    await form.locator('.field-error').filter({ hasText: 'already on your watch list' }).waitFor();
    await assertAccessibleNames();
    await shot('watchlist');

    await page.getByRole('button', { name: 'Remove NVDA from the watch list' }).focus();
    await page.keyboard.press('Enter');
    await watched('NVDA').waitFor({ state: 'detached' });
    await page.reload();
    await watched('SPY').waitFor();
    assert.equal(await page.getByTestId('watch-row').count(), 2, 'the list is kept on the server');
  });

  test('the performance page charts the value and gives the returns beside it, with a table of the numbers', async () => {
    await nav('Performance').click();
    await page.waitForURL('**/performance');
    const chart = page.getByTestId('performance-chart');
    await chart.waitFor();
    assert.match(await chart.locator('path[data-line="value"]').getAttribute('d'), /^M[\d.]+,[\d.]+ L/, 'the value is drawn');
    // 12 AAPL at 190.25 and 2 MSFT at 410.10, all bought more than a year ago; the stub's closes
    // never move, so over the last year nothing was gained or lost, nor by SPY.
    assert.equal(await text(page.getByTestId('end-value')), '$3,103.20');
    assert.equal(await text(page.getByTestId('start-value')), '$3,103.20');
    assert.equal(await text(page.getByTestId('twr')), '0.00%');
    assert.equal(await text(page.getByTestId('mwr')), '0.00%');
    assert.equal(await text(page.getByTestId('benchmark-twr')), '0.00%');
    await page.getByText('The numbers, day by day').click();
    const days = page.getByTestId('performance-table').locator('tbody tr');
    assert.ok((await days.count()) > 200, 'a year of trading days');
    await assertAccessibleNames();
    await shot('performance');

    await page.getByLabel('Range', { exact: true }).selectOption('1m');
    await page.waitForURL('**/performance?range=1m');
    await eventually(async () => assert.ok((await page.getByTestId('performance-table').locator('tbody tr').count()) < 30));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'performance-range', 'focus stays on the choice');
    await page.getByLabel('Benchmark', { exact: true }).selectOption('VTI');
    await page.waitForURL('**/performance?range=1m&benchmark=VTI');
    await page.getByTestId('performance-figures').getByText('VTI over the same dates').waitFor();
  });

  test('holdings go out as CSV and come back in after a preview', async () => {
    await nav('Portfolio').click();
    await row('MSFT').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    assert.equal(download.suggestedFilename(), 'holdings.csv');
    assert.equal(await readFile(await download.path(), 'utf8'), 'ticker,shares,costbasis,buy\nAAPL,12.00000,150.25,2024-03-01\nMSFT,2.00000,400.00,2024-05-01\n');

    const form = page.getByTestId('csv-import');
    const upload = (text) => form.getByLabel('CSV file').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await upload('\ufeffSymbol,Qty,Unit Price,Date\r\nAAPL,12,150.25,2024-03-01\r\nNVDA,"1,000",130,2024-06-03\r\n');
    await form.getByRole('button', { name: 'Preview import' }).click();
    await page.getByTestId('import-preview').getByText('Row 3, shares: Write the number without thousands separators', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('confirm-import').isVisible(), false, 'a file with problems cannot be imported');

    await upload('\ufeffSymbol,Qty,Unit Price,Date\r\nAAPL,12,150.25,2024-03-01\r\nNVDA,10,130,2024-06-03\r\n');
    await form.getByRole('button', { name: 'Preview import' }).click();
    await page.getByTestId('import-preview').getByText('Would import 1 holding; 1 already present is skipped.').waitFor();
    assert.equal(await page.getByTestId('position-row').count(), 2, 'a preview writes nothing');
    await shot('portfolio-import-preview');
    await page.getByTestId('confirm-import').click();
    await row('NVDA').waitFor();
    await page.getByTestId('import-preview').getByText('Imported 1 holding; 1 already present is skipped.').waitFor();
    assert.equal(await text(page.getByTestId('total-cost')), '$3,903.00', '2603.00 and 10 × 130');
  });

  test('three picks are taken and the fourth is refused', async () => {
    await nav('Wall Street').click();
    await page.waitForURL('**/wallstreet');
    const week = page.getByTestId('open-week');
    await week.getByTestId('options').waitFor();
    assert.equal(await week.getAttribute('data-sunday'), openSunday);
    assert.equal(await week.getByTestId('option').count(), 4);
    const start = (ticker) => text(week.locator(`[data-testid="option"][data-ticker="${ticker}"] .price`));
    assert.equal(await start('AAPL'), 'Start 188.50', 'stored as 188.5000');
    assert.equal(await start('MSFT'), 'Start 405.00');
    // The reader's time (Berlin here, six hours ahead of New York but for a few weeks of
    // daylight saving) with the exchange's beside it.
    assert.match(
      await text(week.getByText(/^Pick up to 3\./)),
      /^Pick up to 3\. Picks close Mon, \w{3} \d{1,2}, (3|2):30 PM GMT\+[12] \(9:30 AM ET\)\.$/,
    );
    const used = week.getByTestId('picks-used');

    for (const [index, ticker] of ['AAPL', 'MSFT', 'NVDA'].entries()) {
      await week.getByRole('button', { name: `Pick ${ticker}` }).click();
      await eventually(async () => assert.equal(await text(used), `You have picked ${index + 1} of 3.`));
    }
    await week.getByRole('button', { name: 'Pick TSLA' }).click();
    const refused = week.getByTestId('pick-error');
    await refused.filter({ hasText: 'at most 3' }).waitFor();
    assert.equal(await week.getByTestId('my-pick').count(), 3);
    assert.equal(await text(used), 'You have picked 3 of 3.');
    await page.getByTestId('leaderboard-empty').waitFor();
    if (inPlay) {
      const spy = page.getByTestId('in-play').locator('tr[data-ticker="SPY"]');
      await spy.waitFor();
      assert.equal(await text(spy.locator('[data-label="Start"]')), '590.10', 'stored as 590.1000');
    } else {
      assert.ok(await page.getByTestId('in-play').isHidden());
    }
    await page.getByTestId('results-table').waitFor();
    await assertAccessibleNames();
    await shot('wallstreet');

    // Removing one frees a slot; the next pick is made from the keyboard.
    await week.getByRole('button', { name: 'Remove pick NVDA' }).click();
    await eventually(async () => assert.equal(await text(used), 'You have picked 2 of 3.'));
    await week.getByRole('button', { name: 'Pick TSLA' }).focus();
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await text(used), 'You have picked 3 of 3.'));
    assert.ok(await refused.isHidden(), 'the refusal is cleared by a successful pick');
    assert.deepEqual(await week.getByTestId('my-pick').evaluateAll((items) => items.map((li) => li.dataset.ticker)).then((t) => t.sort()), ['AAPL', 'MSFT', 'TSLA']);
  });

  test('last week’s results and the leaderboard are shown', async () => {
    const results = page.getByTestId('results-table');
    const first = results.locator('tbody tr').first();
    assert.equal(await first.getAttribute('data-ticker'), 'KO');
    assert.match(await text(first), /\+2\.00%/);

    // The staff closes the open week early (force: the week is not over yet); the player then
    // appears on the all-time leaderboard.
    const token = await staffToken();
    await call(stack.baseURL, 'POST', `/api/wallstreet/weeks/${openSunday}/close/`, {
      token,
      body: { prices: { AAPL: '198', MSFT: '400', NVDA: '140', TSLA: '275' }, force: true },
    });
    await page.reload();
    const me = page.getByTestId('all-time-ranking').locator(`tr[data-username="${USER.username}"]`);
    await me.waitFor();
    assert.match(await text(me), /\(you\)/);
    await shot('wallstreet-leaderboard');
  });

  test('at phone width every page fits the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [path, ready] of [
        ['/portfolio', '[data-testid="positions-table"]'],
        ['/allocation', '[data-testid="allocation-chart"]'],
        ['/watchlist', '[data-testid="watch-table"]'],
        ['/performance', '[data-testid="performance-chart"]'],
        ['/wallstreet', '[data-testid="all-time-ranking"]'],
      ]) {
        await page.goto(path);
        await page.locator(ready).waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
        await shot(`${path.slice(1)}-phone`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('when the refresh token is refused too, the user logs in again and comes back', async () => {
    await page.evaluate(() => {
      sessionStorage.setItem('fattore.access', 'not-a-token');
      sessionStorage.setItem('fattore.refresh', 'not-a-token');
    });
    await nav('Allocation').click();
    await page.waitForURL('**/login?next=%2Fallocation');
    await page.getByText('Your session has expired. Please log in again.').waitFor();
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/allocation');
    await page.getByTestId('allocation-chart').waitFor();
  });

  test('no script errors or blocked resources along the way', () => {
    assert.deepEqual(problems, []);
  });
});
