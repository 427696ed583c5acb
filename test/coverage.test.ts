/**
 * Coverage (`check --coverage`, W100), shown expressions (`show`, `--show`) and kernel names
 * (`@kernel`): golden output through the CLI, the same counts on both engines, and the exports.
 *
 * To rewrite the golden files (then review the diff!):
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/coverage.test.ts
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spexHere } from './support/cli.js';
import { loadSpec, runCheck, selectChecks, type CheckResult, type EngineChoice } from '../src/engine/run.js';
import { coverageJson } from '../src/export/coverage.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = 'test/fixtures/coverage';
const update = process.env['UPDATE_GOLDEN'] === '1';

function cli(args: string[], env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spexHere(args, env);
  return { stdout: r.stdout, stderr: r.stderr, status: r.code };
}

function golden(name: string, text: string): void {
  const path = join(root, dir, name);
  if (update || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

/** The output without the line that carries a time. */
function timeless(s: string): string {
  return s.replace(/^\d+ distinct states, .*$/gm, '<stats>');
}

function run(file: string, engine: EngineChoice, opts: { maxStates?: number } = {}): CheckResult[] {
  const { spec } = loadSpec(join(root, file));
  return selectChecks(spec, undefined).map((c) => runCheck(spec, c, new Map(), { engine, coverage: true, workers: 1, ...opts }));
}

describe('check --coverage', () => {
  it('prints the coverage table: a dead action, an always-empty pick, a blocking await (golden)', () => {
    const r = cli(['check', `${dir}/dead.spex`, '--coverage', '--workers', '1']);
    expect(r.status).toBe(0);
    golden('dead.coverage.txt', timeless(r.stdout));
    expect(r.stdout).toMatch(/^ {2}Grow +12 +0 +0 +0 {2}never enabled$/m);
    expect(r.stdout).toMatch(/pick z in 0\.\.3 where z > x \+ 5 +action Move +24 +24 {2}always empty$/m);
  });

  it('counts the same on the generic and the packed engine, run after run', () => {
    const files = [`${dir}/dead.spex`, 'spec/examples/diehard.spex', 'spec/bench/counter-grid.spex', `${dir}/kernel.spex`, 'test/fixtures/packed/guard-run.spex'];
    for (const file of files) {
      const g = run(file, 'generic');
      const p = run(file, 'packed');
      const again = run(file, 'packed');
      expect(p.map((r) => r.engine)).toEqual(p.map(() => 'packed'));
      g.forEach((r, i) => {
        const complete = r.result!.outcome.kind === 'ok';
        const cg = coverageJson(r.coverage!, complete);
        expect(coverageJson(p[i]!.coverage!, complete), `${file} ${r.name ?? ''}`).toEqual(cg);
        expect(coverageJson(again[i]!.coverage!, complete)).toEqual(cg);
        // Every new state is credited to one step: the new counts add up to the distinct states
        // found after the initial ones (in a complete search).
        if (complete) {
          const fresh = r.coverage!.rows.reduce((n, x) => n + x.fresh, 0);
          const taken = r.coverage!.rows.reduce((n, x) => n + x.taken, 0);
          expect(taken).toBeLessThanOrEqual(r.result!.stats.generated);
          expect(fresh).toBeLessThan(r.result!.stats.distinct);
        }
      });
    }
  });

  it('credits every distinct state but the initial ones to the step that found it', () => {
    const [r] = run(`${dir}/dead.spex`, 'packed');
    const fresh = r!.coverage!.rows.reduce((n, x) => n + x.fresh, 0);
    const initial = 1;
    expect(fresh).toBe(r!.result!.stats.distinct - initial);
    // Generated also counts the Terminating stutters of the states where every worker is done.
    const taken = r!.coverage!.rows.reduce((n, x) => n + x.taken, 0);
    expect(taken).toBeLessThan(r!.result!.stats.generated - initial);
  });

  it('sends a coverage event and the W100 warnings, with the check, in --json', () => {
    const r = cli(['check', `${dir}/dead.spex`, '--coverage', '--json', '--workers', '1']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    const cov = events.find((e) => e.event === 'coverage')!;
    expect(cov.check).toBe('Small');
    expect(cov.complete).toBe(true);
    const steps = cov.steps as { step: string; enabled: number; new: number }[];
    expect(steps.find((s) => s.step === 'Grow')!.enabled).toBe(0);
    expect((cov.guards as { kind: string; blocked: number; evaluated: number }[]).find((g) => g.kind === 'pick')).toMatchObject({ blocked: 24, evaluated: 24 });
    const warnings = events.filter((e) => e.event === 'warning');
    expect(warnings.map((w) => [w.code, w.check, w.location])).toEqual([
      ['W100', 'Small', `${dir}/dead.spex:13:8`],
      ['W100', 'Small', `${dir}/dead.spex:18:8`],
    ]);
    expect(events.findIndex((e) => e.event === 'warning')).toBeGreaterThan(events.findIndex((e) => e.event === 'check'));
  });

  it('warns of steps never enabled only after a complete search', () => {
    const cut = cli(['check', `${dir}/dead.spex`, '--max-states', '3', '--workers', '1']);
    expect(cut.status).toBe(152);
    expect(cut.stderr).not.toContain('W100');
    const whole = cli(['check', `${dir}/dead.spex`, '--workers', '1']);
    expect(whole.stderr).toContain("warning[W100]: action 'Grow' is never enabled in check Small (12 reachable states)");
  });

  it('warns the same when worker threads explore (they share the flags)', () => {
    for (const engine of ['generic', 'packed']) {
      const r = cli(['check', `${dir}/dead.spex`, '--workers', '2', '--engine', engine], { SPEX_WORKERS_EAGER: '1' });
      expect(r.stderr.match(/warning\[W100\]/g)?.length, engine).toBe(2);
    }
  });

  it('counts on one thread when workers are asked for, and says so', () => {
    // Eager: no pilot run on one thread first (run.ts), workers as for a big search.
    const r = cli(['check', `${dir}/dead.spex`, '--coverage', '--workers', '2'], { SPEX_WORKERS_EAGER: '1' });
    expect(r.stderr).toContain('note: --coverage counts on one thread');
    expect(timeless(r.stdout)).toBe(readFileSync(join(root, dir, 'dead.coverage.txt'), 'utf8'));
  });
});

describe('kernel names and shown expressions in traces', () => {
  it('prints the kernel function of each step and the shown expressions in every state (golden)', () => {
    const r = cli(['check', `${dir}/kernel.spex`, '--show', 'lists', '--workers', '1']);
    expect(r.status).toBe(12);
    golden('kernel.trace.txt', timeless(r.stdout));
    expect(r.stdout).toContain('1  Isolate(p=0)   [isolate_lru_page, mm/vmscan.c]');
    // A label without a @kernel of its own takes its process's.
    expect(r.stdout).toContain('3  Empty at putback   [mem_cgroup_force_empty]');
    expect(r.stdout).toContain('show perIsolated = <error: division by zero>');
  });

  it('writes them into ITF, which spex replay still accepts, TLC JSON and HTML', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'spex-cov-'));
    const itf = join(tmp, 't.itf.json');
    const tlc = join(tmp, 't.tlc.json');
    const html = join(tmp, 't.html');
    const r = cli(['check', `${dir}/kernel.spex`, '--workers', '1', '--out-itf', itf, '--out-tlc-json', tlc, '--out-html', html, '--coverage']);
    expect(r.status).toBe(12);
    const j = JSON.parse(readFileSync(itf, 'utf8')) as { states: { '#meta': Record<string, unknown> }[] };
    expect(j.states[0]!['#meta']).toMatchObject({ shown: { total: { '#bigint': '2' } }, shownErrors: { perIsolated: 'division by zero' } });
    expect(j.states[0]!['#meta'].kernel).toBeUndefined();
    expect(j.states[1]!['#meta']).toMatchObject({ action: 'Isolate', kernel: { function: 'isolate_lru_page', file: 'mm/vmscan.c' }, shown: { perIsolated: { '#bigint': '10' } } });
    const replay = cli(['replay', itf, `${dir}/kernel.spex`]);
    expect(replay.status, replay.stdout + replay.stderr).toBe(0);
    const t = JSON.parse(readFileSync(tlc, 'utf8')) as { action: [unknown, { kernel?: unknown }, unknown][]; state: [number, Record<string, unknown>][] };
    expect(t.action[0]![1].kernel).toEqual({ function: 'isolate_lru_page', file: 'mm/vmscan.c' });
    expect(t.state[0]![1]).toMatchObject({ total: 2, perIsolated: '<error: division by zero>' });
    const h = readFileSync(html, 'utf8');
    expect(h).toContain('<span class="kernel" title="kernel function">isolate_lru_page <span class="meta">mm/vmscan.c</span></span>');
    expect(h).toContain('<th>show total</th>');
    expect(h).toContain('<section class="coverage" id="coverage">');
  });

  it('puts them into the --json violation trace', () => {
    const r = cli(['check', `${dir}/kernel.spex`, '--json', '--workers', '1']);
    const v = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; trace?: { states: { '#meta': Record<string, unknown> }[] } }).find((e) => e.event === 'violation')!;
    expect(v.trace!.states[2]!['#meta'].kernel).toEqual({ function: 'mem_cgroup_force_empty_list', file: 'mm/memcontrol.c' });
    expect(v.trace!.states[3]!['#meta'].shown).toMatchObject({ total: { '#bigint': '3' } });
  });
});
