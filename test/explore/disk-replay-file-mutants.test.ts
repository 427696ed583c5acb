/**
 * The replay file of the disk-backed search (src/explore/disk/replay-file.ts): parents and
 * emission ordinals of every state, near and far ones, small and large ones, read back from its
 * buffer and from the file, across flushes, and again after it is reopened with its overflow.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskError } from '../../src/explore/disk/files.js';
import { ReplayFile } from '../../src/explore/disk/replay-file.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spex-replay-file-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Parents at every distance class: the one before, a byte away, two bytes, three, and the far map. */
function parentOf(i: number): number {
  if (i === 0) return -1;
  switch (i % 6) {
    case 0:
      return i - 1;
    case 1:
      return Math.max(-1, i - 0xff - 1);
    case 2:
      return Math.max(-1, i - 0xffff - 1);
    case 3:
      return Math.max(-1, i - 0xfffffe);
    case 4:
      return i >= 0xffffff ? i - 0xffffff : -1;
    default:
      return i >= 0x1000000 ? i - 0x1000000 - 5 : Math.floor(i / 2);
  }
}

/** Ordinals around the one-byte edge (255 and up go to the map). */
function ordinalOf(i: number): number {
  const o = [0, 1, 127, 128, 254, 255, 256, 70_000][i % 8]!;
  return i % 13 === 0 ? i : o;
}

describe('the replay file', () => {
  it('gives back parents and ordinals of every kind, buffered, flushed and reopened', () => {
    const path = join(dir, 'replay.bin');
    const r = new ReplayFile(path);
    expect(r.size).toBe(0);
    expect(r.path).toBe(path);
    const n = 300_000; // past the buffer (262,144 entries): a flush
    for (let i = 0; i < n; i++) r.record(i, parentOf(i), ordinalOf(i));
    expect(r.size).toBe(n);
    const check = (f: ReplayFile, upTo: number): void => {
      const wrong: string[] = [];
      for (let i = 0; i < upTo; i += i < 2000 ? 1 : 97) {
        if (f.parent(i) !== parentOf(i)) wrong.push(`parent ${i}: ${f.parent(i)} for ${parentOf(i)}`);
        if (f.ordinal(i) !== ordinalOf(i)) wrong.push(`ordinal ${i}: ${f.ordinal(i)} for ${ordinalOf(i)}`);
      }
      for (let i = Math.max(0, upTo - 3000); i < upTo; i++) {
        if (f.parent(i) !== parentOf(i)) wrong.push(`parent ${i}: ${f.parent(i)} for ${parentOf(i)}`);
        if (f.ordinal(i) !== ordinalOf(i)) wrong.push(`ordinal ${i}: ${f.ordinal(i)} for ${ordinalOf(i)}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
    };
    check(r, n);
    // The buffer's bytes and the maps' entries.
    const { far, big } = r.overflow();
    expect(far.length).toBe(0);
    expect(big.length).toBe([...Array(n).keys()].filter((i) => ordinalOf(i) >= 255).length);
    // A map of n entries: the least power of two of slots from 16 that n fills at most half of, 12 bytes each.
    const mapBytes = (n: number): number => {
      let slots = 16;
      while (2 * n > slots) slots *= 2;
      return slots * 12;
    };
    expect(r.bytes).toBe(4 * 262_144 + mapBytes(far.length) + mapBytes(big.length));
    r.sync();
    expect(statSync(path).size).toBe(4 * n);
    // Reopened with the first 280,000 entries: those read back, the rest is gone and re-recorded.
    const again = new ReplayFile(path, 280_000, r.overflow());
    r.close();
    expect(again.size).toBe(280_000);
    expect(statSync(path).size).toBe(4 * 280_000);
    check(again, 280_000);
    for (let i = 280_000; i < 290_000; i++) again.record(i, parentOf(i), ordinalOf(i));
    check(again, 290_000);
    again.flush();
    expect(statSync(path).size).toBe(4 * 290_000);
    again.close();
    again.close();
  });

  it('keeps a parent 2^24 - 1 states back or farther in its map', () => {
    const path = join(dir, 'far.bin');
    const r = new ReplayFile(path);
    const n = 0xffffff + 10;
    for (let i = 0; i < n; i++) r.record(i, i < 0xffffff ? i - 1 : i - 0xffffff - (i % 3), i % 5);
    for (const i of [0, 1, 0xfffffe, 0xffffff, 0xffffff + 1, 0xffffff + 2, n - 1]) {
      expect(r.parent(i)).toBe(i < 0xffffff ? i - 1 : i - 0xffffff - (i % 3));
      expect(r.ordinal(i)).toBe(i % 5);
    }
    const overflow = r.overflow();
    expect(overflow.far.map(([i]) => i)).toEqual(Array.from({ length: 10 }, (_, k) => 0xffffff + k));
    r.sync();
    r.close();
    // Reopened with its overflow (a resume): the far parents are there again.
    const again = new ReplayFile(path, n, overflow);
    for (const i of [0xffffff, 0xffffff + 1, n - 1]) expect(again.parent(i)).toBe(i - 0xffffff - (i % 3));
    again.close();
  });

  it('refuses an entry out of order or a parent not before it', () => {
    const r = new ReplayFile(join(dir, 'order.bin'));
    r.record(0, -1, 0);
    expect(() => r.record(2, 0, 0)).toThrow('internal error: replay file records state 2 (parent 0) when state 1 is next');
    expect(() => r.record(0, -1, 0)).toThrow(/internal error/);
    expect(() => r.record(1, 1, 0)).toThrow(/internal error/);
    expect(() => r.record(1, 2, 0)).toThrow(/internal error/);
    r.record(1, 0, 3);
    expect(r.parent(1)).toBe(0);
    expect(r.ordinal(1)).toBe(3);
    r.close();
  });

  it('raises E712 for a file it cannot open', () => {
    let err: unknown;
    try {
      new ReplayFile(join(dir, 'none', 'x.bin'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiskError);
    expect(err).toMatchObject({ code: 'E712' });
    expect((err as DiskError).message).toMatch(/^the disk-backed search cannot write .*x\.bin: /);
  });
});
