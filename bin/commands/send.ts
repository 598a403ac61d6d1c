// `mutt send`: test events into MUTT — one (--host/--message), a file (JSON or NDJSON, v2.5 shapes accepted),
// or a generated stream at a rate (--rate with --count or --duration) — over HTTP to the gateway's
// POST /api/v2/events in batches, or straight into MUTT_EVENTS over NATS (--nats). A progress line (sent,
// acked, failed, rate) goes to stderr; the totals to stdout. Exit 0 only when every event was stored.
//   mutt send --url http://gw:8080 --key-file k --rate 500 --duration 60s --retry 5

import { randomBytes } from 'node:crypto';
import { CliError, parseFlags } from '../cli-error.ts';
import { parseDuration, positiveInt } from '../cli/durations.ts';
import { fromList, generated, readItemsFile, type Item, type ItemSource } from '../cli/event-source.ts';
import { formatDuration, printJson } from '../cli/format.ts';
import { GATEWAY_FLAGS, gatewayFrom } from '../cli/gateway-client.ts';
import { ProgressLine } from '../cli/progress.ts';
import { HttpSender, NatsSender, type BatchResult, type Sender } from '../cli/senders.ts';
import { guard, openNats } from '../cli/session.ts';
import type { Command } from './command.ts';

const FLAGS = {
  ...GATEWAY_FLAGS,
  nats: 'boolean',
  host: 'string',
  message: 'string',
  severity: 'string',
  'trap-oid': 'string',
  kind: 'string',
  hosts: 'number',
  file: 'string',
  rate: 'number',
  count: 'number',
  duration: 'string',
  batch: 'number',
  concurrency: 'number',
  retry: 'number',
  'correlation-id': 'string',
  json: 'boolean',
  quiet: 'boolean',
} as const;

export interface SendTotals {
  /** This run's id: in generated messages ({run}), Idempotency-Keys and the default correlation id. */
  run: string;
  target: string;
  sent: number;
  acked: number;
  duplicates: number;
  rejected: number;
  failed: number;
  retries: number;
  causes: Record<string, number>;
  errors: string[];
  seconds: number;
  rate: number;
  ids?: (string | null)[];
  correlation_id?: string;
}

const sleep = (ms: number, signal?: { stopped: boolean }) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.stopped) return resolve();
    setTimeout(resolve, ms);
  });

function takeBatch(src: ItemSource, size: number): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < size; i++) {
    const item = src.next();
    if (!item) break;
    out.push(item);
  }
  return out;
}

export const send: Command = {
  name: 'send',
  usage: `usage: mutt send (--url URL [--key-file F] | --nats) EVENTS [options]

EVENTS, one of:
  --host H --message M [--severity S] [--trap-oid O] [--kind syslog|trap]     one event
  --file events.json|events.ndjson                                            every item of the file
  --rate N (--count N | --duration 60s) [--host H] [--hosts K] [--message M]  a generated stream
      --message may contain {n} (the event number) and {run} (this run's id); default "mutt send test {run} #{n}"
      --hosts K cycles through K host names (H-0 ... H-K-1, or {n} in H); --rate alone with --count sends as fast as allowed
Files may use v2.5's shapes (hostname, timestamp, syslog_severity names, trap_oid, variables); the gateway
normalises them like any post.

Transport:
  --url URL  (or MUTT_URL)  POST /api/v2/events in batches; key from --key-file, MUTT_API_KEY or --key (scope ingest)
  --nats                    publish into MUTT_EVENTS directly (NATS_URL etc.; the NATS user needs mutt.events.>)

Options:
  --batch N (100)  --concurrency N (8 requests in flight)  --retry N (0: a 503/429/network failure is counted
  as failed; N: the batch is sent again after Retry-After, up to N times — it is deduplicated by Idempotency-Key)
  --correlation-id ID  --json (totals as JSON)  --quiet (no progress line)
Progress (sent, acked, failed, rate) goes to stderr every 2 s (redrawn on a terminal); totals to stdout.
Exit 0 when every event was stored, 1 when any was refused or failed.

examples:
  mutt send --url http://gw:8080 --key-file ops.key --host core-sw1 --message "%LINK-3-UPDOWN: LINK-DOWN Gi0/1" --severity err
  mutt send --url http://gw:8080 --key-file ops.key --file demo_syslog_events.json
  mutt send --url http://gw:8080 --key-file ops.key --rate 500 --duration 60s --hosts 50 --retry 5
  mutt send --nats --rate 2000 --count 100000`,
  run(argv) {
    return guard('send', async () => {
      const { flags, positionals } = parseFlags(argv, FLAGS);
      if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}' (event fields are flags: --host, --message)`);
      if (flags.url !== undefined && flags.nats === true) throw new CliError('--url and --nats exclude each other (choose one transport)');
      const gw = flags.nats === true ? null : gatewayFrom(flags);
      if (!gw && flags.nats !== true) throw new CliError('where to? give --url http://gateway:8080 (or MUTT_URL) or --nats');
      const run = randomBytes(4).toString('hex');
      const streamMode = flags.rate !== undefined || flags.count !== undefined || flags.duration !== undefined;
      if (flags.file !== undefined && (flags.host !== undefined || flags.message !== undefined))
        throw new CliError('--file and --host/--message exclude each other');
      const rate = flags.rate === undefined ? null : Number(flags.rate);
      if (rate !== null && !(rate > 0)) throw new CliError(`--rate must be a positive number of events per second (got '${flags.rate}')`);
      const durationMs = flags.duration === undefined ? null : parseDuration('duration', flags.duration);
      if (durationMs !== null && flags.count !== undefined) throw new CliError('--count and --duration exclude each other');
      if (durationMs !== null && rate === null) throw new CliError('--duration needs --rate (events per second)');
      let source: ItemSource;
      if (flags.file !== undefined) {
        const items = readItemsFile(String(flags.file));
        if (items.length === 0) throw new CliError(`--file ${flags.file} holds no events`);
        source = fromList(items);
      } else if (streamMode) {
        source = generated({
          run,
          host: (flags.host as string | undefined) ?? 'mutt-send',
          hosts: positiveInt('hosts', flags.hosts, 1, 1_000_000),
          message: (flags.message as string | undefined) ?? 'mutt send test {run} #{n}',
          severity: flags.severity as string | undefined,
          trapOid: flags['trap-oid'] as string | undefined,
          kind: flags.kind as string | undefined,
          count: durationMs !== null ? null : positiveInt('count', flags.count, 1),
        });
      } else {
        if (flags.host === undefined)
          throw new CliError('--host is required for one event (or give --file, or --rate with --count/--duration)');
        if (flags.message === undefined) throw new CliError('--message is required for one event');
        const item: Item = { host: flags.host, message: flags.message };
        if (flags.severity !== undefined) item.severity = flags.severity;
        if (flags['trap-oid'] !== undefined) item.trap_oid = flags['trap-oid'];
        if (flags.kind !== undefined) item.kind = flags.kind;
        source = fromList([item]);
      }
      const batchMax = positiveInt('batch', flags.batch, 100, 10_000);
      // At a set rate, batches are small enough to keep the pace smooth (about 10 a second).
      const batch = rate === null ? batchMax : Math.max(1, Math.min(batchMax, Math.round(rate / 10)));
      const concurrency = positiveInt('concurrency', flags.concurrency, 8, 256);
      const retries = flags.retry === undefined ? 0 : Number(flags.retry);
      if (!Number.isInteger(retries) || retries < 0 || retries > 1000)
        throw new CliError(`--retry must be a whole number from 0 to 1000 (got '${flags.retry}')`);
      const correlationId = (flags['correlation-id'] as string | undefined) ?? `mutt-send-${run}`;

      let sender: Sender;
      if (gw) sender = new HttpSender(gw, correlationId);
      else {
        const s = await openNats('send');
        sender = await NatsSender.open(s.nc, s.url, correlationId);
      }
      const totals: SendTotals = {
        run,
        target: sender.target,
        sent: 0,
        acked: 0,
        duplicates: 0,
        rejected: 0,
        failed: 0,
        retries: 0,
        causes: {},
        errors: [],
        seconds: 0,
        rate: 0,
      };
      const started = performance.now();
      const elapsed = () => (performance.now() - started) / 1000;
      const stop = { stopped: false, fatal: undefined as string | undefined };
      const onSigint = () => (stop.stopped = true);
      process.once('SIGINT', onSigint);
      const showProgress = flags.quiet !== true && flags.json !== true && (source.total === null || source.total > batch);
      const progress = showProgress
        ? new ProgressLine(
            () =>
              `sent ${totals.sent}  acked ${totals.acked}  failed ${totals.failed}${totals.rejected ? `  rejected ${totals.rejected}` : ''}  rate ${Math.round(totals.acked / Math.max(elapsed(), 0.001))}/s  elapsed ${formatDuration(elapsed() * 1000)}`,
          ).start()
        : null;
      const single = source.total === 1;

      const sendBatch = async (items: Item[], key: string) => {
        let r: BatchResult | undefined;
        let earlierAcked = 0;
        for (let attempt = 0; ; attempt++) {
          r = await sender.send(items, key);
          if (r.fatal) stop.fatal ??= r.fatal;
          if (!r.retryable || r.fatal || attempt >= retries || stop.stopped) break;
          earlierAcked = Math.max(earlierAcked, r.acked);
          totals.retries++;
          await sleep(r.retryAfterMs, stop);
        }
        totals.acked += r.acked;
        totals.duplicates += Math.max(0, r.duplicates - earlierAcked);
        totals.rejected += r.rejected;
        totals.failed += r.failed;
        for (const [k, v] of Object.entries(r.causes)) totals.causes[k] = (totals.causes[k] ?? 0) + v;
        for (const e of r.errors) if (totals.errors.length < 5) totals.errors.push(e);
        if (single) {
          totals.ids = r.ids;
          totals.correlation_id = r.correlationId;
        }
      };

      const inFlight = new Set<Promise<void>>();
      let n = 0;
      for (;;) {
        if (stop.stopped || stop.fatal) break;
        if (durationMs !== null && elapsed() * 1000 >= durationMs) break;
        if (rate !== null) await sleep(started + (totals.sent / rate) * 1000 - performance.now(), stop);
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        const items = takeBatch(source, batch);
        if (items.length === 0) break;
        totals.sent += items.length;
        const p = sendBatch(items, `${run}-${n++}`).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
      process.removeListener('SIGINT', onSigint);
      progress?.done();
      await sender.close();
      totals.seconds = Math.round(elapsed() * 100) / 100;
      totals.rate = Math.round(totals.acked / Math.max(elapsed(), 0.001));
      if (flags.json === true) printJson(totals);
      else {
        const causes = Object.entries(totals.causes)
          .map(([k, v]) => `${k} x${v}`)
          .join(', ');
        console.log(
          `sent ${totals.sent} event(s) to ${totals.target} in ${totals.seconds} s: acked ${totals.acked}` +
            `${totals.duplicates ? ` (${totals.duplicates} duplicate)` : ''}, rejected ${totals.rejected}, failed ${totals.failed}${causes ? ` (${causes})` : ''}` +
            `${totals.retries ? `, ${totals.retries} batch retr${totals.retries === 1 ? 'y' : 'ies'}` : ''}, ${totals.rate}/s (run ${run})`,
        );
        if (single && totals.ids?.[0]) console.log(`event id ${totals.ids[0]}, correlation id ${totals.correlation_id ?? correlationId}`);
        for (const e of totals.errors) console.log(`  ${e}`);
      }
      if (stop.fatal) {
        console.error(`mutt send: stopped: ${stop.fatal}`);
        return 1;
      }
      return totals.failed === 0 && totals.rejected === 0 && totals.acked === totals.sent ? 0 : 1;
    });
  },
};
