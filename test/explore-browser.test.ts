/**
 * `spex explore` in a real browser: Debian's Chromium (/usr/bin/chromium), headless, through
 * playwright-core; never a downloaded browser. The server starts within the test on a free
 * port and stops after it.
 *
 * The memcg RFC's AWOL page is reached by clicking, one by one, the steps of the trace that
 * `check` finds for Scenario6_RfcAwol, run here (so the test follows the spec as it changes),
 * each found in the page's step list by its label; the invariant NoAwol turns red at the end.
 * The page is captured to docs/images/explore.png under UPDATE_GOLDEN (pixels are not compared). A spec whose
 * assert message is markup shows it as text and runs none of it.
 *
 * Without /usr/bin/chromium the tests are skipped, with a message, unless CI is set.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, skipWithoutChromium } from './support/chromium.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ExploreSession } from '../src/interactive/session.js';
import { startExplorer, type RunningExplorer } from '../src/interactive/server.js';
import { loadSpec, runCheck, selectChecks } from '../src/engine/run.js';
import { formatLabel } from '../src/lang/label.js';
import { itfOfCheck, toItf } from '../src/export/itf.js';

const root = new URL('..', import.meta.url).pathname;
const skip = skipWithoutChromium('test/explore-browser.test.ts');

const MEMCG = 'spec/memcg/reparent.spex';
const MEMCG_CHECK = 'Scenario6_RfcAwol';
const tmp = mkdtempSync(join(tmpdir(), 'spex-explore-browser-'));
/** Where a screenshot goes: docs/images under UPDATE_GOLDEN (the documentation's pictures), else the temporary folder. */
const screenshot = (name: string): string => join(process.env.UPDATE_GOLDEN ? join(root, 'docs/images') : tmp, name);
let context: BrowserContext | undefined;
let running: RunningExplorer | undefined;

/** The labels of the counterexample `check` finds, as the trace printer writes them. */
function traceLabels(file: string, check: string): string[] {
  const { spec } = loadSpec(file);
  const r = runCheck(spec, selectChecks(spec, check)[0], new Map(), {});
  const o = r.result!.outcome;
  if (o.kind !== 'invariant') throw new Error(`expected an invariant violation, got ${o.kind}`);
  return o.trace.labels.map((l) => formatLabel(l));
}

async function open(file: string, check?: string): Promise<{ page: Page; requests: string[] }> {
  // Relative to the project, as a user gives it (vitest runs there).
  running = await startExplorer(new ExploreSession(file, check === undefined ? {} : { check }));
  const page = await context!.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(running.url);
  await page.waitForSelector('body[data-pos]');
  return { page, requests };
}

/** Clicks the step labelled `label` in the step list and waits for the page to move on. */
async function click(page: Page, label: string): Promise<void> {
  const pos = Number(await page.locator('body').getAttribute('data-pos'));
  const buttons = page.locator('#steps button.step').filter({ has: page.locator('span.label', { hasText: label }) });
  const all = await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-label')));
  const k = all.indexOf(label);
  expect(k, `no step ${label} in the list: ${all.join(', ')}`).toBeGreaterThanOrEqual(0);
  await buttons.nth(k).click();
  await page.waitForSelector(`body[data-pos="${pos + 1}"]`);
}

describe.skipIf(skip)('spex explore in headless Chromium', () => {
  beforeAll(async () => {
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  afterAll(async () => {
    await context?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("reaches the memcg RFC's AWOL page by clicking the steps, and shows NoAwol turn red", async () => {
    const labels = traceLabels(MEMCG, MEMCG_CHECK);
    expect(labels.length).toBeGreaterThan(2);
    const { page, requests } = await open(MEMCG, MEMCG_CHECK);
    expect(await page.locator('#spec-check').textContent()).toBe(`check ${MEMCG_CHECK}`);
    const noAwol = page.locator('#invariants li[data-name="NoAwol"]');
    for (const [i, label] of labels.entries()) {
      expect(await noAwol.getAttribute('class'), `before step ${i + 1}`).toBe('ok');
      await click(page, label);
      expect(await page.locator('#state-title').textContent()).toBe(`State ${i + 1}: ${label}`);
    }
    expect(await page.locator('#path li').allTextContents()).toEqual(['0 init', ...labels.map((l, i) => `${i + 1} ${l}`)]);
    expect(await noAwol.getAttribute('class')).toBe('bad');
    expect(await noAwol.locator('.value').textContent()).toBe('false');
    const bg = await noAwol.evaluate((li) => getComputedStyle(li).backgroundColor);
    expect(bg).toBe('rgb(207, 34, 46)');
    // The last step's changes are listed, and marked in the state table.
    expect(await page.locator('#changes li').count()).toBeGreaterThan(0);
    expect(await page.locator('#state tr.changed').count()).toBeGreaterThan(0);
    expect(await page.locator('#coverage li.taken').count()).toBeGreaterThan(0);

    // Back and forward.
    await page.locator('#back').click();
    await page.waitForSelector(`body[data-pos="${labels.length - 1}"]`);
    expect(await noAwol.getAttribute('class')).toBe('ok');
    await page.locator('#forward').click();
    await page.waitForSelector(`body[data-pos="${labels.length}"]`);
    expect(await noAwol.getAttribute('class')).toBe('bad');

    mkdirSync(join(root, 'docs/images'), { recursive: true });
    await page.screenshot({ path: screenshot('explore.png'), fullPage: false });

    // Nothing but the explorer's own address was asked for.
    expect(requests.filter((u) => !u.startsWith(running!.url))).toEqual([]);
    await page.close();
  });

  it('draws the spec\'s views at each state, the changes marked', async () => {
    const file = 'spec/memcg/rfc-reparent-lrus.spex';
    const labels = traceLabels(file, 'RfcAwol');
    const { page } = await open(file, 'RfcAwol');
    for (const label of labels) await click(page, label);
    const view = page.locator('#views svg.view[aria-label="view Memcgs"]');
    expect(await view.locator('g.vbox').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-title')))).toEqual(['Root', 'Parent', 'Child']);
    const box = await view.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    // The page put back on offline Child's LRU: a new chip in a changed box.
    const child = view.locator('g.vbox[data-title="Child"]');
    expect(await child.getAttribute('class')).toContain('changed');
    expect(await child.locator('g.vline[data-name="lru"] g.chip.new').count()).toBe(1);
    expect(await page.locator('#invariants li[data-name="NoAwol"]').getAttribute('class')).toBe('bad');
    await page.screenshot({ path: screenshot('explore-views.png'), fullPage: false });
    await page.close();
  });

  it('searches from the page, and shows a bad expression\'s diagnostic', async () => {
    const { page } = await open('test/fixtures/explore/steps.spex', 'Steps');
    await page.locator('#search').fill('n == 2');
    await page.locator('#search-go').click();
    await page.waitForSelector('body[data-pos="2"]');
    expect(await page.locator('#message').textContent()).toContain('found 2 steps away');
    await page.locator('#search').fill('count > 1');
    await page.locator('#search-go').click();
    await page.waitForSelector('#message.error');
    expect(await page.locator('#message').textContent()).toContain("search:1:1: error[E201]: unknown name 'count'");

    // A counterexample chosen in the page's file input (as `spex check --out-itf` writes it).
    const { spec } = loadSpec('test/fixtures/explore/steps.spex');
    const r = runCheck(spec, selectChecks(spec, 'Steps')[0], new Map(), {});
    const x = itfOfCheck(r, 'test/fixtures/explore/steps.spex', spec.name)!;
    const itf = join(tmp, 'steps.itf.json');
    writeFileSync(itf, JSON.stringify(toItf(x.trace, x.meta)));
    await page.locator('#trace-file').setInputFiles(itf);
    await page.waitForSelector('body[data-pos="1"]');
    expect(await page.locator('#path li').allTextContents()).toEqual(['0 init', '1 Inc(w=B)']);
    expect(await page.locator('#message').textContent()).toContain('opened steps.itf.json: 1 step');
    expect(await page.locator('#invariants li[data-name="NotB"]').getAttribute('class')).toBe('bad');
    await page.close();
  });

  it('shows spec text that holds markup as text, and runs none of it', async () => {
    const { page } = await open('test/fixtures/explore/steps.spex', 'Steps');
    await click(page, 'Inc(w=A)');
    await click(page, 'Div(d=1)');
    const boom = page.locator('#steps li.fault').filter({ hasText: 'Boom' });
    expect(await boom.locator('.badge').textContent()).toContain('<script>window.__spexInjected = 1</script><img src=x onerror=window.__spexInjected=2>');
    expect(await boom.locator('pre.diagnostic').textContent()).toContain('steps.spex:19:3: assertion failed: <script>');
    expect(await page.evaluate(() => (window as unknown as { __spexInjected?: number }).__spexInjected)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    // A search expression holding markup comes back in a diagnostic, as text.
    await page.locator('#search').fill('<img src=x onerror=window.__spexInjected=3>');
    await page.locator('#search-go').click();
    await page.waitForSelector('#message.error');
    expect(await page.locator('#message').textContent()).toContain('<img src=x');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __spexInjected?: number }).__spexInjected)).toBeUndefined();
    await page.close();
  });
});
