/**
 * `spex check --out-itf PATH`: writes a check's counterexample as an ITF trace
 * (src/export/itf.ts). When several check blocks run, each writes its own file: PATH with
 * `.<check name>` inserted before `.itf.json` (or `.json`), or appended.
 */
import { writeOutput } from './write-output.js';
import type { CheckResult } from '../engine/run.js';
import { formatItf, itfOfCheck, toItf } from '../export/itf.js';
import { MAX_JSON_INPUT_BYTES } from '../lang/input.js';
import { groupDigits } from '../values/format.js';

/** The file for one check's trace when several checks run. */
export function itfPathForCheck(path: string, check: string): string {
  for (const ext of ['.itf.json', '.json']) {
    if (path.endsWith(ext)) return `${path.slice(0, -ext.length)}.${check}${ext}`;
  }
  return `${path}.${check}`;
}

/**
 * Writes the counterexample of `r`, if it has one, and returns the line to report it;
 * undefined (and nothing written) when the run found no counterexample.
 */
export function writeCounterexampleItf(r: CheckResult, specFile: string, specName: string, path: string, severalChecks: boolean): string | undefined {
  const itf = itfOfCheck(r, specFile, specName);
  if (!itf) return undefined;
  const file = severalChecks && r.name !== undefined ? itfPathForCheck(path, r.name) : path;
  const text = formatItf(toItf(itf.trace, itf.meta));
  writeOutput(file, text);
  // A trace of huge states can pass what spex replay and explore --open-trace read: say so now.
  const bytes = Buffer.byteLength(text, 'utf8');
  const over = bytes > MAX_JSON_INPUT_BYTES ? ` (${groupDigits(bytes)} bytes: more than the ${groupDigits(MAX_JSON_INPUT_BYTES)} spex replay and explore --open-trace read)` : '';
  return `ITF trace written to ${file}${over}`;
}
