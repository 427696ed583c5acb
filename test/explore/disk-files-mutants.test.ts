/**
 * The files of the disk-backed search (src/explore/disk/files.ts): the buffered writer and
 * reader, the level files of states, the vector codec at its edges, sorted runs (their merge,
 * scan and binary search across chunk boundaries) and the errors a failed file operation
 * raises. Seeded data, so that a failure reproduces.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskError, FileReader, FileWriter, fileSize, ioError, mergeRun, runHas, scanRun, StateReader, StateWriter, VectorCodec } from '../../src/explore/disk/files.js';
import { ByteReader, ByteWriter, type StateCodec } from '../../src/explore/parallel/bytes.js';
import { words } from '../support/words.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spex-disk-files-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Whether two byte or word arrays hold the same bytes (a deep comparison of big arrays is slow). */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const errno = (code: string | undefined, message = 'boom'): NodeJS.ErrnoException => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('disk files: errors', () => {
  it('names the failed operation, the file and the reason, with a hint that fits it', () => {
    const full = ioError('write', '/x/f.bin', errno('ENOSPC'));
    expect(full).toBeInstanceOf(DiskError);
    expect(full).toBeInstanceOf(Error);
    expect(full.name).toBe('DiskError');
    expect(full.code).toBe('E712');
    expect(full.message).toBe('the disk-backed search cannot write /x/f.bin: the disk is full');
    expect(full.hint).toMatch(/^free space there, or point --spill-dir \(or --checkpoint\) at a disk with room/);
    const quota = ioError('sync', '/x/g.bin', errno('EDQUOT'));
    expect(quota.message).toBe('the disk-backed search cannot sync /x/g.bin: the disk quota is exceeded');
    expect(quota.hint).toBe(full.hint);
    const other = 'point --spill-dir (or --checkpoint) at a writable directory';
    expect(ioError('read', 'p', errno('EACCES'))).toMatchObject({ message: 'the disk-backed search cannot read p: permission denied', hint: other });
    expect(ioError('read', 'p', errno('EPERM'))).toMatchObject({ message: 'the disk-backed search cannot read p: permission denied', hint: other });
    expect(ioError('read', 'p', errno('EROFS'))).toMatchObject({ message: 'the disk-backed search cannot read p: the file system is read-only', hint: other });
    expect(ioError('read', 'p', errno('EIO', 'i/o error'))).toMatchObject({ message: 'the disk-backed search cannot read p: i/o error', hint: other });
    expect(ioError('read', 'p', errno(undefined, 'odd'))).toMatchObject({ message: 'the disk-backed search cannot read p: odd', hint: other });
  });

  it('raises E712 when a file cannot be opened, read or written', () => {
    const missing = join(dir, 'no', 'such', 'file.bin');
    for (const [verb, open] of [['write', () => new FileWriter(missing)], ['write', () => new FileWriter(missing, 8)], ['read', () => new FileReader(missing)], ['read', () => scanRun(missing, new Uint32Array(2), new Uint8Array(1))], ['read', () => mergeRun(missing, new Uint32Array(0), join(dir, 'out.bin'), false)]] as const) {
      let err: unknown;
      try {
        open();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DiskError);
      expect((err as DiskError).code).toBe('E712');
      expect((err as DiskError).message).toContain(missing);
      expect((err as DiskError).message).toMatch(/ENOENT|no such file/);
      expect((err as DiskError).message.startsWith(`the disk-backed search cannot ${verb} ${missing}: `)).toBe(true);
    }
    expect(fileSize(missing)).toBe(0);
  });
});

describe('disk files: the buffered writer and reader', () => {
  it('appends, keeps a prefix, counts its length, and reads back from any offset across blocks', () => {
    const path = join(dir, 'wr.bin');
    const next = words(3);
    const data = new Uint8Array(700_000);
    for (let i = 0; i < data.length; i++) data[i] = next() & 0xff;
    const w = new FileWriter(path);
    expect(w.path).toBe(path);
    for (let i = 0; i < data.length; i += 1000) {
      w.out.bytes(data.subarray(i, i + 1000));
      expect(w.length).toBe(Math.min(data.length, i + 1000));
      w.maybeFlush();
    }
    w.sync();
    expect(fileSize(path)).toBe(data.length);
    w.close();
    expect(same(readFileSync(path), data)).toBe(true);

    // Reopened keeping a prefix: what follows it is replaced.
    const w2 = new FileWriter(path, 1000);
    expect(w2.length).toBe(1000);
    w2.out.bytes(new Uint8Array([7, 8, 9]));
    expect(w2.length).toBe(1003);
    w2.close();
    expect(fileSize(path)).toBe(1003);
    const back = new Uint8Array(readFileSync(path));
    expect(same(back.subarray(0, 1000), data.subarray(0, 1000))).toBe(true);
    expect([...back.subarray(1000)]).toEqual([7, 8, 9]);

    // A new writer empties the file.
    const w3 = new FileWriter(path);
    expect(w3.length).toBe(0);
    w3.abandon();
    expect(fileSize(path)).toBe(0);

    // The reader: from an offset, in requests smaller and larger than its buffer.
    writeFileSync(path, data);
    for (const [offset, step] of [[0, 1], [5, 4096], [123_457, 300_000], [0, 700_000]] as const) {
      const r = new FileReader(path, offset);
      expect(r.path).toBe(path);
      let at = offset;
      while (at < data.length) {
        expect(r.offset).toBe(at);
        const got = r.ensure(step);
        expect(got).toBe(Math.min(step, data.length - at));
        expect(same(r.buf.subarray(r.pos, r.pos + got), data.subarray(at, at + got))).toBe(true);
        r.pos += got;
        at += got;
        if (step === 1 && at > 3000) break;
      }
      if (at >= data.length) expect(r.ensure(1)).toBe(0);
      r.close();
      r.close();
    }
  });

  it('writes a buffer a writer closed before once only', () => {
    const a = new FileWriter(join(dir, 'a.bin'));
    a.out.bytes(new Uint8Array([1, 2, 3]));
    a.close();
    a.abandon();
    const b = new FileWriter(join(dir, 'b.bin'));
    const c = new FileWriter(join(dir, 'c.bin'));
    // Two open writers never share a buffer, and a reused one starts empty.
    expect(b.out).not.toBe(c.out);
    expect(b.length).toBe(0);
    expect(c.length).toBe(0);
    b.out.bytes(new Uint8Array([4]));
    c.out.bytes(new Uint8Array([5, 6]));
    b.close();
    c.close();
    expect([...readFileSync(join(dir, 'a.bin'))]).toEqual([1, 2, 3]);
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([4]);
    expect([...readFileSync(join(dir, 'c.bin'))]).toEqual([5, 6]);
  });
});

/** States of varying sizes, some above a reader's block. */
const strings: StateCodec<string> = {
  encode(s, out) {
    const b = Buffer.from(s, 'utf8');
    out.varuint(b.length);
    out.bytes(b);
  },
  decode(input) {
    const n = input.varuint();
    const s = Buffer.from(input.buf.subarray(input.pos, input.pos + n)).toString('utf8');
    input.pos += n;
    return s;
  },
};

describe('disk files: level files of states', () => {
  it('writes states and reads them back, from the start and from an offset, also big ones', () => {
    const path = join(dir, 'level.bin');
    const next = words(5);
    const states = Array.from({ length: 3000 }, (_, i) => (i % 500 === 7 ? 'x'.repeat(300_000 + i) : `s${next().toString(36)}`.repeat(1 + (i % 5))));
    const w = new StateWriter(strings, path);
    let offsetOf1000 = 0;
    states.forEach((s, i) => {
      if (i === 1000) offsetOf1000 = w.file.length;
      w.write(s);
    });
    expect(w.count).toBe(states.length);
    w.file.close();
    const r = new StateReader(strings, path);
    for (const s of states) expect(r.read()).toBe(s);
    r.file.close();
    const mid = new StateReader(strings, path, offsetOf1000);
    for (const s of states.slice(1000, 1100)) expect(mid.read()).toBe(s);
    mid.file.close();

    // Resumed: the first 1000 states kept, the count going on from there.
    const again = new StateWriter(strings, path, offsetOf1000, 1000);
    expect(again.count).toBe(1000);
    again.write('after');
    expect(again.count).toBe(1001);
    again.file.close();
    const r2 = new StateReader(strings, path, offsetOf1000);
    expect(r2.read()).toBe('after');
    r2.file.close();
  });

  it('refuses a level file that ends inside a state (E712)', () => {
    const path = join(dir, 'cut.bin');
    const w = new StateWriter(strings, path);
    w.write('hello, world');
    w.file.close();
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 3));
    const r = new StateReader(strings, path);
    let err: unknown;
    try {
      r.read();
    } catch (e) {
      err = e;
    }
    r.file.close();
    expect(err).toBeInstanceOf(DiskError);
    expect(err).toMatchObject({ code: 'E712', message: `the disk-backed search's level file ${path} ends early` });
    expect((err as DiskError).hint).toBe('the file was changed or cut by something else; run the check again');
  });
});

describe('disk files: the vector codec', () => {
  it('round-trips integers at the edges of the short form, doubles, and the sign of zero aside', () => {
    const edge = 2 ** 30;
    const v = [edge - 1, edge, edge + 1, -(edge - 1), -edge, -edge - 1, 0, -1, 1, 63, 64, -64, -65, 2 ** 31, -(2 ** 31), 2 ** 53, -(2 ** 53), 1.5, -0.25, Infinity, -Infinity];
    const codec = new VectorCodec(v.length);
    const w = new ByteWriter();
    codec.encode(v, w);
    const r = new ByteReader(w.view());
    expect(codec.decode(r)).toEqual(v);
    expect(r.pos).toBe(w.pos);
    const nan = new VectorCodec(1);
    const w2 = new ByteWriter();
    nan.encode([NaN], w2);
    expect(nan.decode(new ByteReader(w2.view()))[0]).toBeNaN();
  });

  it('writes a small integer in one byte, a larger one in more, a double in nine', () => {
    const size = (x: number): number => {
      const w = new ByteWriter();
      new VectorCodec(1).encode([x], w);
      return w.pos;
    };
    expect(size(0)).toBe(1);
    expect(size(-1)).toBe(1);
    expect(size(63)).toBe(1);
    expect(size(-63)).toBe(1);
    expect(size(64)).toBe(2);
    expect(size(2 ** 30 - 1)).toBe(5);
    expect(size(-(2 ** 30) + 1)).toBe(5);
    expect(size(2 ** 30)).toBe(9);
    expect(size(-(2 ** 30))).toBe(9);
    expect(size(0.5)).toBe(9);
  });

  it('encodes only its width, and decodes vectors one after another', () => {
    const codec = new VectorCodec(2);
    const w = new ByteWriter();
    codec.encode([1, 2, 3], w);
    codec.encode([-4, 5.5], w);
    const r = new ByteReader(w.view());
    expect(codec.decode(r)).toEqual([1, 2]);
    expect(codec.decode(r)).toEqual([-4, 5.5]);
    expect(r.pos).toBe(w.pos);
  });
});

/** `n` distinct random keys, sorted (two words each, low half first). */
function sortedKeys(next: () => number, n: number, pick = (_: number): boolean => true): Uint32Array {
  const big = new BigUint64Array(n);
  const seen = new Set<bigint>();
  let i = 0;
  while (i < n) {
    // Some keys share their high word, so that the low word decides.
    const hi = next() % 4 === 0 ? 77 : next();
    const k = (BigInt(hi) << 32n) | BigInt(next());
    if (seen.has(k) || !pick(i)) continue;
    seen.add(k);
    big[i++] = k;
  }
  big.sort();
  return new Uint32Array(big.buffer);
}

function keyAt(keys: Uint32Array, i: number): [number, number] {
  return [keys[2 * i + 1]!, keys[2 * i]!];
}

describe('disk files: sorted runs', () => {
  it('merges runs into one sorted run, across chunks, and finds exactly their keys', () => {
    const next = words(9);
    // Over a chunk (131,072 keys) of the run readers.
    const all = sortedKeys(next, 140_000);
    const inA: number[] = [];
    const inB: number[] = [];
    for (let i = 0; i < all.length / 2; i++) (next() % 3 === 0 ? inB : inA).push(i);
    const take = (idx: number[]): Uint32Array => {
      const out = new Uint32Array(2 * idx.length);
      idx.forEach((k, j) => {
        out[2 * j] = all[2 * k]!;
        out[2 * j + 1] = all[2 * k + 1]!;
      });
      return out;
    };
    const a = take(inA);
    const b = take(inB);
    const runA = join(dir, 'runA.bin');
    const runAB = join(dir, 'runAB.bin');
    expect(mergeRun(null, a, runA, false)).toBe(inA.length);
    expect(fileSize(runA)).toBe(8 * inA.length);
    expect(same(readFileSync(runA), a)).toBe(true);
    expect(mergeRun(runA, b, runAB, true)).toBe(all.length / 2);
    expect(same(readFileSync(runAB), all)).toBe(true);

    // Merging into an empty run, or nothing into a run.
    const empty = join(dir, 'empty.bin');
    expect(mergeRun(null, new Uint32Array(0), empty, false)).toBe(0);
    expect(fileSize(empty)).toBe(0);
    const sameRun = join(dir, 'same.bin');
    expect(mergeRun(runA, new Uint32Array(0), sameRun, false)).toBe(inA.length);
    expect(readFileSync(sameRun).equals(readFileSync(runA))).toBe(true);
    const onlyNew = join(dir, 'onlyNew.bin');
    expect(mergeRun(empty, b, onlyNew, false)).toBe(inB.length);
    expect(same(readFileSync(onlyNew), b)).toBe(true);

    // Binary search: every key of the run, none of the others.
    const nA = inA.length;
    for (let j = 0; j < inA.length; j += 97) expect(runHas(runA, nA, ...keyAt(a, j))).toBe(true);
    for (const j of [0, inA.length - 1]) expect(runHas(runA, nA, ...keyAt(a, j))).toBe(true);
    for (let j = 0; j < inB.length; j += 89) expect(runHas(runA, nA, ...keyAt(b, j))).toBe(false);
    expect(runHas(runA, nA, 0, 0)).toBe(false);
    expect(runHas(runA, nA, 0xffffffff, 0xffffffff)).toBe(false);
    expect(runHas(runA, 0, ...keyAt(a, 0))).toBe(false);
    // Keys that differ from a key of the run in one word only.
    const aKeys = new Set(inA.map((k) => (BigInt(all[2 * k + 1]!) << 32n) | BigInt(all[2 * k]!)));
    const inRunA = (h: number, l: number): boolean => aKeys.has((BigInt(h) << 32n) | BigInt(l));
    for (let j = 0; j < inA.length; j += 1001) {
      const [h, l] = keyAt(a, j);
      for (const [dh, dl] of [[h, (l + 1) >>> 0], [h, (l - 1) >>> 0], [(h + 1) >>> 0, l], [(h - 1) >>> 0, l]] as const) expect(runHas(runA, nA, dh, dl)).toBe(inRunA(dh, dl));
    }

    // A scan marks the keys found, and only those, across the run's chunks.
    const found = new Uint8Array(all.length / 2);
    scanRun(runA, all, found);
    const inASet = new Set(inA);
    // A scan of the merged run, longer than a chunk: every key found.
    const every = new Uint8Array(all.length / 2);
    scanRun(runAB, all, every);
    expect(every.every((x) => x === 1)).toBe(true);
    const wrong: number[] = [];
    for (let i = 0; i < found.length; i++) if (found[i] !== (inASet.has(i) ? 1 : 0)) wrong.push(i);
    expect(wrong).toEqual([]);
  });

  it('a scan finds a key only when both its words are those of the run key it stops at', () => {
    // Run: (10, 5), (20, 7) as (high, low). Keys: (15, 7) shares the next run key's low word,
    // (20, 6) its high word; (20, 7) is in the run.
    const run = new Uint32Array([5, 10, 7, 20]);
    const path = join(dir, 'two-keys.bin');
    mergeRun(null, run, path, false);
    const keys = new Uint32Array([7, 15, 6, 20, 7, 20]);
    const found = new Uint8Array(3);
    scanRun(path, keys, found);
    expect(Array.from(found)).toEqual([0, 0, 1]);
  });

  it('scans keys below, among and above a run, and a run after its last key', () => {
    const next = words(13);
    const run = sortedKeys(next, 1000);
    const path = join(dir, 'small-run.bin');
    mergeRun(null, run, path, false);
    // Keys: below everything, every third key of the run, a key between two, above everything.
    const [h5, l5] = keyAt(run, 5);
    const [h6, l6] = keyAt(run, 6);
    const between = h5 === h6 ? [h5, l5 + 1 === l6 ? l5 : l5 + 1] : [h5, (l5 + 1) >>> 0];
    const picked: [number, number][] = [[0, 0]];
    for (let i = 0; i < 1000; i += 3) picked.push(keyAt(run, i));
    // Keys with the low word of a key of the run and another high word.
    const [h9, l9] = keyAt(run, 9);
    picked.push([(h9 + 1) >>> 0, l9], [(h9 - 1) >>> 0, l9]);
    picked.push(between as [number, number], [0xffffffff, 0xfffffff0], [0xffffffff, 0xffffffff]);
    const big = new BigUint64Array([...new Set(picked.map(([h, l]) => (BigInt(h) << 32n) | BigInt(l)))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const keys = new Uint32Array(big.buffer);
    const found = new Uint8Array(big.length);
    scanRun(path, keys, found);
    const inRun = new Set(Array.from({ length: 1000 }, (_, i) => (BigInt(run[2 * i + 1]!) << 32n) | BigInt(run[2 * i]!)));
    for (let i = 0; i < big.length; i++) expect(found[i], `key ${i}`).toBe(inRun.has(big[i]!) ? 1 : 0);
    // Nothing to look for, or an empty run: nothing found.
    scanRun(path, new Uint32Array(0), new Uint8Array(0));
    const empty = join(dir, 'empty-run.bin');
    mergeRun(null, new Uint32Array(0), empty, false);
    const none = new Uint8Array(big.length);
    scanRun(empty, keys, none);
    expect(none.every((x) => x === 0)).toBe(true);
  });
});
