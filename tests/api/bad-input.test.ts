// Whatever a client sends — odd path parameters, nonsense query strings, bodies that are not what the route
// expects — the answer is a 4xx {error} or a success, never a 500 (v2.5 answered 500 for most of these).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiRegistry } from '../../gateway/api/management.ts';
import { apiFixture, rule, type ApiFixture } from './fixture.ts';

const t = suite('bad input is never a 500');
let f: ApiFixture;

const PARAMS = ['x', '0', '-1', '%00', 'a%2Fb', '9'.repeat(30), 'a..b', 'r1', '%E2%82%AC'];
const QUERY =
  '?limit=-5&cursor=abc&from=zzz&to=1e999&order=up&active=2&windows=x&page=0&mode=q&since=x&stage=A.B&reason=q&kind=q&operation=q&decision=q&forwarded=q&team=&q=';
const BODIES = [
  'not json',
  '[]',
  'null',
  '"text"',
  '1e999',
  '{"value":{"deep":[1,2]},"rules":"x","confirm":"yes"}',
  '{"id":{"$ne":1},"hostname":["a"],"team_assignment":5}',
  '{"limit":1e308,"since":"later"}',
];

t.before(async () => {
  f = await apiFixture();
  await f.call('POST', '/api/v2/rules', { body: rule('r1') });
});
t.after(async () => {
  await f?.close();
});

t('every route, with odd parameters, a nonsense query and odd bodies', async () => {
  let calls = 0;
  for (const op of apiRegistry().operations) {
    for (const param of op.path.includes(':') ? PARAMS : ['']) {
      const path = op.path.replace(/:[a-z]+/g, param) + QUERY;
      const bodies = op.method === 'get' ? [undefined] : BODIES;
      for (const raw of bodies) {
        const r = await f.call(op.method.toUpperCase(), path, {
          raw,
          headers: { 'Content-Type': 'application/json', 'If-Match': param === 'x' ? 'garbage' : '' },
        });
        calls++;
        assert.ok(r.status < 500, `${op.method.toUpperCase()} ${path} ${raw ?? ''} → ${r.status} ${r.text.slice(0, 200)}`);
        if (r.status >= 400) assert.type(r.body?.error, 'string', `${op.method} ${path}: ${r.text.slice(0, 100)}`);
      }
    }
  }
  assert.ok(calls > 500, `${calls} calls`);
  assert.not.ok(
    f.logLines.some((l) => l.includes('unhandled error')),
    'no handler crashed',
  );
});

t.run();
