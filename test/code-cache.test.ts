// The code cache (src/engine/code-cache.ts): the command (dist/cli/main.js runs the bundle
// through it) and the packed engine's generated code. A run's output never depends on it:
// without it, with it cold or warm, with entries corrupted, with a directory that cannot be
// written. Runs the built command (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const SPEC = 'spec/examples/diehard.spex';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spex-cache-test-'));
  dirs.push(d);
  return d;
}

function run(env: Record<string, string | undefined>, args: string[] = ['check', SPEC], entry = 'dist/cli/main.js'): { code: number | null; out: string; err: string } {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e['SPEX_NO_CACHE'];
  delete e['SPEX_CACHE_DIR'];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) e[k] = v;
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', env: e });
  // The search's time is the one thing that may differ.
  return { code: r.status, out: r.stdout.replace(/\d+\.\d\d s\b/g, 'T s'), err: r.stderr };
}

/** How many runs have written an entry (the byte after its magic and digest, src/engine/code-cache.ts). */
function runsOf(entry: Buffer): number {
  return entry[8 + 32]!;
}

/** The cache's entries: kind/name → contents. */
function entries(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  if (!existsSync(dir)) return m;
  for (const kind of readdirSync(dir)) for (const f of readdirSync(join(dir, kind))) m.set(`${kind}/${f}`, readFileSync(join(dir, kind, f)));
  return m;
}

describe('the code cache', () => {
  const plain = run({ SPEX_NO_CACHE: '1' });

  it('is off with SPEX_NO_CACHE=1 and with --no-cache: nothing is written', () => {
    expect(plain.code).toBe(12);
    const dir = join(tempDir(), 'cache');
    expect(run({ SPEX_NO_CACHE: '1', SPEX_CACHE_DIR: dir })).toEqual(plain);
    expect(run({ SPEX_CACHE_DIR: dir }, ['check', SPEC, '--no-cache'])).toEqual(plain);
    expect(existsSync(dir)).toBe(false);
  });

  it('a cold run writes entries for the command and the generated code; a warm run uses them, with the same output', () => {
    const dir = join(tempDir(), 'cache');
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    const first = entries(dir);
    expect([...first.keys()].filter((k) => k.startsWith('cli/'))).toHaveLength(1);
    expect([...first.keys()].filter((k) => k.startsWith('packed/'))).toHaveLength(1);
    const times = new Map([...first.keys()].map((k) => [k, statSync(join(dir, k)).mtimeMs]));
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    // Accepted: the generated code's entry is not written again; the command's is, by the few
    // runs after the first (below).
    for (const [k, t] of times) if (k.startsWith('packed/')) expect(statSync(join(dir, k)).mtimeMs).toBe(t);
    for (const [k, v] of entries(dir)) expect(runsOf(v), k).toBe(k.startsWith('cli/') ? 2 : 1);
    // The spex bin runs the command in a worker thread, through the same entries.
    expect(run({ SPEX_CACHE_DIR: dir }, ['check', SPEC], 'dist/cli/spex.js')).toEqual(plain);
    expect([...entries(dir).keys()].sort()).toEqual([...first.keys()].sort());
    // Cold, the bin's command thread writes them as main.js does.
    const binDir = join(tempDir(), 'cache');
    expect(run({ SPEX_CACHE_DIR: binDir }, ['check', SPEC], 'dist/cli/spex.js')).toEqual(plain);
    expect([...entries(binDir).keys()].sort()).toEqual([...first.keys()].sort());
  });

  it('worker threads start from the bundle too, through an entry of their own; --no-cache reaches them', () => {
    // SPEX_WORKERS_EAGER=1: the workers start at once, even on a search this small.
    const eager = { SPEX_WORKERS_EAGER: '1' };
    const dir = join(tempDir(), 'cache');
    const args = ['check', SPEC, '--workers', '2'];
    expect(run({ ...eager, SPEX_CACHE_DIR: dir }, args)).toEqual(plain);
    const first = entries(dir);
    // The command's entry and the vector explorer's worker's; one entry of generated code for both.
    expect([...first.keys()].filter((k) => k.startsWith('cli/'))).toHaveLength(2);
    expect([...first.keys()].filter((k) => k.startsWith('packed/'))).toHaveLength(1);
    const times = new Map([...first.keys()].map((k) => [k, statSync(join(dir, k)).mtimeMs]));
    expect(run({ ...eager, SPEX_CACHE_DIR: dir }, args)).toEqual(plain);
    for (const [k, t] of times) if (k.startsWith('packed/')) expect(statSync(join(dir, k)).mtimeMs).toBe(t);
    // The worker's entry is written again as the command's is, with the runs it took part in.
    for (const [k, v] of entries(dir)) expect(runsOf(v), k).toBe(k.startsWith('cli/') ? 2 : 1);
    // The generic engine's workers: an entry of their role's.
    expect(run({ ...eager, SPEX_CACHE_DIR: dir }, [...args, '--engine', 'generic'])).toEqual(plain);
    expect([...entries(dir).keys()].filter((k) => k.startsWith('cli/'))).toHaveLength(3);
    const off = join(tempDir(), 'cache');
    expect(run({ ...eager, SPEX_CACHE_DIR: off }, [...args, '--no-cache'])).toEqual(plain);
    expect(existsSync(off)).toBe(false);
  });

  // One byte changed in the middle of V8's data is what V8 itself does not notice (node 20
  // crashes on it): the entry's digest must catch it.
  const damages: [string, (b: Buffer) => Buffer][] = [
    ['one byte in the middle', (b) => {
      const c = Buffer.from(b);
      c[c.length >> 1] ^= 0xff;
      return c;
    }],
    ['every seventh byte', (b) => {
      const c = Buffer.from(b);
      for (let i = 0; i < c.length; i += 7) c[i] = (c[i]! + 0x5a) & 0xff;
      return c;
    }],
    ['cut in half', (b) => b.subarray(0, b.length >> 1)],
    ['empty', () => Buffer.alloc(0)],
  ];
  // The entries of one cold run, damaged a different way for each case.
  let cold: Map<string, Buffer> | undefined;
  const coldEntries = (): Map<string, Buffer> => {
    if (cold === undefined) {
      const dir = join(tempDir(), 'cache');
      run({ SPEX_CACHE_DIR: dir });
      cold = entries(dir);
    }
    return cold;
  };
  for (const [what, damage] of damages) {
    it(`entries damaged (${what}) are ignored and written again; the run is unchanged`, () => {
      const dir = join(tempDir(), 'cache');
      const good = coldEntries();
      expect(good.size).toBe(2);
      for (const [k, v] of good) {
        mkdirSync(dirname(join(dir, k)), { recursive: true });
        writeFileSync(join(dir, k), damage(v));
      }
      expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
      // Written again, whole (V8's data is not byte-for-byte the same from run to run).
      for (const [k, v] of entries(dir)) expect(v.length, k).toBeGreaterThan(good.get(k)!.length / 2);
      expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    });
  }

  it('a directory that cannot be made or written costs nothing but the time', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    // Under a regular file: every mkdir and write fails (ENOTDIR), even for root.
    expect(run({ SPEX_CACHE_DIR: join(file, 'cache') })).toEqual(plain);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it("writes the command's entry again in the three runs after the first, with what they compiled besides, then leaves it", () => {
    const dir = join(tempDir(), 'cache');
    // A first run that stops at once (a file that does not exist) compiles little of the command.
    const missing = run({ SPEX_CACHE_DIR: dir }, ['check', 'no-such-file.spex']);
    expect(missing.code).not.toBe(0);
    const cli = (): [string, Buffer] => {
      const all = [...entries(dir)].filter(([k]) => k.startsWith('cli/'));
      expect(all).toHaveLength(1);
      return all[0]!;
    };
    const [name, small] = cli();
    expect(runsOf(small)).toBe(1);
    // The checks that follow use that entry, and write it again, larger by what they compiled.
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    const [again, grown] = cli();
    expect(again).toBe(name);
    expect(runsOf(grown)).toBe(2);
    expect(grown.length).toBeGreaterThan(small.length * 1.2);
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    const [, last] = cli();
    expect(runsOf(last)).toBe(4);
    expect(last.length).toBeGreaterThanOrEqual(grown.length);
    // Four runs have written it: the next ones read it and leave it as it is.
    const t = statSync(join(dir, name)).mtimeMs;
    expect(run({ SPEX_CACHE_DIR: dir })).toEqual(plain);
    expect(run({ SPEX_CACHE_DIR: dir }, ['check', 'no-such-file.spex'])).toEqual(missing);
    expect(statSync(join(dir, name)).mtimeMs).toBe(t);
    expect(cli()[1].equals(last)).toBe(true);
  });

  it('keeps an entry per file: code compiled for one copy of a file never names another copy in a stack trace', () => {
    const dir = join(tempDir(), 'cache');
    // V8's cached data holds the name a script was first compiled under: two copies of the
    // bundle (two clones, two installs) sharing one entry would have the second one's stack
    // traces name the first one's path.
    // The file's name reaches the process in the environment: Node's options, -e's code among
    // them, are part of the key.
    const script = (file: string): string => {
      const code = [
        `import { cachedScript } from ${JSON.stringify(join(ROOT, 'dist/engine/code-cache.js'))};`,
        "const f = cachedScript('(function () { return new Error().stack.split(String.fromCharCode(10))[1]; })', process.env.FILE, 'test').runInThisContext();",
        'process.stdout.write(f());',
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPEX_NO_CACHE: '', SPEX_CACHE_DIR: dir, FILE: file } });
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    expect(script('/first/copy.js')).toContain('/first/copy.js:1:');
    expect(entries(dir).size).toBe(1);
    expect(script('/second/copy.js')).toContain('/second/copy.js:1:');
    expect(script('/second/copy.js')).toContain('/second/copy.js:1:');
    expect(script('/first/copy.js')).toContain('/first/copy.js:1:');
    expect(entries(dir).size).toBe(2);
  });

  it('is used by spex test and simulate alike, with the same results', () => {
    const dir = join(tempDir(), 'cache');
    for (const args of [['test', 'spec/bench/memcg-peer.spex'], ['simulate', SPEC, '--runs', '20']]) {
      const off = run({ SPEX_NO_CACHE: '1' }, args);
      expect(run({ SPEX_CACHE_DIR: dir }, args)).toEqual(off);
      expect(run({ SPEX_CACHE_DIR: dir }, args)).toEqual(off);
    }
    expect([...entries(dir).keys()].filter((k) => k.startsWith('packed/')).length).toBeGreaterThan(1);
  });
});

describe("V8's baseline compiler", () => {
  // What code-cache's module sets when loaded: functions named with INTERPRETED_PREFIX (the
  // packed engine's huge steps, src/lang/packed/index.ts) stay on the interpreter; others are
  // compiled as ever. --always-sparkplug compiles a function at its first call, where the
  // filter lets it; %GetOptimizationStatus's bit 15 says it was (7: interpreted).
  const probe = (module: string, flags: string[] = []): [number, number] => {
    const script = `
const load = ${JSON.stringify(module)}.endsWith('.cjs') ? (m) => Promise.resolve(require(m)) : (m) => import(m);
load(${JSON.stringify(join(ROOT, module))}).then(({ INTERPRETED_PREFIX }) => {
  const make = (name) => new Function(\`function \${name}(x) { return x + 1; }\\nreturn \${name};\`)();
  const fs = [make(INTERPRETED_PREFIX + 'A0'), make('A0')];
  for (const f of fs) f(1);
  console.log(JSON.stringify(fs.map((f) => new Function('f', 'return %GetOptimizationStatus(f)')(f))));
});`;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--always-sparkplug', ...flags, '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as [number, number];
  };
  const BASELINE = 1 << 15;
  const INTERPRETED = 1 << 7;
  it.each(['dist/cli/code-cache.cjs', 'dist/engine/code-cache.js'])('leaves the functions named for the interpreter to it, and compiles the others (%s)', (module) => {
    const [huge, plain] = probe(module);
    expect(huge & (BASELINE | INTERPRETED)).toBe(INTERPRETED);
    expect(plain & BASELINE).toBe(BASELINE);
  });
  it("leaves a filter of the user's own as it is", () => {
    const [huge, plain] = probe('dist/cli/code-cache.cjs', ['--sparkplug-filter=*']);
    expect(huge & BASELINE).toBe(BASELINE);
    expect(plain & BASELINE).toBe(BASELINE);
  });
});
