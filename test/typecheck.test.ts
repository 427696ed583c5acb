/**
 * The sources type-check (`tsc --noEmit`, as `npm run typecheck` runs it). The build strips
 * types without checking them (scripts/transpile.mjs), so this test is what fails the suite on
 * a type error.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { root } from './support/cli.js';

describe('the sources', () => {
  it('type-check', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
