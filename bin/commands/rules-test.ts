// `mutt rules test MESSAGE --host H [--severity S] [--trap-oid O] [--json]`: "why did this (not) alert?" — the
// rule tester the API and web UI use (gateway/services/rule-tester.ts, in its worker thread, with its limits):
// the winning rule, environment, team, decision, whether it is forwarded, and the near misses with reasons.
//   mutt rules test '%LINK-3-UPDOWN: Gi0/1 down' --host core-sw1 --severity error

import { CliError } from '../cli-error.ts';
import { printJson } from '../cli/format.ts';
import { withServices } from '../cli/session.ts';
import { renderTable } from '../cli/table.ts';
import { ServiceError } from '../../gateway/services/errors.ts';
import { ruleJson } from './rules-edit.ts';

export const RULE_TEST_FLAGS = { host: 'string', severity: 'string', 'trap-oid': 'string', json: 'boolean', wide: 'boolean' } as const;

const FLAG_OF: Record<string, string> = { severity: '--severity', trap_oid: '--trap-oid', host: '--host', message: 'MESSAGE' };

export function testRule(message: string, flags: Record<string, string | number | boolean>): Promise<number> {
  if (flags.host === undefined || String(flags.host).trim() === '')
    throw new CliError('--host is required (the sending host decides dev/prod and the team)');
  return withServices('rules', async ({ services }) => {
    const r = await services.ruleTester
      .test({
        message,
        host: String(flags.host),
        severity: flags.severity as string | undefined,
        trap_oid: flags['trap-oid'] as string | undefined,
      })
      .catch((err: unknown) => {
        if (err instanceof ServiceError && err.reason === 'invalid')
          throw new CliError((err.issues ?? []).map((i) => `${FLAG_OF[i.path] ?? i.path}: ${i.message}`).join('; ') || err.message);
        throw err;
      });
    if (flags.json === true) {
      printJson({ ...r, rule: r.rule ? ruleJson(r.rule, null) : null });
      return 0;
    }
    const wide = flags.wide === true;
    console.log(
      `winner:       ${r.rule ? `${r.rule.id} (priority ${r.rule.priority}, ${r.rule_source}): ${r.why}` : '(none): no active rule matches, the event is unhandled'}`,
    );
    console.log(`environment:  ${r.environment}`);
    console.log(`team:         ${r.team ?? '-'}`);
    console.log(`decision:     ${r.decision}`);
    console.log(`forwarded:    ${r.forwarded ? 'yes' : 'no'}`);
    console.log(`near misses:  ${r.near_misses.length}${r.complete ? '' : ` (incomplete: ${r.skipped_rules} rules not evaluated)`}`);
    if (r.near_misses.length > 0) {
      console.log(
        renderTable(
          ['ID', 'PRI', 'ACTIVE', 'REASONS', 'WHY'],
          r.near_misses.map((m) => [m.id, m.priority, m.is_active, m.reasons.join(','), m.why]),
          {
            indent: '  ',
            maxWidth: wide ? { WHY: Infinity, ID: Infinity } : { WHY: 100 },
          },
        ),
      );
    }
    for (const w of r.warnings) console.log(`warning: ${w}`);
    return 0;
  });
}
