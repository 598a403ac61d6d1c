// Before a long-running `mutt` process connects to anything: are the ports it will listen on free? A port that is
// taken is one line naming the port and the variable that moves it (exit 1), instead of a stack trace (the HTTP
// server) or an actor restarting forever (the syslog and trap listeners). The check binds and releases each port;
// a program that takes one in the moment between is still caught by the listener itself.
//   await assertPortsFree(portsFor(env, ['alerter', 'syslog']))

import dgram from 'node:dgram';
import net from 'node:net';
import type { Env } from '../protocol/env.ts';
import { CommandFailed } from './cli/session.ts';

export interface PortNeed {
  port: number;
  host: string;
  protocol: 'tcp' | 'udp';
  /** The environment variable that sets this port. */
  variable: 'MUTT_HTTP_PORT' | 'MUTT_SYSLOG_PORT' | 'MUTT_TRAP_PORT';
  what: string;
}

/** The ports a process with these actors binds (every process serves HTTP); port 0 (any free port) needs no check. */
export function portsFor(
  env: Pick<Env, 'MUTT_HTTP_HOST' | 'MUTT_HTTP_PORT' | 'MUTT_SYSLOG_PORT' | 'MUTT_TRAP_PORT'>,
  actors: readonly string[],
): PortNeed[] {
  const host = env.MUTT_HTTP_HOST;
  const needs: PortNeed[] = [{ port: env.MUTT_HTTP_PORT, host, protocol: 'tcp', variable: 'MUTT_HTTP_PORT', what: 'HTTP' }];
  if (actors.includes('syslog')) {
    needs.push({ port: env.MUTT_SYSLOG_PORT, host, protocol: 'tcp', variable: 'MUTT_SYSLOG_PORT', what: 'syslog' });
    needs.push({ port: env.MUTT_SYSLOG_PORT, host, protocol: 'udp', variable: 'MUTT_SYSLOG_PORT', what: 'syslog' });
  }
  if (actors.includes('traps'))
    needs.push({ port: env.MUTT_TRAP_PORT, host, protocol: 'udp', variable: 'MUTT_TRAP_PORT', what: 'SNMP trap' });
  return needs.filter((n) => n.port !== 0);
}

function tryBind(n: PortNeed): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    if (n.protocol === 'tcp') {
      const server = net.createServer();
      server.once('error', (err) => resolve(err));
      server.listen({ port: n.port, host: n.host, exclusive: true }, () => server.close(() => resolve(null)));
    } else {
      const sock = dgram.createSocket(n.host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', (err) => {
        sock.close();
        resolve(err);
      });
      sock.bind({ port: n.port, address: n.host, exclusive: true }, () => sock.close(() => resolve(null)));
    }
  });
}

/** Throws CommandFailed for the first port that cannot be bound, naming it and its variable. */
export async function assertPortsFree(needs: readonly PortNeed[]): Promise<void> {
  for (const n of needs) {
    const err = await tryBind(n);
    if (!err) continue;
    const where = `${n.what} port ${n.port} (${n.protocol} on ${n.host})`;
    if (err.code === 'EADDRINUSE')
      throw new CommandFailed(`${where} is already in use by another program: stop it, or set ${n.variable} to a free port`);
    if (err.code === 'EACCES')
      throw new CommandFailed(
        `${where} needs privileges this process lacks (ports below 1024 do): set ${n.variable} to a port of 1024 or above`,
      );
    if (err.code === 'EADDRNOTAVAIL') throw new CommandFailed(`${where}: ${n.host} is not an address of this machine: set MUTT_HTTP_HOST`);
    throw new CommandFailed(`${where} cannot be bound (${err.code ?? err.message}): set ${n.variable}`);
  }
}
