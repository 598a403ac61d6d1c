// A consuming actor for runtime tests, driven by the event's message text:
//   'ok'            succeed
//   'fail-once'     retryable failure on attempt 1, then succeed
//   'always-fail'   retryable failure every time (ends in the DLQ)
//   'permanent'     PermanentError('rejected')
//   'sleep:<ms>'    announce start on test.started.<id>, work <ms>, announce test.done.<id>
// Every outcome is announced on core NATS (test.<outcome>.<id>) so tests can count without peeking at internals.

import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { PermanentError, RetryableError } from '../../actors/runtime/errors.ts';

export function testActor(
  opts: { durable?: string; backoffMs?: number[]; concurrency?: number; gate?: () => Promise<void> | undefined } = {},
) {
  return defineActor({
    name: 'tester',
    consumes: { stream: StreamName.events, durable: opts.durable ?? 'tester', schema: IngestEvent },
    publishes: ['mutt.dlq.tester.>'],
    concurrency: opts.concurrency ?? 8,
    retry: { backoffMs: opts.backoffMs ?? [100, 100] },
    gate: opts.gate ? () => opts.gate!() : undefined,
    async handle(event, ctx) {
      const say = (what: string) =>
        ctx.nc.publish(`test.${what}.${event.id}`, JSON.stringify({ attempt: ctx.delivery.attempt, pid: process.pid }));
      const m = event.message;
      if (m === 'fail-once' && ctx.delivery.attempt === 1) throw new RetryableError('dependency', 'first attempt fails');
      if (m === 'always-fail') throw new RetryableError('dependency', `attempt ${ctx.delivery.attempt} failed`);
      if (m === 'permanent') throw new PermanentError('rejected', 'refused for good', { status: 400, excerpt: 'bad' });
      if (m.startsWith('sleep:')) {
        say('started');
        await new Promise((r) => setTimeout(r, Number(m.slice(6))));
      }
      say('done');
    },
  });
}

export function sampleEvent(id: string, message: string): IngestEvent {
  const now = Date.now();
  return {
    kind: 'syslog',
    id,
    correlationId: `c-${id}`,
    host: 'test.host',
    message,
    severity: 3,
    time: now,
    receivedAt: now,
    source: { input: 'nats' },
    parse: 'json',
  };
}
