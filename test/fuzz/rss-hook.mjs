/**
 * Preloaded (`node --import`) into each spex process that test/fuzz/cli.mjs runs: at exit,
 * writes the process's peak resident set (process.resourceUsage().maxRSS, in KiB, every
 * thread included) and its CPU time (user and system, seconds, every thread included) to the
 * file named by SPEX_FUZZ_RSS_FILE, as `KIB SECONDS`. Node alone, no /usr/bin/time.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SPEX_FUZZ_RSS_FILE;
if (isMainThread && file) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      writeFileSync(file, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1e6}`);
    } catch {
      // Nowhere to report to: the runner reports the RSS as unknown.
    }
  });
}
