// Currencies in the browser, through the real proxy and api on SQLite, with no Finnhub key (the
// quotes are the history stub's latest closes) and a stub ECB for the exchange rates: a new user
// sets the report currency to euros on the Accounts page, buys a Xetra share (SAP.DE, in
// euros) and a London one (VOD.L, in pounds) through the form, and reads the portfolio as a
// person would (innerText): euro figures with their € sign, the London holding in euros and
// in pounds, its gain split into what the price and the pound made, the closes' day; then the
// same ledger in pounds, a sale's realized gain split alike, and a holding whose currency has
// no known rate (the API's 409, shown in its own words). axe-core and the measured contrast
// check each page as it stands.
//
// The figures below are worked by hand from the stubs' numbers. One euro is 0.86 pounds on
// 2024-01-02, the day of the buys, and 0.84 from 2024-06-12 on (the api takes the latest rate
// on or before a day); 1.08 dollars every weekday (the benchmark, SPY, is in dollars). SAP.DE
// closes at 170.00 euros and VOD.L at 72.00 pence (Stooq's VOD.UK quotes pence), £0.72, every
// weekday. The server rounds a derived rate (an inverse) to 12 places and amounts to cents,
// half to even, after the exact arithmetic.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './lib/axe.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { contrastProblems } from './lib/contrast.mjs';
import { ARTIFACTS, call, startStack } from './lib/stack.mjs';

// Daily closes in Stooq's spelling (London in pence); no live quotes (no key).
const PRICES = { 'SAP.DE': '170.00', 'VOD.UK': '72.00' };
// One euro in dollars (every weekday) and in pounds (on these days; the latest before a day counts).
const RATES = { USD: '1.08', GBP: { '2024-01-02': '0.86', '2024-06-12': '0.84' } };
const BOUGHT = '2024-01-02';
const SOLD = '2024-06-12';

const USER = { username: `noor-${Date.now().toString(36)}`, password: 'currency-horse-battery' };

// What a page must never show in place of a value.
const JUNK = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|Invalid Date/;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

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

// A day as the page writes it in en-US ("Mon, Dec 7, 2026"), computed apart from the UI's code.
const longDay = (date) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });

describe('currencies in the web UI', { concurrency: false }, () => {
  let stack;
  let browser;
  let page;
  const problems = [];

  const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `currencies-${name}.png`), fullPage: true });
  // Text as shown; the no-break spaces that keep "price" with its amount read as spaces.
  const seen = async (locator) => (await locator.innerText()).replace(/\u00a0/g, ' ').trim();
  const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const position = (ticker) => page.locator(`[data-testid="position-row"][data-ticker="${ticker}"]`);
  const cell = (ticker, column) => position(ticker).locator(`[data-col="${column}"]`);
  const isApi = (path, method) => (response) =>
    new URL(response.url()).pathname === path && response.request().method() === method && response.status() !== 401;

  // The API as this user, with a fresh token (access tokens last 3 s here).
  async function asUser(method, path, body) {
    const { access } = await call(stack.baseURL, 'POST', '/api/token/', { body: USER });
    return call(stack.baseURL, method, path, { token: access, body });
  }

  async function assertReadable(where) {
    const shown = await page.locator('body').innerText();
    assert.deepEqual(shown.split('\n').filter((line) => JUNK.test(line)), [], `${where} shows a missing value`);
    assert.deepEqual(await page.evaluate(contrastProblems, 4.5), [], `${where}: contrast`);
    assert.deepEqual(await axeViolations(page), [], `${where}: axe`);
  }

  // Chooses `code` under "Report in" on the Accounts page and saves it; resolves to the API's answer.
  async function reportIn(code) {
    const card = page.getByTestId('report-currency');
    await card.getByLabel('Report in').selectOption(code);
    const answered = page.waitForResponse(isApi('/api/users/me/', 'PATCH'));
    await card.getByRole('button', { name: 'Save currency' }).click();
    const response = await answered;
    return { status: response.status(), body: await response.json() };
  }

  async function buy({ type = 'BUY', ticker, date, quantity, price }) {
    const form = page.getByTestId('add-transaction');
    await form.getByLabel('Type', { exact: true }).selectOption(type);
    await form.getByLabel('Ticker', { exact: true }).fill(ticker);
    await form.getByLabel('Date', { exact: true }).fill(date);
    await form.getByLabel('Quantity', { exact: true }).fill(quantity);
    await form.getByLabel('Price per share', { exact: true }).fill(price);
    const answered = page.waitForResponse(isApi('/api/transactions/', 'POST'));
    await form.getByRole('button', { name: 'Add transaction' }).click();
    const response = await answered;
    assert.equal(response.status(), 201, await response.text());
    return response.json();
  }

  before(async () => {
    stack = await startStack({ prices: PRICES, rates: RATES, keyless: true, logPrefix: 'currencies-' });
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: stack.baseURL, viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a new user reports in US dollars until they choose otherwise', async () => {
    await page.goto('/register');
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/portfolio');
    await page.getByTestId('no-positions').waitFor();

    await nav('Accounts').click();
    await page.waitForURL('**/accounts');
    const select = page.getByTestId('report-currency').getByLabel('Report in');
    await select.waitFor();
    assert.equal(await select.inputValue(), 'USD');
    assert.equal(await select.evaluate((el) => el.selectedOptions[0].textContent), 'US Dollar (USD)');
    const offered = await select.locator('option').evaluateAll((options) => options.map((o) => o.value));
    for (const code of ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD']) assert.ok(offered.includes(code), `${code} is offered`);
  });

  test('a code the server does not know is refused beside the field, in its words; euros are saved', async () => {
    const card = page.getByTestId('report-currency');
    const select = card.getByLabel('Report in');
    // Not one of the choices: put there as a tampered page would, to see the server's refusal.
    await select.evaluate((el) => el.append(new Option('XYZ', 'XYZ')));
    const refused = await reportIn('XYZ');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.base_currency[0], '“XYZ” is not an ISO 4217 currency code.');
    const error = card.locator(`#${await select.getAttribute('id')}-error`);
    await error.waitFor();
    assert.equal(await seen(error), '“XYZ” is not an ISO 4217 currency code.');
    assert.equal(await select.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'base_currency', 'the refused field has focus');
    await assertReadable('/accounts, refused');

    const saved = await reportIn('EUR');
    assert.equal(saved.status, 200);
    assert.equal(saved.body.base_currency, 'EUR');
    await page.locator('#toast').filter({ hasText: 'Amounts are now shown in Euro (EUR).' }).waitFor();
    assert.equal(await error.isVisible(), false, 'the refusal is cleared');
    // Kept on the server.
    await page.reload();
    await eventually(async () => assert.equal(await page.getByTestId('report-currency').getByLabel('Report in').inputValue(), 'EUR'));
    await shot('accounts');
  });

  test('a euro and a pound holding are bought through the form, each in its own currency', async () => {
    await nav('Portfolio').click();
    await page.waitForURL('**/portfolio');
    await page.getByTestId('no-positions').waitFor();
    const hint = page.getByTestId('add-transaction').getByText('pounds (not pence) for VOD.L');
    assert.equal(await hint.count(), 1, 'the price field says which currency');
    assert.equal((await buy({ ticker: 'SAP.DE', date: BOUGHT, quantity: '10', price: '150.00' })).currency, 'EUR');
    await position('SAP.DE').waitFor();
    assert.equal((await buy({ ticker: 'vod.l', date: BOUGHT, quantity: '1000', price: '0.70' })).currency, 'GBP');
    await position('VOD.L').waitFor();

    await nav('Transactions').click();
    await page.waitForURL('**/transactions');
    const tx = (ticker, column) => page.locator(`[data-testid="transaction-row"][data-ticker="${ticker}"] [data-col="${column}"]`);
    await tx('VOD.L', 'price').waitFor();
    assert.equal(await seen(tx('SAP.DE', 'price')), '€150.00');
    assert.equal(await seen(tx('VOD.L', 'price')), '£0.70');
    assert.equal(await seen(tx('VOD.L', 'fee')), '£0.00');
    await assertReadable('/transactions');
  });

  test('the portfolio reads in euros, the London holding in euros and pounds with its gain split', async () => {
    await nav('Portfolio').click();
    await page.waitForURL('**/portfolio');
    await position('VOD.L').locator('[data-testid="effects"]').waitFor();

    // SAP.DE is in euros: 10 × 150.00 = 1,500.00; 10 × 170.00 = 1,700.00; +200.00.
    assert.equal(await seen(cell('SAP.DE', 'quantity')), '10');
    assert.equal(await seen(cell('SAP.DE', 'cost')), '€1,500.00');
    assert.equal(await seen(cell('SAP.DE', 'average-cost')), '€150.00');
    assert.equal(await seen(cell('SAP.DE', 'price')), '€170.00');
    assert.equal(await seen(cell('SAP.DE', 'value')), '€1,700.00');
    assert.equal(await seen(cell('SAP.DE', 'unrealized')), '+€200.00');
    assert.equal(await seen(cell('SAP.DE', 'realized')), '€0.00');
    assert.equal(await seen(cell('SAP.DE', 'dividends')), '€0.00');

    // VOD.L: a pound was 1/0.86 = 1.162790697674 euros on the day of the buy and is 1/0.84 =
    // 1.190476190476 now. Cost 1000 × 0.70 = £700.00 = 813.9534883718 → €813.95 (€0.813953 a
    // share, to six places); value 1000 × 72 pence = £720.00 = 857.14285714272 → €857.14; gain
    // 43.18936877092 → +€43.19, of which the price's £20.00 at today's rate, 23.80952380952 →
    // +€23.81, and the pound's rise the rest, 19.3798449614 → +€19.38. The price is the quote
    // in pounds, not a converted figure.
    assert.equal(await seen(cell('VOD.L', 'quantity')), '1,000');
    assert.equal(await seen(cell('VOD.L', 'cost')), '€813.95\n£700.00');
    assert.equal(await seen(cell('VOD.L', 'average-cost')), '€0.813953');
    assert.equal(await seen(cell('VOD.L', 'price')), '£0.72');
    assert.equal(await seen(cell('VOD.L', 'value')), '€857.14\n£720.00');
    assert.equal(await seen(cell('VOD.L', 'unrealized')), '+€43.19\nprice +€23.81 · currency +€19.38');
    assert.equal(await seen(cell('VOD.L', 'realized')), '€0.00');

    // Totals: 1500 + 813.9534883718 → €2,313.95; 1700 + 857.14285714272 → €2,557.14;
    // 200 + 43.18936877092 → +€243.19, the pound's part +€19.38.
    assert.equal(await seen(page.getByTestId('total-cost')), '€2,313.95');
    assert.equal(await seen(page.getByTestId('total-value')), '€2,557.14');
    assert.equal(await seen(page.getByTestId('total-unrealized')), '+€243.19\ncurrency +€19.38');
    assert.equal(await seen(page.getByTestId('total-realized')), '€0.00');
    assert.equal(await seen(page.getByTestId('total-dividends')), '€0.00');

    assert.match(await seen(page.getByTestId('report-currency-note')), /^Amounts are in Euro \(EUR\); a holding listed in another currency also shows .+ Change the report currency\.$/);
    // No key: the prices are the latest closes, and the page says of which day.
    const { positions } = await asUser('GET', '/api/portfolio/positions/');
    const days = [...new Set(positions.map((p) => p.price_as_of))];
    assert.equal(days.length, 1, JSON.stringify(positions));
    assert.ok(positions.every((p) => p.price_source === 'close'));
    assert.equal(await seen(page.getByTestId('prices-as-of')), `Prices are closing prices as of ${longDay(days[0])}.`);
    assert.equal(await page.getByTestId('quotes-note').isVisible(), false);
    await assertReadable('/portfolio in euros');
    await shot('portfolio-eur');

    // In the dark scheme the smaller lines are as readable.
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      assert.deepEqual(await page.evaluate(contrastProblems, 4.5), [], '/portfolio in euros, dark');
      await shot('portfolio-eur-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  test('allocation and performance are in euros too', async () => {
    await nav('Allocation').click();
    await page.waitForURL('**/allocation');
    await page.getByTestId('allocation-chart').waitFor();
    const slice = (ticker) => page.locator(`[data-testid="allocation-row"][data-ticker="${ticker}"] [data-col="value"]`);
    assert.equal(await seen(slice('SAP.DE')), '€1,700.00');
    assert.equal(await seen(slice('VOD.L')), '€857.14');
    assert.equal(await seen(page.getByTestId('allocation-total')), '€2,557.14');
    assert.match(await seen(page.getByTestId('report-currency-note')), /^Amounts are in Euro \(EUR\)\./);
    await assertReadable('/allocation in euros');

    await nav('Performance').click();
    await page.waitForURL('**/performance');
    await page.getByTestId('performance-figures').waitFor();
    // Over the last year nothing moved (closes and rates are the same every day since June
    // 2024) and no money came or went: the value is today's, in euros, at both ends.
    assert.equal(await seen(page.getByTestId('start-value')), '€2,557.14');
    assert.equal(await seen(page.getByTestId('end-value')), '€2,557.14');
    assert.equal(await seen(page.getByTestId('invested')), '€0.00');
    assert.equal(await seen(page.getByTestId('twr')), '0.00%');
    assert.equal(await seen(page.getByTestId('benchmark-twr')), '0.00%');
    assert.match(await seen(page.getByTestId('report-currency-note')), /^Values and returns are in Euro \(EUR\)/);
    await assertReadable('/performance in euros');
  });

  test('a holding in a currency without a known rate is named in the API’s own words', async () => {
    // The stub ECB has no Swiss franc: the api cannot convert the buy into euros (409).
    const nestle = await asUser('POST', '/api/transactions/', { type: 'BUY', ticker: 'NESN.SW', date: BOUGHT, quantity: '1', price: '100' });
    try {
      const answered = page.waitForResponse(isApi('/api/portfolio/positions/', 'GET'));
      await page.goto('/portfolio');
      const response = await answered;
      assert.equal(response.status(), 409);
      const { detail, code } = await response.json();
      assert.equal(code, 'fx_rate_missing');
      assert.match(detail, /^No CHF→EUR exchange rate is known on or before \d{4}-\d{2}-\d{2}; /);
      const alert = page.getByRole('alert').filter({ hasText: 'Could not load your positions' });
      await alert.waitFor();
      assert.equal(await seen(alert.locator('p')), `Could not load your positions: ${detail}`);
      assert.equal(await alert.getByRole('button', { name: 'Try again' }).count(), 1);
      await assertReadable('/portfolio, 409');
      await shot('portfolio-409');
    } finally {
      await asUser('DELETE', `/api/transactions/${nestle.id}/`);
    }
    await page.getByRole('button', { name: 'Try again' }).click();
    await position('VOD.L').waitFor();
  });

  test('in pounds the euro holding is the foreign one, and the figures follow', async () => {
    // The note's link leads to the setting, with the choice in focus.
    await page.getByTestId('report-currency-note').getByRole('link', { name: 'Change the report currency' }).click();
    await page.waitForURL('**/accounts#report-currency');
    await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement?.id), 'report-currency-select'));
    const saved = await reportIn('GBP');
    assert.equal(saved.body.base_currency, 'GBP');
    await page.locator('#toast').filter({ hasText: 'Amounts are now shown in British Pound (GBP).' }).waitFor();

    await nav('Portfolio').click();
    await page.waitForURL('**/portfolio');
    await position('SAP.DE').locator('[data-testid="effects"]').waitFor();
    // SAP.DE at 0.86 then 0.84 pounds a euro: cost €1,500.00 = £1,290.00; value €1,700.00 =
    // £1,428.00; gain +£138.00, of which the price's €200.00 at 0.84 = +£168.00 and the euro's
    // fall -£30.00.
    assert.equal(await seen(cell('SAP.DE', 'cost')), '£1,290.00\n€1,500.00');
    assert.equal(await seen(cell('SAP.DE', 'average-cost')), '£129.00');
    assert.equal(await seen(cell('SAP.DE', 'price')), '€170.00');
    assert.equal(await seen(cell('SAP.DE', 'value')), '£1,428.00\n€1,700.00');
    assert.equal(await seen(cell('SAP.DE', 'unrealized')), '+£138.00\nprice +£168.00 · currency -£30.00');
    // VOD.L is at home: one line each.
    assert.equal(await seen(cell('VOD.L', 'cost')), '£700.00');
    assert.equal(await seen(cell('VOD.L', 'price')), '£0.72');
    assert.equal(await seen(cell('VOD.L', 'value')), '£720.00');
    assert.equal(await seen(cell('VOD.L', 'unrealized')), '+£20.00');
    assert.equal(await seen(page.getByTestId('total-cost')), '£1,990.00');
    assert.equal(await seen(page.getByTestId('total-value')), '£2,148.00');
    assert.equal(await seen(page.getByTestId('total-unrealized')), '+£158.00\ncurrency -£30.00');
    assert.match(await seen(page.getByTestId('report-currency-note')), /^Amounts are in British Pound \(GBP\);/);
    await assertReadable('/portfolio in pounds');
    await shot('portfolio-gbp');
  });

  test('a sale of the euro holding realizes a gain split into price and currency', async () => {
    // 4 SAP.DE sold on 2024-06-12 at 160.00 euros: cost 4 × 150 × 0.86 = £516.00, proceeds
    // 4 × 160 × 0.84 = £537.60, gain +£21.60; the price made €40.00 = £33.60 at the sale's
    // rate, the euro's fall -£12.00.
    await buy({ type: 'SELL', ticker: 'SAP.DE', date: SOLD, quantity: '4', price: '160.00' });
    await eventually(async () => assert.equal(await seen(cell('SAP.DE', 'quantity')), '6'));
    assert.equal(await seen(cell('SAP.DE', 'realized')), '+£21.60');

    await nav('Realized gains').click();
    await page.waitForURL('**/realized');
    const lot = page.locator('[data-testid="realized-row"][data-ticker="SAP.DE"]');
    await lot.waitFor();
    const read = (column) => seen(lot.locator(`[data-col="${column}"]`));
    assert.equal(await read('quantity'), '4');
    assert.equal(await read('cost'), '£516.00');
    assert.equal(await read('proceeds'), '£537.60');
    assert.equal(await read('gain'), '+£21.60\nprice +£33.60 · currency -£12.00');
    assert.equal(await seen(page.getByTestId('realized-total-cost')), '£516.00');
    assert.equal(await seen(page.getByTestId('realized-total-proceeds')), '£537.60');
    assert.equal(await seen(page.getByTestId('realized-total-gain')), '+£21.60\ncurrency -£12.00');
    await assertReadable('/realized in pounds');
    await shot('realized-gbp');
  });

  test('at phone width the two currencies stay beside their labels and the page fits', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await nav('Portfolio').click();
      await page.waitForURL('**/portfolio');
      await position('SAP.DE').locator('[data-testid="effects"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `/portfolio is ${overflow}px wider than the phone`);
      assert.equal(await seen(cell('SAP.DE', 'value')), '£856.80\n€1,020.00', '6 × 170 euros at 0.84');
      // The label and the figure (both lines) sit side by side, the figure to the right.
      const [label, figure] = await cell('SAP.DE', 'value').evaluate((td) => {
        const box = td.querySelector('.figure').getBoundingClientRect();
        return [td.getBoundingClientRect().left, box.left];
      });
      assert.ok(figure > label + 100, 'the figure is right of the label');
      await assertReadable('/portfolio on a phone');
      await shot('portfolio-gbp-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('no script errors along the way', () => {
    assert.deepEqual(problems, []);
  });
});
