// Keeps one actor running: setup, run (consume loop or listener), and on a crash restart with exponential
// backoff (1 s doubling to 30 s, reset after a minute of health), counted and logged. Returns once the
// process is stopping and the actor has finished its in-flight work.
//   await supervise(def, rt)

import type { ActorDef, ActorRuntime, RunningActorDef } from './define.ts';
import { isConsuming } from './define.ts';
import { runConsumer, sleep } from './consume.ts';
import { describeError } from './errors.ts';
import { actorMetrics } from './metrics.ts';

export async function supervise(def: ActorDef, rt: ActorRuntime): Promise<void> {
  const metrics = actorMetrics(rt.registry, def.name);
  const component = `actor:${def.name}`;
  let delay = 1000;
  while (!rt.signal.aborted) {
    const started = Date.now();
    let crash: { err: unknown } | undefined;
    // What setup opened is closed whatever happens next, before the backoff: a setup that fails after opening
    // watches and timers would otherwise leak them on every restart (teardown only sees a state setup returned).
    const cleanups: (() => unknown)[] = [];
    let state: unknown;
    try {
      rt.health.set(component, false, 'starting');
      state = def.setup ? await def.setup(rt, (fn) => void cleanups.push(fn)) : undefined;
      rt.health.set(component, true);
      if (isConsuming(def)) await runConsumer(def, rt, state);
      else await (def as RunningActorDef<unknown>).run(rt, state);
      if (!rt.signal.aborted) crash = { err: new Error('actor stopped by itself') };
    } catch (err) {
      crash = { err };
    } finally {
      await endStart(def, rt, cleanups, state);
    }
    if (!crash || rt.signal.aborted) break;
    if (Date.now() - started > 60_000) delay = 1000;
    metrics.restarts.inc();
    rt.health.set(component, false, `crashed: ${describeError(crash.err)}; restarting in ${delay} ms`);
    rt.log.error({ actor: def.name, err: describeError(crash.err), restartInMs: delay }, 'actor crashed; restarting');
    await sleep(delay, rt.signal);
    delay = Math.min(delay * 2, 30_000);
  }
  rt.health.remove(component);
}

/** Runs one start's cleanups in reverse order of registration, then teardown; a failure is logged, never thrown. */
async function endStart(def: ActorDef, rt: ActorRuntime, cleanups: (() => unknown)[], state: unknown): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      rt.log.warn({ actor: def.name, err: describeError(err) }, 'cleanup failed');
    }
  }
  if (def.teardown && state !== undefined)
    await def.teardown(state).catch((err: unknown) => rt.log.warn({ actor: def.name, err: describeError(err) }, 'teardown failed'));
}
