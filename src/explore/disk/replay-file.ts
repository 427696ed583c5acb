/**
 * The ReplayIndex of the disk-backed search: the same four bytes a state (the distance back
 * to the parent in three, the emission ordinal in one; larger ones in maps), appended to a
 * file through a buffer. Traces read a few entries back at random; the search only appends.
 * It goes to disk because at four bytes a state it would be, after the fingerprints, what
 * fills memory: 4 GB for a billion states.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { ReplayLookup } from '../trace.js';
import { FileReader, ioError } from './files.js';
import { IntMap } from '../int-map.js';

const FAR = 0xffffff;
const BIG_ORDINAL = 0xff;
/** Entries buffered before they are written. */
const BUFFERED = 1 << 18;

/** The overflow maps, as saved in a checkpoint. */
export interface ReplayOverflow {
  readonly far: [number, number][];
  readonly big: [number, number][];
}

export class ReplayFile implements ReplayLookup {
  private readonly fd: number;
  private readonly buf = new Uint8Array(4 * BUFFERED);
  /** Entries in the file; entries from there on are in buf. */
  private flushed: number;
  private count: number;
  private readonly farParents: IntMap;
  private readonly bigOrdinals: IntMap;
  private readonly one = new Uint8Array(4);

  /** Opens `path` holding the first `count` entries of an earlier run (0: a new file). */
  constructor(
    readonly path: string,
    count = 0,
    overflow?: ReplayOverflow,
  ) {
    try {
      this.fd = openSync(path, count > 0 ? 'r+' : 'w+');
      ftruncateSync(this.fd, 4 * count);
    } catch (e) {
      throw ioError('write', path, e);
    }
    this.flushed = this.count = count;
    this.farParents = intMapOf(overflow?.far ?? []);
    this.bigOrdinals = intMapOf(overflow?.big ?? []);
  }

  get size(): number {
    return this.count;
  }

  record(index: number, parent: number, ordinal: number): void {
    if (index !== this.count || parent >= index) {
      throw new Error(`internal error: replay file records state ${index} (parent ${parent}) when state ${this.count} is next`);
    }
    let distance = index - parent;
    if (distance >= FAR) {
      this.farParents.set(index, parent);
      distance = FAR;
    }
    if (ordinal >= BIG_ORDINAL) {
      this.bigOrdinals.set(index, ordinal);
      ordinal = BIG_ORDINAL;
    }
    const k = 4 * (index - this.flushed);
    const b = this.buf;
    b[k] = distance & 0xff;
    b[k + 1] = (distance >>> 8) & 0xff;
    b[k + 2] = distance >>> 16;
    b[k + 3] = ordinal;
    this.count++;
    if (this.count - this.flushed === BUFFERED) this.flush();
  }

  private entry(index: number): Uint8Array {
    if (index >= this.flushed) return this.buf.subarray(4 * (index - this.flushed));
    try {
      readSync(this.fd, this.one, 0, 4, 4 * index);
    } catch (e) {
      throw ioError('read', this.path, e);
    }
    return this.one;
  }

  parent(index: number): number {
    const e = this.entry(index);
    const distance = e[0]! | (e[1]! << 8) | (e[2]! << 16);
    return distance === FAR ? this.farParents.get(index)! : index - distance;
  }

  ordinal(index: number): number {
    const o = this.entry(index)[3]!;
    return o === BIG_ORDINAL ? this.bigOrdinals.get(index)! : o;
  }

  flush(): void {
    const n = 4 * (this.count - this.flushed);
    let off = 0;
    try {
      while (off < n) off += writeSync(this.fd, this.buf, off, n - off, 4 * this.flushed + off);
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    this.flushed = this.count;
  }

  sync(): void {
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (e) {
      throw ioError('sync', this.path, e);
    }
  }

  overflow(): ReplayOverflow {
    const byState = (a: [number, number], b: [number, number]): number => a[0] - b[0];
    return { far: this.farParents.entries().sort(byState), big: this.bigOrdinals.entries().sort(byState) };
  }

  /** Bytes held in memory: the buffer and the maps. */
  get bytes(): number {
    return this.buf.byteLength + this.farParents.bytes + this.bigOrdinals.bytes;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/**
 * Reads the first `count` entries of a replay file (and its overflow maps, from a checkpoint)
 * in order, handing each to `record` as its state's number, parent and ordinal.
 */
export function readReplayFile(path: string, count: number, overflow: ReplayOverflow, record: (index: number, parent: number, ordinal: number) => void): void {
  const far = intMapOf(overflow.far);
  const big = intMapOf(overflow.big);
  const r = new FileReader(path);
  try {
    for (let i = 0; i < count; i++) {
      if (r.ensure(4) < 4) throw ioError('read', path, new Error(`it ends before entry ${i} of ${count}`));
      const b = r.buf;
      const p = r.pos;
      const distance = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
      const o = b[p + 3]!;
      r.pos = p + 4;
      record(i, distance === FAR ? far.get(i)! : i - distance, o === BIG_ORDINAL ? big.get(i)! : o);
    }
  } finally {
    r.close();
  }
}

/** The overflow entries of a checkpoint in a map (a JavaScript Map holds at most 2^24 entries). */
function intMapOf(entries: readonly (readonly [number, number])[]): IntMap {
  const m = new IntMap();
  for (const [k, v] of entries) m.set(k, v);
  return m;
}
