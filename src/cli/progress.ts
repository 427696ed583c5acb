/**
 * Progress of long runs on stderr: distinct states, distinct states per second, depth and
 * queue, about once a second (the explorer's onProgress period).
 *
 * Shown by default when stderr is a terminal, where one line is rewritten in place and erased
 * when the run ends; `--progress` forces it (one line per report when stderr is not a
 * terminal, e.g. a CI log); `--quiet` silences it. No colour is used, so NO_COLOR has nothing
 * to turn off here; useColor() is the one place that decides for any output that adds some.
 */
import type { RunOptions } from '../engine/run.js';
import { groupDigits } from '../values/format.js';

export type ProgressReport = Parameters<NonNullable<RunOptions['onProgress']>>[0];

export interface ProgressOptions {
  readonly progress?: boolean;
  readonly quiet?: boolean;
}

/** Whether a stream may get ANSI colours: a terminal, and NO_COLOR unset or empty. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** The text of one report. */
export function formatProgress(p: ProgressReport): string {
  const rate = p.seconds > 0 ? p.distinct / p.seconds : 0;
  const line = `${groupDigits(p.distinct)} distinct states (${groupDigits(rate)}/s), ${groupDigits(p.generated)} generated, depth ${p.depth}, queue ${groupDigits(p.queue)}, ${p.seconds.toFixed(0)} s`;
  // In the middle of one state's expansion (a state with very many successors).
  return p.expanding === undefined ? line : `${line}; one state's expansion at ${groupDigits(p.expanding)} successors${p.step === undefined ? '' : ` (now ${p.step})`}`;
}

/** A progress line writer for one run, or undefined when progress is off. */
export interface ProgressPrinter {
  readonly report: (p: ProgressReport) => void;
  /** Erases the line in place (terminal) before the run's own output. */
  readonly done: () => void;
}

export function progressPrinter(o: ProgressOptions, stream: NodeJS.WriteStream = process.stderr): ProgressPrinter | undefined {
  const tty = stream.isTTY === true;
  if (o.quiet || !(o.progress || tty)) return undefined;
  let shown = false;
  return {
    report: (p) => {
      const text = `progress: ${formatProgress(p)}`;
      if (tty) {
        // \r and "erase to end of line": one line, rewritten in place.
        stream.write(`\r${text}\x1b[K`);
        shown = true;
      } else {
        stream.write(text + '\n');
      }
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
