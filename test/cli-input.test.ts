/**
 * The CLI on input a newcomer or a hostile user gives it: files that cannot be written or read,
 * a spec without initial states, huge domains (each reproducer of a crash or a hang).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants as fsConstants, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, spex } from './support/cli.js';
import { portNumber } from '../src/cli/program.js';

function withSpec(text: string, f: (path: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'spex-input-'));
  try {
    const path = join(dir, 't.spex');
    writeFileSync(path, text);
    f(path, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const violated = 'spec V\nvar x: 0..3 = 0\naction Inc { require x < 3\n  x := x + 1 }\ninvariant Small: x < 2\n';

describe('files spex cannot write or read', () => {
  it('says "cannot write" and names the path of an --out-* file it cannot write', () => {
    withSpec(violated, (path, dir) => {
      const out = join(dir, 'no', 'such', 'dir', 'trace.html');
      const r = spex('check', path, '--out-html', out);
      expect(r.stderr).toBe(`error: cannot write ${out}: no such directory\n`);
      expect(r.code).toBe(1);
      const j = spex('check', path, '--out-tlc-json', dir);
      expect(j.stderr).toBe(`error: cannot write ${dir}: it is a directory\n`);
    });
  });
  it('never writes over its input: an --out-* path, graph --out or a swarm result naming the spec is refused, before the search', () => {
    withSpec(violated, (path, dir) => {
      const refused = `error: cannot write ${path}: it is a file this run reads (the spec, or a trace or result it was given); spex does not write over its input\n`;
      for (const args of [['check', path, '--out-itf', path], ['check', path, '--out-tlc-json', path], ['check', path, '--out-html', path], ['graph', path, '--out', path], ['check', path, '--swarm', '1/2', '--out', path], ['simulate', path, '--out-itf', path]]) {
        const r = spex(...args);
        expect(r.stderr, args.join(' ')).toBe(refused);
        expect(r.code).toBe(1);
        // Before the search: no report of it.
        expect(r.stdout).not.toContain('distinct states');
      }
      // The same file under another name (a hard link) is the same input.
      const link = join(dir, 'link.spex');
      linkSync(path, link);
      expect(spex('check', path, '--out-itf', link).stderr).toBe(refused.replace(path, link));
      expect(readFileSync(path, 'utf8')).toBe(violated);
      // What a run read is its own: a later run (in this process, as the tests run spex) may
      // write where an earlier one read.
      const other = join(dir, 'other.spex');
      writeFileSync(other, violated);
      expect(spex('check', other).code).toBe(12);
      const out = spex('check', path, '--out-itf', other);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(12);
      expect(readFileSync(other, 'utf8')).toContain('"#meta"');
    });
  });
  it('looks at an --out-* path before the search: a missing directory does not replace the verdict after it', () => {
    withSpec(violated, (path, dir) => {
      const out = join(dir, 'missing', 'cex.itf.json');
      const r = spex('check', path, '--out-itf', out);
      expect(r.stderr).toBe(`error: cannot write ${out}: no such directory\n`);
      expect(r.stdout).not.toContain('distinct states');
      expect(spex('check', path, '--out-itf', '').stderr).toBe('error: cannot write : the path is empty\n');
    });
  });
  it('writes an --out-* file that is a named pipe only when a program reads it; without one it says so at once (it waited for ever, past any signal)', () => {
    withSpec(violated, (path, dir) => {
      const fifo = join(dir, 'cex.fifo');
      execFileSync('mkfifo', [fifo]);
      const noReader = `error: cannot write ${fifo}: it is a pipe that no program reads (or a socket); start the reader first\n`;
      // In a process of its own, so that a regression hangs that process, not the tests (the
      // timeout is a safety net: the run ends at once).
      const r = spawnSync(process.execPath, ['dist/cli/main.js', 'check', path, '--out-itf', fifo], { cwd: root, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.stderr).toBe(noReader);
      expect(r.status).toBe(1);
      expect(spex('graph', path, '--out', fifo).stderr).toBe(noReader);
      // A reader (opened here without waiting for a writer): the trace goes through the pipe.
      const fd = openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
      try {
        const w = spex('check', path, '--out-itf', fifo);
        expect(w.stderr).toBe('');
        expect(w.code).toBe(12);
        const buf = Buffer.alloc(1 << 16);
        const n = readSync(fd, buf);
        expect(buf.toString('utf8', 0, n)).toContain('"#meta"');
      } finally {
        closeSync(fd);
      }
    });
  });
  it('spex test reads a file named on the command line whatever its name: a pipe is E102, as for check', () => {
    withSpec(violated, (_path, dir) => {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const r = spex('test', fifo);
      expect(r.stderr).toContain(`error[E102]: cannot read ${fifo}: it is a pipe, not a regular file`);
      expect(r.code).toBe(1);
    });
  });
  it('refuses --check given twice, which used to run the second alone', () => {
    for (const cmd of ['check', 'test', 'simulate']) {
      const r = spex(cmd, 'spec/examples/diehard.spex', '--check', 'A', '--check', 'B');
      expect(r.stderr).toContain("given twice ('A', then 'B'): one check block per run; without --check every check block runs");
      expect(r.code).toBe(1);
    }
  });
  it('names the directory given to replay as a trace', () => {
    withSpec(violated, (path, dir) => {
      const r = spex('replay', dir, path);
      expect(r.stderr).toBe(`error: cannot read ${dir}: it is a directory\n`);
      expect(r.code).toBe(1);
    });
  });
});

describe('paths with symbolic links', () => {
  it('reads a trace or a job result only from a regular file of at most 64 MiB: a pipe, a device or a larger file is refused unread', () => {
    withSpec(violated, (path, dir) => {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      // A pipe with no writer would block the read for ever, past every signal; /dev/zero never ends.
      expect(spex('replay', fifo, path).stderr).toBe(`error: cannot read ${fifo}: it is a pipe, not a regular file; a trace is read from a file\n`);
      const zero = spex('replay', '/dev/zero', path);
      expect(zero.stderr).toBe('error: cannot read /dev/zero: it is a character device, not a regular file; a trace is read from a file\n');
      expect(zero.code).toBe(1);
      expect(spex('swarm', 'merge', fifo).stderr).toBe(`error: cannot read ${fifo}: it is a pipe, not a regular file; a job's result is read from a file\n`);
      expect(spex('explore', path, '--open-trace', dir).stderr).toBe(`error: cannot read ${dir}: it is a directory\n`);
      // A sparse file: over the limit, and nothing of it written or read.
      const big = join(dir, 'big.itf.json');
      execFileSync('truncate', ['-s', '65M', big]);
      expect(spex('replay', big, path).stderr).toBe(`error: cannot read ${big}: it has 68,157,440 bytes, more than the 67,108,864 a trace may have\n`);
      // A trace that begins with a byte order mark replays like one without.
      const itf = join(dir, 't.itf.json');
      expect(spex('check', path, '--out-itf', itf).code).toBe(12);
      writeFileSync(itf, '\ufeff' + readFileSync(itf, 'utf8'));
      const bom = spex('replay', itf, path);
      expect(bom.stdout).toContain('Trace replays: 2 steps');
      expect(bom.code).toBe(0);
    });
  });
  it('spex test follows links but searches no folder twice: a link back up ends, a second link to a folder adds nothing', () => {
    withSpec(violated, (_path, dir) => {
      mkdirSync(join(dir, 'sub'));
      symlinkSync('..', join(dir, 'sub', 'up'));
      symlinkSync('sub', join(dir, 'again'));
      writeFileSync(join(dir, 'sub', 'c.spex'), 'spec C\nvar x: 0..1 = 0\naction A { x := 1 - x }\ncheck K { deadlock off }\n');
      const r = spex('test', dir);
      expect(r.code).toBe(0);
      expect(r.stdout.match(/^PASS /gm)?.length).toBe(1);
      expect(r.stdout).toContain(`PASS ${join(dir, 'again', 'c.spex')} K`);
      expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    });
  });

  it('a link that leads back to itself, or a path through a file, is "cannot read" (exit 1), not an internal error', () => {
    withSpec(violated, (path, dir) => {
      const loop = join(dir, 'loop.spex');
      symlinkSync('loop.spex', loop);
      const r = spex('check', loop);
      expect(r.stderr).toBe(`error: cannot read ${loop}: too many levels of symbolic links (a link that leads back to itself)\n`);
      expect(r.code).toBe(1);
      const j = spex('check', loop, '--json');
      expect(j.code).toBe(1);
      expect(j.stdout).toContain(`{"event":"error","kind":"io","message":"cannot read ${loop}: too many levels of symbolic links (a link that leads back to itself)","diagnostics":[]}`);
      const t = spex('test', loop);
      expect(t.code).toBe(1);
      expect(t.stderr).toContain(`cannot read ${loop}: too many levels`);
      const through = join(path, 'x.spex');
      const n = spex('simulate', through, '--json');
      expect(n.code).toBe(1);
      expect(n.stdout).toContain(`"message":"cannot read ${through}: a part of the path is not a directory"`);
    });
  });
});

describe('--workers', () => {
  it('takes at most 64 threads: 1,000 is a usage error, not a crash while starting them', () => {
    for (const [command, extra] of [['check', 'or auto'], ['test', 'or auto'], ['simulate', '']] as const) {
      const r = spex(command, 'spec/bench/counter-grid.spex', '--workers', '1000');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: option '--workers <n>' argument '1000' is invalid. expected a positive integer up to 64${extra ? ` ${extra}` : ''}\n`);
    }
    expect(spex('check', 'spec/bench/counter-grid.spex', '--workers', '65').code).toBe(1);
    expect(spex('check', 'spec/bench/counter-grid.spex', '--workers', '64', '--max-states', '50').code).toBe(152);
  });
});

describe('numeric options', () => {
  it('take decimal numbers: an empty value, hex, binary, octal or a fraction is a usage error, not 0, 16, 3, 7 or 1', () => {
    const spec = 'spec/examples/diehard.spex';
    const cases: [string[], string, string][] = [
      [['check', spec, '--max-states'], '0x10', 'expected a positive integer'],
      [['check', spec, '--max-depth'], '1.5', 'expected a positive integer'],
      [['check', spec, '--workers'], '0b1', 'expected a positive integer up to 64 or auto'],
      [['simulate', spec, '--runs'], '0x10', 'expected a positive integer'],
      [['simulate', spec, '--depth'], '0o7', 'expected a positive integer'],
      [['graph', spec, '--out', 'unused.dot', '--max-states'], ' ', 'expected a positive integer'],
    ];
    for (const [args, value, expected] of cases) {
      const option = args[args.length - 1]!;
      const r = spex(...args, value);
      expect(r.stderr, `${option} '${value}'`).toBe(`error: option '${option} <n>' argument '${value}' is invalid. ${expected}\n`);
      expect(r.code).toBe(1);
    }
    // `--port ""` listened on a free port, as --port 0 does.
    expect(() => portNumber('')).toThrow('expected a port number');
    expect(() => portNumber('0x50')).toThrow('expected a port number');
    expect(portNumber(' 8080 ')).toBe(8080);
    // Spaces around the number are taken, and so is an exponent that leaves an integer.
    expect(spex('check', spec, '--max-states', ' 7 ', '--workers', '1').stdout).toContain('7 distinct states');
    expect(spex('check', spec, '--max-states', '0.7e1', '--workers', '1').stdout).toContain('7 distinct states');
  });

  it('take seconds and minutes as decimal numbers too, fractions included: hex or a blank is a usage error, not 16 or 0', () => {
    const spec = 'spec/examples/diehard.spex';
    const cases: [string[], string, string, string][] = [
      [['simulate', spec, '--time'], '0x10', '<seconds>', 'expected a positive number'],
      [['simulate', spec, '--time'], ' ', '<seconds>', 'expected a positive number'],
      [['check', spec, '--progress-interval'], '0b1', '<seconds>', 'expected a number of seconds, 0 or more'],
      [['simulate', spec, '--progress-interval'], '1e', '<seconds>', 'expected a number of seconds, 0 or more'],
      [['check', spec, '--checkpoint', 'unused', '--checkpoint-every'], '0o7', '<minutes>', 'expected a positive number'],
    ];
    for (const [args, value, arg, expected] of cases) {
      const option = args[args.length - 1]!;
      const r = spex(...args, value);
      expect(r.stderr, `${option} '${value}'`).toBe(`error: option '${option} ${arg}' argument '${value}' is invalid. ${expected}\n`);
      expect(r.code).toBe(1);
    }
    for (const t of ['.5', '0.5', '5e-1']) expect(spex('simulate', spec, '--time', t, '--runs', '3').code, t).toBe(0);
  });
});

describe('--const', () => {
  it('refuses a constant given twice (E214), whichever way it is written, rather than taking the last', () => {
    const r = spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=1', '--const', ' N = 3');
    expect(r.code).toBe(120);
    expect(r.stderr).toBe("error[E214]: --const N is given twice ('N=1', then ' N = 3')\n  = hint: give each constant once\n\n1 error\n");
    // Two constants, each once: taken.
    expect(spex('check', 'spec/bench/counter-grid.spex', '--const', 'N=1', '--const', 'K=2').code).toBe(0);
  });
});

describe('a spec without initial states', () => {
  it('is run-time error E711', () => {
    const r = spex('check', 'test/fixtures/cli/no-init.spex');
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('error[E711]: there is no initial state');
  });
});

describe('huge domains', () => {
  const run = (text: string) => {
    let r = { code: 0, stdout: '', stderr: '' };
    withSpec(text, (path) => {
      r = spex('check', path, '--max-states', '1000');
    });
    return r;
  };
  it('an action parameter over 0..2^53-1 is E221, not a V8 fatal error', () => {
    const r = run('spec A\nvar x: 0..1 = 0\naction A(p: 0..9007199254740991) { x := 1 - x }\n');
    expect(r.stderr).toContain('error[E221]');
    expect(r.code).toBe(120);
  });
  it('a type of 2^53 values used as a set is E221', () => {
    const r = run('spec B\ntype Page = 0..9007199254740991\nvar x: 0..1 = 0\naction A { require exists p in Page: p == 3\n  x := 1 - x }\n');
    expect(r.stderr).toContain('error[E221]');
  });
  it('a quantifier over a type of 100,000,001 values is E221, not a hang', () => {
    const r = run('spec C\ntype Page = 0..100000000\nvar x: 0..1 = 0\naction A { require forall p in Page: p >= 0\n  x := 1 - x }\n');
    expect(r.stderr).toContain('error[E221]');
  });
  it('an action parameter and a process over a type of 100,000,001 values are E221, not a hang', () => {
    const a = run('spec E\ntype Page = 0..100000000\nvar x: 0..1 = 0\naction A(p: Page) { x := 1 - x }\n');
    expect(a.stderr).toContain("error[E221]: the type of parameter 'p' has 100,000,001 values");
    const p = run('spec F\ntype Page = 0..100000000\nprocess W(t: Page) {\n  a: await true\n}\n');
    expect(p.stderr).toContain("error[E221]: the type of parameter 't' has 100,000,001 values");
  });
  it('a range of 100,000,001 values as a parameter domain, an initial choice or a pick is E221', () => {
    expect(run('spec G\nvar x: 0..1 = 0\naction A(p in 0..100000000) { x := 1 - x }\n').stderr).toContain('error[E221]: the range 0..100000000 has 100,000,001 values');
    expect(run('spec H\nvar y: Int in 0..100000000\nvar x: 0..1 = 0\naction A { x := 1 - x }\n').stderr).toContain('error[E221]');
    expect(run('spec I\nvar x: Int = 0\naction A { pick p in 0..100000000\n  x := p }\n').stderr).toContain('error[E221]');
  });
  it('membership in a huge range builds nothing and has no limit', () => {
    const r = run('spec J\nvar x: 0..1 = 0\naction A { x := 1 - x }\ninvariant I: x in 0..9007199254740991\n');
    expect(r.code).toBe(0);
  });
  it('a process of 200,001 instances is E233, not a stack overflow', () => {
    const r = run('spec D\nprocess W(t: 0..200000) {\n  a: await true\n}\n');
    expect(r.stderr).toContain("error[E233]: process 'W' would have 200,001 instances");
    expect(r.code).toBe(120);
  });
});

describe('a syntax error beside a long chain (found by the fuzz suite)', () => {
  // The hand-written parser refuses the text (a number too large for an integer), so the ohm
  // grammar parses it again for the message; ohm's semantics then recurse along the chain of
  // 10,000 terms. That is a coded error (E104), never an internal one.
  const sum = Array.from({ length: 10_000 }, () => '1').join(' + ');
  for (const [what, text] of [
    ['a range type', `spec Long\ntype Page = (${sum})..18446744073709551616\nvar x: 0..3 = 0\naction A { x := 0 }\n`],
    ['an initial value', `spec Long\nvar x: 0..3 = (${sum}) - 9999\nproperty P: always eventually [k in 0..18446744073709551616 |-> k] == [k in 0..2 |-> k]\naction A { x := 0 }\n`],
  ]) {
    it(`in ${what}`, () => {
      withSpec(text!, (path) => {
        const r = spex('check', path);
        expect(r.code).toBe(150);
        expect(r.stderr).not.toContain('internal error');
        expect(r.stderr).toMatch(/error\[E10\d\]/);
      });
    });
  }
});
