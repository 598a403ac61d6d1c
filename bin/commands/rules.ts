// `mutt rules`: alert rules (KV mutt_rules) through the rules service the management API uses — list, show,
// remove, and import / export in MUTT v2.5's formats (psql `\copy ... csv header` CSV or JSON of alert_rules;
// import also takes development_hosts and device_teams, detected from the columns). Every row is validated
// like an API write (schema + regex safety); rejected rows are reported by line, the rest is written.
//   mutt rules import alert_rules.csv --dry-run;  mutt rules export --format json --out rules.json

import { CliError } from '../cli-error.ts';
import { isoTime, printJson, printList, valueText } from '../cli/format.ts';
import { ruleView } from '../../gateway/api/rules.ts';
import { guard, withServices } from '../cli/session.ts';
import { expectPositionals, parseSubcommand } from '../cli/subcommand.ts';
import { renderTable } from '../cli/table.ts';
import { EXPORT_FLAGS, exportTables, IMPORT_FLAGS, importTables } from '../cli/table-commands.ts';
import type { Command } from './command.ts';
import { addRule, editRule, removeRule, RULE_EDIT_SPECS, setRuleActive } from './rules-edit.ts';
import { RULE_TEST_FLAGS, testRule } from './rules-test.ts';

const SPECS = {
  ls: { json: 'boolean', wide: 'boolean', team: 'string', q: 'string', active: 'boolean', inactive: 'boolean' },
  show: { json: 'boolean' },
  ...RULE_EDIT_SPECS,
  test: RULE_TEST_FLAGS,
  import: IMPORT_FLAGS,
  export: EXPORT_FLAGS,
} as const;

export const rules: Command = {
  name: 'rules',
  usage: `usage: mutt rules <sub-command> [options]

  ls [--team T] [--q TEXT] [--active|--inactive] [--json] [--wide] rules in matching order (priority, then id)
  show ID [--json]                                          one rule, with who changed it last
  add --id ID --match TEXT [--match-type contains|regex|oid_prefix] [--trap-oid O] [--severity S]
      [--priority N] --handling H | --prod-handling H --dev-handling H --team T [--description D]
      [--inactive] [--reason R] [--as NAME] [--json]       create one rule
  edit ID [any add flag but --id] [--revision N] [--json]  change the given fields (only if the rule is still
                                                            at the revision read, or at --revision N)
  disable ID | enable ID [--revision N] [--reason R]       switch a rule off / on
  rm ID [--revision N] [--reason R] [--as NAME] [--json]   delete a rule, printing what was removed (its audit
                                                            history stays)
  test MESSAGE --host H [--severity S] [--trap-oid O] [--json] [--wide]
                                                            why would this event (not) alert: the winner,
                                                            environment, team, decision, and near misses
  import FILE [--table T] [--format csv|json] [--dry-run] [--reason R] [--as NAME] [--json]
  export [--table T|all] [--format csv|json] [--out FILE]

import reads exports of MUTT v2.5's PostgreSQL tables, as written by
    psql -c "\\copy (select * from alert_rules) to 'alert_rules.csv' csv header"
(columns id, match_string, trap_oid, syslog_severity, match_type, priority, prod_handling, dev_handling,
team_assignment, is_active; booleans t/f; an empty field is NULL) or a JSON array of such rows (json_agg), or an
object {"alert_rules": [...], "development_hosts": [...], "device_teams": [...]}. The table is detected from the
columns (--table alert_rules|development_hosts|device_teams overrides). Every row is validated like an API
write (RuleInput and regex safety); each rejected row is printed with its line and reason and the others are
written. --dry-run prints create / update (with the changed fields) / unchanged per id and writes nothing.
Columns a file lacks keep their stored values. Writes are audited as cli:<os user> (or --as). Exit 1 when any
row was rejected or failed.
export writes the same formats (v2.5's columns, plus description when a rule has one), so an exported file
imports back unchanged. --table defaults to alert_rules; --table all (JSON only) writes all three tables.

examples:
  mutt rules import alert_rules.csv --dry-run
  mutt rules import alert_rules.csv --reason "migration from v2.5"
  mutt rules export --format json --out rules.json
  mutt rules ls --team NetOps
  mutt rules add --id link-down --match LINK-3-UPDOWN --priority 10 --handling page_and_ticket --team NETO
  mutt rules test '%LINK-3-UPDOWN: Interface Gi0/1 down' --host core-sw1 --severity error`,
  run(argv) {
    return guard('rules', async () => {
      const { sub, flags, positionals } = parseSubcommand('rules', argv, SPECS);
      switch (sub) {
        case 'ls': {
          expectPositionals(positionals, [], 'mutt rules ls');
          if (flags.active === true && flags.inactive === true) throw new CliError('--active and --inactive exclude each other');
          return withServices('rules', async ({ services }) => {
            const active = flags.active === true ? true : flags.inactive === true ? false : undefined;
            const list = services.rules.list({ team: flags.team as string | undefined, q: flags.q as string | undefined, active });
            const { problems } = services.rules.all();
            if (flags.json === true)
              printList(
                list.map((r) => ruleView(r.rule, r.revision)),
                {},
                { invalid: problems },
              );
            else {
              console.log(
                renderTable(
                  ['ID', 'PRI', 'TYPE', 'MATCH', 'SEV', 'PROD', 'DEV', 'TEAM', 'ACTIVE'],
                  list.map(({ rule: r }) => [
                    r.id,
                    r.priority,
                    r.match_type,
                    r.match_type === 'oid_prefix' ? r.trap_oid : r.match_string,
                    r.syslog_severity,
                    r.prod_handling,
                    r.dev_handling,
                    r.team_assignment,
                    r.is_active,
                  ]),
                  { maxWidth: { MATCH: 50 }, empty: '(no rules)', wide: flags.wide === true },
                ),
              );
              for (const p of problems) console.log(`INVALID stored rule ${p.id} (revision ${p.revision}): ${p.error}`);
            }
            return 0;
          });
        }
        case 'show': {
          const [id] = expectPositionals(positionals, ['id'], 'mutt rules show ID');
          return withServices('rules', async ({ services }) => {
            const { rule, revision } = await services.rules.get(id);
            if (flags.json === true) printJson(ruleView(rule, revision));
            else {
              for (const [k, v] of Object.entries(rule)) {
                if (k.endsWith('_at')) console.log(`${k.padEnd(16)} ${isoTime(v as number)}`);
                else console.log(`${k.padEnd(16)} ${v === null ? 'NULL' : valueText(v)}`);
              }
              console.log(`${'revision'.padEnd(16)} ${revision}`);
            }
            return 0;
          });
        }
        case 'add':
          expectPositionals(positionals, [], 'mutt rules add --id ID --match TEXT ...');
          return addRule(flags);
        case 'edit':
          return editRule(expectPositionals(positionals, ['id'], 'mutt rules edit ID --FIELD VALUE ...')[0], flags);
        case 'disable':
        case 'enable':
          return setRuleActive(expectPositionals(positionals, ['id'], `mutt rules ${sub} ID`)[0], sub === 'enable', flags);
        case 'rm':
          return removeRule(expectPositionals(positionals, ['id'], 'mutt rules rm ID')[0], flags);
        case 'test':
          return testRule(expectPositionals(positionals, ['message'], 'mutt rules test MESSAGE --host H')[0], flags);
        case 'import': {
          const [file] = expectPositionals(positionals, ['file'], 'mutt rules import FILE');
          return importTables('rules', flags, file);
        }
        case 'export': {
          expectPositionals(positionals, [], 'mutt rules export [--out FILE]');
          return exportTables('rules', flags, 'alert_rules');
        }
      }
    });
  },
};
