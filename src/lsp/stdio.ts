/**
 * The server's reader of stdin: LSP's framing (headers, one of them `Content-Length`, a blank
 * line, then that many bytes of UTF-8 JSON), as vscode-jsonrpc's StreamMessageReader reads it,
 * but safe from a client that misbehaves or goes away. A message larger than
 * MAX_MESSAGE_BYTES is refused as soon as its header says so, instead of being buffered while
 * its bytes arrive (or awaited for ever: a Content-Length of 99999999999999); after that the
 * stream cannot be followed, so the reader stops as at the end of the input. And the end of
 * the input is delivered at once, even in the middle of a message, where the library's reader
 * keeps a timer for the rest of the message that keeps the process alive.
 */
import { AbstractMessageReader, Disposable, StreamMessageWriter, type DataCallback, type Message } from 'vscode-languageserver/node';
import { MAX_MESSAGE_BYTES } from './limits.js';

/**
 * What the reader delivers when the input ends, after the messages read before it (compared by
 * identity: no client can send it). The end is a message rather than the reader's close event
 * so that the connection handles what came before it first: a shutdown and an exit written
 * just before the pipe closed are still obeyed, and the responses to them still written.
 */
export const END_OF_INPUT: Message = Object.freeze({ jsonrpc: '2.0', method: '$/spex/endOfInput' });

const CR = 0x0d;
const LF = 0x0a;

export class StdioMessageReader extends AbstractMessageReader {
  /** The bytes of the header or body being read. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How much of the blank line's `\r\n\r\n` the header read so far ends with (4: all of it). */
  private headerEnd = 0;
  /** The length of the body being read; -1 while reading a header. */
  private bodyLength = -1;
  private ended = false;
  private stop: (() => void) | undefined;
  private callback: DataCallback | undefined;

  constructor(private readonly input: NodeJS.ReadableStream, private readonly maxBytes = MAX_MESSAGE_BYTES) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, callback);
    const onEnd = (): void => this.end();
    const onError = (e: Error): void => this.fireError(e);
    this.input.on('data', onData);
    this.input.on('end', onEnd);
    this.input.on('close', onEnd);
    this.input.on('error', onError);
    this.stop = () => {
      this.input.off('data', onData);
      this.input.off('end', onEnd);
      this.input.off('close', onEnd);
      this.input.off('error', onError);
    };
    return Disposable.create(() => this.stop?.());
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stop?.();
    this.pending = [];
    this.callback?.(END_OF_INPUT);
  }

  private refuse(why: string): void {
    this.fireError(new Error(`${why}; a message may have at most ${this.maxBytes} bytes: the connection cannot go on`));
    this.end();
  }

  private receive(chunk: Buffer, callback: DataCallback): void {
    let data = chunk;
    while (!this.ended) {
      if (this.bodyLength < 0) {
        let i = 0;
        while (i < data.length && this.headerEnd < 4) {
          const b = data[i++];
          if (b === CR) this.headerEnd = this.headerEnd === 2 ? 3 : 1;
          else if (b === LF) this.headerEnd = this.headerEnd === 1 ? 2 : this.headerEnd === 3 ? 4 : 0;
          else this.headerEnd = 0;
        }
        this.take(data.subarray(0, i));
        data = data.subarray(i);
        if (this.headerEnd < 4) {
          if (this.pendingBytes > this.maxBytes) this.refuse(`a message header longer than ${this.maxBytes} bytes`);
          return;
        }
        const header = this.flush().toString('ascii');
        this.headerEnd = 0;
        const length = contentLength(header);
        if (length === undefined) {
          // As the library does: the header is reported and skipped, and what follows read as the next header.
          this.fireError(new Error(`a message header without a valid Content-Length: ${JSON.stringify(header.trimEnd())}`));
          continue;
        }
        if (length > this.maxBytes) return this.refuse(`a message of ${length} bytes (its Content-Length)`);
        this.bodyLength = length;
      }
      const part = data.subarray(0, this.bodyLength - this.pendingBytes);
      this.take(part);
      data = data.subarray(part.length);
      if (this.pendingBytes < this.bodyLength) return;
      this.bodyLength = -1;
      const body = this.flush().toString('utf8');
      let message: Message;
      try {
        message = JSON.parse(body) as Message;
      } catch (e) {
        this.fireError(new Error(`a message that is not JSON: ${e instanceof Error ? e.message : String(e)}`));
        continue;
      }
      callback(message);
    }
  }

  private take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  private flush(): Buffer {
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return all;
  }
}

/** The Content-Length of a header (its lines, the blank line included), if it has one that is a number. */
function contentLength(header: string): number | undefined {
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    return /^\d+$/.test(value) ? Number(value) : undefined;
  }
  return undefined;
}

/** The server's writer of stdout, which can tell when what it was given has been written. */
export class StdioMessageWriter extends StreamMessageWriter {
  private readonly writing = new Set<Promise<void>>();

  override write(message: Message): Promise<void> {
    const written = super.write(message);
    this.writing.add(written);
    const done = (): void => {
      this.writing.delete(written);
    };
    written.then(done, done);
    return written;
  }

  /** Resolves once every message given so far has been written (or has failed to be). */
  async flushed(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }
}
