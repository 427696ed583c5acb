/**
 * The checkpoint manifest of the disk-backed search (src/explore/disk/checkpoint.ts): written
 * atomically and read back; refused, with its code and a message naming what differs, when it
 * is missing, unreadable, of another format, or of another configuration.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasManifest, MANIFEST, MANIFEST_FORMAT, readManifest, writeManifest, type Manifest } from '../../src/explore/disk/checkpoint.js';
import { DiskError } from '../../src/explore/disk/files.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spex-checkpoint-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const identity = { specHash: 'abc', check: 'Safe', consts: 'N=3', maxStates: 100, deadlock: true, maxDepth: null };

function manifest(): Manifest {
  return {
    format: MANIFEST_FORMAT,
    identity,
    written: '2026-01-01T00:00:00.000Z',
    seconds: 1.5,
    generated: 10,
    depth: 3,
    depthLimitHit: false,
    level: 2,
    distinct: 7,
    replay: { file: 'replay-0.bin', overflow: { far: [[5, 1]], big: [[6, 300]] } },
    run: null,
    table: { file: 'table-3.bin', keys: 7 },
    current: { file: 'level-1.bin', count: 2, first: 1, pos: 1, offset: 9 },
    next: { file: 'level-2.bin', count: 4, bytes: 20 },
    checkpoints: 1,
  };
}

function refusal(f: () => unknown): DiskError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DiskError);
    return e as DiskError;
  }
  throw new Error('expected a DiskError');
}

describe('checkpoint manifests', () => {
  it('writes the manifest atomically and reads it back', () => {
    const d = join(dir, 'ok');
    mkdirSync(d);
    expect(hasManifest(d)).toBe(false);
    writeManifest(d, manifest());
    expect(hasManifest(d)).toBe(true);
    expect(MANIFEST).toBe('checkpoint.json');
    expect(readdirSync(d)).toEqual([MANIFEST]);
    expect(JSON.parse(readFileSync(join(d, MANIFEST), 'utf8'))).toEqual(manifest());
    expect(readManifest(d, identity)).toEqual(manifest());
    // Written again: replaced.
    writeManifest(d, { ...manifest(), distinct: 8 });
    expect(readManifest(d, identity).distinct).toBe(8);
    expect(readdirSync(d)).toEqual([MANIFEST]);
  });

  it('raises E712 when the manifest cannot be written', () => {
    const e = refusal(() => writeManifest(join(dir, 'missing'), manifest()));
    expect(e.code).toBe('E712');
    expect(e.message).toMatch(/^the disk-backed search cannot write the checkpoint .*missing.checkpoint\.json: /);
  });

  it('refuses a directory without a checkpoint, or with an unreadable one (E251)', () => {
    const none = join(dir, 'none');
    mkdirSync(none);
    const e = refusal(() => readManifest(none, identity));
    expect(e.code).toBe('E251');
    expect(e.message).toBe(`cannot resume from ${none}: it holds no checkpoint`);
    expect(e.hint).toBe('give the directory a run with --checkpoint wrote to; a run that finished removes its checkpoint');
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, MANIFEST), '{"format": 1,');
    const b = refusal(() => readManifest(bad, identity));
    expect(b.code).toBe('E251');
    expect(b.message).toMatch(new RegExp(`^cannot resume from ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its checkpoint is unreadable \\(.+\\)$`));
  });

  it('refuses a manifest of another format (E251)', () => {
    for (const [name, text] of [
      ['format', JSON.stringify({ ...manifest(), format: MANIFEST_FORMAT + 1 })],
      ['noidentity', JSON.stringify({ ...manifest(), identity: null })],
      ['stringidentity', JSON.stringify({ ...manifest(), identity: 'x' })],
    ] as const) {
      const d = join(dir, name);
      mkdirSync(d);
      writeFileSync(join(d, MANIFEST), text);
      const e = refusal(() => readManifest(d, identity));
      expect(e.code).toBe('E251');
      expect(e.message).toBe(`cannot resume from ${d}: its checkpoint is not one this version of spex writes`);
      expect(e.hint).toBe('run the check again from the start');
    }
  });

  it('refuses a manifest of another configuration, naming the first field that differs (E252)', () => {
    const d = join(dir, 'other');
    mkdirSync(d);
    writeManifest(d, manifest());
    const hint = 'a checkpoint resumes only the same spec text, check, constants and search options (--max-states, --max-depth, --deadlock, --engine); run again without --resume to start afresh';
    const spec = refusal(() => readManifest(d, { ...identity, specHash: 'abd' }));
    expect(spec.code).toBe('E252');
    expect(spec.message).toBe(`cannot resume from ${d}: the spec file changed since the checkpoint`);
    expect(spec.hint).toBe(hint);
    expect(refusal(() => readManifest(d, { ...identity, maxStates: 200 })).message).toBe(`cannot resume from ${d}: maxStates is 200 now, 100 in the checkpoint`);
    expect(refusal(() => readManifest(d, { ...identity, check: 'Other' })).message).toBe(`cannot resume from ${d}: check is "Other" now, "Safe" in the checkpoint`);
    // A field only one side has.
    expect(refusal(() => readManifest(d, { ...identity, engine: 'packed' })).message).toBe(`cannot resume from ${d}: engine is "packed" now, null in the checkpoint`);
    const { deadlock: _d, ...fewer } = identity;
    expect(refusal(() => readManifest(d, fewer)).message).toBe(`cannot resume from ${d}: deadlock is null now, true in the checkpoint`);
    // null and a missing field are not the same either way: only equal values pass.
    const { maxDepth: _m, ...noDepth } = identity;
    expect(refusal(() => readManifest(d, noDepth)).code).toBe('E252');
    expect(existsSync(join(d, MANIFEST))).toBe(true);
  });
});
