/**
 * Procedures end to end: call and return with a call stack per instance, a call followed by
 * return, recursion, static errors, the trace through a call (golden), ITF export and replay
 * of a trace with a stack, and the packed engine's refusal with the generic engine's results.
 * UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, root, scrub, spex } from './support/cli.js';
import { codes, reachable, run } from './lang/helpers.js';
import { loadSpec, runCheck, selectChecks } from '../src/engine/run.js';
import { compilePacked } from '../src/lang/packed/index.js';
import { compileSpec } from '../src/lang/compile.js';

const tmp = mkdtempSync(join(tmpdir(), 'spex-procedures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const header = 'spec T\n';
const fixture = 'test/fixtures/processes/procedures.spex';

describe('call and return', () => {
  it('runs the callee from its first label and resumes after the call on return', () => {
    const states = reachable(`${header}
      var log: Seq[Int] = []
      procedure add(v: Int) {
        var twice: Int = v * 2
        a: log := append(log, v)
        b: log := append(log, twice)
           return
      }
      process P {
        s: call add(1)
        t: call add(5)
        u: log := append(log, 0)
      }`);
    const final = states.filter((s) => s.includes('P.pc=done'));
    expect(final).toEqual(['log=[1, 2, 5, 10, 0] P.pc=done P.stack=[]']);
    // The frame holds the parameters, the variables and the return point.
    expect(states).toContain('log=[1] P.pc=add.b P.stack=[add({ v: 1, twice: 2, ret: t })]');
  });

  it('a call followed by return goes back to the caller of the caller; running off the end returns', () => {
    const states = reachable(`${header}
      var n: Int = 0
      procedure inner() { a: n := n + 1 }
      procedure outer() { a: call inner()
                             return }
      process P { s: call outer()
                  t: n := n * 10 }`);
    expect(states.filter((s) => s.includes('P.pc=done'))).toEqual(['n=10 P.pc=done P.stack=[]']);
    expect(states).toContain('n=0 P.pc=inner.a P.stack=[inner({ ret: t })]');
  });

  it('allows recursion: the stack is part of the state, bounded here by the argument', () => {
    const r = run(`${header}
      var depth: 0..5 = 0
      procedure down(k: 0..3) {
        a: depth := depth + 1
           if k == 0 { return }
        b: call down(k - 1)
        c: depth := depth - 1
      }
      process P { s: call down(3)
                  t: depth := 0 }
      invariant Max: depth <= 4`, true);
    expect(r.outcome.kind).toBe('ok');
    // One instance, no choice: init, s, then down(3..0) at a and b (7 states, the innermost
    // returns from a), c of down(1..3), t.
    expect(r.stats.distinct).toBe(13);
  });

  it('P(i) at proc.label tests whether an instance is at a label of a procedure it called', () => {
    const text = (pred: string) => `${header}
      var x: 0..4 = 0
      procedure f() { a: x := x + 1
                      b: x := x + 1 }
      process P(i in {1, 2}) { s: call f() }
      invariant I: ${pred}`;
    expect(run(text('not (P(1) at f.b and P(2) at f.b)')).outcome.kind).toBe('invariant');
    expect(run(text('x <= 4 and (P(1) at f.a or not (P(1) at f.a))')).outcome.kind).toBe('ok');
    expect(codes(text('P(1) at f.c'))[0]).toMatch(/^E201 process 'P' has no label 'f.c'/);
  });

  it('range-checks arguments at the call (E703)', () => {
    const r = run(`${header}
      var x: Int = 0
      procedure f(k: 0..1) { a: x := k }
      process P { s: call f(x + 2) }`);
    expect(r.outcome.kind).toBe('fault');
  });

  it('treats an end label in a procedure as a valid end state', () => {
    const src = (end: string) => `${header}
      var x: 0..1 = 0
      procedure wait() { ${end}w: await x == 1
                         d: return }
      process P { s: call wait() }`;
    expect(run(src('end '), true).outcome.kind).toBe('ok');
    expect(run(src(''), true).outcome.kind).toBe('deadlock');
  });

  it('keeps procedure, call, return and end usable as names', () => {
    const r = run(`${header}
      var call: Int = 0
      var return: Int = 0
      var procedure: Int = 0
      var end: Int = 0
      process P {
        call: call := call + 1
              return := return + 1
        return: procedure := end + 1
        end end: await false
      }`, true);
    expect(r.outcome.kind).toBe('ok');
    expect(r.stats.distinct).toBe(3);
  });

  it('reports misplaced calls and returns', () => {
    const proc = `procedure f(k: Int) { a: x := k }\n`;
    const base = `${header}var x: Int = 0\n${proc}`;
    expect(codes(`${base}process P { s: if x == 0 { call f(1) }\n t: x := 1 }`)[0]).toMatch(/^E223 /);
    expect(codes(`${base}process P { s: call f(1)\n x := 2 }`)[0]).toMatch(/^E223 /);
    expect(codes(`${base}process P { s: either { call f(1) } or { x := 2 }\n t: x := 1 }`)[0]).toMatch(/^E223 /);
    expect(codes(`${base}process P { s: x := 1\n return }`)[0]).toMatch(/^E224 /);
    expect(codes(`${base}action A { return }`)[0]).toMatch(/^E224 /);
    expect(codes(`${base}process P { s: for k in {1, 2} { call f(k) } }`)[0]).toMatch(/^E225 /);
    expect(codes(`${base}action A { call f(1) }`)[0]).toMatch(/^E215 /);
    expect(codes(`${base}process P { s: call g(1) }`)[0]).toMatch(/^E201 unknown procedure 'g'/);
    expect(codes(`${base}process P { s: call f() }`)[0]).toMatch(/^E204 /);
    expect(codes(`${base}process P { s: call f(true) }`)[0]).toMatch(/^E205 /);
    expect(codes(`${base}procedure g(k: Int) { var k: Int = 0\n a: x := k }`)[0]).toMatch(/^E203 /);
    expect(codes(`${base}procedure g(x: Int) { a: return }`)[0]).toMatch(/^E203 /);
    expect(codes(`${base}procedure g(ret: Int) { a: return }`)[0]).toMatch(/^E203 'ret' is the return point/);
    expect(codes(`${base}procedure g() { var y: Int\n a: return }`)[0]).toMatch(/^E226 /);
    expect(codes(`${base}procedure g() { x := 1 }`)[0]).toMatch(/^E215 /);
    // A procedure sees its parameters and variables and the globals, not a process's variables.
    expect(codes(`${base}procedure g() { a: x := y }\nprocess P { var y: Int = 0\n s: call g() }`)[0]).toMatch(/^E201 unknown name 'y'/);
  });
});

describe('procedures in the CLI, exports and engines', () => {
  it('prints a trace through calls and returns, with the stack among the changes (golden)', () => {
    const r = spex('check', fixture, '--check', 'Small');
    expect(r.code).toBe(12);
    golden('cli', 'procedure-trace.txt', scrub(r.stdout));
  });

  it('runs calls and end labels inside either/or branches', () => {
    const r = spex('test', 'test/fixtures/processes/either-calls.spex');
    expect(r.code).toBe(0);
    // W's step at a branches into the call and into x := 3; D may rest at 'idle' (an end label
    // in a branch) or go on to t: no state is a deadlock.
    expect(r.stdout).toContain('Rests: ok  (24 distinct states, 43 generated, depth 6');
  });

  it('exports the stack to ITF and replays the trace', () => {
    const path = join(tmp, 'small.itf.json');
    expect(spex('check', fixture, '--check', 'Small', '--out-itf', path).code).toBe(12);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.vars).toContain('Offline(m=Parent).stack');
    expect(json.states[2]['#meta']).toEqual({ index: 2, action: 'Offline', params: { m: 'Parent' }, at: 'wrap.go' });
    expect(json.states[2]['Offline(m=Parent).stack']).toEqual([{ tag: 'climb', value: { m: 'Parent', d: { '#bigint': '2' }, here: 'Parent', ret: 'rest' } }]);
    const r = spex('replay', path, fixture);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Trace replays: 10 steps');
    // A tampered return point is caught at the step whose result differs.
    json.states[2]['Offline(m=Parent).stack'][0].value.ret = 'start';
    const bad = join(tmp, 'bad.itf.json');
    writeFileSync(bad, JSON.stringify(json));
    const b = spex('replay', bad, fixture);
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('step 2');
  });

  it('writes TLC JSON and HTML with the stack', () => {
    const tlc = join(tmp, 'small.json');
    const html = join(tmp, 'small.html');
    expect(spex('check', fixture, '--check', 'Small', '--out-tlc-json', tlc, '--out-html', html).code).toBe(12);
    expect(readFileSync(tlc, 'utf8')).toContain('"Offline(m=Parent).stack"');
    expect(readFileSync(html, 'utf8')).toContain('Offline(m=Parent).stack');
  });

  it('with recursion, is refused by the packed engine with a reason naming the procedure, and auto gives the generic results', () => {
    const { spec } = loadSpec(`${root}${fixture}`);
    const generic = compileSpec(spec);
    const p = compilePacked(spec, new Map(), generic);
    expect(p.ok).toBe(false);
    expect(p.ok ? '' : p.reason).toContain("procedure 'climb' is recursive");
    for (const check of selectChecks(spec, undefined)) {
      const a = runCheck(spec, check, new Map(), { engine: 'auto' });
      const g = runCheck(spec, check, new Map(), { engine: 'generic' });
      expect(a.engine).toBe('generic');
      expect([a.verdict, a.result?.stats.distinct, a.result?.stats.generated]).toEqual([g.verdict, g.result?.stats.distinct, g.result?.stats.generated]);
    }
  });

  it('without recursion, runs on the packed engine with the generic results', () => {
    const { spec } = loadSpec(`${root}test/fixtures/processes/procedures-flat.spex`);
    let packed = 0;
    for (const check of selectChecks(spec, undefined)) {
      const a = runCheck(spec, check, new Map(), { engine: 'packed' });
      const g = runCheck(spec, check, new Map(), { engine: 'generic' });
      expect(a.engine).toBe('packed');
      packed++;
      expect([a.verdict, a.result?.stats.distinct, a.result?.stats.generated, a.result?.stats.depth]).toEqual([
        g.verdict,
        g.result?.stats.distinct,
        g.result?.stats.generated,
        g.result?.stats.depth,
      ]);
    }
    expect(packed).toBe(5);
  });
});
