/**
 * The bounds `spex lsp` puts on what its command line and its client give it (docs/editor.md),
 * in a module of their own so that the command line checks its options without loading the
 * protocol library.
 */

/** The longest delay setTimeout takes, in milliseconds: Node.js fires a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest time limit of a "Run check", in seconds (about 24.8 days): the whole seconds MAX_TIMER_MS holds. */
export const MAX_TIMEOUT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * The largest message the server reads, in bytes (64 MiB): a body whose Content-Length is larger,
 * or a header that runs longer without ending, is refused. A spec and its edits are far smaller.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
