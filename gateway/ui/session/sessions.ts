// Browser sessions of the web UI. A session is created by logging in with an API key and names the key's
// principal (name and scopes), never the key itself. The browser holds only a random 256-bit token in a cookie;
// the store is keyed by the token's SHA-256, so whoever can read the store (KV mutt_state) cannot use what it
// finds there. Each session has a CSRF token for its forms, an idle timeout (refreshed at most once per
// `touchEveryMs`, so a busy page does not write on every request) and an absolute lifetime.
// Where sessions live is a backend: memory (one gateway process) or KV (kv-backend.ts: every replica).
//   const sessions = new SessionManager(new MemorySessionBackend())
//   const { token, session } = await sessions.create({ name: 'ops', scopes: ['admin'] })
//   await sessions.get(token)  -> Session | null        await sessions.destroy(token)

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ApiPrincipal } from '../../auth/keys.ts';

export const SessionRecord = z.object({
  principal: z.object({ name: z.string().min(1), scopes: z.array(z.enum(['ingest', 'read', 'admin'])) }),
  csrf: z.string().min(16),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export interface Session extends SessionRecord {
  /** SHA-256 (hex) of the cookie token: the store key, safe to log. */
  id: string;
}

/** Where session records are kept. Keys are token hashes (64 hex characters). */
export interface SessionBackend {
  readonly kind: 'memory' | 'kv';
  read(id: string): Promise<SessionRecord | null>;
  write(id: string, record: SessionRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every stored id (for sweeping expired sessions). */
  ids(): Promise<string[]>;
  close(): Promise<void>;
}

export interface SessionPolicy {
  /** A session unused this long ends (default 2 h). */
  idleMs?: number;
  /** A session ends this long after login whatever its use (default 12 h). */
  absoluteMs?: number;
  /** lastSeenAt is written at most this often (default 60 s). */
  touchEveryMs?: number;
  /** Expired sessions are deleted this often (default 10 min; 0 = never). */
  sweepEveryMs?: number;
  now?: () => number;
}

export const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function tokenId(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time string equality (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const newToken = (): string => randomBytes(32).toString('base64url');

export class SessionManager {
  readonly idleMs: number;
  readonly absoluteMs: number;
  private readonly touchEveryMs: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly backend: SessionBackend,
    policy: SessionPolicy = {},
    private readonly onSweepError?: (err: unknown) => void,
  ) {
    this.idleMs = policy.idleMs ?? 2 * 3_600_000;
    this.absoluteMs = policy.absoluteMs ?? 12 * 3_600_000;
    this.touchEveryMs = policy.touchEveryMs ?? 60_000;
    this.now = policy.now ?? Date.now;
    const every = policy.sweepEveryMs ?? 600_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.sweep().catch((err) => this.onSweepError?.(err)), every);
      this.timer.unref();
    }
  }

  async create(principal: ApiPrincipal): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const now = this.now();
    const record: SessionRecord = {
      principal: { name: principal.name, scopes: [...principal.scopes] },
      csrf: newToken(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.absoluteMs,
    };
    const id = tokenId(token);
    await this.backend.write(id, record);
    return { token, session: { id, ...record } };
  }

  private expired(r: SessionRecord, now: number): boolean {
    return now >= r.expiresAt || now - r.lastSeenAt >= this.idleMs;
  }

  /** The live session of a cookie token, or null (unknown, malformed, idle too long or past its lifetime). */
  async get(token: string | undefined): Promise<Session | null> {
    if (!token || !SESSION_TOKEN.test(token)) return null;
    const id = tokenId(token);
    const record = await this.backend.read(id);
    if (!record) return null;
    const now = this.now();
    if (this.expired(record, now)) {
      await this.backend.delete(id).catch(() => undefined);
      return null;
    }
    if (now - record.lastSeenAt >= this.touchEveryMs) {
      record.lastSeenAt = now;
      await this.backend.write(id, record);
    }
    return { id, ...record };
  }

  async destroy(token: string | undefined): Promise<void> {
    if (!token || !SESSION_TOKEN.test(token)) return;
    await this.backend.delete(tokenId(token));
  }

  async destroyId(id: string): Promise<void> {
    await this.backend.delete(id);
  }

  /** Deletes expired sessions; returns how many. */
  async sweep(): Promise<number> {
    const now = this.now();
    let n = 0;
    for (const id of await this.backend.ids()) {
      const r = await this.backend.read(id).catch(() => null);
      if (r && !this.expired(r, now)) continue;
      await this.backend.delete(id).catch(() => undefined);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.backend.close();
  }
}

/** Sessions of this process only: lost on restart, not seen by other gateway replicas. */
export class MemorySessionBackend implements SessionBackend {
  readonly kind = 'memory' as const;
  private readonly records = new Map<string, SessionRecord>();

  async read(id: string): Promise<SessionRecord | null> {
    const r = this.records.get(id);
    return r ? { ...r, principal: { ...r.principal, scopes: [...r.principal.scopes] } } : null;
  }

  async write(id: string, record: SessionRecord): Promise<void> {
    this.records.set(id, { ...record });
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }

  async ids(): Promise<string[]> {
    return [...this.records.keys()];
  }

  async close(): Promise<void> {
    this.records.clear();
  }
}
