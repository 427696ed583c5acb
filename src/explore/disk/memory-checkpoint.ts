/**
 * Checkpoints of the in-memory search (the flat-level search, vector-run.ts), written in the
 * disk-backed search's format (checkpoint.ts) so that either search resumes a checkpoint of
 * the other that holds no sorted run: the replay index, appended to one file from checkpoint
 * to checkpoint; the seen set's keys, in the table's order (`table-N.bin`: a resume reads it
 * whole, so the keys need no sort, which took 0.5 s for 4.7M); the states of the level being
 * expanded that are not yet expanded, and of the level being filled (`level-N.bin`); then the
 * manifest, written atomically. Each checkpoint writes the table and the two levels afresh
 * (8 bytes a state, and the levels' encoded states) and removes the previous one's once its
 * manifest is in place, so that a kill at any moment leaves a manifest naming whole files.
 */
import { join } from 'node:path';
import { unmixedKey } from '../compact-set.js';
import type { StateCodec } from '../parallel/bytes.js';
import type { ReplayIndex } from '../trace.js';
import { hasManifest, makeCheckpointDir, namedFiles, nextFileNumber, readManifest, removeFiles, removeRunFiles, writeManifest, MANIFEST_FORMAT, type Manifest } from './checkpoint.js';
import type { DiskOptions, DiskRunInfo, StateList } from './explorer.js';
import { DiskError, FileReader, StateWriter, writeKeys } from './files.js';
import { ReplayFile } from './replay-file.js';

/** Where an in-memory search stands between two expansions, as a checkpoint holds it. */
export interface SearchSnapshot<S> {
  /** The seen set: each key, mixed as a run holds it, in any order. */
  readonly seen: { eachKey(put: (l: number, h: number) => void): void };
  readonly replay: ReplayIndex;
  /** The level being expanded: its states not yet expanded, numbered from `first`. */
  readonly current: StateList<S>;
  readonly first: number;
  /** The level being filled so far. */
  readonly next: StateList<S>;
  readonly generated: number;
  readonly depth: number;
  readonly depthLimitHit: boolean;
  /** The level being expanded (initial states: level 1), as in the manifest. */
  readonly level: number;
  readonly seconds: number;
}

export type CheckpointOptions = NonNullable<DiskOptions<unknown>['checkpoint']>;

/** The checkpoints of one in-memory run, in `options.dir`. */
export class CheckpointWriter<S> {
  readonly dir: string;
  private readonly options: CheckpointOptions;
  private readonly codec: StateCodec<S>;
  private replay: ReplayFile | null = null;
  private seq = 0;
  /** The files (paths) besides the replay file that the last manifest names. */
  private named: string[] = [];
  checkpoints = 0;
  /** Bytes of the largest set of files at once. */
  private diskBytes = 0;
  resumed: DiskRunInfo['resumed'];

  constructor(options: CheckpointOptions, codec: StateCodec<S>) {
    this.options = options;
    this.codec = codec;
    this.dir = options.dir;
    makeCheckpointDir(this.dir);
  }

  /**
   * The checkpoint to resume from, when the run is to resume and the directory holds one (of
   * this configuration: E252 otherwise); else null, the directory's old files removed.
   */
  start(): Manifest | null {
    if (this.options.resume && hasManifest(this.dir)) return readManifest(this.dir, this.options.identity);
    removeRunFiles(this.dir, () => true);
    return null;
  }

  /** The run goes on from `m` (which holds no sorted run): its replay file is appended to. */
  resumeFrom(m: Manifest): void {
    const keep = namedFiles(m);
    removeRunFiles(this.dir, (f) => !keep.has(f));
    this.seq = nextFileNumber(this.dir);
    this.replay = new ReplayFile(join(this.dir, m.replay.file), m.distinct, m.replay.overflow);
    this.named = [m.table.file, m.current.file, m.next.file].map((f) => join(this.dir, f));
    this.checkpoints = m.checkpoints;
    this.resumed = { distinct: m.distinct, written: m.written };
  }

  /** Writes a checkpoint of `s`; with the test hook, the process then kills itself. */
  write(s: SearchSnapshot<S>): void {
    const replay = (this.replay ??= new ReplayFile(this.file('replay')));
    for (let i = replay.size; i < s.replay.size; i++) replay.record(i, s.replay.parent(i), s.replay.ordinal(i));
    replay.sync();
    const table = this.file('table');
    const keys = writeKeys(table, (put) => s.seen.eachKey(put));
    const current = this.level(s.current);
    const next = this.level(s.next);
    const name = (p: string): string => p.slice(this.dir.length + 1);
    const m: Manifest = {
      format: MANIFEST_FORMAT,
      identity: this.options.identity,
      written: new Date().toISOString(),
      seconds: s.seconds,
      generated: s.generated,
      depth: s.depth,
      depthLimitHit: s.depthLimitHit,
      level: s.level,
      distinct: s.replay.size,
      replay: { file: name(replay.path), overflow: replay.overflow() },
      run: null,
      table: { file: name(table), keys },
      current: { file: name(current.path), count: s.current.length, first: s.first, pos: 0, offset: 0 },
      next: { file: name(next.path), count: s.next.length, bytes: next.bytes },
      checkpoints: this.checkpoints + 1,
    };
    writeManifest(this.dir, m);
    this.checkpoints++;
    removeFiles(this.named);
    this.named = [table, current.path, next.path];
    this.diskBytes = Math.max(this.diskBytes, 4 * s.replay.size + 8 * keys + current.bytes + next.bytes);
    if (this.options.killAfter !== undefined && this.checkpoints >= this.options.killAfter) process.kill(process.pid, 'SIGKILL');
  }

  /** What the report says of the checkpoints (no file went to a sorted run). */
  info(): DiskRunInfo {
    return { ...(this.resumed ? { resumed: this.resumed } : {}), spilled: false, checkpoints: this.checkpoints, diskBytes: this.diskBytes, dir: this.dir };
  }

  /** Closes the replay file (the run ends, or the disk-backed search goes on here). */
  close(): void {
    this.replay?.close();
  }

  /** The run ended (not interrupted): nothing is left to resume. */
  removeAll(): void {
    this.close();
    removeRunFiles(this.dir, () => true);
  }

  private file(kind: string): string {
    return join(this.dir, `${kind}-${this.seq++}.bin`);
  }

  private level(states: StateList<S>): { path: string; bytes: number } {
    const path = this.file('level');
    const w = new StateWriter(this.codec, path);
    for (const x of states) w.write(x);
    w.file.sync();
    const bytes = w.file.length;
    w.file.close();
    return { path, bytes };
  }
}

/** Hands each of the `n` keys of a checkpoint's table file to `add`, as fingerprints (unmixed). */
export function readTableKeys(path: string, n: number, add: (hi: number, lo: number) => void): void {
  const r = new FileReader(path);
  const raw = new Uint32Array(2);
  try {
    for (let i = 0; i < n; i++) {
      if (r.ensure(8) < 8) throw new DiskError('E712', `the checkpoint's table file ${path} ends early`, 'the file was changed or cut by something else; run the check again without --resume');
      const b = r.buf;
      const p = r.pos;
      const lo = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
      r.pos = p + 8;
      unmixedKey(hi >>> 0, lo >>> 0, raw);
      add(raw[0]!, raw[1]!);
    }
  } finally {
    r.close();
  }
}
