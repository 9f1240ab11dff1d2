// The pictures in the README: the main pages of a lived-in app (the database `api demo-data`
// writes, served by the real api and proxy), as a person sees them on a desktop, on a phone and
// in the dark scheme, written to docs/screenshots/. Each page is first read as a person would:
// the demo's figures are on screen and nothing shows a value that went missing.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from './lib/browser.mjs';
import { ARTIFACTS, REPO, startStack } from './lib/stack.mjs';

const SHOTS = join(REPO, 'docs/screenshots');
const DEMO = { username: 'demo', password: 'demo-screenshots-horse' };

// Live quotes at the demo's last closes (crates/api/src/commands/demo_data/market.rs), so the
// stub agrees with the stored history.
const PRICES = { ACME: '182.40', WIDG: '48.75', GLBX: '96.10', BOLT: '23.80', NOVA: '311.00', SPY: '598.20' };

const JUNK = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]|Invalid Date/;

// What each page must show of the demo before its picture is taken: the ledger's positions
// (ACME 40 + 20 − 25 shares, WIDG 30 split 4-for-1), the accounts, the game's players.
const PAGES = {
  portfolio: { path: '/portfolio', shows: [/ACME/, /WIDG/, /\b120\b/, /\b35\b/] },
  allocation: { path: '/allocation', shows: [/GLBX/, /NOVA/, /%/] },
  performance: { path: '/performance', shows: [/SPY/, /%/] },
  wallstreet: { path: '/wallstreet', shows: [/\bada\b/, /\bgrace\b/, /NOVA/] },
};

// Which pictures, in which setting.
const VARIANTS = [
  { suffix: '', viewport: { width: 1280, height: 860 }, colorScheme: 'light', pages: ['portfolio', 'allocation', 'performance', 'wallstreet'] },
  { suffix: '-dark', viewport: { width: 1280, height: 860 }, colorScheme: 'dark', pages: ['portfolio', 'performance'] },
  { suffix: '-phone', viewport: { width: 390, height: 844 }, colorScheme: 'light', pages: ['portfolio', 'wallstreet'] },
];

describe('the README’s screenshots, from the demo database', { concurrency: false }, () => {
  let stack;
  let browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ prices: PRICES, demoPassword: DEMO.password, logPrefix: 'screenshots-' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const variant of VARIANTS) {
    test(`${variant.pages.join(', ')} at ${variant.viewport.width}px, ${variant.colorScheme}`, async () => {
      const context = await browser.newContext({
        baseURL: stack.baseURL,
        viewport: variant.viewport,
        colorScheme: variant.colorScheme,
        locale: 'en-US',
        timezoneId: 'America/New_York',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

      await page.goto('/login');
      await page.getByLabel('Username').fill(DEMO.username);
      await page.getByLabel('Password').fill(DEMO.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL('**/portfolio');

      for (const name of variant.pages) {
        const { path, shows } = PAGES[name];
        await page.goto(path);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        const shown = await page.locator('main').innerText();
        const where = `${path}${variant.suffix}`;
        try {
          assert.deepEqual(shown.split('\n').filter((line) => JUNK.test(line)), [], `${where} shows a missing value`);
          for (const figure of shows) assert.match(shown, figure, `${where} does not show ${figure}`);
        } catch (error) {
          await page.screenshot({ path: join(ARTIFACTS, `screenshots-${name}${variant.suffix}.png`), fullPage: true });
          throw error;
        }
        await page.screenshot({ path: join(SHOTS, `${name}${variant.suffix}.png`) });
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
