// A free port for a test server: bind port 0, read the port, let go (the OS does not hand it out again at once).
//   const port = await freeTcpPort(); const udp = await freeUdpPort()

import net from 'node:net';
import { freeUdpPort as freeUdp } from '../../actors/traps/port.ts';

export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The product's own finder (the trap receiver uses it), IPv4 by default. */
export function freeUdpPort(host = '127.0.0.1', type: 'udp4' | 'udp6' = 'udp4'): Promise<number> {
  return freeUdp(host, type);
}
