// Shared forwarder state in a real NATS KV bucket: compare-and-set never loses an update, the rate limit holds
// across replicas (each with its own connection, as separate processes would), and one probe is admitted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { JetStreamApiError } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { casUpdate, CasContentionError, isCasConflict, type CasStore } from '../../actors/runtime/kv-cas.ts';
import type { RateConfig } from '../../actors/forwarder/rate-limit.ts';
import { createSharedRateGate, RateGate } from '../../actors/forwarder/rate-gate.ts';
import { initialBreaker, parseBreaker, recordResult, tryAcquire, type BreakerConfig } from '../../actors/forwarder/breaker.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';

let nats: TestNats;
const conns: NatsConnection[] = [];
async function replicaKv(): Promise<KV> {
  const nc = await connect({ servers: nats.url });
  conns.push(nc);
  // Opened, not created: six concurrent creates of one bucket race in the server ("subjects overlap").
  return new Kvm(nc).open('mutt_state_test');
}

test.before(async () => {
  nats = await startNats();
  const nc = await connect({ servers: nats.url });
  conns.push(nc);
  await new Kvm(nc).create('mutt_state_test', { history: 1 });
});
test.after(async () => {
  for (const nc of conns) await nc.close();
  await nats.stop();
});

test('concurrent read-modify-write from many replicas loses no update', async () => {
  const kvs = await Promise.all(Array.from({ length: 6 }, () => replicaKv()));
  const parse = (v: unknown) => (typeof v === 'object' && v !== null ? (v as { n: number }) : { n: 0 });
  let maxTries = 0;
  await Promise.all(
    kvs.map(async (kv) => {
      for (let i = 0; i < 25; i++) {
        const r = await casUpdate(kv, 'counter', parse, (s) => ({ state: { n: s.n + 1 }, result: null }));
        maxTries = Math.max(maxTries, r.tries);
      }
    }),
  );
  const final = await casUpdate(kvs[0], 'counter', parse, (s) => ({ state: s, result: s.n }));
  assert.is(final.result, 150);
  assert.is(final.written, false, 'an unchanged state is not written');
  assert.ok(maxTries > 1, 'the replicas did collide (the test exercises conflicts)');
});

test('a deleted key is recreated; unreadable JSON falls back to the parser default', async () => {
  const kv = await replicaKv();
  await kv.put('odd', new TextEncoder().encode('{not json'));
  const r = await casUpdate(
    kv,
    'odd',
    (v): string => (v === undefined ? 'default' : 'parsed'),
    (s) => ({ state: s, result: s }),
  );
  assert.is(r.result, 'default');
  await kv.delete('odd');
  const w = await casUpdate(
    kv,
    'odd',
    (v) => (v as number | undefined) ?? 0,
    (s) => ({ state: s + 1, result: s }),
  );
  assert.equal([w.result, w.written], [0, true]);
});

test("the server's own conflict answers are recognised by their code, for update and for create", async () => {
  const kv = await replicaKv();
  const rev = await kv.put('conflict', new TextEncoder().encode('1'));
  await kv.put('conflict', new TextEncoder().encode('2'));
  const stale = await kv.update('conflict', new TextEncoder().encode('3'), rev).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(isCasConflict(stale), `update with a stale revision: ${String(stale)}`);
  const exists = await kv.create('conflict', new TextEncoder().encode('4')).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(isCasConflict(exists), `create of an existing key: ${String(exists)}`);
});

test('conflicts are told by code, not text: an error that only says "wrong last sequence" propagates at once', async () => {
  let creates = 0;
  const lookalike: CasStore = {
    get: async () => null,
    create: async () => {
      creates++;
      throw new Error('proxy said: wrong last sequence');
    },
    update: async () => 0,
  };
  const err = await casUpdate(
    lookalike,
    'k',
    () => 0,
    (s) => ({ state: s + 1, result: 0 }),
    { maxTries: 5 },
  ).then(
    () => null,
    (e: unknown) => e,
  );
  assert.is((err as Error)?.message, 'proxy said: wrong last sequence');
  assert.is(creates, 1, 'not retried as a conflict');
  assert.not.ok(isCasConflict(Object.assign(new Error('x'), { code: 10071 })), "a code on some other error is not the server's answer");
});

test('conflicts are recognised; other errors propagate; endless contention gives up', async () => {
  assert.not.ok(isCasConflict(new Error('timeout')));
  const failing: CasStore = {
    get: async () => null,
    create: async () => {
      throw new Error('nats down');
    },
    update: async () => 0,
  };
  try {
    await casUpdate(
      failing,
      'k',
      () => 0,
      (s) => ({ state: s + 1, result: 0 }),
    );
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, 'nats down');
  }
  const contended: CasStore = {
    get: async () => null,
    create: async () => {
      throw new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence: 1' });
    },
    update: async () => 0,
  };
  try {
    await casUpdate(
      contended,
      'k',
      () => 0,
      (s) => ({ state: s + 1, result: 0 }),
      { maxTries: 3 },
    );
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CasContentionError);
    assert.is((err as CasContentionError).tries, 3);
  }
});

function maxInWindow(times: number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= periodMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

test('the rate limit holds across replicas sharing the KV, and every waiting caller is served', async () => {
  const cfg: RateConfig = { limit: 40, periodSeconds: 1 };
  const replicas = 4;
  const perReplica = 30; // 120 sends at 40/s: about 3 s
  const granted: number[] = [];
  const sentAt: number[] = [];
  let casWrites = 0;
  const kvs = await Promise.all(Array.from({ length: replicas }, () => replicaKv()));
  const started = Date.now();
  await Promise.all(
    kvs.map(async (kv) => {
      const gate = createSharedRateGate(kv, () => cfg, {
        onGranted: (slots) => {
          granted.push(...slots);
          casWrites++;
        },
      });
      // Callers outnumber the block: many wait at once, as concurrent deliveries in one forwarder would.
      await Promise.all(
        Array.from({ length: perReplica }, async () => {
          await gate.acquire();
          sentAt.push(Date.now());
        }),
      );
      assert.is(gate.waiting, 0);
    }),
  );
  const elapsed = Date.now() - started;
  assert.is(sentAt.length, replicas * perReplica, 'nobody was dropped');
  assert.ok(maxInWindow(granted, 1000) <= cfg.limit, `granted peak ${maxInWindow(granted, 1000)}`);
  // Releases trail their permits by at most the tolerance (later ones are dropped), which the schedule absorbs.
  assert.ok(maxInWindow(sentAt, 1000) <= cfg.limit, `sent peak ${maxInWindow(sentAt, 1000)}`);
  assert.ok(elapsed >= ((replicas * perReplica - cfg.limit) / cfg.limit) * 1000 - 100, `took ${elapsed} ms: the limit really limited`);
  assert.ok(casWrites < (replicas * perReplica) / 2, `${casWrites} CAS writes for ${replicas * perReplica} permits (blocks)`);
});

test('the rate gate asks for about what its callers take, not a whole block of a limit far above its traffic', async () => {
  const now = 0;
  const asked: number[] = [];
  const gate = new RateGate({
    reserve: async (n) => {
      asked.push(n);
      return { slots: Array.from({ length: n }, () => now) };
    },
    blockSize: () => 1000,
    now: () => now,
    toleranceMs: 10,
  });
  await gate.acquire();
  assert.equal(asked, [16], 'a first ask of 16, not 1,000');
  // 40 concurrent callers: 15 take what is left, 25 wait; the block was used up, so the next ask doubles.
  await Promise.all(Array.from({ length: 40 }, () => gate.acquire()));
  assert.equal(asked.slice(0, 2), [16, 32], 'twice what the last block gave, which covers the 25 waiting');
  assert.ok(asked.every((n) => n <= 1000));
  const limited = new RateGate({
    reserve: async (n) => (asked.push(n), { slots: Array.from({ length: n }, () => now) }),
    blockSize: () => 5,
    now: () => now,
    toleranceMs: 10,
  });
  asked.length = 0;
  await limited.acquire();
  assert.equal(asked, [5], 'a block smaller than the minimum ask is asked for whole');
});

test('the rate gate drops stale permits, retries after waitMs, and honours abort', async () => {
  let now = 0;
  let calls = 0;
  const gate = new RateGate({
    reserve: async () => {
      calls++;
      if (calls === 1) return { slots: [0, 1, 2] };
      if (calls === 2) return { waitMs: 5 };
      return { slots: [now] };
    },
    blockSize: () => 3,
    now: () => now,
    toleranceMs: 100,
  });
  assert.is(await gate.acquire(), 0);
  assert.is(gate.available, 2);
  now = 1000; // the two remaining permits are stale now
  await gate.acquire();
  assert.is(gate.dropped, 2);
  assert.is(calls, 3, 'asked again after the wait');
  // A timer that fires long after the permit's time (busy event loop): that permit is dropped too.
  let clock = 0;
  let jumps = 1;
  const late = new RateGate({
    reserve: async () => {
      // While the caller sleeps towards its permit, the clock leaps 1 s (once).
      if (jumps-- > 0) setTimeout(() => (clock += 1000), 1);
      return { slots: [clock + 5] };
    },
    blockSize: () => 1,
    now: () => clock,
    toleranceMs: 10,
  });
  await late.acquire();
  assert.is(late.dropped, 1, 'a permit released after its tolerance is not used');
  const ac = new AbortController();
  const blocked = new RateGate({ reserve: () => new Promise(() => {}), blockSize: () => 1 });
  const p = blocked.acquire(ac.signal);
  ac.abort(new Error('shutdown'));
  await p.then(
    () => assert.unreachable(),
    (err: Error) => assert.is(err.message, 'shutdown'),
  );
  const failing = new RateGate({
    reserve: async () => {
      throw new Error('kv unreachable');
    },
    blockSize: () => 1,
  });
  await failing.acquire().then(
    () => assert.unreachable(),
    (err: Error) => assert.is(err.message, 'kv unreachable', 'fails closed'),
  );
});

test('replicas racing for the half-open probe: exactly one wins', async () => {
  const cfg: BreakerConfig = { failureRate: 0.5, minRequests: 2, windowSeconds: 30, openSeconds: 1, probeLeaseMs: 10_000 };
  const kvs = await Promise.all(Array.from({ length: 8 }, () => replicaKv()));
  const t0 = Date.now() - 5000;
  const opened = recordResult(recordResult(initialBreaker(t0), false, t0, cfg), false, t0, cfg);
  assert.is(opened.status, 'open');
  await kvs[0].put(BREAKER_KEY, new TextEncoder().encode(JSON.stringify(opened)));
  const results = await Promise.all(
    kvs.map((kv, i) =>
      casUpdate(
        kv,
        BREAKER_KEY,
        (v) => parseBreaker(v, Date.now()),
        (s) => {
          const a = tryAcquire(s, Date.now(), `replica-${i}:1`, cfg);
          return { state: a.state, result: a };
        },
      ),
    ),
  );
  const winners = results.filter((r) => r.result.allowed);
  assert.is(winners.length, 1);
  assert.ok(winners[0].result.probe);
  const stored = parseBreaker(JSON.parse(new TextDecoder().decode((await kvs[0].get(BREAKER_KEY))!.value)), Date.now());
  assert.is(stored.status, 'half_open');
  assert.is(stored.probe?.owner, winners[0].result.state.probe?.owner);
});

test.run();
