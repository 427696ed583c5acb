/**
 * Writing the files the options ask for (--out-*, --graph, --itf): an error names the file and
 * says that it could not be written (the CLI reports it as `cannot write PATH: reason`).
 */
import { writeFileSync } from 'node:fs';

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
};

export function writeOutput(path: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new WriteError(path, REASONS[code] ?? code);
    throw e;
  }
}
