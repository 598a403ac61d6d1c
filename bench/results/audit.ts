// throwaway: time audit queries over N records
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNats } from '../../tests/helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { jsPublisher } from '../../actors/runtime/js-publisher.ts';
import { encode } from '../../protocol/codec.ts';
import { EventAuditRecord } from '../../protocol/messages.ts';
import { subjects, Headers } from '../../protocol/subjects.ts';
import { EventAuditService } from '../../gateway/services/audit-events.ts';
const N = Number(process.env.N ?? 10000);
const nats = await startNats();
const nc = await connect({ servers: nats.url });
await provision(nc, loadEnv({ NATS_URL: nats.url, MUTT_STORAGE: 'file' }));
const pub = jsPublisher(nc);
const decisions = ['page_and_ticket', 'ignore', 'unhandled', 'ticket_only'] as const;
const ps: Promise<unknown>[] = [];
for (let i = 0; i < N; i++) {
  const host = `h${i % 50}.example.com`; const d = decisions[i % 4]; const rule = d === 'unhandled' ? '_unhandled' : `r${i % 20}`;
  const rec = { kind: d === 'unhandled' ? 'unhandled' : 'handled', eventId: `e${i}`, correlationId: `c${i}`, at: Date.now(), eventTime: Date.now(), host, ruleId: d === 'unhandled' ? null : rule, decision: d, forwarded: d !== 'ignore' && d !== 'unhandled', environment: 'prod', team: 'NETO', severity: 3,
    event: { kind: 'syslog', id: `e${i}`, correlationId: `c${i}`, host, message: 'x'.repeat(400), severity: 3, time: Date.now(), receivedAt: Date.now(), source: { input: 'nats' }, parse: 'rfc5424' } };
  ps.push(pub.publish(subjects.auditEvent(host, rule), encode(EventAuditRecord, rec as any), { headers: { [Headers.decision]: d } }));
  if (ps.length > 2000) { await Promise.all(ps); ps.length = 0; }
}
await Promise.all(ps);
const svc = new EventAuditService(await jetstreamManager(nc));
const time = async (label: string, f: any) => { const t = performance.now(); const p = await svc.query(f); console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms, ${p.items.length} items, scanned ${p.scanned}, total ${p.total}, next ${p.nextCursor}`); };
await time('newest 100', { limit: 100, order: 'desc' });
await time('oldest 100', { limit: 100, order: 'asc' });
await time('host desc 100', { host: 'h7.example.com', limit: 100, order: 'desc' });
await time('decision=ignore desc 100', { decision: 'ignore', limit: 100, order: 'desc' });
await time('forwarded=false asc 1000', { forwarded: false, limit: 1000, order: 'asc' });
await time('decision=meta_alert (none) desc', { decision: 'meta_alert', limit: 100, order: 'desc' });
await time('time window', { from: Date.now() - 3_600_000, to: Date.now(), limit: 100, order: 'desc' });
await nc.close(); await nats.stop();
