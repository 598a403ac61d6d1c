import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHostCsv, parseHostJson } from '../../gateway/services/host-import.ts';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';

const t = suite('dev-hosts and teams API');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

t('CSV and JSON import parsing (pure)', () => {
  const csv = parseHostCsv('team', 'hostname,team\n# comment\n\ncore1.example.com, NETO\n"edge2",WAN\nlonely\n', undefined);
  assert.equal(csv.items, [
    { hostname: 'core1.example.com', team_assignment: 'NETO' },
    { hostname: 'edge2', team_assignment: 'WAN' },
  ]);
  assert.equal(csv.issues, [{ path: 'line 6', message: 'no team: write hostname,team (or pass ?team= for lines without one)' }]);
  assert.equal(parseHostCsv('team', 'lonely', 'OPS').items, [{ hostname: 'lonely', team_assignment: 'OPS' }]);
  assert.equal(parseHostCsv('dev', 'lab1,rack 3, row 2\nlab2').items, [
    { hostname: 'lab1', note: 'rack 3, row 2' },
    { hostname: 'lab2', note: '' },
  ]);
  assert.equal(parseHostJson('team', [{ hostname: 'a', team: 'X' }, 'b,Y']).items, [
    { hostname: 'a', team_assignment: 'X' },
    { hostname: 'b', team_assignment: 'Y' },
  ]);
  assert.equal(parseHostJson('dev', { hosts: ['a', { hostname: 'b' }] }).items, [{ hostname: 'a', note: '' }, { hostname: 'b' }]);
  assert.equal(parseHostJson('dev', { nope: 1 }).issues[0].path, '');
  assert.equal(
    parseHostJson('dev', [42, 'a,b,c']).issues.map((i) => i.path),
    ['[0]'],
  );
  assert.equal(
    parseHostJson('team', ['x']).issues.map((i) => i.path),
    ['[0]'],
  );
});

t(
  'a trailing dot (absolute FQDN) names the same host: stored without it, found with or without it; empty labels still refused',
  async () => {
    const add = await f.call('POST', '/api/v2/teams', { body: { hostname: 'Core-SW9.example.com.', team_assignment: 'NETO' } });
    assert.is(add.status, 201, add.text);
    assert.is(add.body.team.hostname, 'Core-SW9.example.com');
    assert.is((await f.call('POST', '/api/v2/teams', { body: { hostname: 'core-sw9.example.com', team_assignment: 'WAN' } })).status, 409);
    const got = await f.call('GET', '/api/v2/teams/core-sw9.example.com.', { key: KEYS.read });
    assert.is(got.status, 200, got.text);
    assert.is(got.body.team_assignment, 'NETO');
    const upd = await f.call('PUT', '/api/v2/teams/core-sw9.example.com.', {
      body: { hostname: 'core-sw9.example.com.', team_assignment: 'WAN' },
    });
    assert.is(upd.status, 200, upd.text);
    for (const bad of ['a..b', '.lead', '.', 'x..']) {
      const r = await f.call('POST', '/api/v2/teams', { body: { hostname: bad, team_assignment: 'NETO' } });
      assert.is(r.status, 400, `${bad}: ${r.text}`);
    }
    assert.is((await f.call('DELETE', '/api/v2/teams/Core-SW9.example.com.')).status, 200);
    assert.is(
      (await f.call('GET', '/api/v2/teams/core-sw9.example.com', { key: KEYS.read })).status,
      404,
      'deleted through the dotted name',
    );
  },
);

t('dev hosts: add, get, update note, list, delete — each audited as kind host', async () => {
  const add = await f.call('POST', '/api/v2/dev-hosts', {
    body: { hostname: 'Lab-SW1.example.com', note: 'rack 3' },
    headers: { 'X-Change-Reason': 'new lab' },
  });
  assert.is(add.status, 201, add.text);
  assert.is(add.body.host.hostname, 'Lab-SW1.example.com');
  assert.is(add.body.host.updated_by, 'ops');
  const dup = await f.call('POST', '/api/v2/dev-hosts', { body: { hostname: 'lab-sw1.EXAMPLE.com' } });
  assert.is(dup.status, 409, 'host names are case-insensitive');
  const got = await f.call('GET', '/api/v2/dev-hosts/lab-sw1.example.com', { key: KEYS.read });
  assert.is(got.status, 200);
  assert.is(got.body.note, 'rack 3');
  const upd = await f.call('PUT', '/api/v2/dev-hosts/lab-sw1.example.com', {
    body: { note: 'rack 4' },
    headers: { 'If-Match': got.headers.get('etag')! },
  });
  assert.is(upd.status, 200, upd.text);
  assert.is(upd.body.host.note, 'rack 4');
  const stale = await f.call('PUT', '/api/v2/dev-hosts/lab-sw1.example.com', {
    body: { note: 'rack 5' },
    headers: { 'If-Match': got.headers.get('etag')! },
  });
  assert.is(stale.status, 412);
  const rename = await f.call('PUT', '/api/v2/dev-hosts/lab-sw1.example.com', { body: { note: 'x', hostname: 'other' } });
  assert.is(rename.status, 400);
  assert.is(rename.body.issues[0].path, 'hostname');
  const list = await f.call('GET', '/api/v2/dev-hosts?q=lab', { key: KEYS.read });
  assert.equal(
    list.body.hosts.map((h: { hostname: string }) => h.hostname),
    ['Lab-SW1.example.com'],
  );
  assert.is(list.body.total, 1);
  const del = await f.call('DELETE', '/api/v2/dev-hosts/LAB-SW1.example.com');
  assert.is(del.status, 200);
  assert.is((await f.call('GET', '/api/v2/dev-hosts/lab-sw1.example.com')).status, 404);
  assert.is((await f.call('DELETE', '/api/v2/dev-hosts/lab-sw1.example.com')).status, 404);
  assert.is((await f.call('PUT', '/api/v2/dev-hosts/lab-sw1.example.com', { body: { note: 'x' } })).status, 404);
  const audit = await f.call('GET', '/api/v2/audit/config?kind=host&id=lab-sw1.example.com&order=asc');
  assert.equal(
    audit.body.items.map((i: { operation: string }) => i.operation),
    ['create', 'update', 'delete'],
  );
  assert.is(audit.body.items[0].reason, 'new lab');
});

t('host validation: 400 naming the field', async () => {
  for (const body of [{}, { hostname: 'has space' }, { hostname: '' }, { hostname: 'x'.repeat(300) }]) {
    const r = await f.call('POST', '/api/v2/dev-hosts', { body });
    assert.is(r.status, 400, JSON.stringify(body));
    assert.is(r.body.issues[0].path, 'hostname');
  }
  const team = await f.call('POST', '/api/v2/teams', { body: { hostname: 'a' } });
  assert.is(team.status, 400);
  assert.is(team.body.issues[0].path, 'team_assignment');
  const put = await f.call('PUT', '/api/v2/teams/a', { body: {} });
  assert.is(put.status, 400);
});

t('teams: add, update, delete with audit kind team', async () => {
  const add = await f.call('POST', '/api/v2/teams', { body: { hostname: 'core1.example.com', team_assignment: 'NETO' } });
  assert.is(add.status, 201, add.text);
  const got = await f.call('GET', '/api/v2/teams/CORE1.example.com', { key: KEYS.read });
  assert.equal([got.status, got.body.team_assignment, got.headers.get('etag')], [200, 'NETO', `"${add.body.revision}"`]);
  const upd = await f.call('PUT', '/api/v2/teams/core1.example.com', { body: { team_assignment: 'WAN', reason: 'reorg' } });
  assert.is(upd.status, 200);
  assert.is(upd.body.team.team_assignment, 'WAN');
  const audit = await f.call('GET', '/api/v2/audit/config?kind=team&id=core1.example.com&order=asc');
  assert.equal(
    audit.body.items.map((i: { operation: string }) => i.operation),
    ['create', 'update'],
  );
  assert.is(audit.body.items[1].old_value.team_assignment, 'NETO');
  assert.is(audit.body.items[1].new_value.team_assignment, 'WAN');
  assert.is(audit.body.items[1].reason, 'reorg');
  assert.is((await f.call('DELETE', '/api/v2/teams/core1.example.com')).status, 200);
});

t('bulk import: CSV merge, JSON replace, all-or-nothing validation, one audit record', async () => {
  const csv = await f.call('POST', '/api/v2/teams/import', {
    raw: 'hostname,team\nsw1,NETO\nsw2,NETO\nsw3\n',
    headers: { 'Content-Type': 'text/csv' },
  });
  assert.is(csv.status, 400, 'a line without team and no default');
  assert.is(csv.body.issues[0].path, 'line 4');
  assert.is((await f.call('GET', '/api/v2/teams')).body.total, 0, 'nothing written');

  const merged = await f.call('POST', '/api/v2/teams/import?team=OPS', {
    raw: 'sw1,NETO\nsw2,NETO\nsw3\n',
    headers: { 'Content-Type': 'text/csv' },
  });
  assert.is(merged.status, 200, merged.text);
  assert.equal(merged.body.created.sort(), ['sw1', 'sw2', 'sw3']);
  const again = await f.call('POST', '/api/v2/teams/import', { raw: 'sw1,NETO\nsw2,WAN\n', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(again.body.updated, ['sw2']);
  assert.is(again.body.unchanged, 1);
  assert.equal(again.body.deleted, []);

  const replaced = await f.call('POST', '/api/v2/teams/import?mode=replace', {
    body: [{ hostname: 'sw1', team_assignment: 'NETO' }, 'sw9,DC'],
  });
  assert.is(replaced.status, 200, replaced.text);
  assert.equal(replaced.body.created, ['sw9']);
  assert.equal(replaced.body.deleted.sort(), ['sw2', 'sw3']);
  const teams = await f.call('GET', '/api/v2/teams');
  assert.equal(
    teams.body.teams.map((t: { hostname: string }) => t.hostname),
    ['sw1', 'sw9'],
  );

  const roundTrip = await f.call('POST', '/api/v2/teams/import', { body: teams.body });
  assert.is(roundTrip.body.unchanged, 2, 'a GET body imports back unchanged');

  const badItem = await f.call('POST', '/api/v2/teams/import', {
    body: [
      { hostname: 'ok', team_assignment: 'X' },
      { hostname: 'bad host', team_assignment: 'X' },
    ],
  });
  assert.is(badItem.status, 400);
  assert.is(badItem.body.issues[0].path, '[1].hostname');
  const notJson = await f.call('POST', '/api/v2/teams/import', { raw: '[{', headers: { 'Content-Type': 'application/json' } });
  assert.is(notJson.status, 400);
  const emptyReplace = await f.call('POST', '/api/v2/dev-hosts/import?mode=replace', { body: [] });
  assert.is(emptyReplace.status, 400);
  const badMode = await f.call('POST', '/api/v2/dev-hosts/import?mode=sync', { body: [] });
  assert.is(badMode.status, 400);
  assert.is(badMode.body.issues[0].path, 'mode');

  const audit = await f.call('GET', '/api/v2/audit/config?kind=team&id=import');
  assert.is(audit.body.items.length, 3, 'one record per import that changed something');
  assert.is(audit.body.items[0].operation, 'import');
  assert.equal(audit.body.items[0].new_value.deleted.sort(), ['sw2', 'sw3']);

  const dev = await f.call('POST', '/api/v2/dev-hosts/import', { raw: 'lab1,bench\nlab2\n', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(dev.body.created.sort(), ['lab1', 'lab2']);
  assert.is((await f.call('GET', '/api/v2/dev-hosts/lab1')).body.note, 'bench');
});

t('dev hosts and teams live side by side in one bucket without leaking into each other', async () => {
  await f.call('POST', '/api/v2/dev-hosts', { body: { hostname: 'shared-name' } });
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'shared-name', team_assignment: 'X' } });
  assert.ok((await f.call('GET', '/api/v2/dev-hosts')).body.hosts.every((h: { note?: string }) => h.note !== undefined));
  assert.ok(
    (await f.call('GET', '/api/v2/teams')).body.teams.every((h: { team_assignment?: string }) => typeof h.team_assignment === 'string'),
  );
  assert.is((await f.call('DELETE', '/api/v2/teams/shared-name')).status, 200);
  assert.is((await f.call('GET', '/api/v2/dev-hosts/shared-name')).status, 200);
});

t('lists come in pages: limit, next_cursor to the end without repeats, total of the whole match, limit bounded', async () => {
  const names = Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, '0')}.example.com`);
  const csv = names.map((n, i) => `${n},${i % 2 ? 'ODDS' : 'EVENS'}`).join('\n');
  const imported = await f.call('POST', '/api/v2/teams/import', { raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.is(imported.status, 200, imported.text);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await f.call('GET', `/api/v2/teams?q=page-&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      key: KEYS.read,
    });
    assert.is(r.status, 200, r.text);
    assert.is(r.body.total, 23, 'total counts the whole match, not the page');
    assert.ok(r.body.teams.length <= 10);
    seen.push(...r.body.teams.map((t: { hostname: string }) => t.hostname));
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor !== null && pages < 10);
  assert.is(pages, 3);
  assert.equal(seen, names, 'every entry once, in host-name order');
  const odds = await f.call('GET', '/api/v2/teams?q=odds&limit=5', { key: KEYS.read });
  assert.is(odds.body.total, 11);
  assert.ok(odds.body.teams.every((t: { team_assignment: string }) => t.team_assignment === 'ODDS'));
  const tooMany = await f.call('GET', '/api/v2/teams?limit=10001', { key: KEYS.read });
  assert.is(tooMany.status, 400, tooMany.text);
  assert.match(tooMany.text, /limit/);
  const last = await f.call('GET', `/api/v2/teams?q=page-&cursor=${encodeURIComponent(names.at(-1)!)}`, { key: KEYS.read });
  assert.equal([last.body.teams.length, last.body.next_cursor], [0, null], 'a cursor past the end is an empty last page');
});

t.run();
