// `mutt keys`: the gateway's API keys (KV mutt_keys, salted hashes; every gateway replica follows the bucket,
// so a key added or revoked here works or stops working everywhere within a second). `add` prints the secret
// once, on stdout and nowhere else; MUTT keeps only its hash. Each add and revoke is a config-audit record
// (kind key) naming the operator — never the secret.
//   mutt keys add rsyslog-2 --scopes ingest;  mutt keys revoke rsyslog-1;  mutt keys ls

import { KeySpecError, parseScopes, type Scope } from '../../gateway/auth/keys.ts';
import { CliError } from '../cli-error.ts';
import { formatAge, isoTime, printJson, printList } from '../cli/format.ts';
import { actorName } from '../cli/identity.ts';
import { CommandFailed, guard, openNats, type NatsSession } from '../cli/session.ts';
import { expectPositionals, parseSubcommand } from '../cli/subcommand.ts';
import { renderTable } from '../cli/table.ts';
import type { Command } from './command.ts';

const SPECS = {
  ls: { json: 'boolean', all: 'boolean', wide: 'boolean' },
  add: { scopes: 'string', 'secret-stdin': 'boolean', rotate: 'boolean', reason: 'string', as: 'string', json: 'boolean' },
  revoke: { reason: 'string', as: 'string' },
} as const;

async function withKeys<T>(
  fn: (
    s: NatsSession,
    kv: import('@nats-io/kv').KV,
    audit: import('../../gateway/services/audit-config.ts').ConfigAuditService,
  ) => Promise<T>,
): Promise<T> {
  const s = await openNats('keys');
  try {
    const [{ openKeysBucket }, { ConfigAuditService }, { jetstream, jetstreamManager }] = await Promise.all([
      import('../../gateway/auth/store.ts'),
      import('../../gateway/services/audit-config.ts'),
      import('@nats-io/jetstream'),
    ]);
    const audit = new ConfigAuditService(jetstream(s.nc), await jetstreamManager(s.nc), s.log);
    return await fn(s, await openKeysBucket(s.nc), audit);
  } finally {
    await s.close();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--secret-stdin: pipe the secret in (echo "$SECRET" | mutt keys add ...)');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export const keys: Command = {
  name: 'keys',
  usage: `usage: mutt keys <sub-command> [options]

  ls [--all] [--json] [--wide]                     active keys (--all: revoked ones too); never secrets
  add NAME --scopes ingest[+read][+admin] [--secret-stdin] [--rotate] [--json] [--reason R] [--as NAME]
  revoke NAME [--reason R] [--as NAME]             revokes every secret of NAME at once

Scopes: ingest (send events), read (GET the management API), admin (change rules, config, keys; implies read,
not ingest). add generates a 256-bit secret and prints it once on stdout (the explanation goes to stderr, so
SECRET=$(mutt keys add rsyslog-2 --scopes ingest) captures only the secret); MUTT stores a salted hash.
--secret-stdin takes the secret from stdin instead (keep a v2.5 sender's key while migrating; at least 16
visible characters); it is never printed back. A name that already has an active secret is refused unless
--rotate is given: then the name gets a second secret and both are valid until the old one's id is revoked
(mutt keys ls shows both). Rotating without downtime: add a new name (or --rotate), move the senders to it,
revoke the old one (docs/OPERATIONS.md). Every gateway applies a change within a second.
Adds and revokes are recorded in the config audit (kind key) as cli:<os user> (or --as), without the secret.
Connection: NATS_URL etc.; the NATS user must be allowed to write mutt_keys (admin or gateway).

examples:
  mutt keys add rsyslog-dc2 --scopes ingest
  mutt keys add grafana --scopes read --json
  mutt keys revoke rsyslog-dc1 --reason "INC-981 key leaked"`,
  run(argv) {
    return guard('keys', async () => {
      const { sub, flags, positionals } = parseSubcommand('keys', argv, SPECS);
      switch (sub) {
        case 'ls': {
          expectPositionals(positionals, [], 'mutt keys ls');
          return withKeys(async (_s, kv) => {
            const { listApiKeys } = await import('../../gateway/auth/store.ts');
            const list = (await listApiKeys(kv)).filter((k) => flags.all === true || k.revokedAt === undefined);
            if (flags.json === true) printList(list.map(keyView));
            else
              console.log(
                renderTable(
                  ['NAME', 'ID', 'SCOPES', 'CREATED', 'BY', 'STATUS'],
                  list.map((k) => [
                    k.name,
                    k.id,
                    k.scopes.join('+'),
                    isoTime(k.createdAt),
                    k.createdBy,
                    k.revokedAt ? `revoked ${formatAge(k.revokedAt)} by ${k.revokedBy}` : 'active',
                  ]),
                  { empty: '(no API keys)', wide: flags.wide === true },
                ),
              );
            return 0;
          });
        }
        case 'add': {
          const [name] = expectPositionals(positionals, ['name'], 'mutt keys add NAME --scopes ingest+read');
          if (flags.scopes === undefined)
            throw new CliError('--scopes is required: ingest, read, admin, joined with + (e.g. --scopes ingest+read)');
          const scopes = parseScopes(String(flags.scopes));
          if (typeof scopes === 'string') throw new CliError(`--scopes: ${scopes}`);
          const actor = actorName(flags.as);
          const secret = flags['secret-stdin'] === true ? await readStdin() : undefined;
          return withKeys(async (_s, kv, audit) => {
            const { addApiKey, listApiKeys } = await import('../../gateway/auth/store.ts');
            const existing = (await listApiKeys(kv)).filter((k) => k.name === name && k.revokedAt === undefined);
            if (existing.length && flags.rotate !== true) {
              throw new CommandFailed(
                `a key named '${name}' exists (id ${existing.map((k) => k.id).join(', ')}): --rotate adds a second secret to it, or choose another name`,
              );
            }
            let created;
            try {
              created = await addApiKey(kv, { name, scopes: scopes as Scope[], secret }, actor);
            } catch (err) {
              if (err instanceof KeySpecError)
                throw new CliError(
                  /secret/.test(err.message) ? `--secret-stdin: ${err.message}` : err.message.replace(/^key name/, '<name>'),
                );
              throw err;
            }
            await audit.write({
              kind: 'key',
              id: name,
              operation: 'create',
              actor,
              newValue: { name, id: created.id, scopes: created.scopes },
              reason: flags.reason as string | undefined,
              correlationId: `cli-${process.pid}-${Date.now()}`,
            });
            if (flags.json === true)
              printJson({ name, id: created.id, scopes: created.scopes, ...(secret ? {} : { secret: created.secret }) });
            else {
              console.error(
                `API key '${name}' (${created.scopes.join('+')}) added, id ${created.id}. ${secret ? 'It uses the secret given on stdin.' : 'The secret follows on stdout; it is shown this once, store it now:'}`,
              );
              if (existing.length)
                console.error(
                  `'${name}' now has ${existing.length + 1} valid secrets; the older: id ${existing.map((k) => k.id).join(', ')}`,
                );
              if (!secret) process.stdout.write(`${created.secret}\n`);
            }
            return 0;
          });
        }
        case 'revoke': {
          const [name] = expectPositionals(positionals, ['name'], 'mutt keys revoke NAME');
          const actor = actorName(flags.as);
          return withKeys(async (_s, kv, audit) => {
            const { revokeApiKey } = await import('../../gateway/auth/store.ts');
            let written;
            try {
              written = await revokeApiKey(kv, name, actor);
            } catch (err) {
              if (err instanceof KeySpecError) throw new CliError(`<name>: ${err.message}`);
              throw err;
            }
            if (written.size === 0) {
              console.error(`mutt keys: no active key named '${name}' (mutt keys ls --all)`);
              return 1;
            }
            const ids = [...written.keys()].map((k) => k.slice(k.indexOf('.') + 1));
            await audit.write({
              kind: 'key',
              id: name,
              operation: 'delete',
              actor,
              oldValue: { name, ids },
              reason: flags.reason as string | undefined,
              correlationId: `cli-${process.pid}-${Date.now()}`,
            });
            console.log(`revoked ${written.size} secret(s) of '${name}' (${ids.join(', ')}); every gateway refuses them within a second`);
            return 0;
          });
        }
      }
    });
  },
};

/** A key as `mutt keys ls --json` prints it: snake_case, ISO times, never a secret or its hash. */
function keyView(k: import('../../gateway/auth/store.ts').ApiKeyInfo): Record<string, unknown> {
  return {
    name: k.name,
    id: k.id,
    scopes: k.scopes,
    created_at: isoTime(k.createdAt),
    created_by: k.createdBy,
    revoked_at: k.revokedAt === undefined ? null : isoTime(k.revokedAt),
    revoked_by: k.revokedBy ?? null,
  };
}
