// A progress line on stderr for long runs (`mutt send --rate ...`): redrawn in place on a terminal, printed as
// a new line every few seconds otherwise (logs, CI), and always once more at the end. stdout stays clean for
// the final report.
//   const p = new ProgressLine(() => `sent ${n}`); p.start(); ...; p.done()

export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private lastWidth = 0;

  constructor(
    private readonly render: () => string,
    private readonly opts: { everyMs?: number; stream?: NodeJS.WriteStream } = {},
  ) {
    this.tty = Boolean((opts.stream ?? process.stderr).isTTY);
  }

  private get stream(): NodeJS.WriteStream {
    return this.opts.stream ?? process.stderr;
  }

  start(): this {
    this.timer = setInterval(() => this.draw(), this.opts.everyMs ?? (this.tty ? 250 : 2000));
    this.timer.unref();
    return this;
  }

  draw(): void {
    const line = this.render();
    if (this.tty) {
      this.stream.write(`\r${line.padEnd(this.lastWidth)}`);
      this.lastWidth = line.length;
    } else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    if (this.tty) this.stream.write('\n');
  }
}
