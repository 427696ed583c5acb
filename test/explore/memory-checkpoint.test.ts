/**
 * Checkpoints of the in-memory flat-level search (src/explore/vector-run.ts,
 * src/explore/disk/memory-checkpoint.ts, docs/scale.md): interrupted at every few looks at the
 * clock and resumed until it ends, a search gives the uninterrupted run's counts, outcome and
 * trace, on every outcome, with levels in small chunks and of doubles; the disk-backed search
 * resumes its checkpoints and it resumes the disk-backed search's; at the memory budget it goes
 * on on disk, which writes its own checkpoints in the same directory.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configOverrides, constOverrides, loadSpec, selectChecks } from '../../src/engine/run.js';
import { compileSpec, type Label } from '../../src/lang/compile.js';
import { compilePacked, type PackedSpec } from '../../src/lang/packed/index.js';
import { checkSpec } from '../../src/lang/check.js';
import { parseSpec } from '../../src/lang/parser.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/index.js';
import type { Progress } from '../../src/explore/explorer.js';
import { exploreOnDisk, type DiskOptions } from '../../src/explore/disk/explorer.js';
import { VectorCodec } from '../../src/explore/disk/files.js';
import { clearInterrupt, requestInterrupt, setMemoryBudget } from '../../src/explore/guard.js';

const dir = mkdtempSync(join(tmpdir(), 'spex-memory-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  clearInterrupt();
  setMemoryBudget(Infinity);
  delete process.env['SPEX_LEVEL_CHUNK'];
});

function packedOf(file: string, consts: string[] = [], text?: string): { name: string; system: PackedSpec }[] {
  const spec = text === undefined ? loadSpec(file).spec : checkSpec(parseSpec({ path: file, text }));
  const out: { name: string; system: PackedSpec }[] = [];
  for (const check of selectChecks(spec, undefined)) {
    const overrides = configOverrides(check, constOverrides(spec, consts));
    const p = compilePacked(spec, overrides, compileSpec(spec, overrides, check));
    if (p.ok) out.push({ name: `${file} ${check?.name ?? ''}`, system: p.system });
  }
  return out;
}

/** An unbounded Int past 2^31 (levels of doubles; the codec writes such numbers as 8 bytes). */
const WIDE = `spec Wide
var big: Int = 7
var on: Bool = false
var c: 0..20 = 0
action Count {
  c := (c + 1) % 21
}
action Double {
  require big < 50000000000
  big := 2 * big
}
action Toggle {
  require big > 4000000000
  on := not on
}
`;

function summary(r: ExploreResult<number[], Label>): unknown {
  const o = r.outcome;
  return {
    stats: [r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue],
    outcome: o.kind === 'fault' ? { kind: o.kind, message: o.error.message, states: o.trace.states, labels: o.trace.labels } : o,
  };
}

let runs = 0;
function checkpointed(system: PackedSpec, cp: string, resume: boolean, everyStates: number, extra: Partial<DiskOptions<number[]>> = {}): DiskOptions<number[]> {
  return {
    codec: new VectorCodec(system.vectorWidth),
    spillDir: dir,
    checkpoint: { dir: cp, everyMs: 3_600_000, everyStates, identity: { spec: 'test' }, resume },
    ...extra,
  };
}

/**
 * Runs `run` (resuming from its second round on), interrupting it at every `after`-th look at
 * the clock, until it ends; the last run, and how many rounds resumed.
 */
function untilDone(run: (resume: boolean, onProgress: (p: Progress) => void) => ExploreResult<number[], Label>, after: number): { last: ExploreResult<number[], Label>; resumes: number } {
  let calls = 0;
  let resumes = 0;
  for (let round = 0; round < 500; round++) {
    clearInterrupt();
    // Reports in the middle of an expansion do not count: the interrupt asked for between two
    // expansions is met in the middle of the next one when it has more than 256 successors.
    const r = run(round > 0, (p) => {
      if (p.expanding === undefined && ++calls % after === 0) requestInterrupt(15);
    });
    if (round > 0 && r.disk?.resumed !== undefined) resumes++;
    if (!(r.outcome.kind === 'limit' && r.outcome.limit === 'interrupted')) {
      // An interrupt asked for after the run's last look at the clock is not the next run's.
      clearInterrupt();
      return { last: r, resumes };
    }
    expect(r.disk?.checkpoints).toBeGreaterThan(0);
  }
  throw new Error('the search did not end in 500 rounds');
}

/** 300 successors a state: an interrupt is met in the middle of an expansion. */
const BRANCHY = `spec Branchy
var x: 0..299 = 0
var n: 0..3 = 0
action Set(v: 0..299) {
  require n < 3
  x := v
  n := n + 1
}
`;

const cases = (): { name: string; system: PackedSpec; options: ExploreOptions<number[], Label> }[] => [
  ...packedOf('branchy.spex', [], BRANCHY).map((c) => ({ ...c, options: { checkDeadlock: false } })),
  ...packedOf('test/fixtures/disk/grid-outcomes.spex').map((c) => ({ ...c, options: { checkDeadlock: true } })),
  ...packedOf('spec/bench/counter-grid.spex', ['K=5']).map((c) => ({ ...c, name: `${c.name} depth 9`, options: { checkDeadlock: true, maxDepth: 9 } })),
  ...packedOf('spec/bench/counter-grid.spex', ['K=5']).map((c) => ({ ...c, name: `${c.name} 200 states`, options: { checkDeadlock: true, maxStates: 200 } })),
  ...packedOf('wide.spex', [], WIDE).map((c) => ({ ...c, options: { checkDeadlock: true } })),
];

describe('checkpoints of the in-memory search', () => {
  it.each(cases().map((c, i) => [c.name, i] as const))('%s: interrupted again and again, then resumed, as the uninterrupted run', (_name, i) => {
    const c = cases()[i]!;
    const whole = explore(c.system, c.options);
    expect(whole.disk).toBeUndefined();
    // Levels in chunks of a few states: a checkpoint's levels are read across chunks.
    for (const [after, everyStates, chunk] of [[2, 45, '12']] as const) {
      if (chunk !== undefined) process.env['SPEX_LEVEL_CHUNK'] = chunk;
      const cp = join(dir, `rounds-${runs++}`);
      const { last, resumes } = untilDone((resume, onProgress) => explore(c.system, { ...c.options, progressPeriodMs: 0, onProgress, disk: checkpointed(c.system, cp, resume, everyStates) }), after);
      delete process.env['SPEX_LEVEL_CHUNK'];
      expect(summary(last), `${c.name}, interrupted every ${after}`).toEqual(summary(whole));
      // It ran on flat levels and never went on on disk.
      expect(last.disk?.spilled).toBe(false);
      if (whole.stats.distinct - whole.stats.queue > 4 * everyStates * after) expect(resumes).toBeGreaterThan(2);
      // A run that ended leaves nothing to resume.
      expect(readdirSync(join(cp))).toEqual([]);
    }
  });

  it('stops right after the expansion in which an interrupt is met, with a checkpoint', () => {
    const c = packedOf('branchy.spex', [], BRANCHY)[0]!;
    const cp = join(dir, `branchy-${runs++}`);
    let asked = -1;
    const r = explore(c.system, {
      checkDeadlock: false, progressPeriodMs: 0, disk: checkpointed(c.system, cp, false, 50),
      onProgress: (p) => {
        // Asked for between two expansions; met at the next one's 256th successor.
        if (p.expanding === undefined && asked < 0) {
          asked = p.generated;
          requestInterrupt(15);
        }
      },
    });
    clearInterrupt();
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    expect(asked).toBeGreaterThan(0);
    // That expansion's 300 successors, and no other.
    expect(r.stats.generated).toBe(asked + 300);
    // The one due at the look where the interrupt was asked for, and the interrupt's.
    expect(r.disk?.checkpoints).toBe(2);
    expect(readdirSync(cp)).toContain('checkpoint.json');
  });

  it('keeps having reached the depth limit across a resume (a checkpoint at every expansion)', () => {
    const c = packedOf('spec/bench/counter-grid.spex', ['K=4'])[0]!;
    for (const maxDepth of [5, 11]) {
      const options = { checkDeadlock: true, maxDepth };
      const whole = explore(c.system, options);
      const cp = join(dir, `depth-${runs++}`);
      const { last } = untilDone((resume, onProgress) => explore(c.system, { ...options, progressPeriodMs: 0, onProgress, disk: checkpointed(c.system, cp, resume, 1) }), 1);
      expect(summary(last), `--max-depth ${maxDepth}`).toEqual(summary(whole));
    }
  });

  it('writes the disk-backed search\'s format: each resumes the other\'s checkpoint', () => {
    // Big enough for the disk-backed search, whose table holds them all, to look at the clock
    // (every 4,096 expansions) a few times.
    const big = [
      ...packedOf('spec/bench/counter-grid.spex', ['N=4', 'K=7']),
      ...packedOf('test/fixtures/disk/grid-outcomes.spex', ['K=16', 'N=3']).filter((c) => !c.name.endsWith('Constrained')),
    ];
    for (const c of big) {
      const options = { checkDeadlock: true };
      const w = explore(c.system, options);
      // On disk first, interrupted at its first look, resumed in memory, interrupted there,
      // resumed on disk, and so on.
      const cp = join(dir, `cross-${runs++}`);
      let round = 0;
      const { last } = untilDone((resume, onProgress) => {
        const opts = { ...options, progressPeriodMs: 0, onProgress };
        const disk = checkpointed(c.system, cp, resume, 9, { tableKeys: 1 << 20 });
        return round++ % 2 === 1 ? explore(c.system, { ...opts, disk }) : exploreOnDisk(c.system, opts, disk);
      }, 1);
      expect(summary(last), c.name).toEqual(summary(w));
      // Both ways: disk to memory, then memory to disk.
      if (w.stats.distinct - w.stats.queue > 3 * 4096) expect(round, c.name).toBeGreaterThanOrEqual(3);
      expect(readdirSync(cp)).toEqual([]);
    }
  });

  it('goes on on disk at the memory budget, which then writes the checkpoints; a kill on either side resumes', () => {
    for (const c of cases().filter((c) => /grid-outcomes.spex (Ok|Violation|Fault)$/.test(c.name))) {
      const whole = summary(explore(c.system, c.options));
      for (const at of [1, 3]) {
        const cp = join(dir, `handover-${runs++}`);
        let round = 0;
        let handedOver = 0;
        const { last } = untilDone((resume, onProgress) => {
          // The budget passed from the `at`-th round on: the in-memory rounds before it wrote
          // checkpoints, and the disk-backed search takes over from the round's first look.
          if (++round >= at) setMemoryBudget(1);
          try {
            const r = explore(c.system, { ...c.options, progressPeriodMs: 0, onProgress, disk: checkpointed(c.system, cp, resume, 11) });
            if (r.disk?.handedOverAt !== undefined) handedOver++;
            return r;
          } finally {
            setMemoryBudget(Infinity);
          }
        }, 3);
        expect(summary(last), `${c.name}, over the budget from round ${at}`).toEqual(whole);
        expect(handedOver, c.name).toBeGreaterThan(0);
        expect(readdirSync(cp)).toEqual([]);
      }
    }
  });

  it('writes one at a look between expansions once --checkpoint-every has passed (the clock, not a count)', () => {
    const c = packedOf('spec/bench/counter-grid.spex', ['N=4', 'K=7'])[0]!;
    const cp = join(dir, `clock-${runs++}`);
    const disk = (resume: boolean, everyMs: number): DiskOptions<number[]> => ({ codec: new VectorCodec(c.system.vectorWidth), checkpoint: { dir: cp, everyMs, identity: { spec: 'test' }, resume } });
    const whole = explore(c.system, { checkDeadlock: true });
    // Every look (4,096 expansions) is past a period of 0 ms; never past an hour.
    let asked = false;
    const first = explore(c.system, {
      checkDeadlock: true, progressPeriodMs: 0, disk: disk(false, 0),
      onProgress: () => {
        if (!asked) requestInterrupt(15);
        asked = true;
      },
    });
    clearInterrupt();
    expect(first.outcome).toEqual({ kind: 'limit', limit: 'interrupted' });
    // At the first look, then the interrupt's at the second.
    expect(first.disk?.checkpoints).toBe(2);
    const rest = explore(c.system, { checkDeadlock: true, disk: disk(true, 3_600_000) });
    expect(rest.disk?.resumed?.distinct).toBe(first.stats.distinct);
    expect(rest.disk?.checkpoints).toBe(2);
    expect(summary(rest)).toEqual(summary(whole));
  });

  it('stops at the budget without going on on disk when told not to (spill: false), its checkpoint kept no longer', () => {
    const c = packedOf('spec/bench/counter-grid.spex', ['K=5'])[0]!;
    const cp = join(dir, `nospill-${runs++}`);
    setMemoryBudget(1);
    const r = explore(c.system, { checkDeadlock: true, disk: checkpointed(c.system, cp, false, 50, { spill: false }) });
    setMemoryBudget(Infinity);
    expect(r.outcome).toEqual({ kind: 'limit', limit: 'memory' });
    expect(r.disk?.handedOverAt).toBeUndefined();
    expect(readdirSync(cp)).toEqual([]);
  });
});
