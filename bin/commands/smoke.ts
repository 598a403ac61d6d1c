// `mutt smoke`: proves a deployment works end to end with one canary event and says where it stopped if it
// does not. With an admin key it creates a temporary rule `mutt-smoke-<id>` matching only the canary (and
// deletes it at the end); otherwise --message must match an existing, forwarding rule. Hops, each timed from
// the send: accepted (HTTP 202), audited (the alerter's audit record), alerted (forwarded, alert id), delivered
// (the forwarder acknowledged it and it is not in the DLQ). Exit 0 only when delivered.
//   mutt smoke --url http://gateway:8080 --key-file smoke.key --timeout 30s

import { randomBytes } from 'node:crypto';
import { CliError, parseFlags } from '../cli-error.ts';
import { parseDuration } from '../cli/durations.ts';
import { printJson } from '../cli/format.ts';
import { answerError, GATEWAY_FLAGS, gatewayFrom } from '../cli/gateway-client.ts';
import { actorName } from '../cli/identity.ts';
import { CommandFailed, describe, guard } from '../cli/session.ts';
import { httpObserver, natsObserver, type AuditHit, type Observer, type StreamPosition } from '../cli/smoke-observer.ts';
import type { Command } from './command.ts';

type HopName = 'rule' | 'accepted' | 'audited' | 'alerted' | 'delivered' | 'cleanup';

interface Hop {
  hop: HopName;
  ok: boolean;
  /** Milliseconds since the canary was sent (null for steps before it or without a time). */
  ms: number | null;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns a value or the deadline passes. */
async function until<T>(deadline: number, check: () => Promise<T | null | undefined | false>): Promise<T | null> {
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() >= deadline) return null;
    await sleep(100);
  }
}

const drainedPast = (s: StreamPosition, seq: number) => s.messages === 0 || s.first_seq > seq;

export const smoke: Command = {
  name: 'smoke',
  usage: `usage: mutt smoke --url URL [--key-file F] [--timeout 30s] [--message TEXT] [--host H] [--team T] [--observe auto|http|nats] [--json]

Sends one canary event to POST /api/v2/events and follows it:
  rule       (admin key) a temporary rule mutt-smoke-<id> matching only the canary, ticket_only, team --team
             (default MUTT-SMOKE), created through POST /api/v2/rules and deleted at the end
  accepted   the gateway stored it (HTTP 202)
  audited    the alerter's record is in the event audit (GET /api/v2/audit/events)
  alerted    the record says forwarded, with its alert id
  delivered  the forwarder acknowledged the alert (MUTT_ALERTS drained past it) and it is not in the DLQ
Each hop is printed with the time since the canary was sent. Exit 0 only when it was delivered; 1 otherwise,
naming the hop that did not happen (with the breaker state when delivery is pending).

The key needs scope ingest, plus read to follow the canary (admin, which includes read, to create the rule):
    mutt keys add smoke --scopes ingest+admin
Without admin, give --message with text an existing forwarding rule matches (e.g. --message "LINK-DOWN smoke").
Moogsoft receives one real event (message "MUTT-SMOKE-<id> canary from mutt smoke: ignore").
--observe http follows the canary through the management API; nats through the management services over
NATS (NATS_URL etc.); auto (default) uses the API when the key can read it, else NATS.

examples:
  mutt smoke --url http://gateway:8080 --key-file /etc/mutt/smoke.key
  mutt smoke --url http://gateway:8080 --key-file ingest.key --message "LINK-DOWN mutt smoke" --observe nats --json`,
  run(argv) {
    return guard('smoke', async () => {
      const { flags, positionals } = parseFlags(argv, {
        ...GATEWAY_FLAGS,
        timeout: 'string',
        message: 'string',
        host: 'string',
        team: 'string',
        observe: 'string',
        'keep-rule': 'boolean',
        as: 'string',
        json: 'boolean',
      });
      if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}'`);
      const gw = gatewayFrom(flags, { required: true })!;
      if (!gw.hasKey)
        throw new CliError('--key-file (or MUTT_API_KEY, or --key) is required: the canary is sent with a key of scope ingest');
      const timeoutMs = flags.timeout === undefined ? 30_000 : parseDuration('timeout', flags.timeout);
      const observe = (flags.observe as string | undefined) ?? 'auto';
      if (!['auto', 'http', 'nats'].includes(observe)) throw new CliError(`--observe must be auto, http or nats (got '${observe}')`);
      const actor = actorName(flags.as);
      const id = randomBytes(4).toString('hex');
      const ruleId = `mutt-smoke-${id}`;
      const token = `MUTT-SMOKE-${id}`;
      const host = (flags.host as string | undefined) ?? 'mutt-smoke';
      const json = flags.json === true;
      const hops: Hop[] = [];
      const say = (h: Hop) => {
        hops.push(h);
        if (!json)
          console.log(
            `  ${h.ok ? 'ok  ' : 'FAIL'} ${h.hop.padEnd(9)} ${h.ms === null ? ''.padStart(9) : `+${(h.ms / 1000).toFixed(2)} s`.padStart(9)}  ${h.detail}`,
          );
      };

      let observer: Observer;
      if (observe !== 'nats') {
        const o = await httpObserver(gw);
        if (typeof o === 'string' && observe === 'http') throw new CommandFailed(`${o} (--observe http)`);
        observer =
          typeof o === 'string'
            ? await natsObserver(actor).catch((err) => {
                throw new CommandFailed(`${o}; and over NATS: ${describe(err)}`);
              })
            : o;
      } else observer = await natsObserver(actor);
      if (!json) console.log(`mutt smoke: canary ${token} via ${gw.url}, followed through ${observer.via}`);

      const deadline = Date.now() + timeoutMs;
      let ruleCreated = false;
      let delivered = false;
      try {
        let message = flags.message as string | undefined;
        if (message === undefined) {
          const rule = {
            id: ruleId,
            match_type: 'contains',
            match_string: token,
            priority: 0,
            prod_handling: 'ticket_only',
            dev_handling: 'ticket_only',
            team_assignment: (flags.team as string | undefined) ?? 'MUTT-SMOKE',
            description: 'temporary rule of mutt smoke; deleted when the check ends',
          };
          const r = await observer.createRule(rule);
          if (r === 'forbidden') {
            say({
              hop: 'rule',
              ok: false,
              ms: null,
              detail: 'the key may not create rules (scope admin): give --message with text an existing forwarding rule matches',
            });
            return 1;
          }
          ruleCreated = true;
          say({ hop: 'rule', ok: true, ms: null, detail: `created ${ruleId} (temporary; the alerter applies it within a second)` });
          await sleep(1500);
          message = `${token} canary from mutt smoke: ignore`;
        }

        let audit: AuditHit | null = null;
        let sentAt = 0;
        let eventId = '';
        let eventsLast = 0;
        // One resend when the canary arrived before the alerter had the new rule (KV watch lag).
        for (let attempt = 1; attempt <= 2; attempt++) {
          eventId = `${ruleId}${attempt > 1 ? `-${attempt}` : ''}`;
          sentAt = performance.now();
          const a = await gw.request('POST', '/api/v2/events', {
            body: [{ id: eventId, host, message, severity: 'info', source: 'mutt-smoke' }],
            headers: { 'X-Correlation-ID': ruleId },
          });
          const sinceSend = () => performance.now() - sentAt;
          if (a.status !== 202 || a.body?.accepted !== 1) {
            say({ hop: 'accepted', ok: false, ms: sinceSend(), detail: answerError(a) });
            return 1;
          }
          eventsLast = (await observer.streams()).events.last_seq;
          say({ hop: 'accepted', ok: true, ms: a.ms, detail: `HTTP 202, event id ${eventId}` });
          audit = await until(deadline, () => observer.audit(host, eventId));
          if (!audit) {
            say({
              hop: 'audited',
              ok: false,
              ms: sinceSend(),
              detail: `no audit record within ${timeoutMs / 1000} s: is the alerter running? (mutt status)`,
            });
            return 1;
          }
          say({ hop: 'audited', ok: true, ms: sinceSend(), detail: `rule ${audit.rule_id ?? '(none)'}, decision ${audit.decision}` });
          if (audit.decision === 'unhandled' && ruleCreated && attempt === 1) {
            if (!json) console.log('  ..   the alerter did not have the new rule yet; sending the canary once more');
            continue;
          }
          break;
        }
        const sinceSend = () => performance.now() - sentAt;
        if (!audit!.forwarded || !audit!.alert_id) {
          say({
            hop: 'alerted',
            ok: false,
            ms: sinceSend(),
            detail: `not forwarded: decision ${audit!.decision}${flags.message !== undefined ? ' (does --message match a rule whose handling forwards?)' : ''}`,
          });
          return 1;
        }
        say({ hop: 'alerted', ok: true, ms: sinceSend(), detail: `alert ${audit!.alert_id}` });

        // The alerter acknowledges an event only after its alert is stored: once MUTT_EVENTS has drained past the
        // canary, MUTT_ALERTS' last sequence bounds the alert's, and the forwarder is done with it when that drains.
        const alerts = await until(deadline, async () => {
          const s = await observer.streams();
          return drainedPast(s.events, eventsLast) ? { last: s.alerts.last_seq } : null;
        });
        const passed = alerts && (await until(deadline, async () => drainedPast((await observer.streams()).alerts, alerts.last)));
        const dead = await observer.deadLetter(ruleId, Date.now() - timeoutMs - 60_000);
        if (dead) {
          say({
            hop: 'delivered',
            ok: false,
            ms: sinceSend(),
            detail: `dead-lettered by ${dead.stage}: ${dead.reason} (${dead.last_error}); mutt dlq show ${dead.seq}`,
          });
          return 1;
        }
        if (!passed) {
          const breaker = await observer.breaker().catch(() => null);
          say({
            hop: 'delivered',
            ok: false,
            ms: sinceSend(),
            detail: `pending after ${timeoutMs / 1000} s: the alert is still in MUTT_ALERTS (Moogsoft breaker ${breaker ?? 'unknown'}; mutt status)`,
          });
          return 1;
        }
        delivered = true;
        say({
          hop: 'delivered',
          ok: true,
          ms: sinceSend(),
          detail: 'the forwarder acknowledged it (Moogsoft answered 2xx) and it is not in the DLQ',
        });
        return 0;
      } finally {
        if (ruleCreated && flags['keep-rule'] !== true) {
          try {
            await observer.deleteRule(ruleId);
            say({ hop: 'cleanup', ok: true, ms: null, detail: `deleted rule ${ruleId}` });
          } catch (err) {
            say({
              hop: 'cleanup',
              ok: false,
              ms: null,
              detail: `could not delete rule ${ruleId}: ${describe(err)} (mutt rules rm ${ruleId})`,
            });
          }
        }
        await observer.close();
        if (json) printJson({ ok: delivered, canary: ruleId, via: observer.via, hops });
        else
          console.log(
            delivered
              ? `OK: the canary reached Moogsoft ${((hops.find((h) => h.hop === 'delivered')?.ms ?? 0) / 1000).toFixed(2)} s after it was sent`
              : 'FAILED: the canary did not arrive (see the hop marked FAIL)',
          );
      }
    });
  },
};
