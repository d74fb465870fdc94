// The web console end to end, in a real browser against the real server: sign in, upload a
// dataset, look at its statistics, train a model, deploy it, predict from the page and check
// the API answers the same, visit the other areas at two widths, and check the first load's
// size and caching. Each step is a subtest; a step whose prerequisite failed is skipped.
// Run: AIMASS_BIN=build/aimass AIMASS_UI_DIR=build/ui node --test tests/ui/   (see README.md)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DATASETS, readCsvHead, startServer, waitUntil } from './aimass_server.mjs';
import { ARTIFACTS, NARROW, WIDE, startBrowser } from './browser.mjs';

const CSV = join(DATASETS, 'credit_data.csv');
const TARGET = 'Status'; // credit_data.csv's label column ("good"/"bad")
const PASSWORD = 'correct horse battery';
const MODEL = 'credit_risk';
const ENDPOINT = 'credit-web';
const KB = 1000;

let server;
let browser;
let page;
const passed = new Set(); // the steps that passed
const shots = []; // screenshot paths, listed at the end

const csv = readCsvHead(CSV, 3);
// The columns whose first rows are all numbers (they get histograms).
const numericColumns = csv.columns.filter((_, i) => csv.rows.every((row) => row[i] !== '' && !Number.isNaN(Number(row[i]))));

const accessibility = []; // {page, problems} for every page screenshotted

// A screenshot of the page, and axe-core's WCAG 2 A check of it (step 9 asserts them).
async function shot(name) {
  const path = await browser.screenshot(name);
  shots.push(path);
  accessibility.push({ page: `${name} (${page.url()})`, problems: await browser.accessibilityProblems(page) });
  return path;
}

// The API requests the page sends in `ms` while nobody touches it.
async function requestsWhileIdle(ms) {
  const seen = [];
  const listener = (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) seen.push(request.url());
  };
  page.on('request', listener);
  await page.waitForTimeout(ms);
  page.off('request', listener);
  return seen;
}

// A subtest that runs only when the steps it needs passed, fails on any uncaught page error,
// and on failure says what the page showed (URL, headings, role=alert texts, a screenshot).
function step(id, title, { needs = [], timeoutMs = 120_000 }, body) {
  it(`${id}. ${title}`, { timeout: timeoutMs }, async (t) => {
    const missing = needs.filter((n) => !passed.has(n));
    if (missing.length) {
      t.skip(`needs step ${missing.join(', ')}, which did not pass`);
      return;
    }
    browser.takePageErrors();
    try {
      await body(t);
    } catch (error) {
      const shown = await browser.describe(page);
      const path = await browser.screenshot(`failed-step-${id}`).catch(() => '(no screenshot)');
      const errors = browser.takePageErrors();
      const text = String(error?.message ?? error).replace(/\x1b\[[0-9;]*m/g, '');
      const wrapped = new Error(
        `${text}\n--- what the page showed (screenshot ${path}) ---\n${shown}` + (errors.length ? `\nuncaught page errors:\n${errors.join('\n')}` : ''),
      );
      const frames = String(error?.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
      wrapped.stack = `${error?.name ?? 'Error'}: ${wrapped.message}\n${frames.join('\n')}`;
      throw wrapped;
    }
    assert.deepEqual(browser.takePageErrors(), [], 'the page threw uncaught errors');
    passed.add(id);
  });
}

// Picks the <option> whose text (or value) matches `pattern`, once the select offers one.
async function selectMatching(select, pattern, what) {
  const options = () => select.locator('option').evaluateAll((all) => all.map((o) => ({ value: o.value, text: (o.textContent || '').trim() })));
  const found = await waitUntil(async () => (await options()).find((o) => pattern.test(o.text) || pattern.test(o.value)), {
    timeoutMs: 20_000,
    what: `an option matching ${pattern} in ${what}`,
  }).catch(async (e) => {
    throw new Error(`${e.message}; it offers ${JSON.stringify(await options().catch(() => []))}`);
  });
  await select.selectOption({ value: found.value });
  return found;
}

// The nearest section-like ancestor of a heading (or the page when there is none).
async function sectionOf(heading) {
  const section = heading.locator('xpath=ancestor::*[self::section or self::article or self::form or @role="region"][1]');
  return (await section.count()) ? section : page.locator('body');
}

async function settled() {
  // The lazily loaded area and its first answers: wait for its heading, then for the
  // "Loading…" placeholders to go (best effort: the steps check what they need).
  await page.locator('main h1').first().waitFor({ timeout: 30_000 }).catch(() => {});
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
}

describe('aimass web console', () => {
  before(async () => {
    server = await startServer();
    browser = await startBrowser({ baseURL: server.uiUrl });
    page = browser.page;
    console.log(`server ${server.url}, console at ${server.uiUrl}, screenshots in ${ARTIFACTS}`);
  });

  after(async () => {
    if (browser?.failedRequests.length) console.log(`requests that failed:\n  ${browser.failedRequests.slice(0, 30).join('\n  ')}`);
    if (browser?.consoleErrors.length) console.log(`console errors seen:\n  ${browser.consoleErrors.slice(0, 30).join('\n  ')}`);
    if (shots.length) console.log(`screenshots:\n  ${shots.join('\n  ')}`);
    try {
      if (server) writeFileSync(join(ARTIFACTS, 'server.log'), server.output());
    } catch {
      // the artifacts folder is optional
    }
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  step(1, 'sign in with a password', { timeoutMs: 90_000 }, async () => {
    await server.api('POST', '/api/v1/users', { name: 'ana', admin: true, password: PASSWORD }, { expect: 201 });
    await page.goto('/');
    await page.getByLabel('User', { exact: true }).waitFor({ timeout: 45_000 });
    assert.match(new URL(page.url()).pathname, /^\/signin$/, 'a signed-out visit to / goes to the sign-in page');
    await shot('01-signin');
    await page.getByLabel('User', { exact: true }).fill('ana');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/datasets', { timeout: 20_000 });
    await page.getByRole('heading', { name: /datasets/i }).first().waitFor({ timeout: 30_000 });
    await settled();
    await shot('01-datasets');
  });

  step(2, 'upload credit_data.csv as "credit"', { needs: [1], timeoutMs: 120_000 }, async () => {
    const bar = page.getByRole('progressbar', { name: 'Upload progress' });
    // The bar may show only briefly: record whether it was ever in the page.
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__sawUploadBar = false;
      const look = () => {
        if (document.querySelector('[role="progressbar"][aria-label="Upload progress"]')) w.__sawUploadBar = true;
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
      look();
    });
    await page.getByLabel('File', { exact: true }).setInputFiles(CSV);
    await page.getByLabel('Dataset name', { exact: true }).fill('credit');
    await shot('02-upload-form');
    const barShown = bar.waitFor({ state: 'attached', timeout: 30_000 }).then(
      () => true,
      () => false,
    );
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/datasets/credit', { timeout: 90_000 });
    const sawBar = (await barShown) || (await page.evaluate(() => /** @type {any} */ (window).__sawUploadBar));
    assert.ok(sawBar, 'an "Upload progress" bar was shown during the upload');
    await settled();
    const versions = (await server.api('GET', '/api/v1/datasets/credit')).versions;
    assert.equal(versions?.[0]?.row_count, 4454, 'the server holds credit@1 with every row');
    for (const tab of ['Preview', 'Statistics', 'Schema', 'Transform', 'Lineage']) {
      await page.getByRole('tab', { name: tab, exact: true }).waitFor({ timeout: 20_000 });
    }
    await shot('02-dataset-credit');
  });

  step(3, 'the Statistics tab shows a section per column with histograms', { needs: [2], timeoutMs: 90_000 }, async () => {
    assert.ok(numericColumns.length > 0, 'credit_data.csv has numeric columns');
    const column = numericColumns[0];
    await page.getByRole('tab', { name: 'Statistics', exact: true }).click();
    const heading = page.getByRole('heading', { level: 3, name: column, exact: true });
    await heading.waitFor({ timeout: 45_000 });
    const section = await sectionOf(heading);
    const figure = section.locator('figure, [role="figure"], [role="img"], svg, canvas').first();
    await figure.waitFor({ timeout: 20_000 });
    const box = await figure.boundingBox();
    assert.ok(box && box.width > 20 && box.height > 20, `the ${column} histogram has a visible size (${JSON.stringify(box)})`);
    const shown = await page.getByRole('heading', { level: 3 }).allInnerTexts();
    const lacking = csv.columns.filter((c) => !shown.map((s) => s.trim()).includes(c));
    assert.deepEqual(lacking, [], `every column has a section; headings shown: ${JSON.stringify(shown)}`);
    await heading.scrollIntoViewIfNeeded();
    await shot('03-statistics');
  });

  let jobId;
  step(4, 'train a model on /training and open it', { needs: [2], timeoutMs: 200_000 }, async () => {
    await page.goto('/training');
    await settled();
    await selectMatching(page.getByLabel('Dataset', { exact: true }), /^credit(@\d+)?(\b|$)/, 'Dataset');
    await selectMatching(page.getByLabel('Target', { exact: true }), new RegExp(`^${TARGET}\\b`), 'Target');
    await page.getByLabel('Budget (seconds)', { exact: true }).fill('30');
    await page.getByLabel('Register as', { exact: true }).fill(MODEL);
    await shot('04-training-form');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await page.waitForURL((url) => /^\/training\/\d+$/.test(url.pathname), { timeout: 30_000 });
    jobId = Number(new URL(page.url()).pathname.split('/').pop());
    const spec = (await server.job(jobId)).params;
    assert.equal(spec?.target, TARGET, `the job trains on ${TARGET}: ${JSON.stringify(spec)}`);

    const rows = page.getByRole('table', { name: 'Leaderboard' }).getByRole('row').filter({ has: page.getByRole('cell') });
    await waitUntil(async () => (await rows.count()) >= 1, { timeoutMs: 120_000, intervalMs: 1000, what: 'a row in the Leaderboard table' });
    await shot('04-training-running');
    const job = await server.waitJob(jobId, { timeoutMs: 120_000 });
    assert.equal(job.state, 'succeeded', `training job ${jobId}: ${job.error ?? ''}`);
    const open = page.getByRole('link', { name: `Open model ${MODEL}@1`, exact: true });
    await open.waitFor({ timeout: 30_000 });
    await page.getByText('Score over time').first().waitFor({ timeout: 10_000 });
    await page.getByText('succeeded').first().waitFor({ timeout: 10_000 });
    await shot('04-training-done');
    await open.click();
    await page.waitForURL((url) => url.pathname === `/models/${MODEL}` && url.searchParams.get('version') === '1', { timeout: 20_000 });
    await settled();
    await shot('04-model');
  });

  step(5, 'deploy the model as endpoint "credit-web"', { needs: [4], timeoutMs: 120_000 }, async () => {
    await page.getByLabel('Endpoint name', { exact: true }).fill(ENDPOINT);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/endpoints/${ENDPOINT}`, { timeout: 30_000 });
    const endpoint = await waitUntil(
      async () => {
        const e = await server.api('GET', `/api/v1/endpoints/${ENDPOINT}`);
        return e.state === 'ready' && e;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `endpoint ${ENDPOINT} to be ready` },
    );
    assert.equal(endpoint.model, `${MODEL}@1`, 'the endpoint serves the version the model page showed');
    await page.getByRole('heading', { level: 1, name: new RegExp(ENDPOINT) }).waitFor({ timeout: 30_000 });
    await settled();
    await page.getByText('ready', { exact: true }).first().waitFor({ timeout: 30_000 });
    await shot('05-endpoint');
  });

  step(6, '"Try it" predicts what the API predicts', { needs: [5], timeoutMs: 120_000 }, async () => {
    const tryIt = await sectionOf(page.getByRole('heading', { name: 'Try it', exact: true }));
    const meta = await server.api('GET', `/v2/models/${ENDPOINT}`);
    const inputs = meta.inputs ?? [];
    assert.ok(inputs.length > 0, `/v2/models/${ENDPOINT} lists the model's inputs`);
    await tryIt.getByRole('button', { name: 'Fill from dataset', exact: true }).click();
    const first = tryIt.getByLabel(inputs[0].name, { exact: true });
    await waitUntil(async () => (await first.inputValue()) !== '', { timeoutMs: 30_000, what: `"Fill from dataset" to fill ${inputs[0].name}` });

    // The record as the form holds it, typed as the model metadata says.
    const record = {};
    for (const input of inputs) {
      const text = (await tryIt.getByLabel(input.name, { exact: true }).inputValue()).trim();
      if (text === '') record[input.name] = null;
      else if (input.datatype === 'BYTES') record[input.name] = text;
      else if (input.datatype === 'BOOL') record[input.name] = /^(true|1)$/i.test(text);
      else record[input.name] = Number(text);
    }

    const isPredict = (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/endpoints/${ENDPOINT}/predict`;
    const answered = page.waitForResponse(isPredict, { timeout: 30_000 });
    await tryIt.getByRole('button', { name: 'Predict', exact: true }).click();
    const response = await answered;
    assert.equal(response.status(), 200, `the page's prediction request: ${await response.text()}`);
    assert.deepEqual(response.request().postDataJSON()?.instances, [record], 'the page sends the form as one typed record');
    const pageAnswer = await response.json();

    const result = page.getByLabel('Prediction result');
    await waitUntil(async () => /prediction:/.test(await result.innerText()), { timeoutMs: 20_000, what: 'the "Prediction result"' });
    const shown = (await result.innerText()).trim();
    await result.scrollIntoViewIfNeeded();
    await shot('06-try-it');

    const api = (await server.api('POST', `/api/v1/endpoints/${ENDPOINT}/predict`, { instances: [record] })).predictions[0];
    const label = /prediction:\s*(\S+)/.exec(shown)?.[1];
    assert.equal(label, String(api.prediction), `the page shows the API's prediction; it shows ${JSON.stringify(shown)}`);
    assert.equal(String(pageAnswer.predictions[0].prediction), String(api.prediction));
    const classes = Object.keys(api.probabilities ?? {});
    assert.ok(classes.length >= 2, `a classifier answers probabilities: ${JSON.stringify(api)}`);
    const rest = shown.slice(shown.indexOf(label) + label.length);
    for (const c of classes) {
      const want = api.probabilities[c];
      assert.ok(Math.abs(pageAnswer.predictions[0].probabilities[c] - want) <= 1e-6, `P(${c}): the page got ${pageAnswer.predictions[0].probabilities[c]}, the API ${want}`);
      // The number the page shows for the class, at the precision it shows.
      const m = new RegExp(`${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^0-9]{0,40}?([0-9]+(?:\\.([0-9]+))?)\\s*(%?)`).exec(rest);
      assert.ok(m, `the result shows a probability for ${c}: ${JSON.stringify(shown)}`);
      const scale = m[3] === '%' ? 100 : 1;
      const decimals = m[2]?.length ?? 0;
      const tolerance = Math.max(1e-6, (0.5 * 10 ** -decimals) / scale + 1e-9);
      assert.ok(Math.abs(Number(m[1]) / scale - want) <= tolerance, `P(${c}) shown as ${m[0]}, the API says ${want}`);
    }
  });

  step(7, 'jobs, pipelines and admin at 1280 and 420 wide', { needs: [1], timeoutMs: 180_000 }, async (t) => {
    for (const viewport of [WIDE, NARROW]) {
      await page.setViewportSize(viewport);
      for (const area of ['jobs', 'pipelines', 'admin']) {
        await page.goto(`/${area}`);
        const heading = page.locator('main h1').first();
        await heading.waitFor({ timeout: 45_000 });
        assert.match(await heading.innerText(), new RegExp(area, 'i'), `/${area} has its main heading`);
        await settled();
        const tabs = page.getByRole('main').getByRole('tab');
        const names = area === 'admin' ? await tabs.allInnerTexts() : [];
        if (area === 'admin') assert.ok(names.length > 0, '/admin has tabs');
        if (!names.length) await shot(`07-${area}-${viewport.width}`);
        for (const name of names) {
          await tabs.filter({ hasText: name }).first().click();
          await settled();
          await page.waitForTimeout(300);
          await shot(`07-${area}-${name.trim().toLowerCase().replace(/\s+/g, '-')}-${viewport.width}`);
        }
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 1) t.diagnostic(`/${area} at ${viewport.width}px scrolls sideways by ${wide}px`);
        assert.deepEqual(browser.takePageErrors(), [], `/${area} at ${viewport.width}px threw no uncaught errors`);
      }
    }
    await page.setViewportSize(WIDE);
  });

  step(8, 'the first load is small and cached right', { timeoutMs: 60_000 }, async (t) => {
    if (server.uiUrl !== server.url) {
      t.skip(`the console is served by ${server.uiUrl}, not by aimass serve`);
      return;
    }
    const index = await fetch(server.url + '/');
    assert.equal(index.status, 200, 'GET / answers the console');
    const html = await index.text();
    assert.match(index.headers.get('cache-control') ?? '', /no-cache|no-store/, 'index.html must be revalidated');
    const deep = await fetch(server.url + '/datasets/credit');
    assert.equal(deep.status, 200, 'a deep link answers index.html');
    assert.match(deep.headers.get('content-type') ?? '', /text\/html/);
    assert.match(deep.headers.get('cache-control') ?? '', /no-cache|no-store/, 'index.html at a deep link must be revalidated');

    const attr = (tag, name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`).exec(tag)?.[1];
    const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
    const assets = [];
    for (const tag of tags) {
      if (tag.startsWith('<script') && attr(tag, 'type') === 'module' && attr(tag, 'src')) assets.push(attr(tag, 'src'));
      if (tag.startsWith('<link') && attr(tag, 'rel') === 'modulepreload' && attr(tag, 'href')) assets.push(attr(tag, 'href'));
    }
    assert.ok(assets.length > 0, `index.html loads a module script: ${html.slice(0, 500)}`);
    let total = 0;
    const sizes = [];
    for (const asset of new Set(assets)) {
      const response = await fetch(new URL(asset, server.url + '/'));
      assert.equal(response.status, 200, `GET ${asset}`);
      assert.match(response.headers.get('content-type') ?? '', /javascript/, `${asset} is served as JavaScript`);
      const cache = response.headers.get('cache-control') ?? '';
      const maxAge = Number(/max-age=(\d+)/.exec(cache)?.[1] ?? 0);
      assert.ok(/immutable/.test(cache) || maxAge >= 7 * 86400, `${asset} has a long-lived Cache-Control (got ${JSON.stringify(cache)})`);
      const gz = gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length;
      sizes.push(`${asset} ${(gz / KB).toFixed(1)} KB`);
      total += gz;
    }
    t.diagnostic(`first-load JavaScript, gzipped: ${(total / KB).toFixed(1)} KB (${sizes.join(', ')})`);
    assert.ok(total < 300 * KB, `the first load's JavaScript is ${(total / KB).toFixed(1)} KB gzipped, over 300 KB`);
  });
  step(9, 'every page passes the WCAG 2 A checks, and idle pages do not storm the server', { needs: [1], timeoutMs: 120_000 }, async () => {
    assert.ok(accessibility.length >= 10, `pages were checked (${accessibility.length})`);
    const failing = accessibility.filter((a) => a.problems.length);
    assert.deepEqual(
      failing.map((a) => `${a.page}: ${a.problems.join('; ')}`),
      [],
      'axe-core finds no WCAG 2 A violation (labels, names, ARIA) on any page',
    );
    // A finished model's page has nothing live: it loads and then stays quiet.
    if (passed.has(4)) {
      await page.goto(`/models/${MODEL}`);
      await settled();
      // Its sections load their parts (evaluation, importance) after the first paint.
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1000);
      const quiet = await requestsWhileIdle(8000);
      assert.ok(quiet.length <= 1, `an idle model page sent ${quiet.length} API requests in 8 s: ${quiet.join(', ')}`);
    }
    // An endpoint's page follows live traffic: every 2 s for the counters, 5 s for quality.
    if (passed.has(5)) {
      await page.goto(`/endpoints/${ENDPOINT}`);
      await settled();
      const live = await requestsWhileIdle(10_000);
      assert.ok(live.length >= 3, `the endpoint page keeps its live charts fed (${live.length} requests in 10 s)`);
      assert.ok(live.length <= 12, `the endpoint page polls at a sane rate: ${live.length} API requests in 10 s: ${live.join(', ')}`);
    }
  });
});
