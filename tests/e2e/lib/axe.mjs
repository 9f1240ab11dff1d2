// axe-core's automated accessibility rules (WCAG 2.1 A and AA) run in the page as it stands.
// The script goes in through the DevTools protocol, which the page's Content-Security-Policy
// does not govern, so the page is tested with its real policy in force.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Every violation as "rule: the elements", so a failed assertion says what to fix.
export async function axeViolations(page) {
  await page.evaluate(source);
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  });
}
