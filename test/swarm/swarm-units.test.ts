/**
 * The swarm's parts without the CLI: the bitstate seen set, the permuted successor order, the
 * job plan and the merge of records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, type TransitionSystem } from '../../src/explore/index.js';
import { BitstateSet, parseBitstateSize } from '../../src/swarm/bitstate.js';
import { permuted } from '../../src/swarm/permute.js';
import { describePlan, parseSlice, planJob } from '../../src/swarm/plan.js';
import { mergeJobs, parseJobFile } from '../../src/swarm/merge.js';
import { SpecErrors } from '../../src/lang/diagnostics.js';
import type { CheckRecord, JobRecord } from '../../src/swarm/record.js';
import { avoid, graphModel, intFingerprint, type Edge } from '../explore/graph-model.js';

/** A grid of w × h nodes (node = y·w + x) with steps right and down: many paths to each node. */
function grid(w: number, h: number): Edge[] {
  const edges: Edge[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = y * w + x;
      if (x + 1 < w) edges.push([n, n + 1, `R${n}`]);
      if (y + 1 < h) edges.push([n, n + w, `D${n}`]);
    }
  }
  return edges;
}

describe('BitstateSet', () => {
  it('never takes a state it stored for a new one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 3000 }), fc.integer({ min: 10, max: 16 }), fc.integer({ min: 1, max: 8 }), (ns, log2, k) => {
        const set = new BitstateSet(log2, k);
        const fp = new Uint32Array(2);
        for (const n of ns) {
          intFingerprint(n, fp);
          set.add(fp[0]!, fp[1]!);
        }
        for (const n of ns) {
          intFingerprint(n, fp);
          expect(set.has(fp[0]!, fp[1]!)).toBe(true);
          expect(set.add(fp[0]!, fp[1]!)).toBe(-1);
        }
      }),
      { seed: 13, numRuns: 40 },
    );
  });

  it('numbers the states it takes densely, and loses some when the array is too small', () => {
    const set = new BitstateSet(10, 3);
    const fp = new Uint32Array(2);
    let taken = 0;
    for (let n = 0; n < 2000; n++) {
      intFingerprint(n, fp);
      const i = set.add(fp[0]!, fp[1]!);
      if (i >= 0) expect(i).toBe(taken++);
    }
    expect(set.size).toBe(taken);
    // 1,024 bits cannot tell 2,000 states apart.
    expect(taken).toBeLessThan(2000);
    expect(set.fill).toBeGreaterThan(0.5);
    expect(set.bytesUsed()).toBe(128);
  });

  it('gives a breadth-first search at most the exact counts, and exactly them when the array is large', () => {
    const system = graphModel({ initial: [0], edges: grid(40, 40) });
    const exact = explore(system, { checkDeadlock: false });
    const small = explore(system, { checkDeadlock: false, seenSet: () => new BitstateSet(10, 2) });
    const large = explore(system, { checkDeadlock: false, seenSet: () => new BitstateSet(24, 3) });
    expect(exact.stats.distinct).toBe(1600);
    expect(small.stats.distinct).toBeLessThan(exact.stats.distinct);
    expect(small.stats.generated).toBeLessThanOrEqual(exact.stats.generated);
    expect(large.stats).toMatchObject({ distinct: 1600, generated: exact.stats.generated, depth: exact.stats.depth });
  });

  it('finds a real trace: rebuilt by replay through the lossy set', () => {
    const edges = grid(30, 30);
    const system = graphModel({ initial: [0], edges, invariants: [avoid([899])] });
    const r = explore(system, { checkDeadlock: false, seenSet: () => new BitstateSet(12, 3) });
    if (r.outcome.kind !== 'invariant') throw new Error(`expected a violation, got ${r.outcome.kind}`);
    const t = r.outcome.trace;
    expect(t.states[0]).toBe(0);
    expect(t.states[t.states.length - 1]).toBe(899);
    for (let i = 0; i + 1 < t.states.length; i++) expect(edges.some(([f, to]) => f === t.states[i] && to === t.states[i + 1])).toBe(true);
  });

  it('parses sizes as powers of two', () => {
    expect(parseBitstateSize('2^28')).toBe(28);
    expect(parseBitstateSize('2**20')).toBe(20);
    expect(parseBitstateSize('1048576')).toBe(20);
    expect(parseBitstateSize('256m')).toBe(28);
    expect(parseBitstateSize('1000')).toBeUndefined();
    expect(parseBitstateSize('2^9')).toBeUndefined();
    expect(parseBitstateSize('2^35')).toBeUndefined();
    expect(parseBitstateSize('lots')).toBeUndefined();
  });
});

describe('permuted successor order', () => {
  const collect = (s: TransitionSystem<number, string>, n: number): string[] => {
    const out: string[] = [];
    s.successors(n, (_t, l) => out.push(l));
    return out;
  };

  it('emits the same successors, in an order that depends only on the seed and the state', () => {
    const system = graphModel({ initial: [0], edges: [...Array(12).keys()].map((i): Edge => [0, i + 1, `a${i}`]) });
    const a = permuted<number, string, typeof system>(system, 7);
    const b = permuted<number, string, typeof system>(system, 7);
    const c = permuted<number, string, typeof system>(system, 8);
    expect([...collect(a, 0)].sort()).toEqual([...collect(system, 0)].sort());
    expect(collect(a, 0)).toEqual(collect(a, 0));
    expect(collect(a, 0)).toEqual(collect(b, 0));
    expect(collect(a, 0)).not.toEqual(collect(c, 0));
  });

  it('keeps the counts of an exact search, and its traces replay and stay shortest', () => {
    const system = graphModel({ initial: [0], edges: grid(12, 12), invariants: [avoid([100])] });
    const plain = explore(system, { checkDeadlock: false });
    for (const seed of [1, 2, 3]) {
      const r = explore(permuted<number, string, typeof system>(system, seed), { checkDeadlock: false });
      expect(r.outcome.kind).toBe('invariant');
      if (r.outcome.kind !== 'invariant' || plain.outcome.kind !== 'invariant') return;
      expect(r.outcome.trace.states.length).toBe(plain.outcome.trace.states.length);
      expect(r.stats.depth).toBe(plain.stats.depth);
    }
    const open = graphModel({ initial: [0], edges: grid(12, 12) });
    const full = explore(open, { checkDeadlock: false });
    const perm = explore(permuted<number, string, typeof open>(open, 5), { checkDeadlock: false });
    expect(perm.stats).toMatchObject({ distinct: full.stats.distinct, generated: full.stats.generated, depth: full.stats.depth });
  });

  it('emits the successors before a failing step, then fails, alike every time', () => {
    const system = graphModel({ initial: [0], edges: [[0, 1], [0, 2], [0, 3]], faultingStates: [0] });
    const p = permuted<number, string, typeof system>(system, 3);
    const run = (): string[] => {
      const got: string[] = [];
      expect(() => p.successors(0, (_s, l) => got.push(l))).toThrow('state 0 fails');
      return got;
    };
    expect(run().sort()).toEqual(['0->1', '0->2', '0->3']);
    expect(run()).toEqual(run());
  });
});

describe('the swarm plan', () => {
  it('parses i/n only with 1 ≤ i ≤ n', () => {
    expect(parseSlice('2/4')).toEqual({ index: 2, of: 4 });
    expect(parseSlice(' 1 / 1 ')).toEqual({ index: 1, of: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/', 'a/b', '-1/4']) expect(parseSlice(bad)).toBeUndefined();
  });

  it('runs the plain exhaustive search first, then bitstate, simulation, depth bounds and permuted searches in turn', () => {
    const modes = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((index) => planJob({ index, of: 9 }, {}, 28, 3).mode);
    expect(modes).toEqual(['exhaustive', 'bitstate', 'simulate', 'depth', 'bfs', 'bitstate', 'simulate', 'depth', 'bfs']);
    expect(planJob({ index: 1, of: 9 }, {}, 28, 3).orderSeed).toBeUndefined();
    // Later rounds vary the parameters.
    expect(planJob({ index: 6, of: 9 }, {}, 28, 3).bitstate!.hashes).toBe(4);
    expect(planJob({ index: 8, of: 9 }, {}, 28, 3).maxDepth).toBe(32);
  });

  it('is a function of (i, n, seed): the same job twice is the same plan, another seed another order', () => {
    const a = planJob({ index: 3, of: 4 }, { seed: 11 }, 28, 3);
    expect(planJob({ index: 3, of: 4 }, { seed: 11 }, 28, 3)).toEqual(a);
    expect(planJob({ index: 3, of: 4 }, { seed: 12 }, 28, 3).orderSeed).not.toBe(a.orderSeed);
    expect(planJob({ index: 2, of: 4 }, { seed: 11 }, 28, 3).orderSeed).not.toBe(a.orderSeed);
    expect(describePlan(planJob({ index: 2, of: 4 }, { bitstateLog2: 20, hashes: 2 }, 28, 3))).toMatch(/^bitstate breadth-first search over 2\^20 bits with 2 hash functions, successor order permuted/);
  });

  it('gives every job the kind --swarm-mode names', () => {
    for (let i = 1; i <= 4; i++) expect(planJob({ index: i, of: 4 }, { mode: 'simulate' }, 28, 3).mode).toBe('simulate');
  });
});

describe('merging records', () => {
  const check = (over: Partial<CheckRecord>): CheckRecord => ({
    check: 'C', verdict: 'ok', name: null, exitCode: 152, search: 'bfs', engine: 'generic', exhaustive: false, partial: 'bitstate', shortest: true,
    distinct: 10, generated: 20, depth: 3, seconds: 0, bitstate: null, simulation: null, temporalUnchecked: [], trace: null, steps: null, replayed: null, coverage: null, ...over,
  });
  const job = (index: number, checks: CheckRecord[], over: Partial<JobRecord> = {}): { path: string; record: JobRecord } => ({
    path: `job${index}.json`,
    record: { format: 'spex-swarm-job', version: 1, toolVersion: '0', file: 'x.spex', spec: 'X', source: 'abc', consts: [], job: { index, of: 3, seed: 0, mode: 'bfs', description: '' }, checks, exitCode: 0, ...over },
  });

  it('reports the shortest trace, ties going to the lower job', () => {
    const m = mergeJobs([
      job(3, [check({ verdict: 'violation', name: 'Inv', exitCode: 12, steps: 4, trace: { t: 3 } })]),
      job(1, [check({ verdict: 'violation', name: 'Inv', exitCode: 12, steps: 6, trace: { t: 1 } })]),
      job(2, [check({ verdict: 'violation', name: 'Inv', exitCode: 12, steps: 4, trace: { t: 2 } })]),
    ]);
    expect(m.checks[0]).toMatchObject({ status: 'violation', name: 'Inv', exitCode: 12, from: { index: 2 } });
    expect(m.checks[0]!.foundBy.map((j) => j.index)).toEqual([1, 2, 3]);
    expect(m.exitCode).toBe(12);
  });

  it('says verified only after an exhaustive search, else no violation found with the largest counts', () => {
    const walks = check({ distinct: 0, generated: 90, depth: 9, search: 'simulate', partial: 'simulation', simulation: { seed: 1, walks: 7, steps: 60, depth: 100 } });
    const partial = [job(2, [check({ distinct: 50, generated: 70, depth: 4 })]), job(3, [walks], { job: { index: 3, of: 3, seed: 0, mode: 'simulate', description: '' } })];
    const m = mergeJobs(partial);
    // Walks count revisits: the lower bounds are the searches' (job 2's); the walks are counted apart.
    expect(m.checks[0]).toMatchObject({ status: 'unproven', exitCode: 152, distinct: 50, generated: 70, depth: 4, walks: 7 });
    expect(m.missing).toEqual([1]);
    const v = mergeJobs([...partial, job(1, [check({ exhaustive: true, partial: null, exitCode: 0, distinct: 60 })])]);
    expect(v.checks[0]).toMatchObject({ status: 'verified', exitCode: 0, distinct: 60, from: { index: 1 } });
    expect(v.missing).toEqual([]);
  });

  /** The diagnostics mergeJobs refuses the inputs with, as `CODE message`; [] when it merges them. */
  const refusals = (inputs: Parameters<typeof mergeJobs>[0]): string[] => {
    try {
      mergeJobs(inputs);
      return [];
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      return e.diagnostics.map((d) => `${d.code} ${d.message}`);
    }
  };

  it('refuses results of another spec, other constants, or the same job twice (E259)', () => {
    const codes = (inputs: Parameters<typeof mergeJobs>[0]): string[] => refusals(inputs).map((r) => r.split(' ')[0]!);
    const c = [check({})];
    expect(codes([job(1, c), job(2, c, { source: 'other' })])).toEqual(['E259']);
    expect(codes([job(1, c), job(2, c, { consts: ['N=3'] })])).toEqual(['E259']);
    expect(codes([job(1, c), job(1, c)])).toEqual(['E259']);
  });

  const id = (index: number, of: number, over: Partial<JobRecord['job']> = {}): Partial<JobRecord> => ({ job: { index, of, seed: 0, mode: 'bfs', description: '', ...over } });

  it('refuses a job outside its swarm, or of a swarm no --swarm i/n gives (E258)', () => {
    const c = [check({})];
    expect(refusals([job(7, c, id(7, 2))])).toEqual(['E258 job7.json is not a swarm job result: it is job 7 of 2, and the jobs of a swarm of 2 are numbered 1 to 2']);
    expect(refusals([job(0, c, id(0, 2))])).toEqual(['E258 job0.json is not a swarm job result: it is job 0 of 2, and the jobs of a swarm of 2 are numbered 1 to 2']);
    expect(refusals([job(1, c, id(1, -2))])).toEqual(['E258 job1.json is not a swarm job result: its swarm size ("of") is -2, not a positive integer']);
    expect(refusals([job(1, c, id(1, 0))])).toEqual(['E258 job1.json is not a swarm job result: its swarm size ("of") is 0, not a positive integer']);
    expect(refusals([job(1, c, id(1, 2.5))])).toEqual(['E258 job1.json is not a swarm job result: its swarm size ("of") is 2.5, not a positive integer']);
    expect(refusals([job(1, c, id(1.5, 2))])).toEqual(['E258 job1.json is not a swarm job result: it is job 1.5 of 2, and the jobs of a swarm of 2 are numbered 1 to 2']);
    expect(refusals([job(1, c, id(1, 2, { seed: -1 }))])).toEqual(['E258 job1.json is not a swarm job result: its seed is -1, not a non-negative integer']);
    expect(refusals([job(1, c, id(1, 2, { mode: 'fast' as never }))])).toEqual(["E258 job1.json is not a swarm job result: its job's mode is \"fast\", none of exhaustive, bfs, bitstate, depth, simulate"]);
    // Every file's problem at once.
    expect(refusals([job(7, c, id(7, 2)), job(2, c, id(2, 2, { seed: 0.5 }))]).map((d) => d.slice(0, 14))).toEqual(['E258 job7.json', 'E258 job2.json']);
  });

  it('refuses a result with no checks: nothing was checked, which is no success (E258)', () => {
    expect(refusals([job(1, [])])).toEqual(['E258 job1.json is not a swarm job result: it has no checks, and its job was not interrupted (exit code 0)']);
    expect(refusals([job(1, [check({})]), job(2, [])])).toEqual(['E258 job2.json is not a swarm job result: it has no checks, and its job was not interrupted (exit code 0)']);
    // A job stopped by a signal before its first check says so by its exit code: it adds nothing.
    const m = mergeJobs([job(1, [check({})]), job(2, [], { exitCode: 130 })]);
    expect(m.jobs.map((j) => j.index)).toEqual([1, 2]);
    expect(m.checks.map((x) => x.jobs.map((j) => j.index))).toEqual([[1]]);
  });

  it('refuses a check no job records: its verdict, counts, trace, exhaustiveness and exit code must agree (E258)', () => {
    const why = (checks: CheckRecord[], over: Partial<JobRecord> = {}): string => {
      const r = refusals([job(1, checks, over)]);
      expect(r.length).toBe(1);
      return r[0]!.replace(/^E258 job1\.json is not a swarm job result: /, '');
    };
    const violation = { verdict: 'violation', name: 'Inv', exitCode: 12, partial: 'violation', trace: { t: 1 }, steps: 3 } as const;
    expect(why([check({ verdict: 'passed' as never })])).toBe('check C has a verdict "passed", none of ok, violation, deadlock, error, limit');
    expect(why([check({}), check({})])).toBe('it has check C twice');
    expect(why([check({ check: null }), check({})])).toBe("it has the spec's check beside check blocks");
    expect(why([check({ search: 'simulate', partial: 'simulation' })])).toBe('check C ran a search "simulate", which a bfs job does not run');
    expect(why([check({ distinct: -5 })])).toBe('check C has a "distinct" of -5, not a count');
    expect(why([check({ generated: 2.5 })])).toBe('check C has a "generated" of 2.5, not a count');
    expect(why([check({ depth: '3' as never })])).toBe('check C has a "depth" of "3", not a count');
    expect(why([check({ seconds: -1 })])).toBe('check C took -1 seconds');
    expect(why([check({ search: 'simulate', partial: 'simulation', simulation: { seed: 1, walks: 'many' as never, steps: 1, depth: 1 } })], id(1, 3, { mode: 'simulate' }))).toBe('check C has a "simulation.walks" of "many", not a count');
    expect(why([check({ ...violation, steps: -1 })])).toBe('check C has a trace of -1 steps');
    expect(why([check({ ...violation, steps: null })])).toBe('check C has a trace without its "steps"');
    expect(why([check({ ...violation, trace: null })])).toBe('check C has "steps" without a trace');
    expect(why([check({ exhaustive: true, partial: null, exitCode: 0, search: 'bitstate' })], id(1, 3, { mode: 'bitstate' }))).toBe('check C is "exhaustive", from a bitstate search, which can miss states');
    expect(why([check({ ...violation, exhaustive: true, partial: null })])).toBe('check C is "exhaustive" with verdict violation: a search is exhaustive only when it found nothing');
    expect(why([check({ exhaustive: true, exitCode: 0 })])).toBe('check C is both "exhaustive" and "partial" ("bitstate")');
    expect(why([check({ partial: null })])).toBe('check C is neither "exhaustive" nor "partial"');
    expect(why([check({ ...violation, name: null })])).toBe('check C is a violation of no property ("name" is null)');
    expect(why([check({ ...violation, exitCode: 0 })])).toBe('check C has verdict violation and exit code 0, not 12 or 13');
    expect(why([check({ exitCode: 0 })])).toBe('check C has verdict ok (partial) and exit code 0, not 152');
    expect(why([check({ exhaustive: true, partial: null })])).toBe('check C has verdict ok (exhaustive) and exit code 152, not 0');
    expect(why([check({ verdict: 'deadlock', partial: 'violation', exitCode: 12 })])).toBe('check C has verdict deadlock and exit code 12, not 11');
    expect(why([check({ verdict: 'limit', name: 'states', partial: 'states', exitCode: 0 })])).toBe('check C has verdict limit and exit code 0, not 152');
    expect(why([check({ verdict: 'limit', name: 'interrupted', partial: 'interrupted', exitCode: 0 })])).toBe('check C has verdict limit and exit code 0, not from 129 to 192');
    // What jobs do write: a bitstate job's exact search of a temporal check, an interrupted check.
    expect(refusals([job(2, [check({ search: 'bfs', partial: 'states', verdict: 'limit', name: 'states' })], id(2, 3, { mode: 'bitstate' }))])).toEqual([]);
    expect(refusals([job(1, [check({ verdict: 'limit', name: 'interrupted', partial: 'interrupted', exitCode: 143 })])])).toEqual([]);
  });

  it('refuses jobs of swarms of different sizes, or that ran different checks (E259)', () => {
    const c = [check({})];
    expect(refusals([job(1, c, id(1, 2)), job(2, c, id(2, 3))])).toEqual(['E259 job2.json is job 2/3, of a swarm of 3, and job1.json job 1/2, of a swarm of 2']);
    // The same job twice, whatever it says.
    expect(refusals([job(1, c), job(1, [check({ distinct: 99 })])])).toEqual(['E259 job1.json and job1.json are both job 1/3 with seed 0']);
    const named = (...names: string[]): CheckRecord[] => names.map((n) => check({ check: n }));
    expect(refusals([job(1, named('A', 'B')), job(2, named('A', 'C'))])).toEqual(['E259 job2.json ran the checks (A, C), job1.json the checks (A, B)']);
    expect(refusals([job(1, named('A', 'B')), job(2, named('B', 'A'))])).toEqual(['E259 job2.json ran the checks (B, A), job1.json the checks (A, B)']);
    expect(refusals([job(1, named('A')), job(2, named('A', 'B'))])).toEqual(['E259 job1.json ran the checks (A) and was not interrupted, job2.json the checks (A, B)']);
    expect(refusals([job(1, [check({ check: null })]), job(2, named('A'))])).toEqual(['E259 job2.json ran the checks (A), job1.json the checks (spec X)']);
    // A job stopped by a signal ran the first checks only, the last one interrupted.
    const stopped = job(2, [check({ check: 'A', verdict: 'limit', name: 'interrupted', partial: 'interrupted', exitCode: 130 })]);
    const m = mergeJobs([job(1, named('A', 'B')), stopped]);
    expect(m.checks.map((x) => [x.check, x.jobs.map((j) => j.index)])).toEqual([['A', [1, 2]], ['B', [1]]]);
    expect(m.missing).toEqual([3]);
    // Stopped between two checks: the last one it ran is whole, its exit code says it was interrupted.
    const between = mergeJobs([job(1, named('A', 'B')), job(2, named('A'), { exitCode: 143 })]);
    expect(between.checks.map((x) => [x.check, x.jobs.map((j) => j.index)])).toEqual([['A', [1, 2]], ['B', [1]]]);
  });

  it('reads a result file and an NDJSON stream alike, and nothing else (E258)', () => {
    const rec = job(1, [check({})]).record;
    expect(parseJobFile('a', JSON.stringify(rec))).toEqual(rec);
    const { checks, exitCode: _x, ...head } = rec;
    const ndjson = [{ event: 'start' }, ...checks.map((c) => ({ event: 'swarm', ...head, ...c })), { event: 'exit', code: 0 }].map((e) => JSON.stringify(e)).join('\n');
    expect(parseJobFile('b', ndjson)).toEqual(rec);
    for (const bad of ['', 'spec X', '{"format":"ITF"}', '{"event":"start"}\n{"event":"exit","code":0}']) {
      expect(() => parseJobFile('c', bad)).toThrow(SpecErrors);
    }
  });

  it('refuses a record with a field of the wrong kind, or nested too deep, by name (E258), never a stack overflow', () => {
    const rec = job(1, [check({})]).record;
    const why = (text: string): string => {
      try {
        parseJobFile('f.json', text);
        return 'accepted';
      } catch (e) {
        if (!(e instanceof SpecErrors)) throw e;
        expect(e.diagnostics.map((d) => d.code)).toEqual(['E258']);
        return e.diagnostics[0]!.message;
      }
    };
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const field of ['consts', 'file', 'version', 'job', 'checks', 'toolVersion']) {
      expect(why(JSON.stringify({ ...rec, [field]: '@' }).replace('"@"', deep))).toBe('f.json is not a swarm job result: it has arrays and objects nested more than 1,000 levels deep');
    }
    // A line of NDJSON.
    expect(why(`{"event":"start"}\n{"event":"swarm","x":${deep}}`)).toBe('f.json is not a swarm job result: line 2 has arrays and objects nested more than 1,000 levels deep');
    expect(why(JSON.stringify({ ...rec, consts: [['N=3']] }))).toBe('f.json is not a swarm job result: its "consts" is not a list of NAME=VALUE texts');
    expect(why(JSON.stringify({ ...rec, file: ['x'] }))).toBe('f.json is not a swarm job result: it has no "spec", "source", "file" and "toolVersion"');
    expect(why(JSON.stringify({ ...rec, job: { ...rec.job, mode: 3 } }))).toBe('f.json is not a swarm job result: it has no "job" with index, of, seed, mode and description');
    expect(why(JSON.stringify({ ...rec, version: 'x'.repeat(500) }))).toBe(`f.json is not a swarm job result: it is of version "${'x'.repeat(56)}..., and this spex reads version ${rec.version}`);
    for (const [field, bad] of [['name', 7], ['verdict', 'fine'], ['distinct', '12'], ['temporalUnchecked', [1]], ['steps', 'six'], ['coverage', 'all']] as const) {
      expect(why(JSON.stringify({ ...rec, checks: [{ ...rec.checks[0], [field]: bad }] }))).toMatch(/^f\.json is not a swarm job result: a check in it has /);
    }
    expect(why(JSON.stringify(rec))).toBe('accepted');
  });
});
