/**
 * Preloaded (`node --import`) into each spex process that test/fuzz/cli.mjs runs: at exit,
 * writes the process's peak resident set (process.resourceUsage().maxRSS, in KiB, every
 * thread included) to the file named by SPEX_FUZZ_RSS_FILE. Node alone, no /usr/bin/time.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SPEX_FUZZ_RSS_FILE;
if (isMainThread && file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // Nowhere to report to: the runner reports the RSS as unknown.
    }
  });
}
