// Splits a syslog TCP byte stream into messages. Each frame is detected on its own: RFC 6587 octet counting
// ('39 <13>Nov 29 ...', what rsyslog omfwd and `logger --octet-count` send) when it starts with a length, a
// space and '<'; otherwise non-transparent framing ending at LF (CRLF and NUL tolerated). A frame longer than
// maxFrameBytes is cut there and delivered with `truncated`, and the rest of it is skipped: a runaway sender
// costs memory of one frame, never the connection.
//   const framer = new SyslogFramer(); framer.push(chunk) -> [{ line: '<13>...', truncated: false }]; framer.end()

export interface Frame {
  line: string;
  truncated: boolean;
}

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Longest MSG-LEN read (digits); 9 digits already exceed any sane frame. */
const MAX_LENGTH_DIGITS = 9;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const LT = 0x3c;

type State =
  | { mode: 'start' }
  | { mode: 'lf'; scanned: number }
  | { mode: 'octet'; remaining: number; headerLength: number }
  | { mode: 'skip-lf' }
  | { mode: 'skip-octet'; remaining: number };

export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = { mode: 'start' };
  readonly maxFrameBytes: number;

  constructor(opts: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = Math.max(16, opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** Feeds bytes; returns every frame they complete, in order. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    while (this.step(out));
    return out;
  }

  /** The stream ended: whatever is buffered is a last (possibly incomplete) frame. */
  end(): Frame[] {
    const out: Frame[] = [];
    const s = this.state;
    if (s.mode === 'lf' && this.buf.length > 0) out.push(this.frame(0, this.buf.length, false));
    else if (s.mode === 'octet' && this.buf.length > s.headerLength) out.push(this.frame(s.headerLength, this.buf.length, true));
    else if (s.mode === 'start' && this.buf.length > 0) {
      const text = this.frame(0, this.buf.length, false);
      if (text.line.length > 0) out.push(text);
    }
    this.buf = Buffer.alloc(0);
    this.state = { mode: 'start' };
    return out;
  }

  /** Bytes held waiting for the rest of a frame (for tests and metrics). */
  get buffered(): number {
    return this.buf.length;
  }

  /** Advances by one decision; false when more input is needed. */
  private step(out: Frame[]): boolean {
    const s = this.state;
    const buf = this.buf;
    switch (s.mode) {
      case 'start': {
        let i = 0;
        while (i < buf.length && (buf[i] === LF || buf[i] === CR || buf[i] === NUL)) i++;
        if (i > 0) this.consume(i);
        if (this.buf.length === 0) return false;
        const kind = this.detect();
        if (kind === 'need-more') return false;
        this.state =
          kind === 'lf' ? { mode: 'lf', scanned: 0 } : { mode: 'octet', remaining: kind.length, headerLength: kind.headerLength };
        return true;
      }
      case 'lf': {
        const limit = Math.min(buf.length, this.maxFrameBytes);
        let i = s.scanned;
        while (i < limit && buf[i] !== LF && buf[i] !== NUL) i++;
        if (i < limit) {
          out.push(this.frame(0, i, false));
          this.consume(i + 1);
          this.state = { mode: 'start' };
          return true;
        }
        if (limit === this.maxFrameBytes) {
          out.push(this.frame(0, limit, true));
          this.consume(limit);
          this.state = { mode: 'skip-lf' };
          return true;
        }
        s.scanned = i;
        return false;
      }
      case 'octet': {
        const wanted = s.headerLength + s.remaining;
        if (s.remaining <= this.maxFrameBytes) {
          if (buf.length < wanted) return false;
          out.push(this.frame(s.headerLength, wanted, false));
          this.consume(wanted);
          this.state = { mode: 'start' };
          return true;
        }
        const kept = s.headerLength + this.maxFrameBytes;
        if (buf.length < kept) return false;
        out.push(this.frame(s.headerLength, kept, true));
        this.consume(kept);
        this.state = { mode: 'skip-octet', remaining: s.remaining - this.maxFrameBytes };
        return true;
      }
      case 'skip-lf': {
        let i = 0;
        while (i < buf.length && buf[i] !== LF && buf[i] !== NUL) i++;
        if (i === buf.length) {
          this.consume(i);
          return false;
        }
        this.consume(i + 1);
        this.state = { mode: 'start' };
        return true;
      }
      case 'skip-octet': {
        const n = Math.min(buf.length, s.remaining);
        this.consume(n);
        s.remaining -= n;
        if (s.remaining > 0) return false;
        this.state = { mode: 'start' };
        return true;
      }
    }
  }

  /** Octet counting needs NONZERO-DIGIT *DIGIT SP '<'; anything else at a frame start is a LF-ended line. */
  private detect(): 'lf' | 'need-more' | { length: number; headerLength: number } {
    const buf = this.buf;
    if (buf[0] < 0x31 || buf[0] > 0x39) return 'lf';
    let i = 1;
    while (i < buf.length && i <= MAX_LENGTH_DIGITS && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i > MAX_LENGTH_DIGITS) return 'lf';
    if (i >= buf.length - 1) return 'need-more';
    if (buf[i] !== SP || buf[i + 1] !== LT) return 'lf';
    return { length: Number(buf.toString('latin1', 0, i)), headerLength: i + 1 };
  }

  private frame(start: number, end: number, truncated: boolean): Frame {
    let e = end;
    while (e > start && (this.buf[e - 1] === CR || this.buf[e - 1] === NUL)) e--;
    return { line: this.buf.toString('utf8', start, e), truncated };
  }

  private consume(n: number): void {
    this.buf = n >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(n);
  }
}
