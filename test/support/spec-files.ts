import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './cli.js';

/** The .spex files below `dir` (relative to the repository's root), sorted, as relative paths. */
export function specFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(join(root, p)).isDirectory()) return specFiles(p);
      return p.endsWith('.spex') ? [p] : [];
    });
}
