// Development hosts and device teams from the mutt_hosts bucket ('dev.<host>', 'team.<host>'), kept current by
// a KV watch. Each change updates only the entries it names: a 200,000-line teams import costs 200,000 small
// updates, not a re-parse of every entry per change. Values carry the host name as written; matching (FQDN vs
// short name) is HostIndex's.
//   const hosts = await LiveHosts.open(nc, log); hosts.isDev('dev-router1'); hosts.teamOf('router1') === 'NetOps'

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { Logger } from 'pino';
import { DevHost, DeviceTeam } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';
import { decodeJson, KvMirror } from '../runtime/kv-mirror.ts';
import { HostIndex, normaliseHost } from './host-index.ts';

/** The host a 'dev.<host>' / 'team.<host>' key spells, its '=XX' escapes undone (see hostKey()). */
function nameInKey(key: string): string {
  return key.slice(key.indexOf('.') + 1).replace(/=([0-9a-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export class LiveHosts {
  private readonly dev = new HostIndex<true>();
  private readonly teams = new HostIndex<string>();
  /** KV key → the host its value names, for the few keys that do not spell their host (hostKey() cannot be
   *  decoded for non-ASCII names; a hand-written entry may disagree with its key). Every other key's host is
   *  read back from the key, so 200,000 teams need no second map of host names. */
  private readonly unusual = new Map<string, string>();

  private constructor(private readonly mirror: KvMirror, private readonly log: Logger) {
    for (const e of mirror.entries()) this.apply(e.key);
    mirror.onChange((changed) => {
      for (const key of changed) this.apply(key);
    });
  }

  static async open(nc: NatsConnection, log: Logger): Promise<LiveHosts> {
    const kv = await new Kvm(nc).open(Bucket.hosts);
    return new LiveHosts(await KvMirror.open(kv, Bucket.hosts, log), log);
  }

  /** Brings one key's entry in line with the mirror (the key may have been written, rewritten or deleted). */
  private apply(key: string): void {
    const index = key.startsWith('dev.') ? this.dev : key.startsWith('team.') ? this.teams : null;
    if (!index) return;
    const named = nameInKey(key);
    index.delete(this.unusual.get(key) ?? named);
    this.unusual.delete(key);
    const e = this.mirror.get(key);
    if (!e) return;
    try {
      const value = decodeJson(e.value);
      let host: string;
      if (index === this.dev) {
        host = DevHost.parse(value).hostname;
        this.dev.set(host, true);
      } else {
        const t = DeviceTeam.parse(value);
        host = t.hostname;
        this.teams.set(host, t.team_assignment);
      }
      if (normaliseHost(host) !== named) this.unusual.set(key, normaliseHost(host));
    } catch (err) {
      this.log.error({ key, err: (err as Error).message }, 'invalid entry in mutt_hosts ignored');
    }
  }

  isDev(host: string): boolean {
    return this.dev.get(host) === true;
  }

  teamOf(host: string): string | undefined {
    return this.teams.get(host);
  }

  /** Development hosts and device teams in effect. */
  get counts(): { dev: number; teams: number } {
    return { dev: this.dev.size, teams: this.teams.size };
  }

  get revision(): number {
    return this.mirror.revision;
  }

  stop(): void {
    this.mirror.stop();
  }
}
