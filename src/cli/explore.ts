/**
 * `spex explore FILE`: loads the spec (and the trace of --open-trace), serves the interactive
 * explorer on 127.0.0.1 (src/interactive/) and prints its address. The server runs until the
 * process is interrupted.
 */
import { MAX_JSON_INPUT_BYTES, readInputFile } from '../lang/input.js';
import { ExploreSession } from '../interactive/session.js';
import { startExplorer, type RunningExplorer } from '../interactive/server.js';
import { ModelError } from '../explore/system.js';
import { EXIT } from '../engine/run.js';
import { formatModelError } from './report.js';
import { escapeInvisible, renderDiagnostic } from '../lang/diagnostics.js';
import { parseJsonInput } from '../export/json-input.js';

export interface ExploreOpts {
  check?: string;
  const: string[];
  port?: number;
  openTrace?: string;
  searchLimit?: number;
}

/**
 * Starts the explorer; returns the exit code for a failure before it listens (the spec does
 * not load, the trace is not JSON, the port is taken), else undefined while it runs. SpecErrors
 * and unreadable files are thrown for program.ts to report.
 */
export function cmdExplore(
  file: string,
  o: ExploreOpts,
  io: { out: (s: string) => void; err: (s: string) => void; started?: (r: RunningExplorer) => void },
): number | undefined {
  let session: ExploreSession;
  try {
    session = new ExploreSession(file, {
      ...(o.check !== undefined ? { check: o.check } : {}),
      consts: o.const,
      ...(o.searchLimit !== undefined ? { searchLimit: o.searchLimit } : {}),
    });
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    io.err('Error while evaluating the constants:');
    io.err(formatModelError(e));
    return EXIT.evaluation;
  }
  for (const d of session.spec.warnings) io.err(renderDiagnostic(d) + '\n');
  if (o.openTrace !== undefined) {
    const text = readInputFile(o.openTrace, MAX_JSON_INPUT_BYTES, 'a trace');
    const input = parseJsonInput(text);
    if (!input.ok) {
      io.err(escapeInvisible(`error: ${o.openTrace} ${input.why}`));
      return 1;
    }
    session.openTrace(input.value, o.openTrace);
    // What the page will say of it (how far it replays), on the terminal too.
    const m = session.model().message;
    // Text from the trace, shown escaped as by spex replay.
    if (m) (m.kind === 'error' ? io.err : io.out)(escapeInvisible(m.text));
  }
  startExplorer(session, o.port ?? 0).then(
    (running) => {
      io.out(`spex explore: ${session.spec.name}${session.check ? ` (check ${session.check.name})` : ''} at ${running.url}`);
      io.out('Open it in a browser; Ctrl-C stops the server.');
      const stop = (): void => {
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      io.started?.(running);
    },
    (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${o.port ?? 0} is in use` : e.code === 'EACCES' ? `port ${o.port ?? 0} is not allowed` : e.message;
      io.err(`error: cannot listen on 127.0.0.1: ${why}`);
      process.exitCode = 1;
    },
  );
  return undefined;
}
