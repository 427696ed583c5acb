/**
 * Imports and refinement (docs/refinement.md): loading and linking an imported spec, and the
 * refinement predicate on states and steps, against the hour clock of Specifying Systems.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, refinementStepCheck, runCheck, selectChecks, type CheckResult } from '../src/engine/run.js';
import { golden, scrub, spex } from './support/cli.js';
import { compileRefinement } from '../src/engine/refine.js';
import { compileSpec, type Label, type State } from '../src/lang/compile.js';
import type { CheckedSpec } from '../src/lang/check.js';
import { SpecErrors } from '../src/lang/diagnostics.js';
import { formatValue } from '../src/values/index.js';

const dir = 'test/fixtures/refine';

function successors(system: ReturnType<typeof compileSpec>, s: State): { next: State; label: Label }[] {
  const out: { next: State; label: Label }[] = [];
  system.successors(s, (next, label) => out.push({ next, label }));
  return out;
}

function refinementOf(spec: CheckedSpec, overrides = new Map()) {
  const system = compileSpec(spec, overrides);
  const r = compileRefinement(spec, system, spec.imports![0]!);
  /** Whether the search's step check (runCheck's) lets the step from `from` to `to` pass. */
  const stepOk = (from: State, to: State): boolean => refinementStepCheck([r], (s: State, out) => system.fingerprint(s, out), (s) => s)(from, to) === undefined;
  return { system, r, stepOk };
}

describe('import', () => {
  it('links the imported spec and its mapping', () => {
    const { spec } = loadSpec(`${dir}/minuteclock.spex`);
    const imp = spec.imports![0]!;
    expect(imp.name).toBe('HourClock');
    expect(imp.linked?.spec.name).toBe('HourClock');
    expect(imp.linked?.vars).toHaveLength(1);
    expect(spec.refines?.map((i) => i.name)).toEqual(['HourClock']);
  });

  it('maps a variable of the same name implicitly, as INSTANCE does', () => {
    const text = ['spec Same', 'var hr: 1..12 = 1', 'import HourClock from "hourclock.spex"', 'action Tick { hr := if hr == 12 then 1 else hr + 1 }', 'refines HourClock', ''].join('\n');
    const { spec } = loadSpec(`${dir}/same.spex`, text);
    const { system, r } = refinementOf(spec);
    const init: State[] = [];
    system.initialStates((s) => init.push(s));
    expect(r.map(init[0]!)).toEqual([1]);
    expect(r.initialOk(init[0]!)).toBe(true);
  });

  it('maps a variable implicitly to a definition of the same name', () => {
    const text = ['spec Def', 'var h: 0..11 = 0', 'def hr: Int = h + 1', 'import HourClock from "hourclock.spex"', 'action Tick { h := (h + 1) % 12 }', 'refines HourClock', ''].join('\n');
    const { spec } = loadSpec(`${dir}/def.spex`, text);
    const { r, stepOk } = refinementOf(spec);
    expect(r.map([11])).toEqual([12]);
    expect(stepOk([11], [0])).toBe(true);
    expect(stepOk([3], [5])).toBe(false);
  });

  it('reports every problem of a mapping, each in the file it concerns', () => {
    const text = ['spec Bad', 'var hour: 0..11 = 0', 'import HourClock from "hourclock.spex" with { hrs: hour }', 'action Tick { hour := (hour + 1) % 12 }', ''].join('\n');
    let err: unknown;
    try {
      loadSpec(`${dir}/bad.spex`, text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecErrors);
    const codes = (err as SpecErrors).diagnostics.map((d) => d.code);
    expect(codes).toEqual(['E230', 'E230']);
    expect((err as SpecErrors).diagnostics[0]!.hint).toContain("did you mean 'hr'");
  });

  it('refuses refines of a name that is not an import (E201), and an import used as a value (E205)', () => {
    const text = (extra: string): string => ['spec R', 'var hr: 1..12 = 1', 'import HourClock from "hourclock.spex"', 'action Tick { hr := if hr == 12 then 1 else hr + 1 }', extra, ''].join('\n');
    const codes = (t: string): string[] => {
      try {
        loadSpec(`${dir}/r.spex`, t);
      } catch (e) {
        return (e as SpecErrors).diagnostics.map((d) => `${d.code} ${d.message}`);
      }
      return [];
    };
    expect(codes(text('refines HourClok'))).toEqual(["E201 'HourClok' is not an imported spec"]);
    expect(codes(text('refines Tick'))).toEqual(["E201 'Tick' is not an imported spec"]);
    expect(codes(text('invariant I: HourClock == 1'))[0]).toMatch(/^E205 'HourClock' is an imported spec/);
    expect(codes(text('refines HourClock\nrefines HourClock'))).toEqual(["E203 'refines HourClock' is declared twice"]);
  });

  it('reports the diagnostics of the imported file with its own path', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-refine-'));
    writeFileSync(join(d, 'abs.spex'), 'spec Abs\nvar a: 0..1 = 0\naction A { a := b }\n');
    writeFileSync(join(d, 'conc.spex'), 'spec Conc\nvar a: 0..1 = 0\nimport Abs from "abs.spex"\naction A { a := 1 - a }\n');
    let err: unknown;
    try {
      loadSpec(join(d, 'conc.spex'));
    } catch (e) {
      err = e;
    }
    const diag = (err as SpecErrors).diagnostics[0]!;
    expect(diag.code).toBe('E201');
    expect(diag.span!.source.path).toBe(join(d, 'abs.spex'));
  });

  /** The diagnostics of loadSpec(path), as `CODE message`; [] if it loads. */
  const problems = (path: string): string[] => {
    try {
      loadSpec(path);
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      return e.diagnostics.map((d) => `${d.code} ${d.span ? `${d.span.source.path.slice(d.span.source.path.lastIndexOf('/') + 1)}:${d.span.start} ` : ''}${d.message}`);
    }
    return [];
  };
  const tiny = (name: string, imports: string[]): string =>
    [`spec ${name}`, 'var x: 0..1 = 0', ...imports.map((f, i) => `import I${i} from "${f}"`), 'action T { x := 1 - x }', ''].join('\n');

  it('loads a file imported along many paths once: diamonds 40 deep take no time', () => {
    // Each file imports the next one twice: 2^n paths lead to the last one.
    const chain = (n: number, last: string): string => {
      const d = mkdtempSync(join(tmpdir(), 'spex-diamond-'));
      for (let i = 0; i < n; i++) writeFileSync(join(d, `s${i}.spex`), tiny(`S${i}`, [`s${i + 1}.spex`, `s${i + 1}.spex`]));
      writeFileSync(join(d, `s${n}.spex`), last);
      return join(d, 's0.spex');
    };
    // The last file's mistakes are reported once, not once per path.
    expect(problems(chain(4, 'spec S4\nvar x: 0..1 = y\n'))).toEqual(["E201 s4.spex:22 unknown name 'y'"]);
    expect(problems(chain(40, tiny('S40', [])))).toEqual([]);
  });

  it('a file imported twice, its constants mapped apart, is loaded once and refined under each mapping', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-twice-'));
    writeFileSync(join(d, 'abs.spex'), 'spec Abs\nconst N: Int = 1\nvar v: 0..10 = 0\naction Up { require v < N  v := v + 1 }\naction Reset { v := 0 }\n');
    const two = ['spec Two', 'var x: 0..10 = 0', 'import A from "abs.spex" with { v: x, N: 1 }', 'import B from "abs.spex" with { v: x, N: 2 }', 'action Up { require x < 2  x := x + 1 }', 'action Reset { x := 0 }'];
    writeFileSync(join(d, 'two.spex'), [...two, 'check CA { refines A  expect violation A }', 'check CB { refines B  expect ok }', ''].join('\n'));
    const r = spex('test', join(d, 'two.spex'));
    expect(r.stdout).toContain('2 passed, 0 failed');
    const { spec } = loadSpec(join(d, 'two.spex'));
    expect(spec.imports![0]!.linked!.spec).toBe(spec.imports![1]!.linked!.spec);
  });

  it('names the mapping where a run-time error in it happens (it said "an invariant")', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-mapping-error-'));
    writeFileSync(join(d, 'abs.spex'), 'spec Abs\nvar v: 0..10 = 0\naction Up { require v < 3  v := v + 1 }\n');
    writeFileSync(join(d, 'top.spex'), 'spec Top\nvar x: 0..10 = 0\nimport A from "abs.spex" with { v: 6 / x }\naction Up { require x < 3  x := x + 1 }\ncheck C { refines A }\n');
    const r = spex('check', join(d, 'top.spex'));
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('Evaluation error in the mapping of A: division by zero\n');
    expect(r.stdout).toContain(`${join(d, 'top.spex')}:3:36: error[E701]: division by zero`);
  });

  it('sees a cycle through a symbolic link to a folder above (E232), not ever longer paths', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-link-cycle-'));
    mkdirSync(join(d, 'sub'));
    symlinkSync('..', join(d, 'sub', 'up'));
    writeFileSync(join(d, 'a.spex'), tiny('A', ['sub/up/a.spex']));
    expect(problems(join(d, 'a.spex'))).toEqual([`E232 a.spex:38 import cycle: ${join(d, 'a.spex')} imports ${join(d, 'sub/up/a.spex')}`]);
  });

  it('takes an absolute path as it is, and says at the import that a pipe or a device is not a spec (E229)', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-import-path-'));
    writeFileSync(join(d, 'b.spex'), tiny('B', []));
    writeFileSync(join(d, 'abs.spex'), tiny('A', [join(d, 'b.spex')]));
    expect(problems(join(d, 'abs.spex'))).toEqual([]);
    writeFileSync(join(d, 'zero.spex'), tiny('A', ['/dev/zero']));
    expect(problems(join(d, 'zero.spex'))).toEqual(['E229 zero.spex:38 cannot import I0: cannot read /dev/zero: it is a character device, not a regular file']);
    writeFileSync(join(d, 'empty.spex'), tiny('A', ['']));
    expect(problems(join(d, 'empty.spex'))).toEqual(['E229 empty.spex:38 cannot import I0: the path is empty']);
  });
});

describe('constants of an imported spec', () => {
  it('take the values of the same-named constants, of any type, or of their mapping', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-refine-'));
    const decls = [
      'enum Proc { P1, P2 }',
      'type Cell = { v: 0..3, busy: Bool }',
      'const M: Map[Proc, 0..3] = {P1 -> 1, P2 -> 2}',
      'const E: Map[Proc, 0..3] = {P1 -> 1}',
      'const Q: Seq[Option[Proc]] = [None]',
      'const C: (Cell, Int) = ({ v: 0, busy: false }, -1)',
      'const K: Int = 0',
    ];
    writeFileSync(join(d, 'abs.spex'), ['spec Abs', ...decls, 'var x: Int = 0', 'action A { x := x }', ''].join('\n'));
    const conc = ['spec Conc', ...decls, 'var x: Int = 0', 'import Abs from "abs.spex" with { K: size(M) + 5 }', 'action A { x := x }', 'refines Abs', ''].join('\n');
    const overridden = conc
      .replace('{P1 -> 1, P2 -> 2}', '{P1 -> 3, P2 -> 0}')
      .replace("const E: Map[Proc, 0..3] = {P1 -> 1}", 'const E: Map[Proc, 0..3] = [p in {} |-> 0]')
      .replace('[None]', '[Some(P2), None]')
      .replace('({ v: 0, busy: false }, -1)', '({ v: 2, busy: true }, -7)');
    writeFileSync(join(d, 'conc.spex'), overridden);
    const { spec } = loadSpec(join(d, 'conc.spex'));
    const { r } = refinementOf(spec);
    const values = r.abstract.constValues.map((c) => `${c.name} = ${formatValue(c.value)}`);
    expect(values).toEqual(['M = {P1 -> 3, P2 -> 0}', 'E = {->}', 'Q = [Some(P2), None]', 'C = ({ busy: true, v: 2 }, -7)', 'K = 7']);
  });
});

describe('refinement predicate', () => {
  it('accepts the minute clock: minute ticks are stutters, the hour tick is Tick', () => {
    const { spec } = loadSpec(`${dir}/minuteclock.spex`);
    const { system, r, stepOk } = refinementOf(spec);
    let steps = 0;
    const init: State[] = [];
    system.initialStates((s) => init.push(s));
    expect(init).toHaveLength(12);
    // Every reachable step, by a small search.
    const seen = new Set<string>(init.map((s) => JSON.stringify(s)));
    const queue = [...init];
    while (queue.length > 0) {
      const s = queue.shift()!;
      expect(r.initialOk(s) || !init.some((i) => JSON.stringify(i) === JSON.stringify(s))).toBe(true);
      for (const { next } of successors(system, s)) {
        steps++;
        expect(stepOk(s, next)).toBe(true);
        expect(r.explain(s, next)).toBeUndefined();
        const k = JSON.stringify(next);
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(next);
        }
      }
    }
    expect(seen.size).toBe(36);
    expect(steps).toBe(36);
  });

  it('refuses setting the clock back, and says which abstract steps were offered', () => {
    const { spec } = loadSpec(`${dir}/minuteclock-broken.spex`);
    const { system, r, stepOk } = refinementOf(spec);
    const from: State = [3, 1];
    const next = successors(system, from).find((x) => x.label.action === 'SetBack')!.next;
    expect(next).toEqual([2, 1]);
    expect(stepOk(from, next)).toBe(false);
    const why = r.explain(from, next);
    expect(why?.kind).toBe('step');
    if (why?.kind !== 'step') return;
    expect(why.before).toEqual([4]);
    expect(why.after).toEqual([3]);
    expect(why.tried.map((t) => [t.label.action, t.next])).toEqual([['Tick', [5]]]);
    // A minute tick is still a stutter.
    const minute = successors(system, [3, 0]).find((x) => x.label.action === 'Minute')!.next;
    expect(stepOk([3, 0], minute)).toBe(true);
  });

  it('the search\'s step check maps each state once, and judges every step as explain does, whatever its memo holds', () => {
    const { spec } = loadSpec(`${dir}/minuteclock-broken.spex`);
    const { system, r } = refinementOf(spec);
    // Every reachable step, grouped by the state it leaves, as the search takes them.
    const init: State[] = [];
    system.initialStates((s) => init.push(s));
    const index = new Map<string, number>(init.map((s, i) => [JSON.stringify(s), i]));
    const steps: [State, State][] = [];
    const queue = [...init];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const { next } of successors(system, s)) {
        steps.push([s, next]);
        const k = JSON.stringify(next);
        if (!index.has(k)) {
          index.set(k, index.size);
          queue.push(next);
        }
      }
    }
    // explain judges a step by the images' values, apart from the search's keys.
    const expected = steps.map(([a, b]) => r.explain(a, b) === undefined);
    expect(expected.filter((ok) => !ok).length).toBeGreaterThan(0);
    expect(expected.filter((ok) => ok).length).toBeGreaterThan(0);
    const real = (s: State, out: Uint32Array): void => system.fingerprint(s, out);
    // Fingerprints whose 53 leading bits are all the same: every state has the same entry.
    const shared = (s: State, out: Uint32Array): void => {
      out[0] = 7;
      out[1] = index.get(JSON.stringify(s))!;
    };
    // Every other step out of order, so that the state a step leaves changes at each step.
    const mixed = steps.map((_, i) => i).sort((i, j) => (i % 2) - (j % 2) || i - j);
    for (const [name, fingerprint, memoMax] of [
      ['real', real, undefined],
      ['real, memo of 2', real, 2],
      ['shared entry', shared, undefined],
    ] as const) {
      for (const order of [steps.map((_, i) => i), mixed]) {
        let mapped = 0;
        const counted = { ...r, imageKey: (s: State) => (mapped++, r.imageKey(s)) };
        const check = refinementStepCheck([counted], fingerprint, (s) => s, memoMax);
        expect(order.map((i) => check(steps[i]![0], steps[i]![1]) === undefined), name).toEqual(order.map((i) => expected[i]));
        if (name === 'real' && order !== mixed) expect(mapped, name).toBe(index.size);
      }
    }
  });

  it('refuses an initial state that maps outside the abstract initial states', () => {
    const { spec } = loadSpec(`${dir}/minuteclock-broken.spex`);
    const { r } = refinementOf(spec);
    expect(r.initialOk([11, 0])).toBe(true);
    expect(r.initialOk([12, 0])).toBe(false);
    const why = r.explain(undefined, [12, 0]);
    expect(why?.kind).toBe('init');
    if (why?.kind === 'init') {
      expect(why.mapped).toEqual([13]);
      expect(why.initial).toHaveLength(12);
    }
  });
});

describe('refines, end to end', () => {
  it('passes constants by name, compares enums of two files by value, and lists the abstract actions not enabled', () => {
    const r = spex('check', 'test/fixtures/refine/flaglock.spex', '--check', 'Stealing');
    expect(r.code).toBe(12);
    expect(r.stdout).toContain('Refinement of Mutex is violated: step 2, Steal(p=P2), maps to no step of Mutex');
    expect(r.stdout).toContain('  from owner = Some(P1)\n    to owner = Some(P2)\n');
    expect(r.stdout).toContain('  Release(p=P1): owner: Some(P1) → None\n  not enabled: Acquire\n');
    // ALLOWED = {P1} in the importing spec reaches Mutex's constant of the same name.
    const restricted = spex('check', 'test/fixtures/refine/flaglock.spex', '--check', 'Restricted');
    expect(restricted.stdout).toContain('  Acquire(p=P1): owner: None → Some(P1)\n  not enabled: Release\n');
  });

  it('prints the broken clock: the trace to the first step HourClock cannot take, the mapped states and the abstract steps tried (golden)', () => {
    const r = spex('check', 'test/fixtures/refine/minuteclock-broken.spex', '--workers', '1');
    expect(r.code).toBe(12);
    expect(r.stderr).toBe('');
    golden('refine', 'minuteclock-broken.txt', scrub(r.stdout));
  });

  it('passes every check of the refinement fixtures as expected, and spex test says so', () => {
    const r = spex('test', 'test/fixtures/refine/', '--workers', '1');
    expect(r.stdout).toContain('PASS test/fixtures/refine/minuteclock-broken.spex SetBack: violation HourClock');
    expect(r.stdout).toContain('PASS test/fixtures/refine/minuteclock.spex Refines: ok');
    expect(r.stdout).toContain('PASS test/fixtures/refine/flaglock.spex Restricted: violation Mutex');
    expect(r.stdout).toMatch(/^8 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it('says what failed in the exports too (--json)', () => {
    const r = spex('check', 'test/fixtures/refine/minuteclock-broken.spex', '--check', 'SetBack', '--json');
    const v = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['event'] === 'violation')!;
    expect(v['name']).toBe('HourClock');
    expect(v['message']).toBe('Refinement of HourClock is violated: the last step maps to no step of HourClock.');
    expect(v['location']).toBe('test/fixtures/refine/minuteclock-broken.spex:10:8');
  });

  it('replays a refinement counterexample and reproduces its verdict', () => {
    const d = mkdtempSync(join(tmpdir(), 'spex-refine-'));
    const itf = join(d, 'cex.itf.json');
    expect(spex('check', 'test/fixtures/refine/minuteclock-broken.spex', '--check', 'SetBack', '--out-itf', itf).code).toBe(12);
    const r = spex('replay', itf, 'test/fixtures/refine/minuteclock-broken.spex');
    expect(r.stdout).toContain('As recorded, the last step violates HourClock.');
    expect(r.code).toBe(0);
    // Under a check that does not refine HourClock, the verdict is not reproduced.
    const other = spex('replay', itf, 'test/fixtures/refine/minuteclock-broken.spex', '--check', 'Unchecked');
    expect(other.stdout).not.toContain('As recorded');
  });

  it('gives the same verdict, counts and trace on the packed and the generic engine', () => {
    for (const file of ['minuteclock.spex', 'minuteclock-broken.spex', 'flaglock.spex']) {
      const { spec } = loadSpec(`${dir}/${file}`);
      for (const check of selectChecks(spec, undefined)) {
        const run = (engine: 'packed' | 'generic'): CheckResult => runCheck(spec, check, new Map(), { engine });
        const p = run('packed');
        const g = run('generic');
        expect(p.engine).toBe('packed');
        expect(p.verdict).toEqual(g.verdict);
        expect(p.result!.stats.distinct).toBe(g.result!.stats.distinct);
        expect(p.result!.stats.generated).toBe(g.result!.stats.generated);
        expect(p.result!.stats.depth).toBe(g.result!.stats.depth);
        const po = p.result!.outcome;
        const go = g.result!.outcome;
        if ('trace' in po && 'trace' in go) expect(po.trace).toEqual(go.trace);
        expect(p.refinement?.failure).toEqual(g.refinement?.failure);
      }
    }
  });
});
