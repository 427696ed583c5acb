/**
 * Every test file's setup (vitest.config.ts): fast-check's properties draw the same cases on
 * every run, so that a run of the suite cannot fail on a case the run before did not draw.
 * FC_SEED=random draws new cases (the seed of a failure is printed with it), FC_SEED=N the
 * cases of seed N (docs/testing.md).
 */
import fc from 'fast-check';

const FIXED_SEED = 20261205;
const wanted = process.env['FC_SEED'];
if (wanted !== 'random') {
  const seed = wanted === undefined || wanted === '' ? FIXED_SEED : Number(wanted);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED=${wanted}: expected an integer or 'random'`);
  fc.configureGlobal({ seed });
}
