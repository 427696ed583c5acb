/**
 * spex's code cache: V8's compiled code (bytecode) for JavaScript that spex compiles, kept on
 * disk between runs, so that a later run deserialises it instead of parsing and compiling the
 * source again (docs/engine.md, "The code cache").
 *
 *   - the command itself (dist/cli/main.bundle.cjs, started by dist/cli/main.js; both written
 *     by scripts/bundle.mjs): about a megabyte of JavaScript, most of a small check's time;
 *   - the packed engine's generated code (src/lang/packed/index.ts), one entry per generated
 *     source.
 *
 * Where: $SPEX_CACHE_DIR, else $XDG_CACHE_HOME/spex, else ~/.cache/spex. Off: SPEX_NO_CACHE=1,
 * or `--no-cache` on the command line. An entry is a file named by a hash of what it was
 * compiled from (the source, node's version, architecture and flags). Whatever is wrong with
 * the cache (missing, corrupt, written by another V8, a directory that cannot be written) only
 * costs the time it would have saved: an entry that is not intact (checked with its digest,
 * see sealed) or that V8 refuses (another node, other flags) is compiled and written again,
 * and a write that fails is skipped. Entries are written when the process exits, so that they
 * hold the functions compiled during the run too (V8 compiles a function's body the first time
 * it is called), atomically (a temporary file, then a rename); the command's again by the few
 * runs after the first (REFINING_RUNS). This module imports only node's
 * own modules: dist/cli/main.js loads it before the command.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script, type ScriptOptions } from 'node:vm';
import { isMainThread, workerData } from 'node:worker_threads';

/**
 * The name prefix of a generated function that V8's baseline compiler (Sparkplug) leaves to
 * its interpreter: the packed engine's steps of many thousand statements (src/lang/packed,
 * `declare`). TurboFan never optimises a function of more than 60 KB of bytecode, and Sparkplug
 * compiles such a function to machine code several times the size of its bytecode, which a
 * step runs once from top to bottom: fetching it costs more than interpreting the bytecode.
 * Fuzz mutant 1-8799 (8,786 statements in one step, 3,528 states): 11.1–11.6 s a run with
 * Sparkplug, 5.6–6.1 s without (docs/engine.md, "Huge steps").
 *
 * The filter is set here, when the process loads this module, before it reads or writes any
 * entry: V8's flags are part of what an entry was compiled under, and an entry written under
 * other flags is refused. Every entry point of spex loads this module first. A filter of the
 * user's own (`--sparkplug-filter` in node's options) is left as it is.
 */
export const INTERPRETED_PREFIX = 'spexInterpreted_';
if (!/sparkplug[-_]filter/.test(`${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`)) setFlagsFromString(`--sparkplug-filter=-${INTERPRETED_PREFIX}*`);

/** The most entries kept per kind; beyond it, the oldest go when an entry is written. */
const MAX_ENTRIES: Record<string, number> = { cli: 24, packed: 256 };

/**
 * How many runs after the one that wrote an entry of a kind write it again, with what they
 * compiled besides. An entry holds the functions its first run compiled: one `spex check` that
 * stopped at an error in its arguments, or checked a spec of another shape, left the command
 * an entry without most of what the next checks run, and every later check compiled those
 * again (diehard: a median of 281 ms a run against 263 ms with an entry its own check wrote).
 * The bundle's runs differ in what they call; the packed engine's generated code is its
 * configuration's alone, and runs the same functions every time.
 */
const REFINING_RUNS: Record<string, number> = { cli: 3 };

let enabled = process.env['SPEX_NO_CACHE'] === undefined || process.env['SPEX_NO_CACHE'] === '' || process.env['SPEX_NO_CACHE'] === '0';

/**
 * Turns the cache off for this process (`--no-cache`), and for the threads it starts from now
 * on: they take a copy of the environment.
 */
export function disableCodeCache(): void {
  enabled = false;
  process.env['SPEX_NO_CACHE'] = '1';
}

/** The cache's directory, or undefined when it is off or there is no place for it. */
export function codeCacheDirectory(): string | undefined {
  if (!enabled) return undefined;
  const env = process.env;
  if (env['SPEX_CACHE_DIR']) return env['SPEX_CACHE_DIR'];
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'spex');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home === '' ? undefined : join(home, '.cache', 'spex');
}

interface Pending {
  readonly script: Script;
  readonly file: string;
  readonly kind: string;
  /** The runs that have written the entry so far, this one included. */
  readonly runs: number;
  /** The data the entry held, when V8 took it: kept if this run's is no larger. */
  readonly held: Buffer | undefined;
}
const pending: Pending[] = [];
let exitHook = false;

function writePending(): void {
  const kinds = new Set<string>();
  for (const p of pending.splice(0)) {
    const tmp = `${p.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dirname(p.file), { recursive: true });
      const data = p.script.createCachedData();
      writeFileSync(tmp, sealed(p.held !== undefined && data.length <= p.held.length ? p.held : data, p.runs));
      renameSync(tmp, p.file);
      kinds.add(p.kind);
    } catch {
      // Unwritable, full, or gone: the run does not depend on it.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
  for (const kind of kinds) prune(kind);
}

/**
 * The entries' writers of every copy of this module in the thread: dist/cli/main.js runs the
 * bundle with the copy tsc wrote, and the bundle holds one of its own (for the packed engine's
 * code). writeCodeCacheNow writes both copies' entries.
 */
const WRITERS = Symbol.for('spex.code-cache.writers');
const writers = ((globalThis as { [WRITERS]?: Set<() => void> })[WRITERS] ??= new Set());
writers.add(writePending);

/**
 * Writes the entries compiled so far now, instead of when the process exits. For worker
 * threads, which are terminated rather than left to exit: the explorers' threads call it once
 * they have built their system (src/cli/threads.ts), so that their entry holds what that
 * compiled.
 */
export function writeCodeCacheNow(): void {
  for (const w of writers) w();
}

/** Removes the oldest entries of a kind beyond its limit. */
function prune(kind: string): void {
  const dir = codeCacheDirectory();
  if (dir === undefined) return;
  try {
    const d = join(dir, kind);
    const entries = readdirSync(d)
      .filter((f) => f.endsWith('.v8'))
      .map((f) => ({ f, t: statSync(join(d, f)).mtimeMs }));
    const max = MAX_ENTRIES[kind] ?? 64;
    if (entries.length <= max) return;
    entries.sort((a, b) => a.t - b.t);
    for (const e of entries.slice(0, entries.length - max)) rmSync(join(d, e.f), { force: true });
  } catch {
    // Another process pruned first, or the directory cannot be read: nothing is lost.
  }
}

/** A hex digest of a text. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * An entry on disk: MAGIC, the SHA-256 of the rest, the number of runs that wrote it (a byte),
 * the payload (V8's cached data). V8 checks its version and flags in the payload, but not that
 * the payload is intact: a damaged one can crash the process. So spex checks the digest first
 * and ignores an entry that fails.
 */
const MAGIC = Buffer.from('spex-v8r', 'latin1');
const HEADER = MAGIC.length + 32;

function sealed(payload: Buffer, runs: number): Buffer {
  const rest = Buffer.concat([Buffer.of(Math.min(runs, 255)), payload]);
  return Buffer.concat([MAGIC, createHash('sha256').update(rest).digest(), rest]);
}

function unsealed(entry: Buffer): { readonly runs: number; readonly payload: Buffer } | undefined {
  if (entry.length <= HEADER + 1 || !entry.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const rest = entry.subarray(HEADER);
  if (!createHash('sha256').update(rest).digest().equals(entry.subarray(MAGIC.length, HEADER))) return undefined;
  return { runs: rest[0]!, payload: rest.subarray(1) };
}

/**
 * A vm.Script for `source`, from the cache when it holds a valid entry for it; otherwise
 * compiled, and its entry written when the process exits. `key` names the source (a hash of
 * it, or of what it was built from); undefined: a hash of the source itself.
 */
export function cachedScript(source: string, filename: string, kind: string, key?: string, options: ScriptOptions = {}): Script {
  const dir = codeCacheDirectory();
  if (dir === undefined) return new Script(source, { ...options, filename });
  // The file's name is part of the key: V8 keeps the name a script was first compiled under in
  // its cached data, and a stack trace of code compiled from another copy of the bundle (another
  // clone, another install) would name that copy's path.
  const name = digest(`${key ?? digest(source)}\0${filename}\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`).slice(0, 40);
  const file = join(dir, kind, `${name}.v8`);
  let entry: ReturnType<typeof unsealed>;
  try {
    entry = unsealed(readFileSync(file));
  } catch {
    entry = undefined;
  }
  const script = new Script(source, entry === undefined ? { ...options, filename } : { ...options, filename, cachedData: entry.payload });
  const taken = entry !== undefined && script.cachedDataRejected !== true;
  // Written again: an entry missing, damaged or refused; one a few runs old, with what this
  // run compiled besides (REFINING_RUNS).
  if (!taken || entry!.runs <= (REFINING_RUNS[kind] ?? 0)) {
    pending.push({ script, file, kind, runs: taken ? entry!.runs + 1 : 1, held: taken ? entry!.payload : undefined });
    if (!exitHook) {
      exitHook = true;
      process.on('exit', writePending);
    }
  }
  return script;
}

/**
 * Compiles the body of a function of `params` as `new Function(...params, body)` does, through
 * the cache: the packed engine's generated code.
 */
export function cachedFunction(params: readonly string[], body: string, kind = 'packed'): (...args: unknown[]) => unknown {
  const source = `(function (${params.join(', ')}) {\n${body}\n})`;
  const script = cachedScript(source, `spex-${kind}-generated.js`, kind);
  return script.runInThisContext() as (...args: unknown[]) => unknown;
}

/**
 * Runs the bundled command (dist/cli/main.bundle.cjs, a CommonJS file) through the cache; the
 * entry point dist/cli/main.js calls it. `key` is the bundle's hash, computed when it was built.
 */
export function runBundle(bundle: URL, key: string): void {
  const argv = isMainThread ? process.argv.slice(2) : ((workerData as { argv?: unknown } | null)?.argv as string[] | undefined) ?? [];
  if (argv.includes('--no-cache')) disableCodeCache();
  const file = fileURLToPath(bundle);
  const source = `(function (exports, require, module, __filename, __dirname, __spexImport) {${readFileSync(file, 'utf8')}\n})`;
  // An entry holds the functions its first run compiled, and an entry that V8 accepts is not
  // written again: one per command, so that \`spex --version\` run first does not leave
  // \`spex check\` an entry without the functions it needs.
  // A worker thread of the command (src/explore/threads.ts) has an entry of its role's.
  const role = isMainThread ? undefined : (workerData as { spexThread?: unknown } | null)?.spexThread;
  const command = typeof role === 'string' ? `thread-${role}` : (argv.find((a) => !a.startsWith('-')) ?? '');
  const script = cachedScript(source, file, 'cli', `${key} ${/^[a-z-]+$/.test(command) ? command : ''}`);
  type Run = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dir: string, load: (specifier: string) => Promise<unknown>) => void;
  const run = script.runInThisContext() as Run;
  const module = { exports: {} };
  // The bundle's import('../lsp/server.js') (spex lsp), relative to the bundle as in the file tsc wrote.
  const load = (specifier: string): Promise<unknown> => import(new URL(specifier, bundle).href);
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), load);
}
