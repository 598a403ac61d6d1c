// Opens every management service over one process's NATS connection: what the management API and the web UI
// call (the UI without HTTP). Open once per gateway process, close on shutdown.
//   const services = await openManagementServices(ctx, { counters })
//   await services.rules.create(body, { actor: 'ui:alice', correlationId })
//   services.close()

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { Bucket } from '../../protocol/streams.ts';
import type { IngestCounters } from '../ingest/counters.ts';
import { ConfigAuditService } from './audit-config.ts';
import { EventAuditService } from './audit-events.ts';
import { ConfigService } from './config.ts';
import { DlqService } from './dlq.ts';
import { ActorHealthTable } from './health-table.ts';
import { compactHostValue, HostMapService } from './hosts.ts';
import { JsonBucket } from './json-bucket.ts';
import { MetricsService } from './metrics.ts';
import { RuleTester } from './rule-tester.ts';
import { RulesService } from './rules.ts';
import { SloService } from './slo.ts';

export interface ManagementServices {
  rules: RulesService;
  ruleTester: RuleTester;
  devHosts: HostMapService<'dev'>;
  teams: HostMapService<'team'>;
  config: ConfigService;
  configAudit: ConfigAuditService;
  eventAudit: EventAuditService;
  dlq: DlqService;
  metrics: MetricsService;
  slo: SloService;
  health: ActorHealthTable;
  close(): void;
}

export interface ServiceOptions {
  /** The ingest counters (gateway/ingest/counters.ts) the gateway already opened; read for ingest rates. */
  counters: IngestCounters;
  /** Regex safety analysis time per rule write (default 5000 ms). */
  regexTimeoutMs?: number;
  /** Heartbeat age after which a process counts as stale (default 15 s). */
  staleAfterMs?: number;
  /** How often SLO counters are sampled (default 60 s). */
  sloSampleEveryMs?: number;
}

export async function openManagementServices(
  ctx: Pick<ProcessContext, 'nc' | 'log' | 'config' | 'registry' | 'instance'>,
  opts: ServiceOptions,
): Promise<ManagementServices> {
  const js = jetstream(ctx.nc);
  const jsm = await jetstreamManager(ctx.nc);
  const log = ctx.log.child({ component: 'management' });
  const [rulesBucket, hostsBucket, configBucket, state] = await Promise.all([
    JsonBucket.open(ctx.nc, Bucket.rules, log),
    JsonBucket.open(ctx.nc, Bucket.hosts, log, { project: compactHostValue }),
    JsonBucket.open(ctx.nc, Bucket.config, log),
    new Kvm(ctx.nc).open(Bucket.state),
  ]);
  const configAudit = new ConfigAuditService(js, jsm, log);
  const regex = { regexTimeoutMs: opts.regexTimeoutMs };
  const rules = new RulesService(rulesBucket, configAudit, regex);
  const devHosts = new HostMapService('dev', hostsBucket, configAudit);
  const teams = new HostMapService('team', hostsBucket, configAudit);
  const health = ActorHealthTable.start(ctx.nc, { staleAfterMs: opts.staleAfterMs });
  const dlq = new DlqService(js, jsm, log);
  const slo = new SloService(ctx.registry, health, () => ctx.config.get(), {
    instance: ctx.instance,
    sampleEveryMs: opts.sloSampleEveryMs,
  }).start();
  const ruleTester = new RuleTester(rules, devHosts, teams, regex);
  return {
    rules,
    ruleTester,
    devHosts,
    teams,
    config: new ConfigService(configBucket, configAudit),
    configAudit,
    eventAudit: new EventAuditService(jsm),
    dlq,
    metrics: new MetricsService({ jsm, state, counters: opts.counters, health, dlq, config: () => ctx.config.get() }),
    slo,
    health,
    close() {
      ruleTester.close();
      slo.stop();
      health.stop();
      rulesBucket.stop();
      hostsBucket.stop();
      configBucket.stop();
    },
  };
}
