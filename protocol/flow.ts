// The pipeline's flow per minute, as the alerter counts it (it sees every event, whichever input it came by):
// KV mutt_counters `flow.1m.<yyyyMMddHHmm>` holds { "in.<input>": n, "decision.<decision>": n } for that UTC
// minute (actors/runtime/minute-tally.ts). `mutt status` shows the last complete minute.
//   flowView(await readMinute(kv, FLOW_PREFIX, minuteOf(Date.now()) - 1))

import { Decision, EventSource } from './messages.ts';

export const FLOW_PREFIX = 'flow';

export const INPUTS = EventSource.shape.input.options;
export const DECISIONS = Decision.options;

export interface FlowView {
  /** Events by input (http, syslog-udp, syslog-tcp, snmp, nats), zeros included. */
  ingest: Record<string, number>;
  /** Events by decision, zeros included; meta_alert counts meta-alerts raised. */
  decisions: Record<string, number>;
}

export function flowView(counts: Record<string, number>): FlowView {
  const ingest: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  for (const i of INPUTS) ingest[i] = counts[`in.${i}`] ?? 0;
  for (const d of DECISIONS) decisions[d] = counts[`decision.${d}`] ?? 0;
  return { ingest, decisions };
}
