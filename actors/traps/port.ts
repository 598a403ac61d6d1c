// A free UDP port, found by binding port 0 and letting go. net-snmp cannot be given port 0 (it silently uses
// 162), so the receiver asks here first and retries if another process takes the port in between.
//   const port = await freeUdpPort('127.0.0.1', 'udp4')

import dgram from 'node:dgram';

export function freeUdpPort(host: string, type: 'udp4' | 'udp6'): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(type);
    sock.once('error', reject);
    sock.bind(0, host, () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}
