// The ledger in the browser, through the real proxy and api on SQLite: a new user keeps two
// accounts and enters a buy, a sale, a split and a dividend through the forms, then reads what a
// person would: the position after the split, the realized gain, the dividends, the returns on
// the Performance page (the worked ledger of shared/ledger-example.md, whose closes the history
// stub serves), and the API's refusals (an over-sell, a delete that would leave a sale short,
// deleting an account that holds transactions) next to what caused them. Text is read as shown
// (innerText), not taken from the DOM's structure alone; axe-core checks each page's
// accessibility as it stands.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './lib/axe.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { ARTIFACTS, startStack } from './lib/stack.mjs';

// Live quotes (positions' prices); XYZ is quoted at its last close.
const PRICES = { XYZ: '60', VTI: '250.5' };
// shared/ledger-example.md's stored closes.
const CLOSES = {
  XYZ: { '2024-01-02': '50.00', '2024-04-01': '55.00', '2024-07-01': '58.00', '2024-10-01': '54.00', '2024-12-31': '60.00' },
  SPY: { '2024-01-02': '400.00', '2024-12-31': '480.00' },
};

const USER = { username: `lena-${Date.now().toString(36)}`, password: 'ledger-horse-battery' };

// What a page must never show in place of a value.
const JUNK = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|Invalid Date/;

// The transaction form's fields in page order, as the API names them.
const FORM_ORDER = ['type', 'account', 'ticker', 'date', 'quantity', 'price', 'fee', 'amount', 'ratio', 'note'];

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

describe('the ledger in the web UI', { concurrency: false }, () => {
  let stack;
  let browser;
  let page;
  const problems = [];
  const ids = {};

  const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `ledger-${name}.png`), fullPage: true });
  const seen = async (locator) => (await locator.innerText()).trim();
  const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const addForm = () => page.getByTestId('add-transaction');
  const txRows = () => page.getByTestId('transaction-row');
  const txRow = (type, ticker = 'XYZ') => page.locator(`[data-testid="transaction-row"][data-type="${type}"][data-ticker="${ticker}"]`);
  const position = (ticker) => page.locator(`[data-testid="position-row"][data-ticker="${ticker}"]`);
  const positionCell = (ticker, column) => position(ticker).locator(`[data-col="${column}"]`);
  // The API's answer to a request, not the 401 of an expired access token that the UI
  // refreshes and retries (tokens last 3 s here).
  const isApi = (path, method) => (response) =>
    new URL(response.url()).pathname === path && response.request().method() === method && response.status() !== 401;

  async function assertNothingMissingShown() {
    const shown = await page.locator('body').innerText();
    assert.doesNotMatch(shown, JUNK);
  }

  async function assertAxeClean() {
    assert.deepEqual(await axeViolations(page), []);
  }

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

  // Fills the add form for one transaction and submits it; resolves to the API's answer.
  async function enter({ type, account, ticker, date, quantity, price, fee, amount, ratio, note }) {
    const form = addForm();
    await form.getByLabel('Type', { exact: true }).selectOption(type);
    if (account) await form.getByLabel('Account', { exact: true }).selectOption({ label: account });
    await form.getByLabel('Ticker', { exact: true }).fill(ticker);
    await form.getByLabel('Date', { exact: true }).fill(date);
    for (const [label, value] of [['Quantity', quantity], ['Price per share', price], ['Fee', fee], ['Amount', amount], ['Ratio', ratio], ['Note (optional)', note]]) {
      if (value !== undefined) await form.getByLabel(label, { exact: true }).fill(value);
    }
    const answered = page.waitForResponse(isApi('/api/transactions/', 'POST'));
    await form.getByRole('button', { name: 'Add transaction' }).click();
    const response = await answered;
    return { status: response.status(), body: await response.json() };
  }

  async function chooseAccount(label) {
    await page.getByLabel('Show account').selectOption({ label });
    await eventually(async () => assert.equal(await page.getByLabel('Show account').evaluate((el) => el.selectedOptions[0]?.textContent), label));
  }

  before(async () => {
    stack = await startStack({ prices: PRICES, closes: CLOSES, logPrefix: 'ledger-' });
    browser = await launchBrowser();
    // Reduced motion: no colour transition is caught half-way by the contrast checks.
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

  test('a new user registers and has one account, Main, in USD', async () => {
    await page.goto('/register');
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/portfolio');
    await page.getByTestId('no-positions').waitFor();
    assert.equal(await seen(page.getByTestId('no-positions')), 'No positions yet. Add your first transaction below.');
    assert.deepEqual(await page.getByLabel('Show account').locator('option').allTextContents(), ['All accounts', 'Main (USD)']);

    await nav('Accounts').click();
    await page.waitForURL('**/accounts');
    const rows = page.getByTestId('account-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.equal(await seen(rows.first().locator('[data-col="name"]')), 'Main');
    assert.equal(await seen(rows.first().locator('[data-col="currency"]')), 'USD');
    ids.main = await rows.first().getAttribute('data-id');
    await assertAccessibleNames();
  });

  test('an account is added, renamed from the keyboard, and offered everywhere', async () => {
    const form = page.getByTestId('add-account');
    await form.getByLabel('Name').fill('Broker');
    await form.getByRole('button', { name: 'Add account' }).click();
    const broker = page.locator('[data-testid="account-row"][data-name="Broker"]');
    await broker.waitFor();
    assert.equal(await seen(broker.locator('[data-col="currency"]')), 'USD', 'USD when none is given');
    ids.broker = await broker.getAttribute('data-id');

    await page.getByRole('button', { name: 'Rename Broker' }).click();
    const rename = page.getByTestId('rename-account');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'name', 'focus moves into the editor');
    await page.keyboard.press('Escape');
    await rename.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Rename Broker', 'Escape closes it and gives focus back');
    await page.keyboard.press('Enter');
    await rename.getByLabel('New name').fill('Brokerage');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="account-row"][data-name="Brokerage"]').waitFor();
    assert.deepEqual(await page.getByTestId('account-row').locator('[data-col="name"]').allInnerTexts(), ['Main', 'Brokerage']);
    await assertNothingMissingShown();
    await assertAxeClean();
    await shot('accounts');

    await nav('Transactions').click();
    await page.waitForURL('**/transactions');
    await page.getByTestId('no-transactions').waitFor();
    assert.deepEqual(await page.getByLabel('Show account').locator('option').allTextContents(), ['All accounts', 'Main (USD)', 'Brokerage (USD)']);
    assert.deepEqual(await addForm().getByLabel('Account', { exact: true }).locator('option').allTextContents(), ['Main (USD)', 'Brokerage (USD)']);
  });

  test('the form asks for what the type needs and shows the API’s field errors beside the fields', async () => {
    const form = addForm();
    const visibleLabels = () => form.locator('.field:visible > label').allInnerTexts();
    assert.deepEqual(await visibleLabels(), ['Type', 'Account', 'Ticker', 'Date', 'Quantity', 'Price per share', 'Fee', 'Note (optional)']);
    await form.getByLabel('Type', { exact: true }).selectOption('DIVIDEND');
    assert.deepEqual(await visibleLabels(), ['Type', 'Account', 'Ticker', 'Date', 'Amount', 'Note (optional)']);
    await form.getByLabel('Type', { exact: true }).selectOption('SPLIT');
    assert.deepEqual(await visibleLabels(), ['Type', 'Account', 'Ticker', 'Date', 'Ratio', 'Note (optional)']);
    await form.getByLabel('Type', { exact: true }).selectOption('SELL');
    assert.deepEqual(await visibleLabels(), ['Type', 'Account', 'Ticker', 'Date', 'Quantity', 'Price per share', 'Fee', 'Note (optional)']);

    // A buy with nothing but its date: every message the API gives is under its field, and the
    // first of them in page order has focus.
    const { status, body } = await enter({ type: 'BUY', ticker: '', date: '2024-01-02', quantity: '', price: '' });
    assert.equal(status, 400);
    const named = Object.keys(body).filter((name) => FORM_ORDER.includes(name));
    assert.ok(named.length >= 2, `field errors for several fields: ${JSON.stringify(body)}`);
    for (const name of named) {
      const input = form.locator(`[name="${name}"]`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', name);
      const error = form.locator(`#${await input.getAttribute('id')}-error`);
      assert.equal(await seen(error), body[name].join(' '), `${name}: the API’s own words`);
    }
    const first = FORM_ORDER.find((name) => named.includes(name));
    assert.equal(await page.evaluate(() => document.activeElement?.name), first, 'the first invalid field in page order has focus');
    await assertAccessibleNames();
    await assertAxeClean();
    await shot('form-errors');
  });

  test('a buy, a sale, a split and a dividend are entered through the form', async () => {
    let answer = await enter({ type: 'BUY', ticker: 'xyz', date: '2024-01-02', quantity: '10', price: '50.00', fee: '2.00' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await txRow('BUY').waitFor();
    assert.equal(await addForm().locator('.field-error:visible').count(), 0, 'errors are cleared after a success');
    assert.equal(await addForm().getByLabel('Ticker', { exact: true }).inputValue(), '', 'ready for the next one');

    answer = await enter({ type: 'SELL', ticker: 'XYZ', date: '2024-07-01', quantity: '4', price: '58.00', fee: '1.00' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await txRow('SELL').waitFor();
    answer = await enter({ type: 'SPLIT', ticker: 'XYZ', date: '2025-01-02', ratio: '2', note: '2-for-1' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await txRow('SPLIT').waitFor();
    // Entered short of the worked ledger's 1.20, and put right below.
    answer = await enter({ type: 'DIVIDEND', ticker: 'XYZ', date: '2024-10-01', amount: '1.00' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await txRow('DIVIDEND').waitFor();
    answer = await enter({ type: 'BUY', account: 'Brokerage (USD)', ticker: 'VTI', date: '2024-03-01', quantity: '1', price: '200' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    await txRow('BUY', 'VTI').waitFor();

    // Newest first, each type's own figures in the transaction's currency (XYZ and VTI are US
    // listings: dollars), a dash where a type has none.
    assert.deepEqual(await txRows().locator('[data-col="date"]').allInnerTexts(), ['2025-01-02', '2024-10-01', '2024-07-01', '2024-03-01', '2024-01-02']);
    // Date, type, account, quantity, price, fee, amount, ratio, note (the ticker is the row's header).
    const cells = async (type, ticker) => (await txRow(type, ticker).locator('td').allInnerTexts()).slice(0, 9).map((t) => t.trim());
    assert.deepEqual(await cells('BUY', 'XYZ'), ['2024-01-02', 'Buy', 'Main', '10', '$50.00', '$2.00', '—', '—', '—']);
    assert.equal(await seen(txRow('BUY').locator('[data-col="ticker"]')), 'XYZ', 'upper-cased');
    assert.deepEqual(await cells('SELL', 'XYZ'), ['2024-07-01', 'Sell', 'Main', '4', '$58.00', '$1.00', '—', '—', '—']);
    assert.deepEqual(await cells('SPLIT', 'XYZ'), ['2025-01-02', 'Split', 'Main', '—', '—', '—', '—', '2', '2-for-1']);
    assert.deepEqual(await cells('DIVIDEND', 'XYZ'), ['2024-10-01', 'Dividend', 'Main', '—', '—', '—', '$1.00', '—', '—']);
    assert.deepEqual(await cells('BUY', 'VTI'), ['2024-03-01', 'Buy', 'Brokerage', '1', '$200.00', '$0.00', '—', '—', '—']);
    await assertNothingMissingShown();
    await assertAxeClean();
    await shot('transactions');
  });

  test('selling more than the account holds is refused beside Quantity', async () => {
    // Main holds 6 XYZ after the July sale.
    const { status, body } = await enter({ type: 'SELL', account: 'Main (USD)', ticker: 'XYZ', date: '2024-07-02', quantity: '100', price: '58.00' });
    assert.equal(status, 400);
    assert.ok(Array.isArray(body.quantity) && body.quantity.length, `a quantity error: ${JSON.stringify(body)}`);
    const quantity = addForm().getByLabel('Quantity', { exact: true });
    const error = addForm().locator(`#${await quantity.getAttribute('id')}-error`);
    await error.waitFor();
    assert.equal(await seen(error), body.quantity.join(' '));
    assert.equal(await quantity.getAttribute('aria-invalid'), 'true');
    assert.match(await quantity.getAttribute('aria-describedby'), new RegExp(`${await quantity.getAttribute('id')}-error`));
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'quantity');
    assert.equal(await txRows().count(), 5, 'nothing was added');
    await shot('over-sell');
  });

  test('a transaction is edited in place, and a delete that would leave a sale short is refused', async () => {
    await page.getByRole('button', { name: 'Edit Dividend XYZ on 2024-10-01' }).click();
    const form = page.getByTestId('edit-transaction');
    await form.waitFor();
    assert.equal(await seen(form.getByTestId('fixed-type')), 'Type\nDividend');
    assert.match(await form.getByLabel('Amount').inputValue(), /^1(\.0+)?$/, 'the API’s exact value');
    assert.equal(await form.getByLabel('Quantity').isVisible(), false);
    await assertAxeClean();
    await form.getByLabel('Amount').fill('1.20');
    const saved = page.waitForResponse(isApi(`/api/transactions/${await txRow('DIVIDEND').getAttribute('data-id')}/`, 'PATCH'));
    await form.getByRole('button', { name: 'Save changes' }).click();
    assert.equal((await saved).status(), 200);
    await form.waitFor({ state: 'detached' });
    await eventually(async () => assert.equal(await seen(txRow('DIVIDEND').locator('[data-col="amount"]')), '$1.20'));

    // Deleting the buy would leave the July sale short.
    await page.getByRole('button', { name: 'Delete Buy XYZ on 2024-01-02' }).click();
    const answered = page.waitForResponse(isApi(`/api/transactions/${await txRow('BUY').getAttribute('data-id')}/`, 'DELETE'));
    await page.getByRole('group', { name: 'Confirm deleting Buy XYZ on 2024-01-02' }).getByRole('button', { name: 'Delete' }).click();
    const response = await answered;
    assert.equal(response.status(), 400);
    const body = await response.json();
    const alert = page.getByTestId('transactions-error');
    await alert.waitFor();
    assert.equal(await seen(alert), `Could not delete the buy of XYZ on 2024-01-02: ${Object.values(body).flat().join(' ')}`);
    assert.equal(await txRow('BUY').count(), 1, 'the buy stays');
  });

  test('filters narrow the list and are kept in the address', async () => {
    const filters = page.getByTestId('transaction-filters');
    await filters.getByLabel('Type').selectOption('SELL');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => assert.equal(await txRows().count(), 1));
    assert.equal(await txRows().first().getAttribute('data-type'), 'SELL');
    assert.match(page.url(), /type=SELL/);

    await filters.getByLabel('Type').selectOption('');
    await filters.getByLabel('Ticker').fill('vti');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => assert.deepEqual(await txRows().evaluateAll((rows) => rows.map((r) => r.dataset.ticker)), ['VTI']));

    await filters.getByLabel('Ticker').fill('');
    await filters.getByLabel('From').fill('2024-06-01');
    await filters.getByLabel('To').fill('2024-12-31');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => assert.deepEqual(await txRows().locator('[data-col="date"]').allInnerTexts(), ['2024-10-01', '2024-07-01']));
    await page.reload();
    await eventually(async () => assert.equal(await txRows().count(), 2), 'the filters survive a reload');
    assert.equal(await filters.getByLabel('From').inputValue(), '2024-06-01');

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await eventually(async () => assert.equal(await txRows().count(), 5));
  });

  test('the portfolio shows the positions after the split, with realized gain and dividends', async () => {
    await nav('Portfolio').click();
    await page.waitForURL('**/portfolio');
    await position('XYZ').waitFor();
    // 10 bought for 502.00 (fee included), 4 sold: 6 left for 301.20, split 2-for-1 into 12 at
    // 25.10; quoted at 60; the sale realized 231.00 - 200.80. In dollars, the user's base
    // currency (and the listings').
    await eventually(async () => assert.equal(await seen(positionCell('XYZ', 'price')), '$60.00'));
    assert.equal(await seen(positionCell('XYZ', 'quantity')), '12');
    assert.equal(await seen(positionCell('XYZ', 'cost')), '$301.20');
    assert.equal(await seen(positionCell('XYZ', 'average-cost')), '$25.10');
    assert.equal(await seen(positionCell('XYZ', 'value')), '$720.00');
    assert.equal(await seen(positionCell('XYZ', 'unrealized')), '+$418.80');
    assert.equal(await seen(positionCell('XYZ', 'realized')), '+$30.20');
    assert.equal(await seen(positionCell('XYZ', 'dividends')), '$1.20');
    assert.equal(await seen(positionCell('VTI', 'quantity')), '1');
    assert.equal(await seen(positionCell('VTI', 'value')), '$250.50');
    // All accounts together.
    assert.equal(await seen(page.getByTestId('total-cost')), '$501.20');
    assert.equal(await seen(page.getByTestId('total-value')), '$970.50');
    assert.equal(await seen(page.getByTestId('total-unrealized')), '+$469.30');
    assert.equal(await seen(page.getByTestId('total-realized')), '+$30.20');
    assert.equal(await seen(page.getByTestId('total-dividends')), '$1.20');
    assert.equal(await seen(page.getByTestId('report-currency-note')), 'Amounts are in US Dollar (USD). Change the report currency.');
    await assertNothingMissingShown();
    await assertAccessibleNames();
    await assertAxeClean();
    await shot('portfolio-all');

    await chooseAccount('Main (USD)');
    await page.waitForURL(`**/portfolio?account=${ids.main}`);
    await eventually(async () => assert.deepEqual(await page.getByTestId('position-row').evaluateAll((rows) => rows.map((r) => r.dataset.ticker)), ['XYZ']));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'account-select', 'focus stays on the choice');
    assert.equal(await seen(page.getByTestId('total-cost')), '$301.20');
    assert.equal(await seen(page.getByTestId('total-value')), '$720.00');

    // The choice follows to the other ledger pages.
    await nav('Transactions').click();
    await page.waitForURL(`**/transactions?account=${ids.main}`);
    await eventually(async () => assert.equal(await txRows().count(), 4));
    assert.equal(await txRow('BUY', 'VTI').count(), 0);
  });

  test('without a quote the market figures read as a dash', async () => {
    stack.finnhub.refuseQuotes = true;
    try {
      await sleep(1500);
      await nav('Portfolio').click();
      await position('XYZ').waitFor();
      await page.getByTestId('quotes-note').filter({ hasText: 'not available' }).waitFor();
      for (const column of ['price', 'value', 'unrealized']) assert.equal(await seen(positionCell('XYZ', column)), '—', column);
      assert.equal(await seen(positionCell('XYZ', 'quantity')), '12', 'the rest is still answered');
      assert.equal(await seen(positionCell('XYZ', 'realized')), '+$30.20');
      assert.equal(await seen(positionCell('XYZ', 'dividends')), '$1.20');
      await assertNothingMissingShown();
      await shot('portfolio-no-quotes');
    } finally {
      stack.finnhub.refuseQuotes = false;
    }
  });

  test('the realized page lists the lot sold, by year, with totals', async () => {
    await nav('Realized gains').click();
    await page.waitForURL(`**/realized?account=${ids.main}`);
    const table = page.getByTestId('realized-table');
    await table.waitFor();
    assert.deepEqual(await page.getByLabel('Year sold').locator('option').allTextContents(), ['All years', '2024']);
    await page.getByLabel('Year sold').selectOption('2024');
    await page.waitForURL(/year=2024/);
    await eventually(async () => assert.match(await seen(page.getByTestId('realized').locator('caption')), /^Sold in 2024/));
    const lot = page.locator('[data-testid="realized-row"][data-ticker="XYZ"]');
    assert.equal(await lot.count(), 1);
    const read = (column) => seen(lot.locator(`[data-col="${column}"]`));
    assert.equal(await read('quantity'), '4');
    assert.equal(await read('bought'), '2024-01-02');
    assert.equal(await read('sold'), '2024-07-01');
    assert.equal(await read('cost'), '$200.80');
    assert.equal(await read('proceeds'), '$231.00');
    assert.equal(await read('gain'), '+$30.20');
    assert.equal(await read('term'), 'Short term');
    assert.equal(await seen(page.getByTestId('realized-total-cost')), '$200.80');
    assert.equal(await seen(page.getByTestId('realized-total-proceeds')), '$231.00');
    assert.equal(await seen(page.getByTestId('realized-total-gain')), '+$30.20');
    await assertNothingMissingShown();
    await assertAccessibleNames();
    await assertAxeClean();
    await shot('realized');
  });

  test('the performance page gives the worked ledger’s TWR, MWR and benchmark return', async () => {
    await nav('Performance').click();
    await page.waitForURL(`**/performance?account=${ids.main}`);
    await page.getByTestId('twr').waitFor();
    const controls = page.getByTestId('performance-controls');
    await controls.getByLabel('From').fill('2024-01-02');
    await controls.getByLabel('To').fill('2024-12-31');
    assert.equal(await controls.getByLabel('Range').inputValue(), 'custom', 'typing a date picks dates of one’s own');
    await controls.getByRole('button', { name: 'Show these dates' }).click();
    await page.waitForURL(/range=custom&from=2024-01-02&to=2024-12-31/);
    await eventually(async () => assert.equal(await seen(page.getByTestId('performance-dates')), 'From 2024-01-02 to 2024-12-31.'));
    // shared/ledger-example.md: TWR 19.7578%, MWR 23.1056%, SPY 480/400 - 1.
    assert.equal(await seen(page.getByTestId('twr')), '+19.76%');
    assert.equal(await seen(page.getByTestId('mwr')), '+23.11%');
    assert.equal(await seen(page.getByTestId('benchmark-twr')), '+20.00%');
    const figures = await seen(page.getByTestId('performance-figures'));
    assert.match(figures, /Time-weighted return\n\+19\.76%/);
    assert.match(figures, /Money-weighted return, a year\n\+23\.11%/);
    assert.match(figures, /SPY over the same dates\n\+20\.00%/);
    assert.equal(await seen(page.getByTestId('end-value')), '$360.00');
    assert.equal(await seen(page.getByTestId('invested')), '$502.00');
    assert.equal(await seen(page.getByTestId('withdrawn')), '$232.20');
    assert.match(await page.getByTestId('performance-chart').locator('path[data-line="value"]').getAttribute('d'), /^M[\d.]+,[\d.]+ L/);
    await page.getByText('The numbers, day by day').click();
    assert.ok((await page.getByTestId('performance-table').locator('tbody tr').count()) >= 2);
    await assertNothingMissingShown();
    await assertAccessibleNames();
    await assertAxeClean();
    await shot('performance');

    // A preset counts back from today; "since the first transaction" starts at the buy.
    await controls.getByLabel('Range').selectOption('max');
    await page.waitForURL(/range=max/);
    await eventually(async () => assert.equal(await controls.getByLabel('From').inputValue(), '2024-01-02'));
    await page.getByTestId('performance-figures').waitFor();
    assert.match(await seen(page.getByTestId('twr')), /^([+-]?[\d,]+\.\d{2}%|—)$/);
    await controls.getByLabel('Benchmark').selectOption('VTI');
    await page.waitForURL(/benchmark=VTI/);
    await page.getByTestId('performance-figures').getByText('VTI over the same dates').waitFor();
    await assertNothingMissingShown();

    // The old address still leads here.
    await page.goto('/history');
    await page.waitForURL('**/performance**');
    await page.getByTestId('performance-figures').waitFor();
  });

  test('an account that holds transactions cannot be deleted, an empty one can', async () => {
    await nav('Accounts').click();
    await page.waitForURL('**/accounts');
    await page.getByRole('button', { name: 'Delete Brokerage' }).click();
    const answered = page.waitForResponse(isApi(`/api/accounts/${ids.broker}/`, 'DELETE'));
    await page.getByRole('group', { name: 'Confirm deleting the account Brokerage' }).getByRole('button', { name: 'Delete' }).click();
    const response = await answered;
    assert.equal(response.status(), 409);
    const { detail } = await response.json();
    const alert = page.getByTestId('accounts-error');
    await alert.waitFor();
    assert.equal(await seen(alert), `Could not delete Brokerage: ${detail}`);
    assert.equal(await page.getByRole('alert').filter({ hasText: detail }).count(), 1, 'announced as an alert');
    assert.equal(await page.locator('[data-testid="account-row"][data-name="Brokerage"]').count(), 1);
    await assertAxeClean();
    await shot('account-409');

    // Empty it (its VTI buy), then it goes.
    await page.goto(`/transactions?account=${ids.broker}`);
    await txRow('BUY', 'VTI').waitFor();
    await page.getByRole('button', { name: 'Delete Buy VTI on 2024-03-01' }).click();
    await page.getByRole('group', { name: 'Confirm deleting Buy VTI on 2024-03-01' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('no-transactions').waitFor();
    await nav('Accounts').click();
    await page.getByRole('button', { name: 'Delete Brokerage' }).click();
    await page.getByRole('group', { name: 'Confirm deleting the account Brokerage' }).getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-testid="account-row"][data-name="Brokerage"]').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('accounts-error').isVisible(), false);
    // The deleted account was the one shown: the ledger pages fall back to all accounts.
    await nav('Portfolio').click();
    await page.waitForURL((url) => url.pathname === '/portfolio' && !url.searchParams.has('account'));
    await position('XYZ').waitFor();
    assert.equal(await page.getByLabel('Show account').evaluate((el) => el.selectedOptions[0]?.textContent), 'All accounts');
  });

  test('at phone width the ledger pages fit the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [path, ready] of [
        ['/portfolio', '[data-testid="positions-table"]'],
        ['/transactions', '[data-testid="transactions-table"]'],
        ['/realized', '[data-testid="realized-table"]'],
        ['/performance?range=max', '[data-testid="performance-chart"]'],
        ['/accounts', '[data-testid="accounts-table"]'],
      ]) {
        await page.goto(path);
        await page.locator(ready).waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
        await assertNothingMissingShown();
        await shot(`${path.slice(1).split('?')[0]}-phone`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('no script errors along the way', () => {
    assert.deepEqual(problems, []);
  });
});
