/**
 * The HTTP side of `spex explore`: one page, its script and style, and a small JSON API over
 * an ExploreSession, on 127.0.0.1 only.
 *
 * What it guards against, since a page elsewhere in the same browser can send requests here:
 *   - it listens on the loopback address alone, and refuses a request from any other address;
 *   - it answers only requests whose Host is its own (127.0.0.1:PORT or localhost:PORT), so a
 *     name rebound to 127.0.0.1 by another site (DNS rebinding) gets nothing;
 *   - a request with an Origin other than its own is refused, POSTs must be JSON (a form on
 *     another site cannot send that without the browser asking first, and no CORS header is
 *     ever sent), and bodies are bounded;
 *   - the routes are fixed names with no path or file parameter: the only files it reads are
 *     the spec it was started with, the specs that imports, and the trace named on the command
 *     line, all read before it starts; a trace opened in the page is sent in the request body;
 *   - the page allows only its own script and style (Content-Security-Policy), and every text
 *     from the spec is escaped (session.ts builds HTML from escaped parts; the script sets
 *     text with textContent).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExploreSession, SessionError } from './session.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './page.js';
import { parseJsonInput } from '../export/json-input.js';

/** The largest request body accepted (an ITF trace sent from the page). */
export const MAX_BODY = 16 * 1024 * 1024;

export const HOST = '127.0.0.1';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface RunningExplorer {
  readonly port: number;
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': CSP,
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A client that went away before its request was read (a closed tab, a cancelled upload): nothing to answer. */
class ClientGone extends Error {}

/**
 * How much of a body past MAX_BODY is read and dropped, so that the 413 reaches the client: a
 * socket closed with unread data in it is reset, and the client then sees the reset, not the
 * answer. A client that sends still more is cut off.
 */
const DISCARD_LIMIT = 4 * MAX_BODY;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > DISCARD_LIMIT) req.destroy();
        return;
      }
      if (size > MAX_BODY) {
        over = true;
        chunks.length = 0;
        reject(new SessionError(413, `the request body is larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => reject(new ClientGone()));
  });
}

/** The body's JSON object; SessionError 415/400 otherwise. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new SessionError(415, 'requests must be application/json');
  const text = await readBody(req);
  const input = parseJsonInput(text);
  if (!input.ok) throw new SessionError(400, input.kind === 'syntax' ? 'the request body is not JSON' : `the request body ${input.why}`);
  const v = input.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SessionError(400, 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}

type Route = (body: Record<string, unknown>) => void;

/**
 * Serves `session` on 127.0.0.1, on `port` (0 or undefined: a free port chosen by the
 * system). Resolves once it listens.
 */
export function startExplorer(session: ExploreSession, port = 0): Promise<RunningExplorer> {
  const routes: Record<string, Route> = {
    '/api/init': (b) => session.chooseInitial(b['index']),
    '/api/initial': () => session.chooseAgain(),
    '/api/step': (b) => session.takeStep(b['from'], b['index']),
    '/api/goto': (b) => session.goTo(b['pos']),
    '/api/search': (b) => session.search(b['expr']),
    '/api/trace': (b) => session.openTrace(b['itf'], typeof b['name'] === 'string' && b['name'].length <= 200 ? b['name'] : 'the trace'),
  };
  let own = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'only local connections are served' });
    const host = (req.headers.host ?? '').toLowerCase();
    if (!own.has(host)) return sendJson(res, 403, { error: 'unknown Host: the explorer answers only to its own address' });
    const origin = req.headers.origin;
    if (origin !== undefined && !own.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
      return sendJson(res, 403, { error: 'requests from other sites are refused' });
    }
    // Only the path counts; a query string is ignored, never read as a file name.
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      switch (path) {
        case '/':
        case '/index.html':
          return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
        case '/explorer.js':
          return send(res, 200, 'text/javascript; charset=utf-8', PAGE_JS);
        case '/explorer.css':
          return send(res, 200, 'text/css; charset=utf-8', PAGE_CSS);
        case '/api/state':
          return sendJson(res, 200, session.model());
      }
      if (path in routes) return sendJson(res, 405, { error: `${path} takes POST` });
      return sendJson(res, 404, { error: 'not found' });
    }
    if (method === 'POST') {
      const route = Object.prototype.hasOwnProperty.call(routes, path) ? routes[path] : undefined;
      if (!route) return sendJson(res, 404, { error: 'not found' });
      try {
        const body = await jsonBody(req);
        route(body);
      } catch (err) {
        if (err instanceof ClientGone) return void res.destroy();
        if (err instanceof SessionError) {
          // The rest of a body too large is dropped as it comes; the connection ends after it.
          if (err.status === 413) res.setHeader('Connection', 'close');
          return sendJson(res, err.status, { error: err.message });
        }
        throw err;
      }
      return sendJson(res, 200, session.model());
    }
    return sendJson(res, 405, { error: `method ${method} is not served` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`internal error (a bug in spex, not in your spec): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error in spex; see the terminal' });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port }, () => {
      server.off('error', reject);
      const p = (server.address() as AddressInfo).port;
      own = new Set([`${HOST}:${p}`, `localhost:${p}`]);
      resolve({
        port: p,
        url: `http://${HOST}:${p}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
