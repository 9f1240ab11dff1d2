// What a person sees on every page, logged out and logged in, on a desktop and on a phone: the
// visible text (innerText, as rendered) never shows a value that went missing on the way to
// the screen — "null", "undefined", "NaN", "[object Object]", "Invalid Date" — and axe-core
// finds nothing on the page as it stands.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './lib/axe.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { ARTIFACTS, call, startStack } from './lib/stack.mjs';

const PRICES = { VTI: '250.5', AAPL: '190.25' };
const USER = { username: `mia-${Date.now().toString(36)}`, password: 'first-look-horse-battery' };

// What a page must never show in place of a value.
const JUNK = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|Invalid Date/;

const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
};

const GUEST_PAGES = ['/login', '/register', '/login?next=%2Fperformance', '/no-such-page'];
const USER_PAGES = ['/portfolio', '/transactions', '/realized', '/performance', '/allocation', '/accounts', '/watchlist', '/wallstreet', '/no-such-page'];

describe('the first look at every page', { concurrency: false }, () => {
  let stack;
  let browser;

  before(async () => {
    stack = await startStack({ prices: PRICES, logPrefix: 'first-look-' });
    browser = await launchBrowser();
    // A ledger with a sale and a dividend, so the pages show figures, not only empty states.
    await call(stack.baseURL, 'POST', '/api/users/', { body: USER });
    const { access } = await call(stack.baseURL, 'POST', '/api/token/', { body: USER });
    const add = (body) => call(stack.baseURL, 'POST', '/api/transactions/', { token: access, body });
    await add({ type: 'BUY', ticker: 'VTI', date: '2024-01-02', quantity: '10', price: '230.00', fee: '1.00' });
    await add({ type: 'BUY', ticker: 'AAPL', date: '2024-02-01', quantity: '5', price: '185.00' });
    await add({ type: 'SELL', ticker: 'AAPL', date: '2024-06-03', quantity: '2', price: '194.00' });
    await add({ type: 'DIVIDEND', ticker: 'VTI', date: '2024-03-28', amount: '9.10' });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`on a ${size}`, { concurrency: false }, () => {
      let page;
      const problems = [];

      before(async () => {
        const context = await browser.newContext({ baseURL: stack.baseURL, viewport, locale: 'en-US', timezoneId: 'America/New_York', reducedMotion: 'reduce' });
        page = await context.newPage();
        page.setDefaultTimeout(10_000);
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      });

      // Opens `path` and waits until the page has stopped loading what it shows.
      async function open(path) {
        await page.goto(path);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      }

      async function assertReadable(path) {
        const shown = await page.locator('body').innerText();
        const junk = shown.split('\n').filter((line) => JUNK.test(line));
        if (junk.length) await page.screenshot({ path: join(ARTIFACTS, `first-look-${size}-${path.replace(/\W+/g, '_')}.png`), fullPage: true });
        assert.deepEqual(junk, [], `${path} on a ${size} shows ${JSON.stringify(junk)}`);
        assert.deepEqual(await axeViolations(page), [], `${path} on a ${size}`);
      }

      test('logged out', async () => {
        for (const path of GUEST_PAGES) {
          await open(path);
          await assertReadable(path);
        }
      });

      test('logged in', async () => {
        await open('/login');
        await page.getByLabel('Username').fill(USER.username);
        await page.getByLabel('Password').fill(USER.password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForURL('**/portfolio');
        for (const path of USER_PAGES) {
          await open(path);
          await assertReadable(path);
        }
        assert.deepEqual(problems, []);
      });
    });
  }
});
