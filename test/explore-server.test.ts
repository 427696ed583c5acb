/**
 * `spex explore`'s JSON API, without a browser: the server starts within each test on a free
 * port of 127.0.0.1 and stops after it. Steps (failing ones included), back and forward,
 * branching, search, ITF traces (sent from the page and given with --open-trace), initial
 * states, coverage, escaping, and what the server refuses: other hosts and origins, other
 * interfaces, and any path that could name a file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ExploreSession, type ExploreModel } from '../src/interactive/session.js';
import { startExplorer, type RunningExplorer } from '../src/interactive/server.js';
import { loadSpec, runCheck, selectChecks } from '../src/engine/run.js';
import { itfOfCheck, toItf } from '../src/export/itf.js';
import { formatLabel } from '../src/lang/label.js';
import type { Label } from '../src/lang/compile.js';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'spex-explore-'));
const STEPS = join(root, 'test/fixtures/explore/steps.spex');
const MEMCG = join(root, 'spec/memcg/reparent.spex');
const MEMCG_CHECK = 'Scenario6_RfcAwol';

let running: RunningExplorer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Reply {
  status: number;
  body: string;
  json: () => unknown;
}

/** One HTTP request to the server; `headers` may set Host and Origin, which fetch would not. */
function req(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; port?: number; host?: string } = {}): Promise<Reply> {
  const port = opts.port ?? running!.port;
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: opts.host ?? '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) as unknown });
      });
    });
    r.on('error', reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

async function model(): Promise<ExploreModel> {
  const r = await req('GET', '/api/state');
  expect(r.status).toBe(200);
  return r.json() as ExploreModel;
}

async function post(path: string, body: unknown): Promise<ExploreModel> {
  const r = await req('POST', path, { body });
  expect(r.status, r.body).toBe(200);
  return r.json() as ExploreModel;
}

async function serve(file: string, opts: ConstructorParameters<typeof ExploreSession>[1] = {}): Promise<ExploreModel> {
  running = await startExplorer(new ExploreSession(file, opts));
  return model();
}

/** Takes the step whose label reads `label` (the first such) from the current state. */
async function take(m: ExploreModel, label: string): Promise<ExploreModel> {
  const step = m.current!.steps.find((s) => s.label === label && s.target !== undefined);
  expect(step, `no step ${label} among ${m.current!.steps.map((s) => s.label).join(', ')}`).toBeDefined();
  return post('/api/step', { from: m.current!.id, index: step!.index });
}

/** The counterexample of a check, run in the test: its step labels and its ITF. */
function counterexample(file: string, check: string): { labels: string[]; itf: unknown } {
  const { spec } = loadSpec(file);
  const r = runCheck(spec, selectChecks(spec, check)[0], new Map(), {});
  const o = r.result!.outcome;
  if (o.kind !== 'invariant') throw new Error(`expected an invariant violation, got ${o.kind}`);
  const x = itfOfCheck(r, file, spec.name)!;
  return { labels: o.trace.labels.map((l: Label) => formatLabel(l)), itf: toItf(x.trace, x.meta) };
}

describe('spex explore: steps', () => {
  it('lists every step of the current state, a failing one as a fault, and the steps after it', async () => {
    let m = await serve(STEPS, { check: 'Steps' });
    expect(m.spec.name).toBe('Steps');
    expect(m.pos).toBe(0);
    expect(m.path.map((p) => p.label)).toEqual(['init']);
    expect(m.current!.steps.map((s) => s.label)).toEqual(['Inc(w=A)', 'Inc(w=B)']);
    // Inc(w=B) leads to a state that violates NotB: the list says so before it is taken.
    expect(m.current!.steps[1]!.notes).toContainEqual({ kind: 'bad', text: 'violates NotB' });
    expect(m.current!.steps[0]!.notes).toEqual([]);

    m = await take(m, 'Inc(w=A)');
    const labels = m.current!.steps.map((s) => s.label);
    expect(labels).toEqual(['Div(d=0)', 'Div(d=1)', 'Inc(w=A)', 'Inc(w=B)']);
    const div0 = m.current!.steps[0]!;
    expect(div0.target).toBeUndefined();
    expect(div0.fault!.kind).toBe('runtime');
    expect(div0.fault!.diagnostic).toMatch(/error\[E701\]/);
    expect(m.current!.steps[1]!.target).toBeDefined();
    // A failing step cannot be taken.
    const refused = await req('POST', '/api/step', { body: { from: m.current!.id, index: 0 } });
    expect(refused.status).toBe(400);
    expect((refused.json() as { error: string }).error).toContain('fails');

    m = await take(m, 'Div(d=1)');
    const boom = m.current!.steps.find((s) => s.label === 'Boom')!;
    expect(boom.fault!.kind).toBe('assert');
    expect(boom.fault!.message).toContain('<script>');
    // What the server renders as markup never carries the spec's text as markup.
    expect(m.current!.stateHtml).not.toContain('<script');
    expect(m.current!.viewsHtml).toContain('<svg');

    m = await take(m, 'Inc(w=A)');
    expect(m.current!.status).toBe('deadlock');
    expect(m.current!.steps).toEqual([]);
    expect(m.current!.invariants).toContainEqual({ name: 'Small', holds: false });
    expect(m.current!.invariants).toContainEqual({ name: 'NotB', holds: true });
    expect(m.current!.changes).toEqual([{ path: 'n', before: '2', after: '3' }]);
  });

  it('goes back and forward, branches off, and refuses a step from a state the page no longer shows', async () => {
    let m = await serve(STEPS, { check: 'Steps' });
    m = await take(m, 'Inc(w=A)');
    m = await take(m, 'Div(d=1)');
    m = await take(m, 'Inc(w=A)');
    expect(m.path.map((p) => p.label)).toEqual(['init', 'Inc(w=A)', 'Div(d=1)', 'Inc(w=A)']);
    const last = m.current!.id;

    m = await post('/api/goto', { pos: 1 });
    expect(m.pos).toBe(1);
    expect(m.path).toHaveLength(4);
    expect(m.current!.label).toBe('Inc(w=A)');
    m = await post('/api/goto', { pos: 3 });
    expect(m.current!.id).toBe(last);

    // A step from state 1 when the server is at state 3: refused.
    const stale = await req('POST', '/api/step', { body: { from: m.path[1]!.id, index: 0 } });
    expect(stale.status).toBe(409);
    expect((await req('POST', '/api/goto', { body: { pos: 9 } })).status).toBe(400);
    expect((await req('POST', '/api/step', { body: { from: last, index: 'x' } })).status).toBe(400);

    // Branching off at state 1 replaces what came after it.
    m = await post('/api/goto', { pos: 1 });
    m = await take(m, 'Inc(w=B)');
    expect(m.path.map((p) => p.label)).toEqual(['init', 'Inc(w=A)', 'Inc(w=B)']);
    expect(m.pos).toBe(2);
    expect(m.current!.invariants).toContainEqual({ name: 'NotB', holds: false });

    // Coverage counts the steps taken, abandoned branches included.
    const cov = Object.fromEntries(m.coverage.map((c) => [c.name, c.taken]));
    expect(cov).toEqual({ Div: 1, Boom: 0, Inc: 3 });
  });

  it('lets the user choose among several initial states', async () => {
    const file = join(tmp, 'two.spex');
    writeFileSync(file, 'spec Two\n\nvar x: 0..3 in {0, 2}\n\naction Up {\n  require x < 3\n  x := x + 1\n}\n\ninvariant Low: x < 2\n');
    let m = await serve(file);
    expect(m.pos).toBe(-1);
    expect(m.current).toBeUndefined();
    expect(m.initialCount).toBe(2);
    expect(m.initial!.map((s) => s.summary)).toEqual([['x = 0'], ['x = 2']]);
    expect(m.initial![1]!.violates).toEqual(['Low']);
    m = await post('/api/init', { index: 1 });
    expect(m.pos).toBe(0);
    expect(m.current!.invariants).toEqual([{ name: 'Low', holds: false }]);
    m = await take(m, 'Up');
    m = await post('/api/initial', {});
    expect(m.pos).toBe(-1);
    expect(m.path).toHaveLength(2);
    expect((await req('POST', '/api/init', { body: { index: 2 } })).status).toBe(400);
  });

  it('shows the state predicates of temporal properties, and the process labels in the coverage', async () => {
    const m = await serve(MEMCG, { check: MEMCG_CHECK });
    const props = m.current!.properties;
    expect(props.length).toBeGreaterThan(0);
    for (const p of props) {
      expect(p.predicates.length).toBeGreaterThan(0);
      for (const q of p.predicates) expect(typeof q.holds).toBe('boolean');
    }
    expect(m.coverage.some((c) => c.kind === 'label' && /^Offline at /.test(c.name))).toBe(true);
    expect(m.coverage.every((c) => c.taken === 0)).toBe(true);
  });
});

describe('spex explore: constraints and step properties', () => {
  it('marks steps outside a constraint and steps that violate a step property, and searches within the constraints', async () => {
    const file = join(tmp, 'bounded.spex');
    writeFileSync(file, 'spec Bounded\n\nvar x: Int = 0\n\naction Up { x := x + 1 }\naction Down {\n  require x > 0\n  x := x - 1\n}\n\nconstraint Small: x <= 2\nalways step NoDown: x\' >= x\n');
    let m = await serve(file);
    m = await take(m, 'Up');
    m = await take(m, 'Up');
    expect(m.current!.constraints).toEqual([{ name: 'Small', holds: true }]);
    expect(m.current!.steps.find((s) => s.label === 'Up')!.notes).toContainEqual({ kind: 'info', text: 'outside constraint Small' });
    const down = m.current!.steps.find((s) => s.label === 'Down')!;
    expect(down.notes).toContainEqual({ kind: 'bad', text: 'violates NoDown' });
    expect(down.notes).toContainEqual({ kind: 'info', text: 'back to state 1 of the path' });
    m = await take(m, 'Down');
    expect(m.current!.stepChecks).toEqual([{ name: 'NoDown', holds: false }]);
    // x == 3 is judged (it is reached) but not gone on from: x == 4 is not found.
    m = await post('/api/goto', { pos: 0 });
    m = await post('/api/search', { expr: 'x == 4' });
    expect(m.message).toEqual({ kind: 'error', text: 'no state reachable from here satisfies it (all 4 searched)' });
    m = await post('/api/search', { expr: 'x == 3' });
    expect(m.path.map((p) => p.label)).toEqual(['init', 'Up', 'Up', 'Up']);
    expect(m.current!.constraints).toEqual([{ name: 'Small', holds: false }]);
  });
});

describe('spex explore: search', () => {
  it('finds the nearest state that satisfies an expression and makes the path to it the current path', async () => {
    let m = await serve(STEPS, { check: 'Steps' });
    m = await post('/api/search', { expr: 'n == 3 and last == Some(A)' });
    expect(m.message?.kind).toBe('info');
    expect(m.path.map((p) => p.label)).toEqual(['init', 'Inc(w=A)', 'Div(d=1)', 'Inc(w=A)']);
    expect(m.pos).toBe(3);
    // From there, nothing more is reachable.
    m = await post('/api/search', { expr: 'n == 0' });
    expect(m.message).toEqual({ kind: 'error', text: 'no state reachable from here satisfies it (all 1 searched)' });
    expect(m.pos).toBe(3);
    // The current state itself.
    m = await post('/api/search', { expr: 'n == 3' });
    expect(m.message).toEqual({ kind: 'info', text: 'this state satisfies it' });
  });

  it('reports a bad expression with its coded diagnostics, and stops at the search limit', async () => {
    let m = await serve(STEPS, { check: 'Steps', searchLimit: 2 });
    m = await post('/api/search', { expr: 'count == 3' });
    expect(m.message!.kind).toBe('error');
    expect(m.message!.text).toMatch(/^search:1:1: error\[E201\]: unknown name 'count'/);
    m = await post('/api/search', { expr: 'n + 1' });
    expect(m.message!.text).toMatch(/error\[E205\]: the search expression should be Bool, but this is Int/);
    m = await post('/api/search', { expr: 'n ==' });
    expect(m.message!.text).toMatch(/^search:1:5: error\[E1\d\d\]/);
    m = await post('/api/search', { expr: 'n == 3' });
    expect(m.message!.text).toContain('the search stops at 2 states');
    expect(m.path).toHaveLength(1);
    expect((await req('POST', '/api/search', { body: { expr: 42 } })).status).toBe(400);
  });
});

describe('spex explore: traces', () => {
  it('opens the ITF counterexample of a check as the path, with the violated invariant at its end', async () => {
    const cex = counterexample(MEMCG, MEMCG_CHECK);
    let m = await serve(MEMCG, { check: MEMCG_CHECK });
    m = await post('/api/trace', { itf: cex.itf, name: 'cex.itf.json' });
    expect(m.message!.kind).toBe('info');
    expect(m.message!.text).toContain(`opened cex.itf.json: ${cex.labels.length} steps`);
    expect(m.message!.text).toContain('the trace records: violation NoAwol');
    expect(m.path.map((p) => p.label)).toEqual(['init', ...cex.labels]);
    expect(m.pos).toBe(cex.labels.length);
    expect(m.current!.invariants.find((i) => i.name === 'NoAwol')!.holds).toBe(false);
    // Branch off in the middle of the trace.
    m = await post('/api/goto', { pos: 1 });
    m = await take(m, m.current!.steps.find((s) => s.target !== undefined && s.label !== cex.labels[1])!.label);
    expect(m.path).toHaveLength(3);
  });

  it('says where a trace stops replaying, and what is not an ITF trace of the spec', async () => {
    const cex = counterexample(MEMCG, MEMCG_CHECK) as { labels: string[]; itf: { states: Record<string, unknown>[] } };
    const bad = structuredClone(cex.itf);
    // State 3 says the mutex is held by C if it is free there, free if it is held: a change
    // the step into it does not make, whichever step that is.
    const mutex = bad.states[3]!['mutex'] as { tag: string };
    bad.states[3]!['mutex'] = mutex.tag === 'None' ? { tag: 'Some', value: 'C' } : { tag: 'None', value: { '#tup': [] } };
    let m = await serve(MEMCG, { check: MEMCG_CHECK });
    m = await post('/api/trace', { itf: bad, name: 'bad.itf.json' });
    expect(m.message!.kind).toBe('error');
    expect(m.message!.text).toContain(`opened bad.itf.json: 2 steps of ${cex.labels.length}`);
    expect(m.message!.text).toContain('Trace does not replay: step 3');
    expect(m.path).toHaveLength(3);

    m = await post('/api/trace', { itf: { vars: ['<script>'], states: [] }, name: 'x.json' });
    expect(m.message!.text).toMatch(/^x\.json is not an ITF trace of spec MemcgReparent: vars: /);
  });

  it('opens the trace given with --open-trace (the CLI, end to end)', async () => {
    const cex = counterexample(MEMCG, MEMCG_CHECK);
    const itfPath = join(tmp, 'cex.itf.json');
    writeFileSync(itfPath, JSON.stringify(cex.itf));
    const child = spawn(process.execPath, ['dist/cli/main.js', 'explore', MEMCG, '--check', MEMCG_CHECK, '--open-trace', itfPath], { cwd: root });
    let out = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const hit = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (hit) resolve(hit[0]);
        });
        child.on('exit', (code) => reject(new Error(`spex explore exited ${code}: ${out}`)));
      });
      expect(out).toContain(`opened ${itfPath}: ${cex.labels.length} steps\nthe trace records: violation NoAwol\n`);
      const port = Number(new URL(url).port);
      const r = await req('GET', '/api/state', { port });
      const m = r.json() as ExploreModel;
      expect(m.path.map((p) => p.label)).toEqual(['init', ...cex.labels]);
      expect(m.current!.invariants.find((i) => i.name === 'NoAwol')!.holds).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('spex explore: what the server refuses', () => {
  it('listens on 127.0.0.1 only, and not on the other interfaces', async () => {
    await serve(STEPS);
    const addr = running!.server.address();
    expect(typeof addr === 'object' && addr !== null ? addr.address : addr).toBe('127.0.0.1');
    expect(running!.url).toBe(`http://127.0.0.1:${running!.port}/`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    for (const host of others) {
      await expect(req('GET', '/api/state', { host, headers: { Host: `${host}:${running!.port}` } })).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('stops a search at its time bound, and goes on answering', async () => {
    running = await startExplorer(new ExploreSession(STEPS, { searchSeconds: 0 }));
    await post('/api/search', { expr: 'false' });
    const m = await model();
    expect(m.message?.text).toMatch(/^no state satisfies it among the nearest ones searched in 0 s \(the search stops there: [\d,]+ states met\)$/);
  });

  it('answers a body over 16 MiB with 413 (not a reset connection), and takes a client that goes away mid-upload as nothing to answer', async () => {
    await serve(STEPS);
    const p = running!.port;
    const big = await req('POST', '/api/search', { body: `{"expr":"${' '.repeat(17_000_000)}"}` });
    expect(big.status).toBe(413);
    expect(big.body).toContain('larger than 16777216 bytes');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      writes.push(String(s));
      return true;
    });
    try {
      await new Promise<void>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: p }, () => {
          socket.write(`POST /api/search HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"expr":`);
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('close', () => resolve());
      });
      // The server goes on answering, and has said nothing of an internal error.
      expect((await req('GET', '/api/state')).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).not.toContain('internal error');
  });

  it('answers only to its own Host and Origin, and only JSON posts', async () => {
    await serve(STEPS);
    const p = running!.port;
    expect((await req('GET', '/api/state', { headers: { Host: `localhost:${p}` } })).status).toBe(200);
    // A name rebound to 127.0.0.1 (DNS rebinding) is not this server's.
    const rebound = await req('GET', '/api/state', { headers: { Host: `attacker.example:${p}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('Steps');
    expect((await req('GET', '/', { headers: { Host: `attacker.example:${p}` } })).status).toBe(403);
    const other = await req('POST', '/api/search', { body: { expr: 'n == 1' }, headers: { Origin: 'http://attacker.example' } });
    expect(other.status).toBe(403);
    expect((await req('POST', '/api/search', { body: { expr: 'n == 1' }, headers: { Origin: `http://127.0.0.1:${p}` } })).status).toBe(200);
    const form = await req('POST', '/api/search', { body: 'expr=n', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const page = await req('GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/explorer.js"></script>');
    const csp = await new Promise<string | undefined>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: p, path: '/', headers: { Host: `127.0.0.1:${p}` } }, (res) => {
        res.resume();
        resolve(res.headers['content-security-policy'] as string | undefined);
      })
        .on('error', reject)
        .end();
    });
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('serves no file but its own page: no path names a file', async () => {
    await serve(STEPS);
    const secret = readFileSync(join(root, 'package.json'), 'utf8').slice(0, 40);
    const spec = readFileSync(STEPS, 'utf8').slice(0, 40);
    const paths = [
      '/package.json',
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/etc/passwd',
      '/test/fixtures/explore/steps.spex',
      `/${STEPS}`,
      '/api/state/../../package.json',
      '/api/file?path=/etc/passwd',
      '/api/trace?file=package.json',
      '//etc/passwd',
    ];
    for (const path of paths) {
      const r = await req('GET', path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain(secret);
      expect(r.body).not.toContain(spec);
    }
    // A trace is sent in the body; a file name there is only a name to show.
    const m = await post('/api/trace', { itf: '/etc/passwd', name: '/etc/passwd' });
    expect(m.message!.text).toBe('/etc/passwd is not an ITF trace of spec Steps: (trace): expected a JSON object, found "/etc/passwd"');
    expect((await req('POST', '/api/nothing', { body: {} })).status).toBe(404);
    expect((await req('DELETE', '/api/state')).status).toBe(405);
  });
});

describe('spex explore: the command line', () => {
  const run = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ['dist/cli/main.js', 'explore', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('reports a spec, a check, a trace or a port it cannot use, before it listens', async () => {
    let r = run('test/fixtures/explore/missing.spex');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: cannot read test/fixtures/explore/missing.spex: no such file');
    r = run(STEPS, '--check', 'Nope');
    expect(r.code).toBe(120);
    expect(r.stderr).toContain("error[E213]: no check named 'Nope'");
    r = run(STEPS, '--port', '70000');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('expected a port number');
    const notJson = join(tmp, 'not.json');
    writeFileSync(notJson, 'not json');
    r = run(STEPS, '--open-trace', notJson);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${notJson} is not JSON`);
    // A port in use: this test's own server holds it.
    running = await startExplorer(new ExploreSession(STEPS));
    r = run(STEPS, '--port', String(running.port));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot listen on 127.0.0.1: port ${running.port} is in use`);
  });
});
