/**
 * Files of the disk-backed search (docs/scale.md): buffered sequential writers and readers,
 * sorted runs of fingerprint keys and their merge, and the errors they raise. Everything is
 * synchronous: the search runs on one thread and waits for its disk anyway.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { ByteReader, ByteWriter, type StateCodec } from '../parallel/bytes.js';

/**
 * A failure of the disk-backed search or of its checkpoints, with its diagnostic code:
 * E250 a directory that cannot be used, E251 no usable checkpoint, E252 a checkpoint of
 * another spec or configuration, E712 a write or read that failed during the search.
 */
export class DiskError extends Error {
  constructor(
    readonly code: 'E250' | 'E251' | 'E252' | 'E712',
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DiskError';
  }
}

/** The DiskError for a failed file operation on `path`. */
export function ioError(what: string, path: string, e: unknown): DiskError {
  const ne = e as NodeJS.ErrnoException;
  const why = ne.code === 'ENOSPC' ? 'the disk is full' : ne.code === 'EACCES' || ne.code === 'EPERM' ? 'permission denied' : ne.code === 'EROFS' ? 'the file system is read-only' : ne.code === 'EDQUOT' ? 'the disk quota is exceeded' : (ne.message ?? String(e));
  return new DiskError('E712', `the disk-backed search cannot ${what} ${path}: ${why}`, ne.code === 'ENOSPC' || ne.code === 'EDQUOT' ? 'free space there, or point --spill-dir (or --checkpoint) at a disk with room: the search needs about 8 bytes a distinct state plus its two widest levels' : 'point --spill-dir (or --checkpoint) at a writable directory');
}

const BLOCK = 1 << 18;

/**
 * Buffers of closed readers and writers, for the next ones: a search opens two level files a
 * level, and letting their buffers go to the garbage collector each time swells the process.
 */
const spareReadBuffers: Uint8Array[] = [];
const spareWriters: ByteWriter[] = [];

/** Appends to a file through a buffer of about a MiB. */
export class FileWriter {
  readonly path: string;
  private readonly fd: number;
  readonly out = spareWriters.pop() ?? new ByteWriter(BLOCK + 4096);
  /** Bytes in the file, flushed or not. */
  private flushed: number;

  /** Opens `path` for appending, cut to `keep` bytes (default: emptied). */
  constructor(path: string, keep = 0) {
    this.path = path;
    try {
      this.fd = openSync(path, keep > 0 ? 'r+' : 'w');
      if (keep > 0) ftruncateSync(this.fd, keep);
    } catch (e) {
      throw ioError('write', path, e);
    }
    this.flushed = keep;
  }

  get length(): number {
    return this.flushed + this.out.pos;
  }

  /** Writes the buffer out when it passed a block. */
  maybeFlush(): void {
    if (this.out.pos >= BLOCK) this.flush();
  }

  flush(): void {
    const b = this.out.view();
    let off = 0;
    try {
      while (off < b.length) off += writeSync(this.fd, b, off, b.length - off, this.flushed + off);
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    this.flushed += b.length;
    this.out.clear();
  }

  sync(): void {
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (e) {
      throw ioError('sync', this.path, e);
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.release();
  }

  /** Closes without writing what is buffered (when the run is abandoned). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.release();
  }

  private release(): void {
    if (spareWriters.includes(this.out)) return;
    this.out.clear();
    if (spareWriters.length < 4) spareWriters.push(this.out);
  }
}

/** Reads a file sequentially through a buffer, from a byte offset. */
export class FileReader {
  readonly path: string;
  private readonly fd: number;
  buf = spareReadBuffers.pop() ?? new Uint8Array(BLOCK);
  pos = 0;
  end = 0;
  /** File offset of buf[0]. */
  private base: number;

  constructor(path: string, offset = 0) {
    this.path = path;
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw ioError('read', path, e);
    }
    this.base = offset;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes `n` bytes available from pos (fewer at the end of the file); returns how many are. */
  ensure(n: number): number {
    if (this.end - this.pos >= n) return n;
    const keep = this.end - this.pos;
    if (n > this.buf.length) {
      const b = new Uint8Array(Math.max(n, 2 * this.buf.length));
      b.set(this.buf.subarray(this.pos, this.end));
      this.buf = b;
    } else {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = keep;
    try {
      while (this.end < this.buf.length) {
        const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
        if (got === 0) break;
        this.end += got;
      }
    } catch (e) {
      throw ioError('read', this.path, e);
    }
    return Math.min(n, this.end);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      return; // closed before: its buffer went back then
    }
    if (this.buf.length === BLOCK && spareReadBuffers.length < 4) spareReadBuffers.push(this.buf);
  }
}

/** Writes states as a length (varuint) and the codec's bytes. */
export class StateWriter<S> {
  readonly file: FileWriter;
  private readonly codec: StateCodec<S>;
  private readonly scratch = new ByteWriter(256);
  count: number;

  constructor(codec: StateCodec<S>, path: string, keepBytes = 0, count = 0) {
    this.codec = codec;
    this.file = new FileWriter(path, keepBytes);
    this.count = count;
  }

  write(state: S): void {
    this.scratch.clear();
    this.codec.encode(state, this.scratch);
    this.writeBytes(this.scratch.view());
  }

  writeBytes(b: Uint8Array): void {
    const out = this.file.out;
    out.varuint(b.length);
    out.bytes(b);
    this.count++;
    this.file.maybeFlush();
  }
}

/** Reads what a StateWriter wrote. */
export class StateReader<S> {
  readonly file: FileReader;
  private readonly codec: StateCodec<S>;
  private readonly reader = new ByteReader(new Uint8Array(0));

  constructor(codec: StateCodec<S>, path: string, offset = 0) {
    this.codec = codec;
    this.file = new FileReader(path, offset);
  }

  read(): S {
    const f = this.file;
    f.ensure(5);
    const r = this.reader;
    r.buf = f.buf;
    r.pos = f.pos;
    const len = r.varuint();
    f.pos = r.pos;
    if (f.ensure(len) < len) throw new DiskError('E712', `the disk-backed search's level file ${f.path} ends early`, 'the file was changed or cut by something else; run the check again');
    r.buf = f.buf;
    r.pos = f.pos;
    const s = this.codec.decode(r);
    f.pos += len;
    return s;
  }
}

/**
 * The states of a packed system, fixed-width vectors of numbers: each number as a zigzag
 * varuint when it is an integer of magnitude below 2^30 (shifted by one: 0 marks a double),
 * else as 0 and 8 bytes.
 */
export class VectorCodec implements StateCodec<number[]> {
  constructor(private readonly width: number) {}

  encode(v: number[], out: ByteWriter): void {
    for (let i = 0; i < this.width; i++) {
      const x = v[i]!;
      if (Number.isInteger(x) && x > -(2 ** 30) && x < 2 ** 30) {
        out.varuint((((x << 1) ^ (x >> 31)) >>> 0) + 1);
      } else {
        out.varuint(0);
        out.f64(x);
      }
    }
  }

  decode(input: ByteReader): number[] {
    const v = new Array<number>(this.width);
    for (let i = 0; i < this.width; i++) {
      const z = input.varuint();
      if (z === 0) v[i] = input.f64();
      else {
        const u = z - 1;
        v[i] = (u >>> 1) ^ -(u & 1);
      }
    }
    return v;
  }
}

/** Whether key a (hi ah, lo al) is below key b. */
function below(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && al < bl);
}

/** Keys per chunk when reading a sorted run. */
const RUN_CHUNK = 1 << 17;

/** Reads a sorted run (pairs of words, low half first) chunk by chunk. */
/** The one chunk buffer of the run readers (one reads at a time: the search is sequential). */
const RUN_BYTES = new Uint8Array(8 * RUN_CHUNK);
const RUN_WORDS = new Uint32Array(RUN_BYTES.buffer);

class RunReader {
  private readonly fd: number;
  private readonly bytes = RUN_BYTES;
  readonly words = RUN_WORDS;
  /** Keys in the chunk, and the next one's index. */
  n = 0;
  i = 0;
  private offset = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw ioError('read', path, e);
    }
    this.fill();
  }

  /** Whether a key is left; loads the next chunk when this one is used up. */
  more(): boolean {
    if (this.i < this.n) return true;
    this.fill();
    return this.n > 0;
  }

  private fill(): void {
    let got = 0;
    try {
      while (got < this.bytes.length) {
        const k = readSync(this.fd, this.bytes, got, this.bytes.length - got, this.offset + got);
        if (k === 0) break;
        got += k;
      }
    } catch (e) {
      throw ioError('read', this.path, e);
    }
    this.offset += got;
    this.n = got >>> 3;
    this.i = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Merges the sorted run at `from` (null: none) with the sorted keys `keys` into a new run at
 * `to` (synced to disk if `sync`: a checkpoint may name it); returns the keys written. The two
 * hold no key in common.
 */
export function mergeRun(from: string | null, keys: Uint32Array, to: string, sync: boolean): number {
  const w = new FileWriter(to);
  const out = w.out;
  const put = (l: number, h: number): void => putKey(out, l, h);
  let n = 0;
  let k = 0;
  const nk = keys.length;
  if (from !== null) {
    const r = new RunReader(from);
    while (r.more()) {
      const words = r.words;
      for (; r.i < r.n; r.i++) {
        const l = words[2 * r.i]!;
        const h = words[2 * r.i + 1]!;
        while (k < nk && below(keys[k + 1]!, keys[k]!, h, l)) {
          put(keys[k]!, keys[k + 1]!);
          k += 2;
          n++;
        }
        put(l, h);
        n++;
      }
      w.maybeFlush();
    }
    r.close();
  }
  for (; k < nk; k += 2) {
    put(keys[k]!, keys[k + 1]!);
    n++;
    if ((k & 0xffff) === 0) w.maybeFlush();
  }
  if (sync) w.sync();
  w.close();
  return n;
}

/** Appends a key as the runs hold it: its low word, then its high word, little-endian. */
function putKey(out: ByteWriter, l: number, h: number): void {
  out.ensure(8);
  const b = out.buf;
  let p = out.pos;
  b[p++] = l & 0xff; b[p++] = (l >>> 8) & 0xff; b[p++] = (l >>> 16) & 0xff; b[p++] = l >>> 24;
  b[p++] = h & 0xff; b[p++] = (h >>> 8) & 0xff; b[p++] = (h >>> 16) & 0xff; b[p++] = h >>> 24;
  out.pos = p;
}

/**
 * Writes the keys `each` hands over, in the order it gives them, to a new file at `to` as a run
 * holds them, synced; returns how many. (A checkpoint's table: read back whole, in any order.)
 */
export function writeKeys(to: string, each: (put: (l: number, h: number) => void) => void): number {
  const w = new FileWriter(to);
  const out = w.out;
  let n = 0;
  each((l, h) => {
    putKey(out, l, h);
    if ((++n & 0x7fff) === 0) w.maybeFlush();
  });
  w.sync();
  w.close();
  return n;
}

/**
 * Marks which of the sorted, distinct keys `keys` are in the sorted run at `path`: found[i]
 * = 1 for key i. One sequential pass over the run.
 */
export function scanRun(path: string, keys: Uint32Array, found: Uint8Array): void {
  const r = new RunReader(path);
  let k = 0;
  const nk = keys.length;
  outer: while (k < nk && r.more()) {
    const words = r.words;
    while (r.i < r.n) {
      const l = words[2 * r.i]!;
      const h = words[2 * r.i + 1]!;
      const kl = keys[k]!;
      const kh = keys[k + 1]!;
      if (below(h, l, kh, kl)) {
        r.i++;
      } else {
        if (h === kh && l === kl) found[k >>> 1] = 1;
        k += 2;
        if (k >= nk) break outer;
      }
    }
  }
  r.close();
}

/** Whether the sorted run at `path` of `count` keys holds key (h, l): a binary search by reads. */
export function runHas(path: string, count: number, h: number, l: number): boolean {
  const fd = openSync(path, 'r');
  const b = new Uint8Array(8);
  const w = new Uint32Array(b.buffer);
  try {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      readSync(fd, b, 0, 8, mid * 8);
      const ml = w[0]!;
      const mh = w[1]!;
      if (mh === h && ml === l) return true;
      if (below(mh, ml, h, l)) lo = mid + 1;
      else hi = mid;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Size of a file in bytes (0 if it does not exist). */
export function fileSize(path: string): number {
  try {
    const fd = openSync(path, 'r');
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}
