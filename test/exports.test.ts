/**
 * The exports of issue 6, end to end through the built CLI (npm test builds dist/ first):
 * --out-tlc-json, --json (NDJSON events), spex graph (DOT) and --out-html, each against golden
 * files in test/fixtures/exports/, plus progress on stderr and the `view` declaration.
 * UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spexHere } from './support/cli.js';
import { dotLines, dotString } from '../src/export/dot.js';
import { escapeHtml } from '../src/export/html.js';
import { loadSpec } from '../src/engine/run.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { compileSpec } from '../src/lang/compile.js';
import { viewModel } from '../src/export/view.js';
import { htmlReport } from '../src/export/html.js';
import { formatProgress, progressPrinter, useColor } from '../src/cli/progress.js';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'spex-exports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spex(...args: string[]): { code: number; stdout: string; stderr: string } {
  return spexHere(args);
}

function golden(name: string, actual: string): void {
  const path = `${root}test/fixtures/exports/${name}`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const MEMCG = 'spec/memcg/rfc-reparent-lrus.spex';
const KINDS = 'test/fixtures/itf/kinds.spex';

describe('--out-tlc-json', () => {
  it('writes the memcg counterexample as TLC writes CounterExample (golden)', () => {
    const path = join(tmp, 'awol.tlc.json');
    const r = spex('check', MEMCG, '--check', 'RfcAwol', '--out-tlc-json', path);
    expect(r.code).toBe(12);
    expect(r.stdout).toContain(`TLC JSON trace written to ${path}\n`);
    const text = readFileSync(path, 'utf8');
    golden('rfc-awol.tlc.json', text);
    const ce = JSON.parse(text);
    expect(Object.keys(ce)).toEqual(['action', 'state']);
    expect(ce.state).toHaveLength(5);
    expect(ce.state.map((s: [number, unknown]) => s[0])).toEqual([1, 2, 3, 4, 5]);
    expect(ce.action).toHaveLength(4);
    // Each action links state i to state i + 1, with TLC's action record.
    ce.action.forEach((a: [unknown, { name: string }, unknown], i: number) => {
      expect(a[0]).toEqual(ce.state[i]);
      expect(a[2]).toEqual(ce.state[i + 1]);
    });
    expect(ce.action[2][1]).toMatchObject({ name: 'Offline', parameters: ['m'], context: { m: 'Child' }, location: { module: 'RfcReparentLrus' } });
    // A map over 1..n is a sequence in TLA+, hence an array; enum-keyed maps are objects.
    expect(ce.state[4][1].charge).toEqual([{ tag: 'Some', value: 'Child' }]);
    expect(ce.state[4][1].lru).toEqual({ Root: [], Parent: [], Child: [1] });
  });

  it('writes every kind of value, and a fault trace up to the failing state (golden)', () => {
    const path = join(tmp, 'kinds.tlc.json');
    expect(spex('check', KINDS, '--out-tlc-json', path).code).toBe(75);
    golden('kinds.tlc.json', readFileSync(path, 'utf8'));
    const ce = JSON.parse(readFileSync(path, 'utf8'));
    expect(ce.state).toHaveLength(4);
    expect(ce.state[0][1].slots).toEqual({ '(0, Red)': { tag: 'Empty', value: [] }, '(1, Green)': { tag: 'Broken', value: [] } });
  });

  it('writes nothing when the check holds', () => {
    const path = join(tmp, 'none.tlc.json');
    const r = spex('check', MEMCG, '--check', 'PutbackToNearestOnline', '--out-tlc-json', path);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('TLC JSON');
  });
});

/** Time-dependent fields, and progress events (their number depends on speed), scrubbed. */
function scrubEvents(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => l !== '' && JSON.parse(l).event !== 'progress')
    .map((l) => JSON.stringify(JSON.parse(l), (k, v) => (k === 'seconds' || k === 'distinctPerSecond' ? '<time>' : v)))
    .join('\n') + '\n';
}

describe('--json', () => {
  it('streams the run as NDJSON events, and nothing else on stdout (golden, times scrubbed)', () => {
    const html = join(tmp, 'events.html');
    const r = spex('check', MEMCG, '--json', '--out-html', html);
    expect(r.code).toBe(12);
    const lines = r.stdout.trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: 'start', version: 1, command: 'check', checks: ['RfcAwol', 'PutbackToNearestOnline'] });
    expect(events.at(-1)).toEqual({ event: 'exit', code: 12 });
    expect(events.map((e) => e.event)).toEqual(['start', 'violation', 'stats', 'output', 'check', 'stats', 'check', 'exit']);
    const v = events[1];
    expect(v.trace.states).toHaveLength(5);
    expect(v.trace['#meta'].format).toBe('ITF');
    golden('rfc-awol.ndjson', scrubEvents(r.stdout.replaceAll(tmp, '<tmp>')));
  });

  it('reports spec errors as an error event with the diagnostics, then exit', () => {
    const r = spex('check', 'test/fixtures/diagnostics/E201-unknown-name.spex', '--json');
    expect(r.code).toBe(120);
    golden('static-error.ndjson', r.stdout);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['error', 'exit']);
    expect(events[0].diagnostics[0]).toMatchObject({ code: 'E201' });
  });

  it('emits progress events during a run (--progress-interval 0: at every look at the clock, so no test waits for one)', () => {
    // 12,005 states: the explorers look at the clock every 4,096 expansions.
    for (const engine of ['packed', 'generic']) {
      const r = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=7', '--engine', engine, '--workers', '1', '--json', '--progress-interval', '0');
      expect(r.code).toBe(0);
      const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      const progress = events.filter((e) => e.event === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[0]).toMatchObject({ check: 'Small' });
      for (const k of ['distinct', 'generated', 'depth', 'queue', 'seconds', 'distinctPerSecond']) expect(typeof progress[0][k]).toBe('number');
      expect(progress[0].distinct).toBeGreaterThan(0);
      expect(progress[0].distinct).toBeLessThan(12005);
      expect(events.findIndex((e) => e.event === 'progress')).toBeLessThan(events.findIndex((e) => e.event === 'stats'));
      expect(r.stderr).toBe('');
    }
  });
});

describe('progress on stderr', () => {
  it('--progress prints progress lines; off by default when stderr is not a terminal; --quiet wins', () => {
    const args = ['check', 'spec/bench/counter-grid.spex', '--const', 'N=4', '--const', 'K=7', '--progress-interval', '0'];
    for (const workers of ['1', '2']) {
      const forced = spex(...args, '--workers', workers, '--progress');
      expect(forced.stderr).toMatch(/^progress: [\d,]+ distinct states \([\d,]+\/s\), [\d,]+ generated, depth \d+, queue [\d,]+, \d+ s$/m);
      expect(forced.stdout).toContain('12005 distinct states');
    }
    expect(spex(...args).stderr).toBe('');
    expect(spex(...args, '--progress', '--quiet').stderr).toBe('');
    const bad = spex(...args, '--progress-interval', '-1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('expected a number of seconds, 0 or more');
  });
});

describe('progress printer', () => {
  function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
    let text = '';
    const stream = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  }
  const p = { distinct: 1234567, generated: 7654321, depth: 12, queue: 4321, seconds: 2 };

  it('rewrites one line in place on a terminal and erases it at the end', () => {
    const f = fakeStream(true);
    const pr = progressPrinter({}, f.stream)!;
    pr.report(p);
    pr.report(p);
    pr.done();
    expect(f.text()).toBe(`\rprogress: ${formatProgress(p)}\x1b[K`.repeat(2) + '\r\x1b[K');
    expect(formatProgress(p)).toBe('1,234,567 distinct states (617,284/s), 7,654,321 generated, depth 12, queue 4,321, 2 s');
  });

  it('is off by default when not on a terminal, one line a report with --progress, and --quiet wins', () => {
    expect(progressPrinter({}, fakeStream(false).stream)).toBeUndefined();
    expect(progressPrinter({ quiet: true }, fakeStream(true).stream)).toBeUndefined();
    const f = fakeStream(false);
    progressPrinter({ progress: true }, f.stream)!.report(p);
    expect(f.text()).toBe(`progress: ${formatProgress(p)}\n`);
  });

  it('allows colour only on a terminal without NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('spex graph', () => {
  it('writes the memcg state graph as DOT with the counterexample highlighted (golden)', () => {
    const path = join(tmp, 'awol.dot');
    const r = spex('graph', MEMCG, '--check', 'RfcAwol', '--out', path);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`State graph written to ${path}: 21 states, 44 steps, counterexample of 4 steps highlighted\n`);
    const dot = readFileSync(path, 'utf8');
    golden('rfc-awol.dot', dot);
    // 4 highlighted steps plus the 5 nodes of the path.
    expect(dot.match(/-> s\d+ \[[^\]]*penwidth=2\.5/g)).toHaveLength(4);
    expect(dot.match(/^ {2}s\d+ \[[^\]]*penwidth=2\]/gm)).toHaveLength(5);
    expect(dot).toContain('init0 -> s0');
  });

  it('refuses a graph above the limit with a clear error, and --max-states raises it', () => {
    const path = join(tmp, 'big.dot');
    const r = spex('graph', 'spec/examples/twophase.spex', '--out', path, '--max-states', '100');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the state graph has more than 100 states, too many to draw; nothing written to');
    expect(r.stderr).toContain('--max-states');
    expect(spex('graph', 'spec/examples/twophase.spex', '--out', path).code).toBe(0);
    const big = spex('graph', 'spec/examples/twophase.spex', '--const', 'N=5', '--out', path);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('more than 2000 states');
    expect(spex('graph', 'spec/examples/twophase.spex', '--const', 'N=5', '--out', path, '--max-states', '10000').code).toBe(0);
  });

  it('asks for --check when the spec has several check blocks', () => {
    const r = spex('graph', MEMCG, '--out', join(tmp, 'x.dot'));
    expect(r.code).toBe(120);
    expect(r.stderr).toContain('name one with --check: RfcAwol, PutbackToNearestOnline');
  });

  it('escapes labels for DOT', () => {
    expect(dotString('a "b" \\l c\nd')).toBe('"a \\"b\\" \\\\l c\\nd"');
    expect(dotLines(['x = "1"', 'y = \\N'])).toBe('"x = \\"1\\"\\ly = \\\\N\\l"');
    // Graphviz decodes HTML entities in labels: `&` is written `&amp;`, so `&lt;` is drawn as written.
    expect(dotString('a &amp; b &lt;c&gt; &#65;')).toBe('"a &amp;amp; b &amp;lt;c&amp;gt; &amp;#65;"');
    expect(dotLines(['fails: x & y'])).toBe('"fails: x &amp; y\\l"');
  });
});

describe('--out-html', () => {
  it('writes a self-contained report of the memcg counterexample (golden)', () => {
    const path = join(tmp, 'awol.html');
    const r = spex('check', MEMCG, '--check', 'RfcAwol', '--out-html', path);
    expect(r.code).toBe(12);
    expect(r.stdout).toContain(`HTML report written to ${path}\n`);
    const html = readFileSync(path, 'utf8');
    golden('rfc-awol.html', html);
    // Nothing fetched: no external reference of any kind, and a CSP that forbids it.
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<section class="step[^"]*" id="step-\d+"/g)).toHaveLength(5);
    expect(html.match(/<svg class="view"/g)).toHaveLength(10);
  });

  it('escapes the spec text that reaches the report', () => {
    const path = join(tmp, 'escapes.html');
    expect(spex('check', 'test/fixtures/exports/escapes.spex', '--out-html', path).code).toBe(12);
    const html = readFileSync(path, 'utf8');
    expect(html).not.toContain('<script>window.__spexInjected');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;window.__spexInjected = 1&lt;/script&gt;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('HTML report of a lasso', () => {
  it('marks the state the loop goes back to, and says so after the last state', () => {
    const state = (n: number): never => [n] as never;
    const html = htmlReport({
      spec: 'Loop',
      source: 'loop.spex',
      check: null,
      views: [],
      constants: [],
      cex: {
        kind: 'invariant',
        name: 'P',
        message: 'Invariant P is violated.',
        location: null,
        vars: ['n'],
        states: [state(0), state(1), state(2)],
        labels: [{ action: 'Up', params: [] }, { action: 'Up', params: [] }],
        loop: 1,
      },
    });
    expect(html).toContain('<section class="step loop-start" id="step-1"');
    expect(html).toContain('<span class="badge loop">loop starts here</span>');
    expect(html).toContain('the last state steps back to state 1');
    expect(html).toContain('looping back to state 1');
  });
});

describe('view declarations', () => {
  it('type-check like any expression, and draw a map with a parent field as a tree', () => {
    const { spec } = loadSpec(MEMCG);
    expect(spec.views.map((v) => v.name)).toEqual(['Memcgs', 'Isolated']);
    const system = compileSpec(spec);
    const init: unknown[] = [];
    system.initialStates((s) => init.push(s));
    const memcgs = system.views[0]!;
    const m = viewModel(memcgs.name, memcgs.type, memcgs.value(init[0] as never));
    expect('boxes' in m && m.layout).toBe('tree');
    if (!('boxes' in m)) return;
    expect(m.boxes.map((b) => b.title)).toEqual(['Root']);
    expect(m.boxes[0]!.children[0]!.children[0]!.title).toBe('Child');
    expect(m.boxes[0]!.lines.map((l) => l.name)).toEqual(['lru', 'online']);
  });

  it('are named apart from other declarations, and a name given twice is E203', () => {
    const text = 'spec V\nvar x: 0..1 = 0\nview x: x\nview x: x + 1\n';
    let err: unknown;
    try {
      loadSpec('v.spex', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecErrors);
    expect((err as SpecErrors).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["E203 view 'x' is declared twice"]);
    expect(loadSpec('v.spex', 'spec V\nvar view: 0..1 = 0\nview v: view\n').spec.views).toHaveLength(1);
  });
});
