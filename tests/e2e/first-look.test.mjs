// What a person sees on every page, logged out and logged in, on a desktop and on a phone, in
// the light and the dark colour scheme: the visible text (innerText, as rendered) never shows a
// value that went missing on the way to the screen — "null", "undefined", "NaN",
// "[object Object]", "Invalid Date" —, every piece of text has a contrast of at least 4.5:1
// against what is behind it (computed here from the rendered colours), the focus ring 3:1,
// and axe-core finds nothing on the page as it stands.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './lib/axe.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { contrastProblems } from './lib/contrast.mjs';
import { ARTIFACTS, call, startStack } from './lib/stack.mjs';

const PRICES = { VTI: '250.5', AAPL: '190.25' };
const USER = { username: `mia-${Date.now().toString(36)}`, password: 'first-look-horse-battery' };

// What a page must never show in place of a value.
const JUNK = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|Invalid Date/;

const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
};

const SCHEMES = ['light', 'dark'];

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

  for (const [size, viewport] of Object.entries(VIEWPORTS)) for (const scheme of SCHEMES) {
    describe(`on a ${size}, ${scheme}`, { concurrency: false }, () => {
      let page;
      const problems = [];

      before(async () => {
        const context = await browser.newContext({ baseURL: stack.baseURL, viewport, colorScheme: scheme, locale: 'en-US', timezoneId: 'America/New_York', reducedMotion: 'reduce' });
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
        const where = `${path} on a ${size}, ${scheme}`;
        const lowContrast = await page.evaluate(contrastProblems, 4.5);
        if (junk.length || lowContrast.length) await page.screenshot({ path: join(ARTIFACTS, `first-look-${size}-${scheme}-${path.replace(/\W+/g, '_')}.png`), fullPage: true });
        assert.deepEqual(junk, [], `${where} shows ${JSON.stringify(junk)}`);
        assert.deepEqual(lowContrast, [], where);
        assert.deepEqual(await axeViolations(page), [], where);
      }

      test('logged out', async () => {
        for (const path of GUEST_PAGES) {
          await open(path);
          await assertReadable(path);
        }
        // The focus ring, on a field of the login card.
        await open('/login');
        await page.getByLabel('Password').focus();
        await assertReadable('/login, Password focused');
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

  // Swagger UI, our own page of the API's documentation: axe-core finds nothing there either.
  test('the API documentation page', async () => {
    const context = await browser.newContext({ baseURL: stack.baseURL, viewport: VIEWPORTS.desktop, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto('/api/docs');
    await page.locator('.swagger-ui .opblock-tag').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await axeViolations(page), []);
    // One operation opened, as a reader would.
    await page.locator('.opblock-summary-control').first().click();
    await page.locator('.opblock-body').first().waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test('the header’s toggle picks the other scheme, and the choice is remembered', async () => {
    const context = await browser.newContext({ baseURL: stack.baseURL, colorScheme: 'light' });
    const page = await context.newPage();
    const scheme = () => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await page.goto('/login');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal(await scheme(), 'light dark');
    const lightPage = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await scheme(), 'dark');
    const darkPage = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.notEqual(darkPage, lightPage);
    await page.reload();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), darkPage);
    await toggle.click();
    assert.equal(await scheme(), 'light');
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), lightPage);
    await context.close();
  });
});
