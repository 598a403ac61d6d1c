// Binds a TCP server and a UDP socket to the same port number, as syslog expects (514/tcp + 514/udp). Port 0
// means any free port: TCP takes one first, then UDP tries the same number, and the pair is retried on another
// port when UDP finds it taken.
//   const { server, udp, port } = await bindTcpAndUdp({ port: 0, host: '127.0.0.1', onConnection, onMessage })

import dgram from 'node:dgram';
import net from 'node:net';

export class PortBindError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PortBindError';
  }
}

export interface BoundSockets {
  server: net.Server;
  udp: dgram.Socket;
  port: number;
}

const ATTEMPTS = 20;

export async function bindTcpAndUdp(opts: {
  port: number;
  host: string;
  onConnection: (socket: net.Socket) => void;
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo) => void;
}): Promise<BoundSockets> {
  const type = opts.host.includes(':') ? 'udp6' : 'udp4';
  let lastError: unknown;
  for (let attempt = 0; attempt < (opts.port === 0 ? ATTEMPTS : 1); attempt++) {
    const server = net.createServer(opts.onConnection);
    try {
      await listenTcp(server, opts.port, opts.host);
    } catch (err) {
      throw new PortBindError(`cannot listen on tcp ${opts.host}:${opts.port}: ${(err as Error).message}`, { cause: err });
    }
    const port = (server.address() as net.AddressInfo).port;
    const udp = dgram.createSocket(type);
    try {
      await bindUdp(udp, port, opts.host);
    } catch (err) {
      lastError = err;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      udp.removeAllListeners();
      try {
        udp.close();
      } catch {
        /* never bound */
      }
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && opts.port === 0) continue;
      break;
    }
    udp.on('message', opts.onMessage);
    return { server, udp, port };
  }
  throw new PortBindError(`cannot bind udp ${opts.host}:${opts.port}: ${(lastError as Error)?.message}`, { cause: lastError });
}

function listenTcp(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function bindUdp(udp: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    udp.once('error', onError);
    udp.bind({ port, address: host, exclusive: true }, () => {
      udp.off('error', onError);
      resolve();
    });
  });
}
