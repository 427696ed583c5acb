/**
 * The browser tests' gate: Debian's Chromium (`apt-get install -y chromium`), driven through
 * playwright-core, never a downloaded browser. Without it a browser test is skipped, with a
 * message, unless CI is set: in CI its absence is a failure.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests of `file` are skipped here (a message says so when they are). */
export function skipWithoutChromium(file: string): boolean {
  const inCi = process.env.CI !== undefined && process.env.CI !== '';
  const skip = !existsSync(CHROMIUM) && !inCi;
  if (skip) console.warn(`${file} skipped: ${CHROMIUM} is absent (apt-get install -y chromium); set CI=1 to make its absence a failure`);
  return skip;
}
