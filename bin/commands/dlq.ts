// `mutt dlq`: dead letters (MUTT_DLQ) through the DLQ service the management API and the remediation actor
// share (actors/remediation/replay.ts): list by stage / reason / age, show one with its original payload
// decoded, replay (to the original subject, deduplicated, replay count kept) and purge. Every replay and purge
// writes a config-audit record (kind dlq) naming the operator. Bulk operations need --yes.
//   mutt dlq ls --stage forwarder --since 1h;  mutt dlq show 42;  mutt dlq replay --stage forwarder --yes

import { DlqReason } from '../../protocol/messages.ts';
import { Stage } from '../../protocol/subjects.ts';
import { CliError } from '../cli-error.ts';
import { confirm } from '../cli/confirm.ts';
import { parseSince, positiveInt } from '../cli/durations.ts';
import { formatAge, isoTime, printJson, printList, toJson } from '../cli/format.ts';
import { dlqView } from '../../gateway/api/dlq.ts';
import { actorName } from '../cli/identity.ts';
import { guard, withServices } from '../cli/session.ts';
import { parseSubcommand } from '../cli/subcommand.ts';
import { renderTable } from '../cli/table.ts';
import type { Command } from './command.ts';

const filter = { stage: 'string', reason: 'string', since: 'string' } as const;
const write = { yes: 'boolean', comment: 'string', as: 'string', json: 'boolean' } as const;
const SPECS = {
  ls: { ...filter, limit: 'number', cursor: 'number', json: 'boolean', wide: 'boolean' },
  show: { json: 'boolean' },
  replay: { ...filter, limit: 'number', ...write },
  purge: { ...filter, ...write },
} as const;

const STAGES = Object.values(Stage) as string[];

interface Filter {
  stage?: string;
  reason?: DlqReason;
  since?: number;
}

function parseFilter(flags: Record<string, unknown>): Filter {
  const f: Filter = {};
  if (flags.stage !== undefined) {
    const stage = String(flags.stage);
    if (!/^[a-z0-9_-]{1,64}$/.test(stage)) throw new CliError(`--stage must be a stage name (${STAGES.join(', ')}; got '${stage}')`);
    f.stage = stage;
  }
  if (flags.reason !== undefined) {
    const r = DlqReason.safeParse(flags.reason);
    if (!r.success) throw new CliError(`--reason must be one of ${DlqReason.options.join(', ')} (got '${String(flags.reason)}')`);
    f.reason = r.data;
  }
  if (flags.since !== undefined) f.since = parseSince('since', flags.since);
  return f;
}

const hasFilter = (f: Filter) => f.stage !== undefined || f.reason !== undefined || f.since !== undefined;
const describeFilter = (f: Filter) =>
  [f.stage && `stage=${f.stage}`, f.reason && `reason=${f.reason}`, f.since && `since=${isoTime(f.since)}`].filter(Boolean).join(' ') ||
  'everything';

function sequences(positionals: string[]): number[] {
  return positionals.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1) throw new CliError(`<seq> must be a DLQ sequence number (mutt dlq ls shows them; got '${p}')`);
    return Number(p);
  });
}

export const dlq: Command = {
  name: 'dlq',
  usage: `usage: mutt dlq <sub-command> [options]

  ls [--stage S] [--reason R] [--since 1h|ISO] [--limit N] [--cursor SEQ] [--json] [--wide]
                                                                      oldest first (default 50)
  show SEQ [--json]                                                   one entry with its original payload decoded
  replay SEQ...  |  replay --stage S [--reason R] [--since T] [--limit N] --yes
  purge SEQ... --yes  |  purge --stage S [--reason R] [--since T] --yes

Stages: ${STAGES.join(', ')}. Reasons: ${DlqReason.options.join(', ')}.
--since takes a duration ago (30m, 1h, 2d) or an ISO 8601 time, and compares with the entry's last failure.
replay republishes each original to its original subject (deduplicated; its replay count goes up) and deletes
the dead letter; replay by filter takes at most --limit (default 1000) entries, oldest first. purge deletes;
it refuses without --yes and without a filter or sequence numbers. A bulk operation without --yes asks on a
terminal and refuses elsewhere. Every replay and purge writes a config-audit record (kind dlq) as
cli:<os user> (or --as), with --comment as its reason. The remediation actor replays retries_exhausted and
expired entries by itself; rejected, poison and schema errors wait for an operator.

examples:
  mutt dlq ls --stage forwarder --since 1h
  mutt dlq show 42
  mutt dlq replay 42 43
  mutt dlq replay --stage forwarder --reason rejected --yes --comment "Moog field fixed, INC-881"
  mutt dlq purge --stage alerter --reason schema_invalid --yes`,
  run(argv) {
    return guard('dlq', async () => {
      const { sub, flags, positionals } = parseSubcommand('dlq', argv, SPECS);
      const json = flags.json === true;
      const f = sub === 'show' ? {} : parseFilter(flags);
      switch (sub) {
        case 'ls': {
          if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}' (filters are --stage, --reason, --since)`);
          const limit = positiveInt('limit', flags.limit, 50, 10_000);
          return withServices('dlq', async ({ services }) => {
            const page = await services.dlq.list({
              ...f,
              limit,
              cursor: flags.cursor === undefined ? undefined : positiveInt('cursor', flags.cursor, 1, Number.MAX_SAFE_INTEGER),
            });
            if (json) printList(page.items.map(dlqView), { total: page.total, nextCursor: page.nextCursor });
            else {
              console.log(
                renderTable(
                  ['SEQ', 'FAILED', 'STAGE', 'REASON', 'ATTEMPTS', 'REPLAYS', 'ORIGINAL SUBJECT', 'LAST ERROR'],
                  page.items.map((e) => [
                    e.seq,
                    formatAge(e.entry.lastSeenAt),
                    e.entry.stage,
                    e.entry.reason,
                    e.entry.attempts,
                    e.entry.replays,
                    e.entry.originalSubject,
                    e.entry.lastError,
                  ]),
                  {
                    maxWidth: { 'LAST ERROR': 60, 'ORIGINAL SUBJECT': 40 },
                    empty: hasFilter(f) ? `(no dead letters matching ${describeFilter(f)})` : '(no dead letters)',
                    wide: flags.wide === true,
                  },
                ),
              );
              const more = page.nextCursor !== null ? ` (more: --cursor ${page.nextCursor})` : '';
              console.log(`${page.items.length} shown${page.total !== null ? ` of ${page.total} matching` : ''}${more}`);
            }
            return 0;
          });
        }
        case 'show': {
          if (positionals.length !== 1) throw new CliError('give one <seq> (mutt dlq show SEQ)');
          const [seq] = sequences(positionals);
          return withServices('dlq', async ({ services }) => {
            const e = await services.dlq.show(seq);
            if (json) {
              printJson({ ...dlqView(e), original_headers: e.entry.originalHeaders ?? {}, payload: e.payload });
              return 0;
            }
            const d = e.entry;
            const lines: [string, unknown][] = [
              ['seq', e.seq],
              ['subject', e.subject],
              ['stored', isoTime(e.time)],
              ['stage', d.stage],
              ['reason', d.reason],
              ['attempts', d.attempts],
              ['replays', d.replays],
              ['first failure', `${isoTime(d.firstSeenAt)}  ${d.firstError}`],
              ['last failure', `${isoTime(d.lastSeenAt)}  ${d.lastError}`],
              ['original', `${d.originalStream} #${d.originalSeq ?? '?'} on ${d.originalSubject}`],
              ['correlation id', d.correlationId ?? '-'],
            ];
            if (d.status !== undefined) lines.push(['HTTP status', d.status]);
            if (d.excerpt) lines.push(['response', d.excerpt]);
            for (const [k, v] of lines) console.log(`${k.padEnd(15)} ${String(v)}`);
            for (const [k, v] of Object.entries(d.originalHeaders ?? {})) console.log(`${'header'.padEnd(15)} ${k}: ${v}`);
            console.log(`payload (${e.payload.bytes} bytes, ${e.payload.encoding === 'json' ? 'decoded' : 'undecodable, base64'}):`);
            console.log(e.payload.encoding === 'json' ? toJson(e.payload.value) : String(e.payload.value));
            return 0;
          });
        }
        case 'replay':
        case 'purge': {
          const seqs = sequences(positionals);
          if (seqs.length && hasFilter(f)) throw new CliError('give sequence numbers or a filter (--stage, --reason, --since), not both');
          if (!seqs.length && !hasFilter(f))
            throw new CliError(
              `${sub} needs sequence numbers or a filter (--stage, --reason, --since)${sub === 'purge' ? '; purging everything at once is not offered' : ''}`,
            );
          if (sub === 'purge' && flags.yes !== true)
            throw new CliError(`purge deletes dead letters for good: pass --yes to confirm (nothing was deleted)`);
          const limit = positiveInt('limit', flags.limit, 1000, 100_000);
          const change = {
            actor: actorName(flags.as),
            correlationId: `cli-dlq-${process.pid}-${Date.now()}`,
            reason: flags.comment as string | undefined,
          };
          return withServices('dlq', async ({ services }) => {
            if (seqs.length) {
              const results: { seq: number; ok: boolean; detail: string }[] = [];
              for (const seq of seqs) {
                try {
                  if (sub === 'replay') {
                    const r = await services.dlq.replay(seq, change);
                    results.push({ seq, ok: true, detail: `replayed to ${r.to.stream} #${r.to.seq}` });
                  } else {
                    const r = await services.dlq.purgeOne(seq, change);
                    results.push({ seq, ok: r.purged === 1, detail: r.purged === 1 ? 'purged' : 'already gone' });
                  }
                } catch (err) {
                  results.push({ seq, ok: false, detail: (err as Error).message });
                }
              }
              if (json) printJson(results);
              else for (const r of results) console.log(`${r.seq}: ${r.ok ? '' : 'FAILED '}${r.detail}`);
              return results.every((r) => r.ok) ? 0 : 1;
            }
            const matching = await services.dlq.list({ ...f, limit: Math.min(limit, 10_000) });
            const count = matching.total ?? matching.items.length;
            if (matching.items.length === 0) {
              console.log(`no dead letters match ${describeFilter(f)}`);
              return 0;
            }
            const n = sub === 'replay' ? Math.min(count, limit) : count;
            if (
              sub === 'replay' &&
              !(await confirm(
                flags.yes === true,
                `replay ${n} dead letter(s) matching ${describeFilter(f)}?`,
                `replay of ${n} dead letter(s) matching ${describeFilter(f)}`,
              ))
            ) {
              console.log('nothing replayed');
              return 1;
            }
            if (sub === 'replay') {
              const r = await services.dlq.replayMatching({ ...f, limit }, change);
              if (json) printJson(r);
              else {
                console.log(
                  `replayed ${r.replayed.length} dead letter(s) matching ${describeFilter(f)}${r.failed.length ? `; ${r.failed.length} FAILED` : ''}`,
                );
                for (const x of r.failed) console.log(`  ${x.seq}: ${x.error}`);
              }
              return r.failed.length ? 1 : 0;
            }
            const r = await services.dlq.purge(f, change);
            if (json) printJson(r);
            else console.log(`purged ${r.purged} dead letter(s) matching ${describeFilter(f)}`);
            return 0;
          });
        }
      }
    });
  },
};
