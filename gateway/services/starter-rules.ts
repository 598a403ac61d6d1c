// The starter rule set. An installation with no rule turns every event into "unhandled" and nothing reaches
// Moogsoft, which is where a new operator's first hour used to end. So on the first start of an installation that
// has never had a rule — the mutt_rules bucket has never been written, its stream's last sequence is 0 — the
// gateway creates these few rules for the commonest network faults. They sit at the lowest priority (any rule an
// operator writes wins over them), have ids starting with 'starter-', are written through the rules service (the
// same validation, and the config audit names 'mutt-starter' as the author), and are never created again once the
// bucket has been written: deleting them is a write, so removed starter rules stay removed.
// MUTT_STARTER_RULES=off skips them (before importing v2.5 rules into a new installation, say).
//   const created = await seedStarterRules(nc, services.rules, env.MUTT_STARTER_RULES, log)

import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { Logger } from 'pino';
import { Bucket } from '../../protocol/streams.ts';
import { ServiceError } from './errors.ts';
import type { RulesService } from './rules.ts';

/** Below every rule an operator is likely to write (the schema's largest priority). */
export const STARTER_PRIORITY = 1_000_000;

const starter = (id: string, fields: Record<string, unknown>, description: string) => ({
  id,
  priority: STARTER_PRIORITY,
  team_assignment: 'NOC',
  dev_handling: 'ticket_only',
  is_active: true,
  description: `Starter rule: ${description} Created on the first start of this installation; edit it, or remove it with \`mutt rules rm ${id}\`.`,
  ...fields,
});

export const STARTER_RULES: readonly Record<string, unknown>[] = [
  starter(
    'starter-link-down',
    { match_type: 'regex', match_string: String.raw`link[-_ ]?down|changed state to down`, prod_handling: 'page_and_ticket' },
    'an interface or link went down (LINK-DOWN, %LINK-3-UPDOWN ... changed state to down).',
  ),
  // A contains rule, not a regex for "... Down": the regex safety analysis of such a pattern takes 3-5 s, which
  // would delay the first start by as much.
  starter(
    'starter-bgp-change',
    { match_type: 'contains', match_string: 'BGP-5-ADJCHANGE', prod_handling: 'ticket_only' },
    'a BGP neighbour changed state, up or down (%BGP-5-ADJCHANGE).',
  ),
  starter(
    'starter-trap-link-down',
    { match_type: 'oid_prefix', trap_oid: '.1.3.6.1.6.3.1.1.5.3', prod_handling: 'page_and_ticket' },
    'the standard SNMP linkDown trap (SNMPv2-MIB 1.3.6.1.6.3.1.1.5.3).',
  ),
  starter(
    'starter-trap-cold-start',
    { match_type: 'oid_prefix', trap_oid: '.1.3.6.1.6.3.1.1.5.1', prod_handling: 'ticket_only' },
    'a device restarted (SNMP coldStart trap, 1.3.6.1.6.3.1.1.5.1).',
  ),
];

export const STARTER_AUTHOR = 'mutt-starter';

/** Creates the starter rules when the installation has never had a rule; returns the ids created. */
export async function seedStarterRules(nc: NatsConnection, rules: RulesService, mode: 'auto' | 'off', log: Logger): Promise<string[]> {
  if (mode === 'off') return [];
  const status = await (await new Kvm(nc).open(Bucket.rules)).status();
  if (status.streamInfo.state.last_seq !== 0) return [];
  const created: string[] = [];
  const correlationId = `starter-${randomUUID()}`;
  for (const rule of STARTER_RULES) {
    try {
      await rules.create(rule, {
        actor: STARTER_AUTHOR,
        correlationId,
        reason: 'first start of an installation without rules (MUTT_STARTER_RULES=auto)',
      });
      created.push(String(rule.id));
    } catch (err) {
      // Another gateway starting at the same moment created it: the set is there either way.
      if (err instanceof ServiceError && err.reason === 'exists') continue;
      throw err;
    }
  }
  if (created.length > 0) {
    log.warn(
      { rules: created },
      `this installation had no rules: created ${created.length} starter rules (docs/RULES.md "Starter rules"); ` +
        'they alert on link-down, BGP neighbour changes, linkDown and coldStart traps to team NOC. Edit or remove them (mutt rules rm <id>); MUTT_STARTER_RULES=off skips this',
    );
  }
  return created;
}
