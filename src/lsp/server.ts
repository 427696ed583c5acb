/**
 * `spex lsp`: a Language Server Protocol server over stdio (docs/editor.md). Diagnostics as
 * you type (the CLI's coded ones), hover, go to definition, references, rename, the outline,
 * completion, and a "Run check" code lens per check block. Each buffer is analysed by
 * analysis.ts (the CLI's front end) and answered from its index (spec-index.ts); while a
 * buffer does not parse, the last index that did answers, its offsets carried over the edit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, isAbsolute, join as joinPath, resolve as resolvePath } from 'node:path';
import {
  CodeLens, CompletionItemKind, DiagnosticSeverity, ErrorCodes, MarkupKind, MessageType, ResponseError,
  SymbolKind as LspSymbolKind, TextDocumentSyncKind, TextDocuments,
  createConnection, type CompletionItem, type Connection, type Diagnostic as LspDiagnostic, type DocumentSymbol,
  type InitializeResult, type Location, type Message, type Position, type Range as LspRange, type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, isWarning, lineCol } from '../lang/diagnostics.js';
import type * as A from '../lang/ast.js';
import { BUILTINS } from '../lang/check.js';
import { isKeyword, parseSpec } from '../lang/parser.js';
import { analyse, type Analysis } from './analysis.js';
import { occurrenceAt, referencesOf, visibleAt, type Occurrence, type SpecIndex, type SpecSymbol, type SymbolKind } from './spec-index.js';
import { configurationErrorsInWorker, runInWorker, type RunOutcome } from './run-check.js';
import { MAX_TIMEOUT_SECONDS } from './limits.js';
import { END_OF_INPUT, StdioMessageReader, StdioMessageWriter } from './stdio.js';

/** How long the server, its input ended, waits for its last messages to be written before it exits. */
const FLUSH_MS = 2000;

/** The command the code lens runs: arguments [uri, check name or null]. */
export const RUN_CHECK_COMMAND = 'spex.runCheck';

/** Reserved words, and the contextual keywords recognised only where they appear. */
export const KEYWORDS = [
  'spec', 'const', 'enum', 'type', 'var', 'def', 'init', 'action', 'invariant', 'check', 'expect', 'require',
  'let', 'pick', 'where', 'if', 'then', 'else', 'for', 'match', 'assert', 'forall', 'exists', 'choose', 'in',
  'and', 'or', 'not', 'implies', 'union', 'inter', 'minus', 'subset', 'is', 'with', 'true', 'false', 'process',
  'property', 'fair', 'strong', 'await', 'goto', 'while', 'always', 'eventually', 'sum', 'at',
  // contextual
  'view', 'constraint', 'either', 'procedure', 'call', 'return', 'end', 'step', 'import', 'from', 'refines',
  'next', 'only', 'deadlock', 'ok', 'violation', 'error', 'on', 'off', 'done',
] as const;

const BUILTIN_TYPE_NAMES = ['Int', 'Bool', 'Set', 'Seq', 'Map', 'Option', 'Some', 'None'];

export interface ServerOptions {
  /** The most distinct states a "Run check" explores (default 1,000,000). */
  readonly maxStates?: number;
  /** How long a "Run check" may take before it is stopped, in seconds (default 60, at most MAX_TIMEOUT_SECONDS). */
  readonly timeoutSeconds?: number;
  /** Milliseconds between the last edit and the analysis (default 150). */
  readonly debounceMs?: number;
  /** How long compiling every configuration (E221, E228) may take, in seconds (default 30). */
  readonly configurationSeconds?: number;
}

/** An index to answer from, and the maps between its offsets and the document's. */
interface IndexView {
  readonly doc: TextDocument;
  /** The analysis the index is of (the last that parsed, while the document does not). */
  readonly analysis: Analysis;
  readonly index: SpecIndex;
  readonly toIndex: (offset: number) => number | undefined;
  readonly toIndexNearest: (offset: number) => number;
  readonly toDoc: (offset: number) => number | undefined;
}

interface DocState {
  analysis: Analysis | undefined;
  /** The last analysis whose text parsed: hover and definition answer from it while the text does not. */
  lastGood: Analysis | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The configuration errors (E221, E228) found for one version of the document, on open or save. */
  configurations: { version: number; diagnostics: Diagnostic[] } | undefined;
}

/**
 * Maps offsets between an old text and a new one that differ in one stretch (a typical edit):
 * offsets before the change stay, offsets after it shift, offsets inside it have no image.
 */
export class OffsetMap {
  private readonly prefix: number;
  private readonly oldSuffixStart: number;
  private readonly newSuffixStart: number;
  constructor(readonly oldText: string, readonly newText: string) {
    let p = 0;
    const max = Math.min(oldText.length, newText.length);
    while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)) s++;
    this.prefix = p;
    this.oldSuffixStart = oldText.length - s;
    this.newSuffixStart = newText.length - s;
  }
  toOld(offset: number): number | undefined {
    if (offset <= this.prefix) return offset;
    if (offset >= this.newSuffixStart) return offset - this.newSuffixStart + this.oldSuffixStart;
    return undefined;
  }
  /** toOld, but an offset inside the changed stretch goes to where the change starts. */
  toOldNearest(offset: number): number {
    return this.toOld(offset) ?? this.prefix;
  }
  toNew(offset: number): number | undefined {
    if (offset <= this.prefix) return offset;
    if (offset >= this.oldSuffixStart) return offset - this.oldSuffixStart + this.newSuffixStart;
    return undefined;
  }
}

/** The path a document's imports are resolved against. */
function pathOf(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  // An untitled buffer: relative to the working directory.
  const name = uri.replace(/^[a-z-]+:/, '');
  return isAbsolute(name) ? name : resolvePath(name);
}

const SYMBOL_KINDS: Record<SymbolKind, LspSymbolKind> = {
  const: LspSymbolKind.Constant,
  var: LspSymbolKind.Variable,
  enum: LspSymbolKind.Enum,
  member: LspSymbolKind.EnumMember,
  variant: LspSymbolKind.Enum,
  case: LspSymbolKind.EnumMember,
  type: LspSymbolKind.TypeParameter,
  def: LspSymbolKind.Function,
  action: LspSymbolKind.Event,
  process: LspSymbolKind.Class,
  procedure: LspSymbolKind.Method,
  invariant: LspSymbolKind.Boolean,
  property: LspSymbolKind.Boolean,
  stepProperty: LspSymbolKind.Boolean,
  view: LspSymbolKind.Object,
  constraint: LspSymbolKind.Boolean,
  check: LspSymbolKind.Module,
  import: LspSymbolKind.Namespace,
  local: LspSymbolKind.Variable,
  processVar: LspSymbolKind.Field,
  label: LspSymbolKind.Key,
};

const COMPLETION_KINDS: Record<SymbolKind, CompletionItemKind> = {
  const: CompletionItemKind.Constant,
  var: CompletionItemKind.Variable,
  enum: CompletionItemKind.Enum,
  member: CompletionItemKind.EnumMember,
  variant: CompletionItemKind.Enum,
  case: CompletionItemKind.EnumMember,
  type: CompletionItemKind.TypeParameter,
  def: CompletionItemKind.Function,
  action: CompletionItemKind.Event,
  process: CompletionItemKind.Class,
  procedure: CompletionItemKind.Method,
  invariant: CompletionItemKind.Value,
  property: CompletionItemKind.Value,
  stepProperty: CompletionItemKind.Value,
  view: CompletionItemKind.Value,
  constraint: CompletionItemKind.Value,
  check: CompletionItemKind.Module,
  import: CompletionItemKind.Module,
  local: CompletionItemKind.Variable,
  processVar: CompletionItemKind.Field,
  label: CompletionItemKind.Reference,
};

/** Starts the server on stdin/stdout. */
export function startStdioServer(opts: ServerOptions = {}): Connection {
  // stdout carries the protocol: a stray console.log anywhere must not corrupt it.
  console.log = console.error;
  console.info = console.error;
  const reader = new StdioMessageReader(process.stdin);
  const writer = new StdioMessageWriter(process.stdout);
  const connection = createConnection(reader, writer, {
    messageStrategy: {
      handleMessage: (message, next) => {
        if (message === END_OF_INPUT) {
          // The editor has gone without the exit notification (or its input cannot be followed): end as
          // exit would, once the answers to what it sent before are written (unless stdout is stuck).
          const exit = (): never => process.exit(session.exitCode());
          setTimeout(exit, FLUSH_MS);
          void writer.flushed().then(exit);
          return;
        }
        return next(withCapabilities(message));
      },
    },
  });
  const session = serve(connection, opts);
  // What the connection cannot take (a message too large, or not JSON) goes to stderr, the editor's log of the server.
  reader.onError((e) => console.error(`spex lsp: ${e.message}`));
  connection.listen();
  return connection;
}

/**
 * An initialize request as the library can take it: without `capabilities` (which LSP requires
 * but some clients leave out), the library's own handler fails before the server's runs, so a
 * missing or malformed one is read as a client that declares none.
 */
function withCapabilities(message: Message): Message {
  const m = message as Message & { method?: unknown; params?: unknown };
  if (m.method !== 'initialize' || !('id' in m)) return message;
  const params = typeof m.params === 'object' && m.params !== null && !Array.isArray(m.params) ? (m.params as Record<string, unknown>) : {};
  if (typeof params['capabilities'] === 'object' && params['capabilities'] !== null) return message;
  return { ...m, params: { ...params, capabilities: {} } } as Message;
}

/** What serve leaves to the transport. */
export interface Session {
  /** The exit code LSP asks for if the server ends now: 0 once a shutdown request has come, 1 before. */
  exitCode(): number;
}

/** Registers every handler on a connection (not yet listening); returns what its transport needs to end as LSP asks. */
export function serve(connection: Connection, opts: ServerOptions = {}): Session {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocState>();
  let maxStates = opts.maxStates ?? 1_000_000;
  let timeoutSeconds = opts.timeoutSeconds ?? 60;
  const debounceMs = opts.debounceMs ?? 150;

  const stateOf = (uri: string): DocState => {
    let s = states.get(uri);
    if (!s) states.set(uri, (s = { analysis: undefined, lastGood: undefined, timer: undefined, configurations: undefined }));
    return s;
  };

  let shutdownReceived = false;

  connection.onInitialize((params): InitializeResult => {
    const init = params.initializationOptions as { maxStates?: unknown; timeoutSeconds?: unknown } | null | undefined;
    // An option out of its range keeps the flag's value (or the default), and the log says so.
    const ignored = (name: string, value: unknown, expected: string, kept: number): void => {
      connection.console.warn(`spex: initializationOptions.${name} ${typeof value === 'number' ? String(value) : JSON.stringify(value)} ignored (expected ${expected}); it stays ${kept}`);
    };
    const m = init?.maxStates;
    if (typeof m === 'number' && Number.isFinite(m) && m >= 1) maxStates = Math.floor(m);
    else if (m !== undefined && m !== null) ignored('maxStates', m, 'a positive integer', maxStates);
    const t = init?.timeoutSeconds;
    if (typeof t === 'number' && t > 0 && t <= MAX_TIMEOUT_SECONDS) timeoutSeconds = t;
    else if (t !== undefined && t !== null) ignored('timeoutSeconds', t, `a number of seconds above 0 and up to ${MAX_TIMEOUT_SECONDS}, the longest timer Node.js sets`, timeoutSeconds);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: ['.'] },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [RUN_CHECK_COMMAND] },
      },
      serverInfo: { name: 'spex' },
    };
  });

  // ------------------------------------------------------------ diagnostics

  const configurationMs = (opts.configurationSeconds ?? 30) * 1000;

  const publish = (doc: TextDocument, a: Analysis): void => {
    const config = stateOf(doc.uri).configurations;
    const all = config?.version === doc.version ? [...a.diagnostics, ...config.diagnostics] : a.diagnostics;
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: all.map((d) => toLspDiagnostic(d, doc, a)) });
  };

  const validate = (doc: TextDocument): void => {
    const state = stateOf(doc.uri);
    let a: Analysis;
    try {
      a = analyse(pathOf(doc.uri), doc.getText());
    } catch (e) {
      connection.console.error(`spex: internal error while checking ${doc.uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      // Answer from the last good index, as for text that does not parse.
      state.analysis = { source: { path: pathOf(doc.uri), text: doc.getText() }, diagnostics: [], index: undefined, spec: undefined, imports: [] };
      return;
    }
    state.analysis = a;
    if (a.index) state.lastGood = a;
    publish(doc, a);
  };

  /** Compiles every configuration of the document (in a worker), then publishes again with what it found. */
  const checkConfigurations = (doc: TextDocument): void => {
    const a = current(doc.uri)?.analysis;
    if (!a?.spec || a.diagnostics.some((d) => !isWarning(d.code))) return;
    const version = doc.version;
    void configurationErrorsInWorker({ path: a.source.path, text: a.source.text }, configurationMs).then((found) => {
      const now = documents.get(doc.uri);
      if (!found || !now || now.version !== version) return;
      const diagnostics = found.map((d) => new Diagnostic(d.code, d.path === a.source.path ? { source: a.source, start: d.start, end: d.end } : undefined, d.message, d.hint));
      stateOf(doc.uri).configurations = { version, diagnostics };
      if (diagnostics.length > 0) publish(now, a);
    });
  };

  const schedule = (doc: TextDocument, delay: number): void => {
    const state = stateOf(doc.uri);
    if (state.timer) clearTimeout(state.timer);
    state.analysis = undefined;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      const current = documents.get(doc.uri);
      if (current) validate(current);
    }, delay);
  };

  documents.onDidOpen((e) => {
    current(e.document.uri);
    checkConfigurations(e.document);
  });
  documents.onDidSave((e) => checkConfigurations(e.document));
  documents.onDidChangeContent((e) => {
    // Opening also reports a change of content, already analysed.
    if (stateOf(e.document.uri).analysis?.source.text !== e.document.getText()) schedule(e.document, debounceMs);
  });
  documents.onDidClose((e) => {
    const s = states.get(e.document.uri);
    if (s?.timer) clearTimeout(s.timer);
    states.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** The analysis of the document as it is now (analysed on demand if an edit is pending). */
  const current = (uri: string): { doc: TextDocument; analysis: Analysis } | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const state = stateOf(uri);
    if (!state.analysis || state.analysis.source.text !== doc.getText()) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      validate(doc);
    }
    return state.analysis ? { doc, analysis: state.analysis } : undefined;
  };

  /**
   * The index to answer a position from, and how to map offsets: the current one, or while the
   * text does not parse the last one that did (offsets mapped across the edit).
   */
  const indexFor = (uri: string): IndexView | undefined => {
    const c = current(uri);
    if (!c) return undefined;
    const id = (o: number): number => o;
    if (c.analysis.index) return { doc: c.doc, analysis: c.analysis, index: c.analysis.index, toIndex: id, toIndexNearest: id, toDoc: id };
    const good = stateOf(uri).lastGood;
    if (!good?.index) return undefined;
    const map = new OffsetMap(good.source.text, c.doc.getText());
    return { doc: c.doc, analysis: good, index: good.index, toIndex: (o) => map.toOld(o), toIndexNearest: (o) => map.toOldNearest(o), toDoc: (o) => map.toNew(o) };
  };

  const at = (uri: string, pos: Position): { doc: TextDocument; index: SpecIndex; occ: Occurrence; range: (r: { start: number; end: number }) => LspRange | undefined } | undefined => {
    const ix = indexFor(uri);
    if (!ix) return undefined;
    const offset = ix.toIndex(ix.doc.offsetAt(pos));
    if (offset === undefined) return undefined;
    const occ = occurrenceAt(ix.index, offset);
    if (!occ) return undefined;
    const range = (r: { start: number; end: number }): LspRange | undefined => {
      const s = ix.toDoc(r.start);
      const e = ix.toDoc(r.end);
      if (s === undefined || e === undefined) return undefined;
      // The mapped text must still be the name (an edit may have changed it).
      if (ix.doc.getText().slice(s, e) !== ix.index.text.slice(r.start, r.end)) return undefined;
      return { start: ix.doc.positionAt(s), end: ix.doc.positionAt(e) };
    };
    return { doc: ix.doc, index: ix.index, occ, range };
  };

  /** On the path of an import: the imported file. */
  const importAt = (uri: string, pos: Position): Location | null => {
    const ix = indexFor(uri);
    if (!ix) return null;
    const offset = ix.toIndex(ix.doc.offsetAt(pos));
    if (offset === undefined) return null;
    const within = (sp: A.Span): boolean => sp.start <= offset && offset <= sp.end;
    for (const imp of ix.analysis.imports) {
      const file = joinPath(dirname(ix.analysis.source.path), imp.path);
      if (within(imp.pathSpan)) return { uri: fileUri(file), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
      // `with { v: ... }`: v is a variable or constant of the imported spec.
      const m = imp.mappings.find((x) => within(x.name.span));
      if (m) return importedDeclaration(file, m.name.text);
    }
    return null;
  };

  // ------------------------------------------------------------ hover, definition, references

  connection.onHover((p) => {
    const found = at(p.textDocument.uri, p.position);
    if (!found) return null;
    const s = found.occ.symbol;
    const parts = ['```spex\n' + s.detail + '\n```'];
    if (s.doc) parts.push(s.doc);
    const range = found.range(found.occ);
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, ...(range ? { range } : {}) };
  });

  connection.onDefinition((p): Location | null => {
    const imported = importAt(p.textDocument.uri, p.position);
    if (imported) return imported;
    const found = at(p.textDocument.uri, p.position);
    if (!found) return null;
    const range = found.range(found.occ.symbol.nameSpan);
    return range ? { uri: p.textDocument.uri, range } : null;
  });

  connection.onReferences((p): Location[] => {
    const found = at(p.textDocument.uri, p.position);
    if (!found) return [];
    const out: Location[] = [];
    for (const o of referencesOf(found.index, found.occ.symbol)) {
      if (o.decl && !p.context.includeDeclaration) continue;
      const range = found.range(o);
      if (range) out.push({ uri: p.textDocument.uri, range });
    }
    return out;
  });

  // ------------------------------------------------------------ rename

  /** Why the name at a position cannot be renamed, if it cannot. */
  const refusal = (uri: string, pos: Position): string | undefined => {
    const doc = documents.get(uri);
    if (!doc) return 'unknown document';
    const word = wordAt(doc.getText(), doc.offsetAt(pos));
    if (word === undefined) return 'there is no name here';
    if (isKeyword(word) || (KEYWORDS as readonly string[]).includes(word)) return `'${word}' is a keyword and cannot be renamed`;
    if ((BUILTINS as readonly string[]).includes(word) || BUILTIN_TYPE_NAMES.includes(word)) return `'${word}' is built into spex and cannot be renamed`;
    return undefined;
  };

  connection.onPrepareRename((p) => {
    const why = refusal(p.textDocument.uri, p.position);
    if (why) throw new ResponseError(ErrorCodes.InvalidRequest, why);
    const found = at(p.textDocument.uri, p.position);
    if (!found) throw new ResponseError(ErrorCodes.InvalidRequest, 'this name is not declared in this spec');
    const range = found.range(found.occ);
    if (!range) throw new ResponseError(ErrorCodes.InvalidRequest, 'the spec is being edited here; try again once it parses');
    return { range, placeholder: found.occ.symbol.name };
  });

  connection.onRenameRequest((p) => {
    const why = refusal(p.textDocument.uri, p.position);
    if (why) throw new ResponseError(ErrorCodes.InvalidRequest, why);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${p.newName}' is not a name`);
    if (isKeyword(p.newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${p.newName}' is a keyword and cannot be a name`);
    const found = at(p.textDocument.uri, p.position);
    if (!found) throw new ResponseError(ErrorCodes.InvalidRequest, 'this name is not declared in this spec');
    const s = found.occ.symbol;
    if (s.kind === 'label' && p.newName === 'done') throw new ResponseError(ErrorCodes.InvalidParams, `'done' is where a finished process is; it cannot be a label`);
    const edits: TextEdit[] = [];
    for (const o of referencesOf(found.index, s)) {
      const range = found.range(o);
      if (!range) throw new ResponseError(ErrorCodes.InvalidRequest, 'the spec is being edited near a use of this name; try again once it parses');
      edits.push({ range, newText: p.newName });
    }
    return { changes: { [p.textDocument.uri]: edits } };
  });

  // ------------------------------------------------------------ outline, completion

  connection.onDocumentSymbol((p): DocumentSymbol[] => {
    const ix = indexFor(p.textDocument.uri);
    if (!ix) return [];
    const convert = (s: SpecSymbol): DocumentSymbol | undefined => {
      const ds = ix.toDoc(s.declSpan.start);
      const de = ix.toDoc(s.declSpan.end);
      const ns = ix.toDoc(s.nameSpan.start);
      const ne = ix.toDoc(s.nameSpan.end);
      if (ds === undefined || de === undefined || ns === undefined || ne === undefined) return undefined;
      const children = s.children.map(convert).filter((c): c is DocumentSymbol => c !== undefined);
      return {
        name: s.name,
        detail: s.detail,
        kind: SYMBOL_KINDS[s.kind],
        range: { start: ix.doc.positionAt(ds), end: ix.doc.positionAt(de) },
        selectionRange: { start: ix.doc.positionAt(ns), end: ix.doc.positionAt(ne) },
        ...(children.length > 0 ? { children } : {}),
      };
    };
    return ix.index.outline.map(convert).filter((c): c is DocumentSymbol => c !== undefined);
  });

  connection.onCompletion((p): CompletionItem[] => {
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    const add = (item: CompletionItem): void => {
      if (seen.has(item.label)) return;
      seen.add(item.label);
      items.push(item);
    };
    const ix = indexFor(p.textDocument.uri);
    if (ix) {
      // While the text does not parse: the names in scope where the edit began.
      const visible = visibleAt(ix.index, ix.toIndexNearest(ix.doc.offsetAt(p.position)));
      // Innermost first: locals shadow globals.
      for (const s of visible.reverse()) add({ label: s.name, kind: COMPLETION_KINDS[s.kind], detail: s.detail, ...(s.doc ? { documentation: s.doc } : {}) });
    }
    for (const b of BUILTINS) add({ label: b, kind: CompletionItemKind.Function, detail: 'built-in function' });
    for (const t of BUILTIN_TYPE_NAMES) add({ label: t, kind: CompletionItemKind.TypeParameter, detail: 'built-in' });
    for (const k of KEYWORDS) add({ label: k, kind: CompletionItemKind.Keyword });
    return items;
  });

  // ------------------------------------------------------------ code lens: run a check

  connection.onCodeLens((p): CodeLens[] => {
    const ix = indexFor(p.textDocument.uri);
    if (!ix) return [];
    const lenses: CodeLens[] = [];
    for (const c of ix.index.checks) {
      const s = ix.toDoc(c.span.start);
      const e = ix.toDoc(c.nameSpan.end);
      if (s === undefined || e === undefined) continue;
      lenses.push({
        range: { start: ix.doc.positionAt(s), end: ix.doc.positionAt(e) },
        command: { title: '▶ Run check', command: RUN_CHECK_COMMAND, arguments: [p.textDocument.uri, c.name] },
      });
    }
    return lenses;
  });

  connection.onExecuteCommand(async (p): Promise<RunOutcome | null> => {
    if (p.command !== RUN_CHECK_COMMAND) throw new ResponseError(ErrorCodes.InvalidRequest, `unknown command ${p.command}`);
    const [uri, check] = (p.arguments ?? []) as [unknown, unknown];
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${RUN_CHECK_COMMAND} takes a document URI and a check name`);
    const doc = documents.get(uri);
    if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open`);
    const outcome = await runInWorker(
      { path: pathOf(uri), text: doc.getText(), check: typeof check === 'string' ? check : undefined, maxStates },
      timeoutSeconds * 1000,
    );
    const type = outcome.status === 'pass' ? MessageType.Info : outcome.status === 'fail' || outcome.status === 'error' ? MessageType.Error : MessageType.Warning;
    void connection.sendNotification('window/showMessage', { type, message: outcome.summary });
    connection.console.log(`${outcome.summary}${outcome.report ? `\n${outcome.report}` : ''}`);
    return outcome;
  });

  connection.onShutdown(() => {
    shutdownReceived = true;
    for (const s of states.values()) if (s.timer) clearTimeout(s.timer);
  });
  const exitCode = (): number => (shutdownReceived ? 0 : 1);
  connection.onExit(() => {
    process.exit(exitCode());
  });

  documents.listen(connection);
  return { exitCode };
}

/** The name (identifier) around an offset, if any. */
function wordAt(text: string, offset: number): string | undefined {
  let s = offset;
  while (s > 0 && /\w/.test(text[s - 1]!)) s--;
  let e = offset;
  while (e < text.length && /\w/.test(text[e]!)) e++;
  const w = text.slice(s, e);
  return /^[A-Za-z_]\w*$/.test(w) ? w : undefined;
}

/**
 * A spex diagnostic as an LSP one. Positions are LSP's (UTF-16 code units, as JavaScript
 * strings index, so the spans' offsets convert directly). A diagnostic in an imported file is
 * shown on the import that brings it, with its own place in relatedInformation.
 */
function toLspDiagnostic(d: Diagnostic, doc: TextDocument, a: Analysis): LspDiagnostic {
  const severity = isWarning(d.code) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
  const base = { severity, code: d.code, source: 'spex' };
  const message = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
  if (!d.span) return { ...base, message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  if (d.span.source.text === a.source.text && d.span.source.path === a.source.path) {
    return { ...base, message, range: { start: doc.positionAt(d.span.start), end: doc.positionAt(Math.max(d.span.end, d.span.start)) } };
  }
  // In an imported file.
  const other = TextDocument.create(fileUri(d.span.source.path), 'spex', 0, d.span.source.text);
  const where = spanRange(other, d.span);
  const { line, col } = lineCol(d.span.source, d.span.start);
  const imp = a.imports.find((i) => d.span!.source.path.endsWith(i.path.replace(/^\.\//, ''))) ?? a.imports[0];
  const range = imp ? { start: doc.positionAt(imp.pathSpan.start), end: doc.positionAt(imp.pathSpan.end) } : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    ...base,
    message: `${d.span.source.path}:${line}:${col}: ${message}`,
    range,
    relatedInformation: [{ location: { uri: other.uri, range: where }, message: d.message }],
  };
}

/** Where a variable or constant is declared in a spec file (read from disk), if it parses. */
function importedDeclaration(file: string, name: string): Location | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let ast: A.SpecAst;
  try {
    ast = parseSpec({ path: file, text });
  } catch {
    return null;
  }
  const d = ast.decls.find((x) => (x.kind === 'var' || x.kind === 'const') && x.name.text === name) as Extract<A.Decl, { kind: 'var' | 'const' }> | undefined;
  if (!d) return null;
  const doc = TextDocument.create(fileUri(file), 'spex', 0, text);
  return { uri: doc.uri, range: spanRange(doc, d.name.span) };
}

function spanRange(doc: TextDocument, span: A.Span): LspRange {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

function fileUri(path: string): string {
  return pathToFileURL(resolvePath(path)).href;
}
