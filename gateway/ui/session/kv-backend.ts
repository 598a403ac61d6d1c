// UI sessions in KV mutt_state under `ui.session.<sha256 of the token>`, so every gateway replica behind a load
// balancer knows every session and a logout on one ends it on all. Each request reads its session directly
// (no cache: a logout or revocation applies at once); writes happen at login, logout and at most once a minute
// per session (lastSeenAt). NATS 2.9 has no per-key TTL, so expiry is a field checked on read and a periodic
// sweep deletes what is left behind. The gateway's NATS user needs publish on `$KV.mutt_state.ui.>` and, for
// the sweep, an ordered consumer on KV_mutt_state (docs/UI.md lists the permission lines).
//   const sessions = new SessionManager(await KvSessionBackend.open(nc))

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { SESSION_KEY_PREFIX } from '../../../protocol/state-keys.ts';
import { Bucket } from '../../../protocol/streams.ts';
import { SessionRecord, type SessionBackend } from './sessions.ts';

const ID = /^[0-9a-f]{64}$/;

export class KvSessionBackend implements SessionBackend {
  readonly kind = 'kv' as const;
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<KvSessionBackend> {
    return new KvSessionBackend(await new Kvm(nc).open(Bucket.state));
  }

  async read(id: string): Promise<SessionRecord | null> {
    if (!ID.test(id)) return null;
    const e = await this.kv.get(SESSION_KEY_PREFIX + id);
    if (!e || e.operation !== 'PUT') return null;
    try {
      const parsed = SessionRecord.safeParse(JSON.parse(Buffer.from(e.value).toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async write(id: string, record: SessionRecord): Promise<void> {
    await this.kv.put(SESSION_KEY_PREFIX + id, JSON.stringify(record));
  }

  async delete(id: string): Promise<void> {
    if (!ID.test(id)) return;
    await this.kv.delete(SESSION_KEY_PREFIX + id);
  }

  async ids(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys(`${SESSION_KEY_PREFIX}*`)) out.push(k.slice(SESSION_KEY_PREFIX.length));
    return out.filter((id) => ID.test(id));
  }

  async close(): Promise<void> {}
}
