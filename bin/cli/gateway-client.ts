// The gateway's HTTP API as the CLI calls it (`mutt send`, `mutt smoke`, `mutt status --url`): base URL from
// --url or MUTT_URL, API key from --key-file, MUTT_API_KEY or --key (a key on the command line is visible in
// `ps`; prefer the file or the variable). Answers come back as data; only an unreachable gateway throws.
//   const gw = gatewayFrom(flags); const r = await gw.request('POST', '/api/v2/events', { body: [event] })

import { readFileSync } from 'node:fs';
import { CliError } from '../cli-error.ts';
import { CommandFailed, describe } from './session.ts';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  ms: number;
}

export class GatewayClient {
  constructor(
    readonly url: string,
    private readonly key: string | undefined,
    readonly timeoutMs = 10_000,
  ) {}

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  async request(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string | number | boolean | undefined> } = {},
  ): Promise<Answer> {
    const u = new URL(path, this.url.endsWith('/') ? this.url : this.url + '/');
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    const headers = new Headers(opts.headers ?? {});
    if (this.key !== undefined) headers.set('X-API-Key', this.key);
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
    }
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(u, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new CommandFailed(`cannot reach the gateway at ${this.url} (${method} ${u.pathname}): ${describe(cause ?? err)}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text, ms: performance.now() - started };
  }
}

/** Human summary of an error answer: its `error`, then the issues naming fields. */
export function answerError(a: Answer): string {
  const b = a.body as { error?: string; message?: string; issues?: { path: string; message: string }[] } | undefined;
  const issues = (b?.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  const what = b?.error ?? b?.message ?? a.text.slice(0, 200);
  return `HTTP ${a.status}${what ? ` ${what}` : ''}${issues ? ` (${issues})` : ''}`;
}

export const GATEWAY_FLAGS = { url: 'string', key: 'string', 'key-file': 'string' } as const;

/** The gateway named by --url / MUTT_URL with the key from --key-file, MUTT_API_KEY or --key. */
export function gatewayFrom(flags: Record<string, unknown>, opts: { required?: boolean; timeoutMs?: number } = {}): GatewayClient | null {
  const url = (flags.url as string | undefined) ?? process.env.MUTT_URL;
  if (!url) {
    if (opts.required) throw new CliError('--url is required (or set MUTT_URL), e.g. --url http://gateway:8080');
    return null;
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(`--url must be an http(s) URL like http://gateway:8080 (got '${url}')`);
  }
  let key: string | undefined;
  if (flags['key-file'] !== undefined) {
    try {
      key = readFileSync(String(flags['key-file']), 'utf8').trim();
    } catch (err) {
      throw new CommandFailed(
        `--key-file: cannot read ${String(flags['key-file'])}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  } else key = (flags.key as string | undefined) ?? process.env.MUTT_API_KEY;
  if (key !== undefined && key.length === 0) throw new CliError('--key is empty');
  return new GatewayClient(url, key, opts.timeoutMs);
}
