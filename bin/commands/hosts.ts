// `mutt hosts`: development hosts and device teams (KV mutt_hosts) through the host services the management
// API uses — list, add, remove, and import / export in MUTT v2.5's formats (the development_hosts and
// device_teams tables, CSV as psql writes it or JSON), sharing the table code of `mutt rules import`.
//   mutt hosts ls --teams;  mutt hosts import device_teams.csv --dry-run;  mutt hosts export --table device_teams

import { CliError } from '../cli-error.ts';
import { actorName } from '../cli/identity.ts';
import { formatAge, printList } from '../cli/format.ts';
import { hostView } from '../../gateway/api/hosts.ts';
import { guard, withServices } from '../cli/session.ts';
import { expectPositionals, parseSubcommand } from '../cli/subcommand.ts';
import { renderTable } from '../cli/table.ts';
import { EXPORT_FLAGS, exportTables, IMPORT_FLAGS, importTables } from '../cli/table-commands.ts';
import type { Command } from './command.ts';

const write = { reason: 'string', as: 'string' } as const;
const SPECS = {
  ls: { teams: 'boolean', q: 'string', json: 'boolean', wide: 'boolean' },
  add: { team: 'string', note: 'string', ...write },
  rm: { teams: 'boolean', ...write },
  import: IMPORT_FLAGS,
  export: EXPORT_FLAGS,
} as const;

export const hosts: Command = {
  name: 'hosts',
  usage: `usage: mutt hosts <sub-command> [options]

  ls [--teams] [--q TEXT] [--json] [--wide]    development hosts (or, with --teams, the device -> team map)
  add HOST [--note N]                          mark a host as development (its events use dev_handling)
  add HOST --team TEAM                         route HOST's unmatched-event meta-alerts to TEAM
  rm HOST [--teams]                            remove a development host (or a device team mapping)
  import FILE [--table T] [--format csv|json] [--dry-run] [--reason R] [--as NAME] [--json]
  export [--table development_hosts|device_teams|all] [--format csv|json] [--out FILE]

import/export read and write MUTT v2.5's development_hosts (column hostname) and device_teams (hostname,
team_assignment) tables as psql \\copy ... csv header writes them, or JSON; see mutt rules --help for the
details (validation, --dry-run, line numbers of rejected rows, exit 1 on any rejected row). Import merges: hosts
not in the file are kept. Writes are audited as cli:<os user> (or --as); the alerter applies them within a second.

examples:
  mutt hosts import development_hosts.csv
  mutt hosts import device_teams.csv --dry-run
  mutt hosts add lab-sw1.example.com --note "lab rack 4"
  mutt hosts export --table device_teams --out teams.csv`,
  run(argv) {
    return guard('hosts', async () => {
      const { sub, flags, positionals } = parseSubcommand('hosts', argv, SPECS);
      const change = () => ({
        actor: actorName(flags.as),
        correlationId: `cli-${process.pid}-${Date.now()}`,
        reason: flags.reason as string | undefined,
      });
      switch (sub) {
        case 'ls': {
          expectPositionals(positionals, [], 'mutt hosts ls');
          return withServices('hosts', async ({ services }) => {
            const q = flags.q as string | undefined;
            if (flags.teams === true) {
              const list = services.teams.list(q);
              if (flags.json === true) printList(list.map((r) => hostView('team', r)));
              else
                console.log(
                  renderTable(
                    ['HOST', 'TEAM', 'CHANGED', 'BY'],
                    list.map((r) => [r.value.hostname, r.value.team_assignment, formatAge(r.value.updated_at), r.value.updated_by]),
                    { empty: '(no device teams)', wide: flags.wide === true },
                  ),
                );
            } else {
              const list = services.devHosts.list(q);
              if (flags.json === true) printList(list.map((r) => hostView('dev', r)));
              else
                console.log(
                  renderTable(
                    ['HOST', 'NOTE', 'CHANGED', 'BY'],
                    list.map((r) => [r.value.hostname, r.value.note, formatAge(r.value.updated_at), r.value.updated_by]),
                    { empty: '(no development hosts)', wide: flags.wide === true },
                  ),
                );
            }
            return 0;
          });
        }
        case 'add': {
          const [host] = expectPositionals(positionals, ['host'], 'mutt hosts add HOST [--team TEAM | --note N]');
          if (flags.team !== undefined && flags.note !== undefined)
            throw new CliError(
              '--team and --note exclude each other (--team maps a device to a team; --note describes a development host)',
            );
          const c = change();
          return withServices('hosts', async ({ services }) => {
            if (flags.team !== undefined) {
              const r = await services.teams.add({ hostname: host, team_assignment: flags.team }, c);
              console.log(`device team: ${r.value.hostname} -> ${r.value.team_assignment}`);
            } else {
              const r = await services.devHosts.add({ hostname: host, note: flags.note ?? '' }, c);
              console.log(`development host: ${r.value.hostname}`);
            }
            return 0;
          });
        }
        case 'rm': {
          const [host] = expectPositionals(positionals, ['host'], 'mutt hosts rm HOST [--teams]');
          const c = change();
          return withServices('hosts', async ({ services }) => {
            const r = flags.teams === true ? await services.teams.remove(host, c) : await services.devHosts.remove(host, c);
            console.log(`removed ${flags.teams === true ? 'device team mapping' : 'development host'} ${r.value.hostname}`);
            return 0;
          });
        }
        case 'import': {
          const [file] = expectPositionals(positionals, ['file'], 'mutt hosts import FILE');
          return importTables('hosts', flags, file, ['development_hosts', 'device_teams']);
        }
        case 'export': {
          expectPositionals(positionals, [], 'mutt hosts export [--out FILE]');
          return exportTables('hosts', flags, 'development_hosts');
        }
      }
    });
  },
};
