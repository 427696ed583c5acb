/**
 * The tests run the JavaScript the build wrote in dist/ (vitest.config.ts): before any test, this
 * builds it again (`npm run build`) when a file of src/ or the grammar is newer than the build's
 * last output, so that a test never runs code older than its source. `npm test` builds first,
 * and then this finds nothing to do.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The last file a build writes (scripts/bundle.mjs). */
const LAST_OUTPUT = join(ROOT, 'dist/cli/main.bundle.cjs');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), 0);
}

export default function setup(): void {
  let built = 0;
  try {
    built = statSync(LAST_OUTPUT).mtimeMs;
  } catch {
    // Never built.
  }
  if (Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'grammar/spex.ohm'))) <= built) return;
  process.stderr.write('dist/ is older than src/: npm run build\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
