// deploy/k8s: every manifest parses; every MUTT Deployment probes /readyz (readiness) and /healthz (liveness)
// on the port MUTT serves them (MUTT_HTTP_PORT), runs non-root on a read-only root file system with resources
// set, connects as its own NATS user, and has a PodDisruptionBudget; the Services expose the gateway, syslog
// (UDP and TCP) and traps; the NATS Helm values carry the very accounts of deploy/nats/accounts.conf.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { ACTOR_NAMES } from '../../bin/actors.ts';
import { readYamlFiles, repoPath } from './helpers.ts';
import { ROLES, passwordVar } from './nats-server.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = Record<string, any>;
const dir = repoPath('deploy/k8s');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const parsed = readYamlFiles(files.map((f) => `${dir}/${f}`));
const docs: { file: string; doc: Doc }[] = [];
for (const f of files) if (f !== 'nats-values.yaml' && f !== 'kustomization.yaml') for (const d of parsed.get(`${dir}/${f}`)!) docs.push({ file: f, doc: d as Doc });
const single = (f: string) => parsed.get(`${dir}/${f}`)![0] as Doc;
const kind = (k: string) => docs.filter((d) => d.doc.kind === k).map((d) => d.doc);
const deployments = kind('Deployment');
const config = kind('ConfigMap').find((c) => c.metadata.name === 'mutt-config')!;
const components = [...ACTOR_NAMES, 'gateway'];

test('every manifest parses and names its namespace; kustomization lists every manifest', () => {
  assert.ok(docs.length >= 18, `${docs.length} documents`);
  for (const { file, doc } of docs) {
    assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${file}: apiVersion, kind, metadata.name`);
    if (doc.kind !== 'Namespace') assert.is(doc.metadata.namespace, 'mutt', `${file} ${doc.kind}`);
  }
  const k = single('kustomization.yaml');
  assert.equal([...k.resources].sort(), files.filter((f) => !['kustomization.yaml', 'nats-values.yaml'].includes(f)).sort());
});

test('one Deployment per actor and the gateway, each running the right mutt command', () => {
  for (const c of components) {
    const d = deployments.find((x) => x.metadata.name === `mutt-${c}`);
    assert.ok(d, `Deployment mutt-${c}`);
    const ctr = d!.spec.template.spec.containers[0];
    assert.equal(ctr.args, c === 'gateway' ? ['gateway'] : ['run', c]);
    assert.equal(d!.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'mutt', 'app.kubernetes.io/component': c });
  }
  assert.is(deployments.length, components.length);
});

test('probes: readiness GET /readyz, liveness GET /healthz, on the container port MUTT_HTTP_PORT names', () => {
  const httpPort = Number(config.data.MUTT_HTTP_PORT);
  for (const d of deployments) {
    const ctr = d.spec.template.spec.containers[0];
    const portOf = (p: string | number) => (typeof p === 'number' ? p : ctr.ports.find((x: Doc) => x.name === p)?.containerPort);
    assert.is(ctr.readinessProbe?.httpGet?.path, '/readyz', `${d.metadata.name} readiness`);
    assert.is(ctr.livenessProbe?.httpGet?.path, '/healthz', `${d.metadata.name} liveness`);
    assert.is(portOf(ctr.readinessProbe.httpGet.port), httpPort, `${d.metadata.name} readiness port`);
    assert.is(portOf(ctr.livenessProbe.httpGet.port), httpPort, `${d.metadata.name} liveness port`);
    if (ctr.startupProbe) assert.is(ctr.startupProbe.httpGet.path, '/healthz');
    const ann = d.spec.template.metadata.annotations;
    assert.is(Number(ann['prometheus.io/port']), httpPort, 'metrics on the same port');
    assert.is(ann['prometheus.io/path'], '/metrics');
  }
});

test('security: non-root, read-only root file system, no privilege escalation, no capabilities, resources set', () => {
  for (const d of [...deployments, ...kind('Job')] as Doc[]) {
    const pod = d.spec.template.spec;
    const ctr = pod.containers[0];
    assert.is(pod.securityContext?.runAsNonRoot, true, `${d.metadata.name} runAsNonRoot`);
    assert.ok(pod.securityContext?.runAsUser > 0);
    assert.is(pod.automountServiceAccountToken, false);
    assert.is(ctr.securityContext?.readOnlyRootFilesystem, true, `${d.metadata.name} read-only root`);
    assert.is(ctr.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(ctr.securityContext?.capabilities?.drop, ['ALL']);
    assert.ok(ctr.resources?.requests?.cpu && ctr.resources?.requests?.memory && ctr.resources?.limits?.memory, `${d.metadata.name} resources`);
    assert.ok(ctr.volumeMounts.some((m: Doc) => m.mountPath === '/tmp'), 'a writable /tmp (tsx cache) on a read-only root');
  }
});

test('each pod connects as its own NATS user with its password from the Secret; the Job is admin', () => {
  for (const d of deployments) {
    const c = d.metadata.name.replace(/^mutt-/, '');
    const env = d.spec.template.spec.containers[0].env as Doc[];
    assert.is(env.find((e) => e.name === 'NATS_USER')?.value, c);
    assert.equal(env.find((e) => e.name === 'NATS_PASS')?.valueFrom, { secretKeyRef: { name: 'mutt-nats-users', key: c } });
  }
  const job = kind('Job')[0];
  assert.is(job.spec.template.spec.containers[0].env.find((e: Doc) => e.name === 'NATS_USER').value, 'admin');
  for (const key of Object.keys(config.data)) assert.not.match(key, /PASS|KEY$|KEYS$|SECRET|TOKEN/, `no secret in the ConfigMap: ${key}`);
  const fwd = deployments.find((d) => d.metadata.name === 'mutt-forwarder')!.spec.template.spec;
  assert.is(fwd.containers[0].env.find((e: Doc) => e.name === 'MOOG_API_KEY_FILE')?.value, '/run/secrets/mutt/moog_api_key');
  assert.is(fwd.volumes.find((v: Doc) => v.secret)?.secret.items[0].key, 'moog_api_key');
  for (const d of deployments.filter((x) => x.metadata.name !== 'mutt-forwarder')) {
    assert.not.match(JSON.stringify(d), /moog_api_key/, `${d.metadata.name} never sees the Moogsoft credential`);
  }
});

test('a PodDisruptionBudget per Deployment, selecting exactly its pods', () => {
  const pdbs = kind('PodDisruptionBudget');
  for (const d of deployments) {
    const pdb = pdbs.find((p) => p.metadata.name === d.metadata.name);
    assert.ok(pdb, `PDB for ${d.metadata.name}`);
    assert.equal(pdb!.spec.selector.matchLabels, d.spec.selector.matchLabels);
    assert.ok(pdb!.spec.minAvailable < d.spec.replicas, 'a node drain can still proceed');
  }
});

test('Services: gateway (TCP), syslog (UDP and TCP), traps (UDP), each targeting named container ports', () => {
  const svc = (n: string) => kind('Service').find((s) => s.metadata.name === n)!;
  const protocols = (n: string) => svc(n).spec.ports.map((p: Doc) => `${p.protocol}/${p.port}`).sort();
  assert.equal(protocols('mutt-gateway'), ['TCP/8080']);
  assert.equal(protocols('mutt-syslog'), ['TCP/514', 'UDP/514']);
  assert.equal(protocols('mutt-traps'), ['UDP/162']);
  for (const name of ['mutt-gateway', 'mutt-syslog', 'mutt-traps']) {
    const s = svc(name);
    const d = deployments.find((x) => x.metadata.name === name)!;
    assert.equal(s.spec.selector, d.spec.selector.matchLabels);
    const ctrPorts = d.spec.template.spec.containers[0].ports as Doc[];
    for (const p of s.spec.ports) {
      const target = ctrPorts.find((c) => c.name === p.targetPort);
      assert.ok(target, `${name}: target port ${p.targetPort} exists`);
      assert.is(target!.protocol ?? 'TCP', p.protocol);
    }
  }
});

test('nats-values.yaml: 3-node JetStream cluster, the accounts of deploy/nats/accounts.conf verbatim, passwords from the Secret', () => {
  const v = single('nats-values.yaml');
  assert.is(v.config.cluster.enabled, true);
  assert.is(v.config.cluster.replicas, 3);
  assert.is(v.config.jetstream.enabled, true);
  assert.is(v.config.merge.$include, 'mutt-accounts.conf');
  assert.is(v.configMap.merge.data['mutt-accounts.conf'], readFileSync(repoPath('deploy/nats/accounts.conf'), 'utf8'), 'copy of accounts.conf (re-copy it after editing)');
  for (const r of ROLES) assert.equal(v.container.env[passwordVar(r)], { valueFrom: { secretKeyRef: { name: 'mutt-nats-users', key: r } } });
  assert.is(Number(config.data.MUTT_REPLICAS), 3, 'MUTT streams replicated on the three nodes');
});

test.run();
