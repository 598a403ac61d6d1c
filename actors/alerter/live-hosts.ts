// Development hosts and device teams from the mutt_hosts bucket ('dev.<host>', 'team.<host>'), kept current by
// a KV watch straight into two host indexes: no copy of the bucket's entries is kept beside them (200,000 teams
// as a mirror plus indexes did not fit `mutt up`'s 128 MB heap), and each change updates only the entry it
// names. Values carry the host name as written; matching (FQDN vs short name) is HostIndex's.
//   const hosts = await LiveHosts.open(nc, log); hosts.isDev('dev-router1'); hosts.teamOf('router1') === 'NetOps'

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import { DevHost, DeviceTeam } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';
import { decodeJson } from '../runtime/kv-mirror.ts';
import { isRemoval, KvWatch, type KvReplay, type KvSink } from '../runtime/kv-watch.ts';
import { HostIndex, normaliseHost } from './host-index.ts';
import { Interned } from '../runtime/interned.ts';

/** The host a 'dev.<host>' / 'team.<host>' key spells, its '=XX' escapes undone (see hostKey()). */
function nameInKey(key: string): string {
  return key.slice(key.indexOf('.') + 1).replace(/=([0-9a-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** What the bucket says, indexed: replaced whole by a re-watch's replay. */
class Contents {
  readonly dev = new HostIndex<true>();
  readonly teams = new HostIndex<string>();
  /** KV key → the host its value names, for the few keys that do not spell their host (hostKey() cannot be
   *  decoded for non-ASCII names; a hand-written entry may disagree with its key). Every other key's host is
   *  read back from the key, so 200,000 teams need no second map of host names. */
  readonly unusual = new Map<string, string>();
}

export class LiveHosts implements KvSink {
  private contents = new Contents();
  /** Team names are few and repeated on every entry: one string each. */
  private readonly teamNames = new Interned(10_000);
  private watcher: KvWatch | undefined;

  private constructor(private readonly log: Logger) {}

  static async open(nc: NatsConnection, log: Logger): Promise<LiveHosts> {
    const kv = await new Kvm(nc).open(Bucket.hosts);
    const hosts = new LiveHosts(log);
    hosts.watcher = await KvWatch.open(kv, Bucket.hosts, log, hosts);
    return hosts;
  }

  replay(): KvReplay {
    const fresh = new Contents();
    return { apply: (e) => this.apply(fresh, e), adopt: () => (this.contents = fresh) };
  }

  change(e: KvWatchEntry): void {
    this.apply(this.contents, e);
  }

  /** Brings one key's entry in line with the bucket (the key may have been written, rewritten or deleted). */
  private apply(c: Contents, e: KvWatchEntry): void {
    const index = e.key.startsWith('dev.') ? c.dev : e.key.startsWith('team.') ? c.teams : null;
    if (!index) return;
    const named = nameInKey(e.key);
    index.delete(c.unusual.get(e.key) ?? named);
    c.unusual.delete(e.key);
    if (isRemoval(e)) return;
    try {
      const value = decodeJson(e.value);
      let host: string;
      if (index === c.dev) {
        host = DevHost.parse(value).hostname;
        c.dev.set(host, true);
      } else {
        const t = DeviceTeam.parse(value);
        host = t.hostname;
        c.teams.set(host, this.teamNames.of(t.team_assignment));
      }
      if (normaliseHost(host) !== named) c.unusual.set(e.key, normaliseHost(host));
    } catch (err) {
      this.log.error({ key: e.key, err: (err as Error).message }, 'invalid entry in mutt_hosts ignored');
    }
  }

  isDev(host: string): boolean {
    return this.contents.dev.get(host) === true;
  }

  teamOf(host: string): string | undefined {
    return this.contents.teams.get(host);
  }

  /** Development hosts and device teams in effect. */
  get counts(): { dev: number; teams: number } {
    return { dev: this.contents.dev.size, teams: this.contents.teams.size };
  }

  get revision(): number {
    return this.watcher?.revision ?? 0;
  }

  stop(): void {
    this.watcher?.stop();
  }
}
