/**
 * The HTML report in a real browser: Debian's Chromium (/usr/bin/chromium), driven headless by
 * playwright-core; never a downloaded browser. Checks that the memcg RFC counterexample's steps
 * render, changed values are marked, the memcg view draws, nothing is fetched, and that spec
 * text holding <script> shows as text and runs nothing.
 *
 * Without /usr/bin/chromium the tests are skipped, with a message, unless CI is set: in CI
 * (.ci/run installs chromium) they must run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, skipWithoutChromium } from './support/chromium.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const skip = skipWithoutChromium('test/html-browser.test.ts');

const tmp = mkdtempSync(join(tmpdir(), 'spex-html-'));
let context: BrowserContext | undefined;
/** Every URL the pages asked for. */
const requests: string[] = [];

function report(spec: string, check: string | undefined, name: string): string {
  const path = join(tmp, name);
  const args = ['dist/cli/main.js', 'check', spec, ...(check ? ['--check', check] : []), '--out-html', path];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 12) throw new Error(`spex check exited ${r.status}: ${r.stderr}`);
  return path;
}

async function open(path: string): Promise<Page> {
  const page = await context!.newPage();
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(pathToFileURL(path).href);
  return page;
}

describe.skipIf(skip)('the HTML report in headless Chromium', () => {
  beforeAll(async () => {
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('renders every step of the memcg counterexample, marks what changed and draws the memcg view', async () => {
    const path = report('spec/memcg/rfc-reparent-lrus.spex', 'RfcAwol', 'awol.html');
    const page = await open(path);
    expect(await page.title()).toContain('Invariant NoAwol is violated.');

    const steps = page.locator('section.step');
    expect(await steps.count()).toBe(5);
    const actions = await page.locator('section.step .action').allTextContents();
    expect(actions).toEqual(['init', 'Charge', 'Isolate', 'Offline', 'Putback']);
    for (let i = 0; i < 5; i++) expect(await steps.nth(i).isVisible()).toBe(true);
    // The parameters of each step.
    expect(await page.locator('#step-3 table.params').innerText()).toContain('Child');

    // Step 3, Offline(m=Child): `online` changed, and it is marked and visible; unchanged
    // variables are hidden until asked for.
    const online = page.locator('#step-3 tr.var.changed[data-path="online"]');
    expect(await online.isVisible()).toBe(true);
    expect(await online.innerText()).toContain('{Root, Parent}');
    expect(await page.locator('#step-3 s.was').first().innerText()).toBe('{Root, Parent, Child}');
    const charge = page.locator('#step-3 tr.var[data-path="charge"]');
    expect(await charge.getAttribute('class')).toContain('same');
    expect(await charge.isVisible()).toBe(false);
    await page.locator('#show-unchanged').check();
    expect(await charge.isVisible()).toBe(true);

    // Step 4, Putback: the change is marked down to the map entry lru[Child], not the whole map.
    const entry = page.locator('#step-4 tr.changed[data-path="lru[Child]"]');
    expect(await entry.count()).toBe(1);
    expect(await page.locator('#step-4 tr.var[data-path="lru"]').getAttribute('class')).toContain('has-change');
    expect(await page.locator('#step-4 tr[data-path="lru[Root]"]').getAttribute('class')).toContain('same');
    const bg = await entry.locator('> td').evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');

    // The memcg view: the tree Root > Parent > Child, drawn with a size, and in step 4 page 1
    // back on Child's LRU, marked new, while Child is offline.
    const view = page.locator('#step-4 svg.view[aria-label="view Memcgs"]');
    expect(await view.count()).toBe(1);
    const box = await view.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(100);
    expect(await view.locator('g.vbox').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-title')))).toEqual(['Root', 'Parent', 'Child']);
    const child = view.locator('g.vbox[data-title="Child"]');
    expect(await child.getAttribute('class')).toContain('changed');
    expect(await child.locator('g.vline[data-name="lru"] g.chip.new').textContent()).toBe('1');
    expect(await child.locator('g.vline[data-name="online"] text.fvalue').textContent()).toBe('false');
    expect(await page.locator('#step-4 svg.view[aria-label="view Isolated"] g.chip').count()).toBe(0);
    expect(await page.locator('#step-3 svg.view[aria-label="view Isolated"] g.chip').textContent()).toBe('1');

    // The report fetched nothing but itself.
    expect(requests.filter((u) => u !== pathToFileURL(path).href)).toEqual([]);
    await page.close();
  });

  it('shows a spec string holding <script> as text, and runs none of it', async () => {
    const path = report('test/fixtures/exports/escapes.spex', undefined, 'escapes.html');
    const page = await open(path);
    expect(await page.evaluate(() => (window as unknown as { __spexInjected?: number }).__spexInjected)).toBeUndefined();
    const verdict = await page.locator('p.verdict').innerText();
    expect(verdict).toContain('<script>window.__spexInjected = 1</script><img src=x onerror=window.__spexInjected=2>');
    expect(await page.locator('#step-failing .error').innerText()).toContain('<script>');
    // Only the report's own script element exists, and no <img> at all.
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });
});
