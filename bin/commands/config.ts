// `mutt config`: dynamic configuration (KV mutt_config) through the config service the management API uses:
// every write is checked against the key's schema (a bad value exits 2 naming the constraint) and recorded in
// the config audit as `cli:<user>` (or --as). Running actors follow the bucket by KV watch: no restart.
//   mutt config ls | get KEY | set KEY VALUE [--reason R] | reset KEY | history KEY

import { ConfigKeys, isConfigKey, parseConfigValue, type ConfigKey } from '../../protocol/config-keys.ts';
import { CliError } from '../cli-error.ts';
import { actorName } from '../cli/identity.ts';
import { formatAge, isoTime, printJson, printList, valueText } from '../cli/format.ts';
import { entryView } from '../../gateway/api/config.ts';
import { configAuditView } from '../../gateway/api/audit.ts';
import { guard, withServices } from '../cli/session.ts';
import { expectPositionals, parseSubcommand } from '../cli/subcommand.ts';
import { renderTable } from '../cli/table.ts';
import type { Command } from './command.ts';

const write = { reason: 'string', as: 'string', json: 'boolean' } as const;
const SPECS = {
  ls: { json: 'boolean', wide: 'boolean' },
  get: { json: 'boolean' },
  set: write,
  reset: write,
  history: { json: 'boolean', wide: 'boolean', limit: 'number' },
} as const;

function knownKey(key: string): ConfigKey {
  if (!isConfigKey(key)) throw new CliError(`unknown config key '${key}' (mutt config ls lists them)`);
  return key;
}

/**
 * The value as typed on the command line: tried as text first (strings and numbers coerce), then as JSON
 * (arrays, booleans, quoted strings). The error is the one of the form the operator most likely meant.
 */
export function configValueFromArg(key: ConfigKey, text: string): unknown {
  const asText = parseConfigValue(key, text);
  if (asText.ok) return asText.value;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${asText.error} (got '${text}')`);
  }
  const asJson = parseConfigValue(key, json);
  if (asJson.ok) return asJson.value;
  throw new CliError(`${asJson.error} (got ${text})`);
}

export const config: Command = {
  name: 'config',
  usage: `usage: mutt config <sub-command> [options]

  ls [--json] [--wide]                      every key: value in effect, default, which actor reads it
  get KEY [--json]                          one key with its description, default and accepted values
  set KEY VALUE [--reason R] [--as NAME]    change a key (checked against its schema; bad value: exit 2)
  reset KEY [--reason R] [--as NAME]        back to the default (the stored value is deleted)
  history KEY [--limit N] [--json] [--wide] who changed it, when, from what to what (config audit)

VALUE is typed as text; JSON is accepted for lists and booleans:  mutt config set moog_retry_statuses '[429,503]'
Changes apply to every running process within a second (KV watch). The audit records the change as
cli:<os user>, or the name given with --as. Connection: NATS_URL, NATS_USER/NATS_PASS or NATS_CREDS, NATS_TLS_CA
(writes need a NATS user that may write mutt_config: admin or gateway).

examples:
  mutt config set moog_rate_limit 200 --reason "CHG-1234 Moog capacity raised"
  mutt config get moog_rate_limit --json
  mutt config history moog_rate_limit`,
  run(argv) {
    return guard('config', async () => {
      const { sub, flags, positionals } = parseSubcommand('config', argv, SPECS);
      const json = flags.json === true;
      switch (sub) {
        case 'ls': {
          expectPositionals(positionals, [], 'mutt config ls');
          return withServices('config', async ({ services }) => {
            const entries = await services.config.list();
            if (json) printList(entries.map((e) => withoutSchema(entryView(e))));
            else {
              console.log(
                renderTable(
                  ['KEY', 'VALUE', 'DEFAULT', 'SET', 'ACTOR'],
                  entries.map((e) => [
                    e.key,
                    valueText(e.value) + (e.stored_error ? ' (stored value invalid!)' : ''),
                    valueText(e.default),
                    e.is_default ? '' : formatAge(e.updated_at),
                    e.actor,
                  ]),
                  { maxWidth: { VALUE: 40, DEFAULT: 40 }, wide: flags.wide === true },
                ),
              );
            }
            return 0;
          });
        }
        case 'get': {
          const [raw] = expectPositionals(positionals, ['key'], 'mutt config get KEY');
          const key = knownKey(raw);
          return withServices('config', async ({ services }) => {
            const e = await services.config.get(key);
            if (json) printJson(entryView(e));
            else {
              console.log(
                `${e.key} = ${valueText(e.value)}${e.is_default ? '   (default)' : `   (default ${valueText(e.default)}; revision ${e.revision}, set ${isoTime(e.updated_at)})`}`,
              );
              console.log(`  ${e.description}`);
              console.log(`  read by: ${e.actor}; accepts: ${JSON.stringify(e.schema)}`);
              if (e.stored_error) console.log(`  WARNING: the stored value is invalid and ignored: ${e.stored_error}`);
            }
            return 0;
          });
        }
        case 'set': {
          const [raw, text] = expectPositionals(positionals, ['key', 'value'], 'mutt config set KEY VALUE');
          const key = knownKey(raw);
          const value = configValueFromArg(key, text);
          const actor = actorName(flags.as);
          return withServices('config', async ({ services }) => {
            const r = await services.config.set(key, value, {
              actor,
              correlationId: `cli-${process.pid}-${Date.now()}`,
              reason: flags.reason as string | undefined,
            });
            if (json) printJson(r);
            else
              console.log(
                `${key}: ${r.old_value === null ? `(default ${valueText(ConfigKeys[key].default)})` : valueText(r.old_value)} -> ${valueText(r.new_value)}  (revision ${r.revision}; ${ConfigKeys[key].actor} processes apply it within a second)`,
              );
            return 0;
          });
        }
        case 'reset': {
          const [raw] = expectPositionals(positionals, ['key'], 'mutt config reset KEY');
          const key = knownKey(raw);
          const actor = actorName(flags.as);
          return withServices('config', async ({ services }) => {
            const r = await services.config.reset(key, {
              actor,
              correlationId: `cli-${process.pid}-${Date.now()}`,
              reason: flags.reason as string | undefined,
            });
            if (json) printJson(r);
            else if (r.old_value === null) console.log(`${key} was not set; it is at its default ${valueText(r.new_value)}`);
            else console.log(`${key}: ${valueText(r.old_value)} -> default ${valueText(r.new_value)}`);
            return 0;
          });
        }
        case 'history': {
          const [raw] = expectPositionals(positionals, ['key'], 'mutt config history KEY');
          const key = knownKey(raw);
          const limit = flags.limit === undefined ? 50 : Math.max(1, Math.min(500, Math.floor(Number(flags.limit))));
          return withServices('config', async ({ services }) => {
            const [audit, versions] = await Promise.all([
              services.configAudit.query({ kind: 'config', id: key, order: 'desc', limit }),
              services.config.history(key),
            ]);
            if (json) {
              printList(
                audit.items.map(configAuditView),
                { total: null, nextCursor: audit.nextCursor },
                { key, versions: versions.map((v) => ({ ...v, at: isoTime(v.at) })) },
              );
              return 0;
            }
            if (audit.items.length === 0 && versions.length === 0) {
              console.log(`${key} has never been changed (default ${valueText(ConfigKeys[key].default)})`);
              return 0;
            }
            const shown = (v: unknown) =>
              v && typeof v === 'object' && 'value' in v ? valueText((v as { value: unknown }).value) : '(default)';
            console.log(
              renderTable(
                ['WHEN', 'WHO', 'OPERATION', 'OLD', 'NEW', 'REASON'],
                audit.items.map(({ record: r }) => [
                  isoTime(r.at),
                  r.actor,
                  r.operation,
                  r.oldValue === undefined ? '(default)' : shown(r.oldValue),
                  shown(r.newValue),
                  r.reason ?? '',
                ]),
                { maxWidth: { OLD: 30, NEW: 30, REASON: 40 }, wide: flags.wide === true },
              ),
            );
            if (audit.items.length === 0) {
              console.log(
                `(no audit records; stored versions:)\n${renderTable(
                  ['REVISION', 'WHEN', 'OPERATION', 'VALUE'],
                  versions.map((v) => [v.revision, isoTime(v.at), v.operation, valueText(v.value)]),
                )}`,
              );
            }
            return 0;
          });
        }
      }
    });
  },
};

/** A config entry for `ls --json`: the JSON schema of each key is left to `mutt config get KEY`. */
function withoutSchema<T extends { schema?: unknown }>(e: T): Omit<T, 'schema'> {
  const { schema: _s, ...rest } = e;
  return rest;
}
