// Debian's Chromium through playwright-core (from ui/node_modules: no new dependency), one
// 1280x800 page that records its uncaught errors and console errors, and screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from '../../ui/node_modules/playwright-core/index.mjs';
import { REPO } from './aimass_server.mjs';

export const ARTIFACTS = resolve(process.env.AIMASS_UI_ARTIFACTS || join(REPO, 'build', 'ui-artifacts'));
export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 420, height: 800 };

export class Browser {
  async start({ baseURL }) {
    mkdirSync(ARTIFACTS, { recursive: true });
    this.browser = await chromium.launch({
      executablePath: process.env.AIMASS_CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    this.context = await this.browser.newContext({ viewport: WIDE, baseURL });
    this.context.setDefaultTimeout(15_000);
    this.context.setDefaultNavigationTimeout(60_000);
    this.page = await this.context.newPage();
    this.pageErrors = []; // uncaught exceptions and CSP refusals: each one fails the test
    this.consoleErrors = []; // console.error lines: reported only
    this.failedRequests = []; // answers with status >= 400 (a 401 before signing in is normal): reported only
    this.page.on('pageerror', (error) => this.pageErrors.push(`${this.page.url()}: ${error.stack || error.message}`));
    this.page.on('response', (response) => {
      if (response.status() >= 400) this.failedRequests.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    this.page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (/^Failed to load resource/.test(message.text())) return; // in failedRequests, with its URL
      const line = `${this.page.url()}: ${message.text()}`;
      // Something the server's Content-Security-Policy refused is broken: count it as an error.
      if (/Content Security Policy/i.test(message.text())) this.pageErrors.push(line);
      else this.consoleErrors.push(line);
    });
    return this;
  }

  // What axe-core (from ui/node_modules) finds against WCAG 2 level A on the page now: a
  // control without a label, a button or link without a name, bad ARIA, duplicate ids...
  // One line per rule broken, naming the first element; [] when none.
  async accessibilityProblems(page = this.page) {
    this.axeSource ??= readFileSync(join(REPO, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    // evaluate() runs through the DevTools protocol, which the page's CSP does not govern.
    if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(this.axeSource);
    const violations = await page.evaluate(() =>
      window.axe
        .run(document, { runOnly: { type: 'tag', values: ['wcag2a'] }, resultTypes: ['violations'] })
        .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, count: v.nodes.length, first: v.nodes[0]?.html ?? '' }))),
    );
    return violations.map((v) => `${v.id}: ${v.help} (${v.count}×, e.g. ${v.first.slice(0, 160)})`);
  }

  // Writes ARTIFACTS/<name>.png (the whole page) and returns its path.
  async screenshot(name, page = this.page) {
    const path = join(ARTIFACTS, name.replace(/[^A-Za-z0-9_.-]+/g, '-') + '.png');
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  // The uncaught errors since the last call (and forgets them).
  takePageErrors() {
    return this.pageErrors.splice(0);
  }

  // What the page shows, for a failure message: the URL, the headings, every role=alert text.
  async describe(page = this.page) {
    try {
      const alerts = await page.getByRole('alert').allInnerTexts();
      const headings = await page.locator('h1, h2').allInnerTexts();
      const where = (await page.locator('main').count()) ? page.locator('main').first() : page.locator('body');
      const main = (await where.innerText({ timeout: 2000 })).slice(0, 1500);
      return [
        `page: ${page.url()}`,
        `headings: ${JSON.stringify(headings)}`,
        `alerts: ${alerts.length ? JSON.stringify(alerts) : '(none)'}`,
        `text: ${JSON.stringify(main)}`,
      ].join('\n');
    } catch (e) {
      return `page: ${page.url()} (could not read it: ${e.message})`;
    }
  }

  async close() {
    await this.browser?.close();
  }
}

export async function startBrowser(options) {
  return new Browser().start(options);
}
