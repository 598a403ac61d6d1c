// Before the forwarder can deliver it needs MOOG_WEBHOOK_URL and a usable credential (MOOG_API_KEY or
// MOOG_API_KEY_FILE). Without them it waits instead of crashing: one warning line, and the actor's readiness
// (/readyz, `mutt status`) names what is missing. A credential file that appears later is picked up (checked
// every few seconds); a missing variable needs a restart with it set, as every environment variable does.
//   await awaitDeliverySettings(rt)   // returns when deliverable; throws only when the process is stopping

import type { ActorRuntime } from '../runtime/define.ts';
import { sleep } from '../runtime/consume.ts';
import { CredentialError, loadMoogCredential } from './credentials.ts';

const RECHECK_MS = 5_000;

/** What keeps the forwarder from delivering, as one sentence naming the variables; null when nothing does. */
export function missingDeliverySettings(env: ActorRuntime['env']): string | null {
  const missing: string[] = [];
  if (!env.MOOG_WEBHOOK_URL) missing.push('MOOG_WEBHOOK_URL is not set');
  try {
    loadMoogCredential(env);
  } catch (err) {
    if (!(err instanceof CredentialError)) throw err;
    missing.push(err.message);
  }
  return missing.length ? `${missing.join('; ')}: the forwarder waits and delivers nothing until it is` : null;
}

export async function awaitDeliverySettings(rt: ActorRuntime): Promise<void> {
  let problem = missingDeliverySettings(rt.env);
  if (!problem) return;
  rt.log.warn({ actor: rt.name }, problem);
  while (problem) {
    rt.health.set(`actor:${rt.name}`, false, `waiting: ${problem}`);
    await sleep(RECHECK_MS, rt.signal);
    if (rt.signal.aborted) throw new Error('stopping while waiting for the Moogsoft settings');
    problem = missingDeliverySettings(rt.env);
  }
  rt.log.info({ actor: rt.name }, 'Moogsoft settings present; the forwarder starts delivering');
}
