// Every actor `mutt up` runs, by the name `mutt run <actor>` takes.
import type { ActorDef } from '../actors/runtime/define.ts';

export const ACTOR_NAMES = ['alerter', 'forwarder', 'remediation', 'syslog', 'traps'] as const;
export type ActorName = (typeof ACTOR_NAMES)[number];

/** Loaded lazily so `mutt run syslog` does not load the forwarder's HTTP client, and so on. */
export async function loadActor(name: ActorName): Promise<ActorDef> {
  switch (name) {
    case 'alerter':
      return (await import('../actors/alerter/actor.ts')).default;
    case 'forwarder':
      return (await import('../actors/forwarder/actor.ts')).default;
    case 'remediation':
      return (await import('../actors/remediation/actor.ts')).default;
    case 'syslog':
      return (await import('../actors/syslog/actor.ts')).default;
    case 'traps':
      return (await import('../actors/traps/actor.ts')).default;
  }
}
