/**
 * Checkpoints of the disk-backed search (docs/scale.md): a manifest, checkpoint.json, naming
 * the data files and how much of each is valid, written atomically (temporary file, fsync,
 * rename, fsync of the directory) after the data files it names were synced. A kill at any
 * moment leaves either the previous manifest or the new one, each naming complete files.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DiskError, ioError } from './files.js';
import type { ReplayOverflow } from './replay-file.js';

export const MANIFEST = 'checkpoint.json';
/**
 * The manifest's format, and with it the fingerprints in the files: 2 since the packed engine
 * fingerprints wide states as sums (stepFingerprint), which a checkpoint of 1 does not hold.
 */
const FORMAT = 2;

/**
 * What must be the same for a checkpoint to be resumed: the spec's text (a hash), the check,
 * the constants and every option that changes the search. Compared field by field.
 */
export type CheckpointIdentity = Readonly<Record<string, string | number | boolean | null>>;

export interface Manifest {
  readonly format: number;
  readonly identity: CheckpointIdentity;
  /** When it was written (ISO time), for the report. */
  readonly written: string;
  readonly seconds: number;
  readonly generated: number;
  readonly depth: number;
  readonly depthLimitHit: boolean;
  /** The level being expanded (initial states: level 1). */
  readonly level: number;
  readonly distinct: number;
  readonly replay: { readonly file: string; readonly overflow: ReplayOverflow };
  /** The sorted run of fingerprint keys on disk (null: none yet), and its keys. */
  readonly run: { readonly file: string; readonly keys: number } | null;
  /** The keys of the in-memory table (sorted as the disk-backed search writes them; in any order as the in-memory search does: a resume reads them whole). */
  readonly table: { readonly file: string; readonly keys: number };
  readonly current: { readonly file: string; readonly count: number; readonly first: number; readonly pos: number; readonly offset: number };
  readonly next: { readonly file: string; readonly count: number; readonly bytes: number };
  readonly checkpoints: number;
}

/** Writes the manifest atomically into `dir`. */
export function writeManifest(dir: string, m: Manifest): void {
  const path = join(dir, MANIFEST);
  const tmp = path + '.tmp';
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(m));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch (e) {
    throw ioError('write the checkpoint', path, e);
  }
}

/** Makes the directory of a check's checkpoints (E250 when it cannot be made). */
export function makeCheckpointDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new DiskError('E250', `cannot use ${dir} for checkpoints: ${(e as Error).message}`, 'give --checkpoint a directory spex can create and write');
  }
}

/** Whether `dir` holds a checkpoint manifest. */
export function hasManifest(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/** Reads the manifest in `dir` and checks it is of this configuration (E251, E252). */
export function readManifest(dir: string, identity: CheckpointIdentity): Manifest {
  const path = join(dir, MANIFEST);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new DiskError('E251', `cannot resume from ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it holds no checkpoint' : `its checkpoint is unreadable (${(e as Error).message})`}`, 'give the directory a run with --checkpoint wrote to; a run that finished removes its checkpoint');
  }
  if (m.format !== FORMAT || typeof m.identity !== 'object' || m.identity === null) {
    throw new DiskError('E251', `cannot resume from ${dir}: its checkpoint is not one this version of spex writes`, 'run the check again from the start');
  }
  for (const key of new Set([...Object.keys(identity), ...Object.keys(m.identity)])) {
    const was = m.identity[key];
    const is = identity[key];
    if (was !== is) {
      const what = key === 'specHash' ? 'the spec file changed since' : `${key} is ${JSON.stringify(is ?? null)} now, ${JSON.stringify(was ?? null)} in`;
      throw new DiskError('E252', `cannot resume from ${dir}: ${what} the checkpoint`, 'a checkpoint resumes only the same spec text, check, constants and search options (--max-states, --max-depth, --deadlock, --engine); run again without --resume to start afresh');
    }
  }
  return m;
}

/** The files a manifest names, itself included (names in its directory). */
export function namedFiles(m: Manifest): Set<string> {
  return new Set([MANIFEST, m.replay.file, m.table.file, m.current.file, m.next.file, ...(m.run ? [m.run.file] : [])]);
}

/** Whether `name` is one of the files a search keeps in its checkpoint or spill directory. */
const RUN_FILE = /^(?:(?:replay|run|table|level)-\d+\.bin|checkpoint\.json(?:\.tmp)?)$/;

/** Removes the search's files in `dir` that `which` picks (nothing else there). */
export function removeRunFiles(dir: string, which: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  removeFiles(names.filter((f) => RUN_FILE.test(f) && which(f)).map((f) => join(dir, f)));
}

/** Removes the files at `paths` (those already gone are no error). */
export function removeFiles(paths: readonly string[]): void {
  for (const f of paths) {
    try {
      unlinkSync(f);
    } catch {
      // gone already
    }
  }
}

/** The first file number after those of the search's files in `dir` (files are `KIND-N.bin`). */
export function nextFileNumber(dir: string): number {
  let n = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const f of names) {
    const m = /^(?:replay|run|table|level)-(\d+)\.bin$/.exec(f);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

export { FORMAT as MANIFEST_FORMAT };
