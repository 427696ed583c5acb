/**
 * Writing the files the options ask for (--out-*, --graph, --itf): an error names the file and
 * says that it could not be written (the CLI reports it as `cannot write PATH: reason`).
 */
import { closeSync, constants as fsConstants, openSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { wasReadAsInput } from '../lang/input.js';
import { interruptSignal } from '../explore/guard.js';
import { groupDigits } from '../values/format.js';

/** A file the CLI could not write. */
export class WriteError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'WriteError';
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EIO: 'input/output error (a file of /proc or /sys, or a failing device?)',
  EINVAL: 'the file does not take writes of this kind (a file of /proc or /sys?)',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links (a link that leads back to itself)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EFBIG: 'the file would be too large',
  ETXTBSY: 'the file is a program being run',
  EDQUOT: 'the disk quota is used up',
  ENXIO: 'it is a pipe that no program reads (or a socket); start the reader first',
  EPIPE: 'the program reading the pipe closed it before the end',
};

/**
 * Throws the WriteError writing `path` would meet, as far as can be told without writing: its
 * directory missing, the path a directory, or a file this run read as input (the spec: `--out-itf
 * model.spex` overwrote the spec without a word). The CLI looks before the search, so that a
 * mistyped path is not reported only once the search is over, in place of its verdict. Returns
 * the status of the file there is, undefined if there is none yet.
 */
export function checkOutputPath(path: string): Stats | undefined {
  if (path === '') throw new WriteError(path, 'the path is empty');
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new WriteError(path, REASONS[code ?? ''] ?? code ?? String(e));
    let dir;
    try {
      dir = statSync(dirname(path));
    } catch (e2) {
      const c2 = (e2 as NodeJS.ErrnoException).code;
      throw new WriteError(path, REASONS[c2 ?? ''] ?? c2 ?? String(e2));
    }
    if (!dir.isDirectory()) throw new WriteError(path, REASONS['ENOTDIR']!);
    return undefined;
  }
  if (st.isDirectory()) throw new WriteError(path, REASONS['EISDIR']!);
  if (wasReadAsInput(st)) throw new WriteError(path, 'it is a file this run reads (the spec, or a trace or result it was given); spex does not write over its input');
  return st;
}

export function writeOutput(path: string, data: string): void {
  const st = checkOutputPath(path);
  try {
    if (st?.isFIFO()) writeToPipe(path, data);
    else writeFileSync(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new WriteError(path, REASONS[code] ?? code);
    throw e;
  }
}

/**
 * Writes `data` into the named pipe at `path`. Opening a pipe for writing waits for a reader,
 * for ever if none comes, in a system call that no signal ends (not even a second Ctrl-C: the
 * process waits for the command's thread); opened without waiting, a pipe no program reads is
 * ENXIO, said at once. A reader slower than spex is waited for, until an interrupt.
 */
function writeToPipe(path: string, data: string): void {
  const fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  try {
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (interruptSignal() !== 0) throw new WriteError(path, `interrupted while waiting for the program reading the pipe, which took ${groupDigits(off)} of ${groupDigits(buf.length)} bytes`);
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  } finally {
    closeSync(fd);
  }
}
