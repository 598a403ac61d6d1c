// Development hosts and device teams from the mutt_hosts bucket ('dev.<host>', 'team.<host>'), kept current by
// a KV watch. Values carry the host name as written; matching (FQDN vs short name) is in environment.ts.
//   const hosts = await LiveHosts.open(nc, log); hosts.devHosts.has('dev-router1')

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { Logger } from 'pino';
import { DevHost, DeviceTeam } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';
import { decodeJson, KvMirror } from '../runtime/kv-mirror.ts';

export class LiveHosts {
  devHosts: ReadonlySet<string> = new Set();
  teams: ReadonlyMap<string, string> = new Map();

  private constructor(private readonly mirror: KvMirror, private readonly log: Logger) {
    this.rebuild();
    mirror.onChange(() => this.rebuild());
  }

  static async open(nc: NatsConnection, log: Logger): Promise<LiveHosts> {
    const kv = await new Kvm(nc).open(Bucket.hosts);
    return new LiveHosts(await KvMirror.open(kv, Bucket.hosts, log), log);
  }

  private rebuild(): void {
    const dev = new Set<string>();
    const teams = new Map<string, string>();
    for (const e of this.mirror.entries()) {
      try {
        const value = decodeJson(e.value);
        if (e.key.startsWith('dev.')) dev.add(DevHost.parse(value).hostname.toLowerCase());
        else if (e.key.startsWith('team.')) {
          const t = DeviceTeam.parse(value);
          teams.set(t.hostname.toLowerCase(), t.team_assignment);
        }
      } catch (err) {
        this.log.error({ key: e.key, err: (err as Error).message }, 'invalid entry in mutt_hosts ignored');
      }
    }
    this.devHosts = dev;
    this.teams = teams;
  }

  get revision(): number {
    return this.mirror.revision;
  }

  stop(): void {
    this.mirror.stop();
  }
}
