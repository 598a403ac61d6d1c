// The shipped nats.conf (with deploy/nats/accounts.conf) with its documented tls block uncommented and pointed
// at certificates made with openssl: the deployment a producer meets in production. The uncommenting is the
// same as tests/deploy/nats-tls.test.ts does (kept apart because that file is a suite, not a module).

import { makeCerts, tempDir, type Certs } from '../deploy/helpers.ts';
import { startShippedNats, type ShippedNats } from '../deploy/nats-server.ts';

function enableTls(conf: string, c: Certs): string {
  const start = conf.indexOf('# --- tls (uncomment to enable)');
  const end = conf.indexOf('# --- end tls');
  if (start < 0 || end < start) throw new Error('nats.conf: no tls markers');
  const block = conf
    .slice(start, end)
    .split('\n')
    .map((line) => {
      const m = /^# ( *)(tls \{|\}|[a-z_]+:.*|# .*)$/.exec(line);
      return m && !line.startsWith('# ---') ? `${m[1]}${m[2]}` : line;
    })
    .join('\n');
  const enabled = block.replace('/etc/nats/tls/server.pem', c.cert).replace('/etc/nats/tls/server-key.pem', c.key);
  if (!/^tls \{$/m.test(enabled)) throw new Error('nats.conf: the tls block did not uncomment');
  return conf.slice(0, start) + enabled + conf.slice(end);
}

export async function startTlsShippedNats(): Promise<{ nats: ShippedNats; certs: Certs }> {
  const certs = await makeCerts(tempDir('producer-tls'));
  const nats = await startShippedNats({ transform: (c) => enableTls(c, certs), scheme: 'tls' });
  return { nats, certs };
}
