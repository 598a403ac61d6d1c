// The tls block documented (commented) in nats.conf, uncommented and pointed at certificates made here with
// openssl: a client that trusts the CA (MUTT with NATS_TLS_CA, or nats.js `tls: { caFile }`) connects; one
// that does not is refused; plain text is refused.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadEnv } from '../../protocol/env.ts';
import { connectNats } from '../../actors/runtime/connect.ts';
import { makeCerts, repoPath, tempDir, type Certs } from './helpers.ts';
import { startShippedNats, type ShippedNats } from './nats-server.ts';

const t = suite('nats.conf tls block');
let certsDir: string;
let certs: Certs;
let nats: ShippedNats;

/** Uncomments the block between the tls markers of nats.conf, keeping its inner comments, with our files. */
function enableTls(conf: string, c: Certs): string {
  const start = conf.indexOf('# --- tls (uncomment to enable)');
  const end = conf.indexOf('# --- end tls');
  assert.ok(start > 0 && end > start, 'nats.conf has the tls markers');
  const block = conf.slice(start, end).split('\n').map((line) => {
    const m = /^# ( *)(tls \{|\}|[a-z_]+:.*|# .*)$/.exec(line);
    return m && !line.startsWith('# ---') ? `${m[1]}${m[2]}` : line;
  }).join('\n');
  const enabled = block.replace('/etc/nats/tls/server.pem', c.cert).replace('/etc/nats/tls/server-key.pem', c.key);
  assert.match(enabled, /^tls \{$/m, 'the tls block is uncommented');
  return conf.slice(0, start) + enabled + conf.slice(end);
}

t.before(async () => {
  certsDir = tempDir('nats-tls');
  certs = await makeCerts(certsDir);
  nats = await startShippedNats({ transform: (c) => enableTls(c, certs), scheme: 'tls' });
});

t.after(async () => {
  await nats?.stop();
  rmSync(certsDir, { recursive: true, force: true });
});

t('the shipped block is commented out (TLS is opt-in) and names where certificates go', () => {
  const conf = readFileSync(repoPath('nats.conf'), 'utf8');
  assert.not.match(conf, /^\s*tls \{/m);
  assert.match(conf, /^# tls \{$/m);
  assert.match(conf, /^#\s+cert_file:/m);
  assert.match(conf, /^#\s+key_file:/m);
});

t('a client that trusts the CA connects over TLS and uses JetStream', async () => {
  const nc = await nats.connectAs('alerter', { tls: { caFile: certs.ca } });
  try {
    assert.ok(nc.info?.tls_required, 'the server requires TLS');
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    assert.ok(info.limits !== undefined);
  } finally {
    await nc.close();
  }
});

t("MUTT's own connection (NATS_TLS_CA) connects", async () => {
  const env = loadEnv({ NATS_URL: nats.url, NATS_USER: 'syslog', NATS_PASS: nats.passwords.syslog, NATS_TLS_CA: certs.ca });
  const nc = await connectNats(env, 'tls-test');
  try {
    assert.ok(nc.info?.tls_required);
    await nc.flush();
  } finally {
    await nc.close();
  }
});

t('a client without the CA is refused (the certificate is not trusted)', async () => {
  try {
    const nc = await connect({ servers: nats.url, user: 'alerter', pass: nats.passwords.alerter, timeout: 3000, maxReconnectAttempts: 0 });
    await nc.close();
    assert.unreachable('connected without trusting the CA');
  } catch (err) {
    assert.match(String((err as Error).message) + String((err as { cause?: Error }).cause?.message ?? ''), /certificate|self.signed|unable to verify|TLS/i);
  }
});

t('plain text is refused when TLS is on', async () => {
  // Speak the NATS protocol without TLS: the server announces tls_required and answers CONNECT with an error.
  const reply = await new Promise<string>((resolve, reject) => {
    let text = '';
    const sock = net.createConnection({ host: '127.0.0.1', port: nats.port });
    sock.setTimeout(3000, () => { sock.destroy(); resolve(text); });
    sock.on('error', reject);
    sock.on('close', () => resolve(text));
    sock.on('data', (d) => {
      text += d.toString();
      if (text.startsWith('INFO') && !text.includes('CONNECT-SENT')) {
        text += 'CONNECT-SENT\n';
        sock.write(`CONNECT ${JSON.stringify({ user: 'alerter', pass: nats.passwords.alerter, verbose: false })}\r\nPING\r\n`);
      }
      if (/-ERR|PONG/.test(text)) { sock.destroy(); resolve(text); }
    });
  });
  assert.match(reply, /"tls_required":true/);
  assert.not.match(reply, /PONG/, 'never answered as an authenticated client');
});

t.run();
