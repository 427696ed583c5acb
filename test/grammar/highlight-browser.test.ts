/**
 * The editor grammar's highlighting, rendered to HTML (render-html.ts) and shown in Debian's
 * Chromium (/usr/bin/chromium) through playwright-core, never a downloaded browser. The screen
 * capture is written to docs/images/editor-highlighting.png for the README under UPDATE_GOLDEN
 * (else to a temporary file); the test checks what the page shows, never the capture's pixels.
 *
 * Without /usr/bin/chromium the test is skipped, with a message, unless CI is set.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, skipWithoutChromium } from '../support/chromium.js';
import { chromium, type Browser } from 'playwright-core';
import { THEME, highlightToHtml } from './render-html.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const skip = skipWithoutChromium('test/grammar/highlight-browser.test.ts');

const tmp = mkdtempSync(join(tmpdir(), 'spex-highlight-'));
let browser: Browser | undefined;

/** The colour the theme gives, as the browser reports computed colours. */
function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe.skipIf(skip)('the grammar highlighting in headless Chromium', () => {
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows diehard.spex highlighted, and saves the capture to docs/images/', async () => {
    const file = 'spec/examples/diehard.spex';
    const html = await highlightToHtml(readFileSync(join(ROOT, file), 'utf8'), file);
    const path = join(tmp, 'diehard.html');
    writeFileSync(path, html);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 860, height: 200 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(path).href);

    const colour = async (text: string, scope: string): Promise<string> =>
      page.locator(`span.tok[data-scope^="${scope}"]`, { hasText: text }).first().evaluate((e) => getComputedStyle(e).color);
    expect(await colour('The 3- and 5-gallon jugs', 'comment.line')).toBe(rgb(THEME['comment']!));
    expect(await colour('action', 'storage.type')).toBe(rgb(THEME['storage.type']!));
    expect(await colour('FillBig', 'entity.name.function')).toBe(rgb(THEME['entity.name.function']!));
    expect(await colour('5', 'constant.numeric')).toBe(rgb(THEME['constant.numeric']!));
    expect(await colour('let', 'keyword.control')).toBe(rgb(THEME['keyword.control']!));
    expect(await colour('min', 'support.function')).toBe(rgb(THEME['support.function']!));
    expect(await page.locator('div.line').count()).toBe(readFileSync(join(ROOT, file), 'utf8').replace(/\n$/, '').split('\n').length);

    // The documentation's picture under UPDATE_GOLDEN, else a temporary file.
    const update = Boolean(process.env.UPDATE_GOLDEN);
    if (update) mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
    const png = update ? join(ROOT, 'docs/images/editor-highlighting.png') : join(tmpdir(), `spex-test-${process.pid}-editor-highlighting.png`);
    await page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    if (!update) rmSync(png, { force: true });
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    // Width and height from the IHDR chunk: the whole page, not an empty one.
    expect(bytes.readUInt32BE(16)).toBeGreaterThanOrEqual(860);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(500);
  }, 120_000);
});
