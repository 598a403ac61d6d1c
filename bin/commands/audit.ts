// `mutt audit`: what the alerter decided for each event (MUTT_AUDIT_EVENTS), filtered by host, rule, decision,
// forwarded and time — the query GET /api/v2/audit/events runs (gateway/services/audit-events.ts), with the
// same record shape in --json. --follow prints each new decision once as it is stored (it polls the stream
// from its last sequence with the same filters) until Ctrl-C.
//   mutt audit --host core-sw1 --since 1h;  mutt audit --decision unhandled --follow --json

import { jetstreamManager } from '@nats-io/jetstream';
import { CliError } from '../cli-error.ts';
import { parseSince, positiveInt } from '../cli/durations.ts';
import { printJson } from '../cli/format.ts';
import { guard, withServices } from '../cli/session.ts';
import { expectPositionals } from '../cli/subcommand.ts';
import { parseFlags } from '../cli-error.ts';
import { renderTable } from '../cli/table.ts';
import { Decision } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { eventAuditView } from '../../gateway/api/audit.ts';
import type { EventAuditFilter } from '../../gateway/services/audit-events.ts';
import type { Command } from './command.ts';

const FLAGS = {
  host: 'string',
  rule: 'string',
  decision: 'string',
  forwarded: 'string',
  since: 'string',
  until: 'string',
  limit: 'number',
  cursor: 'number',
  json: 'boolean',
  wide: 'boolean',
  follow: 'boolean',
} as const;

const POLL_MS = 1000;

type View = ReturnType<typeof eventAuditView>;

function filterFrom(flags: Record<string, string | number | boolean>): Omit<EventAuditFilter, 'limit' | 'order' | 'cursor'> {
  let decision: Decision | undefined;
  if (flags.decision !== undefined) {
    const d = Decision.safeParse(flags.decision);
    if (!d.success) throw new CliError(`--decision must be one of ${Decision.options.join(', ')} (got '${String(flags.decision)}')`);
    decision = d.data;
  }
  if (flags.forwarded !== undefined && flags.forwarded !== 'true' && flags.forwarded !== 'false')
    throw new CliError(`--forwarded must be true or false (got '${String(flags.forwarded)}')`);
  return {
    host: flags.host as string | undefined,
    rule: flags.rule as string | undefined,
    decision,
    forwarded: flags.forwarded === undefined ? undefined : flags.forwarded === 'true',
    from: flags.since === undefined ? undefined : parseSince('since', flags.since),
    to: flags.until === undefined ? undefined : parseSince('until', flags.until),
  };
}

function table(items: View[], wide: boolean, header = true): string {
  const rows = items.map((e) => [e.at, e.host, e.rule_id, e.decision, e.forwarded, e.team, e.message]);
  const t = renderTable(['AT', 'HOST', 'RULE', 'DECISION', 'FWD', 'TEAM', 'MESSAGE'], rows, {
    empty: '(no records)',
    maxWidth: wide ? { HOST: Infinity, RULE: Infinity, TEAM: Infinity, MESSAGE: Infinity } : { MESSAGE: 60 },
  });
  return header ? t : t.split('\n').slice(1).join('\n');
}

export const audit: Command = {
  name: 'audit',
  usage: `usage: mutt audit [--host H] [--rule R] [--decision D] [--forwarded true|false] [--since T] [--until T]
                  [--limit N] [--cursor SEQ] [--json] [--wide] [--follow]

Newest first, at most --limit records (default 50, at most 500). --rule _unhandled lists events no rule
matched. --since / --until take a duration ago (30m, 1h, 2d) or an ISO 8601 time. --json prints
{"items": [...], "total": N|null, "next_cursor": SEQ|null}; pass next_cursor to --cursor for the next page.
--follow prints each new record once as it is stored (oldest first; with --json one record per line) until
Ctrl-C, which exits 0.

examples:
  mutt audit --host core-sw1 --since 1h
  mutt audit --rule _unhandled --limit 20
  mutt audit --decision page_and_ticket --follow`,
  run(argv) {
    return guard('audit', async () => {
      const { flags, positionals } = parseFlags(argv, FLAGS);
      expectPositionals(positionals, [], 'mutt audit [--host H] ...');
      const filter = filterFrom(flags);
      const limit = positiveInt('limit', flags.limit, 50, 500);
      const wide = flags.wide === true;
      return withServices('audit', async ({ services, nc }) => {
        if (flags.follow !== true) {
          const page = await services.eventAudit.query({ ...filter, limit, order: 'desc', cursor: flags.cursor as number | undefined });
          const items = page.items.map(eventAuditView);
          if (flags.json === true) printJson({ items, total: page.total ?? null, next_cursor: page.nextCursor });
          else {
            console.log(table(items, wide));
            if (page.nextCursor !== null) console.log(`more: mutt audit ... --cursor ${page.nextCursor}`);
          }
          return 0;
        }
        const jsm = await jetstreamManager(nc);
        const lastSeq = async () => (await jsm.streams.info(StreamName.auditEvents)).state.last_seq;
        let stopped = false;
        let wake: (() => void) | null = null;
        const stop = () => {
          stopped = true;
          wake?.();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // From now on (or from --since): records already stored before --follow are not repeated.
        let cursor = filter.from !== undefined ? 1 : (await lastSeq()) + 1;
        // On stderr, so `--json` output stays one record per line: a person sees it is watching, not hung.
        console.error(
          `following the event audit${filter.from !== undefined ? ' since --since' : ` from record ${cursor}`} (Ctrl-C to stop)`,
        );
        let printed = 0;
        let header = flags.json !== true;
        while (!stopped) {
          const end = await lastSeq();
          const page = await services.eventAudit.query({ ...filter, limit: 500, order: 'asc', cursor });
          const fresh = page.items.filter((e) => e.seq > printed);
          for (const e of fresh) {
            const v = eventAuditView(e);
            if (flags.json === true) process.stdout.write(JSON.stringify(v) + '\n');
            else {
              console.log(table([v], wide, header));
              header = false;
            }
            printed = e.seq;
          }
          // A short page with a cursor was cut by the scan budget: continue there at once.
          if (page.nextCursor !== null) {
            cursor = page.nextCursor;
            continue;
          }
          cursor = Math.max(end + 1, printed + 1, cursor);
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, POLL_MS).unref();
          });
        }
        return 0;
      });
    });
  },
};
