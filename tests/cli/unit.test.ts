// The CLI's pure parts, without NATS: psql CSV (NULL vs "", quotes, records over several lines and their line
// numbers), v2.5 table detection and row mapping, JSON element lines, durations, config values from the command
// line, tables.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsv, toCsv } from '../../bin/cli/csv.ts';
import { arrayElementLines, readTables } from '../../bin/cli/table-file.ts';
import { detectTable, exportColumns, rowToInput, ruleToRow } from '../../bin/cli/v25-tables.ts';
import { durationMs, parseDuration, parseSince, positiveInt } from '../../bin/cli/durations.ts';
import { configValueFromArg } from '../../bin/commands/config.ts';
import { renderTable } from '../../bin/cli/table.ts';
import { formatBytes, formatDuration } from '../../bin/cli/format.ts';
import { generated, readItemsFile } from '../../bin/cli/event-source.ts';
import { CliError } from '../../bin/cli-error.ts';
import { closestName } from '../../bin/cli/closest.ts';
import { RuleInput } from '../../protocol/rules.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('psql CSV: NULL is an unquoted empty field, "" is the empty string, quotes and newlines inside quotes', () => {
  const rows = parseCsv('id,match_string,trap_oid\r\n1,"a,""b""",\r\n2,"two\nlines",""\n\n3,x,y');
  assert.equal(
    rows.map((r) => r.line),
    [1, 2, 3, 6],
  );
  assert.equal(rows[1].cells, ['1', 'a,"b"', null]);
  assert.equal(rows[2].cells, ['2', 'two\nlines', '']);
  assert.equal(rows[3].cells, ['3', 'x', 'y']);
});

test('CSV errors name the line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n'), /line 2: a quoted field is not closed/);
  assert.throws(() => parseCsv('a,b\n1,x"y\n'), /line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv('a\n"x"y\n'), /line 2: unexpected 'y'/);
});

test('toCsv writes what parseCsv reads back (booleans t/f, NULL vs empty, quoting)', () => {
  const text = toCsv(
    ['id', 's', 'b', 'n'],
    [
      [1, 'a,b', true, null],
      [2, '', false, 7],
      [3, ' padded ', null, 'q"uote'],
    ],
  );
  assert.is(text, 'id,s,b,n\n1,"a,b",t,\n2,"",f,7\n3," padded ",,"q""uote"\n');
  assert.equal(
    parseCsv(text).map((r) => r.cells),
    [
      ['id', 's', 'b', 'n'],
      ['1', 'a,b', 't', null],
      ['2', '', 'f', '7'],
      ['3', ' padded ', null, 'q"uote'],
    ],
  );
});

test("CSV formula injection: text cells starting with = + - @ tab CR are written with a leading ', read back unchanged", () => {
  const values = [
    '=HYPERLINK("http://evil","x")',
    '+1+cmd|calc',
    '-2+3',
    '@SUM(A1)',
    '\t=1',
    '\r=1',
    "'=already quoted",
    "''@twice",
    "'plain",
    'a=b',
    '',
    'LINK-DOWN',
  ];
  const text = toCsv(
    ['v', 'n'],
    values.map((v) => [v, -5]),
  );
  const cells = text.split('\n').slice(1, -1);
  for (const [i, v] of values.entries()) {
    if (/^'*[=+\-@\t\r]/.test(v))
      assert.ok(cells[i].startsWith(`'`) || cells[i].startsWith(`"'`), `${JSON.stringify(v)} escaped: ${cells[i]}`);
    else assert.ok(cells[i].replace(/^"/, '').startsWith(v.slice(0, 1)), `${JSON.stringify(v)} left alone: ${cells[i]}`);
  }
  for (const line of cells) assert.not.match(line, /^"?[=+\-@\t\r]/, 'no cell starts a formula');
  assert.ok(text.includes(',-5\n'), 'numbers are not prefixed');
  assert.equal(
    parseCsv(text)
      .slice(1)
      .map((r) => r.cells[0]),
    values.map((v) => (v === '' ? '' : v)),
  );
});

test('the table is detected from the columns', () => {
  assert.is(
    detectTable([
      'id',
      'match_string',
      'trap_oid',
      'syslog_severity',
      'match_type',
      'priority',
      'prod_handling',
      'dev_handling',
      'team_assignment',
      'is_active',
    ]),
    'alert_rules',
  );
  assert.is(detectTable(['hostname', 'team_assignment']), 'device_teams');
  assert.is(detectTable(['hostname']), 'development_hosts');
  assert.is(detectTable(['foo']), null);
});

test('a v2.5 row becomes a valid rule, and a rule becomes the v2.5 row again', () => {
  const input = rowToInput('alert_rules', {
    id: '5',
    match_string: null,
    trap_oid: '.1.3.6.1.4.1.9.9.41.2',
    syslog_severity: null,
    match_type: 'oid_prefix',
    priority: '15',
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ignore',
    team_assignment: 'NetOps',
    is_active: 't',
    extra: 'x',
  });
  assert.not.ok('extra' in input);
  const rule = RuleInput.parse(input);
  assert.is(rule.prod_handling, 'page_and_ticket');
  const row = ruleToRow(rule);
  assert.equal(row, {
    id: 5,
    match_string: null,
    trap_oid: '.1.3.6.1.4.1.9.9.41.2',
    syslog_severity: null,
    match_type: 'oid_prefix',
    priority: 15,
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ignore',
    team_assignment: 'NetOps',
    is_active: true,
    description: '',
  });
  assert.equal(exportColumns('alert_rules', [row]), [
    'id',
    'match_string',
    'trap_oid',
    'syslog_severity',
    'match_type',
    'priority',
    'prod_handling',
    'dev_handling',
    'team_assignment',
    'is_active',
  ]);
  assert.ok(exportColumns('alert_rules', [{ ...row, description: 'why' }]).includes('description'));
  // NULL in a NOT NULL column with a default is left to the default, not passed as null.
  assert.not.ok('priority' in rowToInput('alert_rules', { id: 1, priority: null }));
});

test('JSON rows keep the line where each element starts', () => {
  const text = '[\n  {"id": 1,\n   "x": [1, 2]},\n  {"id": 2}, {"id": 3}\n]';
  assert.equal(arrayElementLines(text), [[2, 4, 4]]);
  const obj =
    '{\n "alert_rules": [\n  {"id": 1, "match_string": "a"}\n ],\n "note": "[not an array, a string]",\n "development_hosts": ["h1",\n  "h2"]\n}';
  assert.equal(arrayElementLines(obj), [[3], [6, 7]]);
  const tables = readTables(obj, { name: 'all.json' });
  assert.equal(
    tables.map((t) => [t.table, t.rows.map((r) => r.where)]),
    [
      ['alert_rules', ['line 3']],
      ['development_hosts', ['line 6', 'line 7']],
    ],
  );
});

test('readTables: detection, --table, missing and unknown columns', () => {
  const t = readTables('hostname,team_assignment,comment\nr1,NetOps,x\nr2\n', { name: 'teams.csv' });
  assert.is(t[0].table, 'device_teams');
  assert.match(t[0].warnings[0], /comment/);
  assert.is(t[0].rows[1].error, 'expected 3 fields (hostname,team_assignment,comment), found 1');
  assert.throws(
    () => readTables('a,b\n1,2\n', { name: 'x.csv' }),
    (e: Error) => e instanceof CliError && /--table/.test(e.message),
  );
  assert.throws(() => readTables('hostname\nx\n', { name: 'x.csv', table: 'device_teams' }), /needs column\(s\) team_assignment/);
  assert.throws(() => readTables('hostname\nx\n', { name: 'x.csv', table: 'nope' }), /--table must be one of/);
  assert.throws(() => readTables('{"x": 1}', { name: 'x.json' }), /expected a JSON array/);
  assert.is(readTables('["a", "b"]', { name: 'hosts.json' })[0].table, 'development_hosts');
  assert.equal(readTables('{"rules": [{"id": "r", "match_string": "m"}]}', { name: 'api.json' })[0].table, 'alert_rules');
});

test('durations and times as operators type them', () => {
  assert.is(durationMs('30s'), 30_000);
  assert.is(durationMs('1.5m'), 90_000);
  assert.is(durationMs('250ms'), 250);
  assert.is(durationMs('2d'), 172_800_000);
  assert.is(durationMs('10'), 10_000);
  assert.is(durationMs('soon'), null);
  assert.throws(() => parseDuration('timeout', 'soon'), /--timeout must be a duration/);
  assert.is(parseSince('since', '1h', 10_000_000), 10_000_000 - 3_600_000);
  assert.is(parseSince('since', '2026-01-05T09:00:00Z'), Date.parse('2026-01-05T09:00:00Z'));
  assert.throws(() => parseSince('since', 'yesterday'), /--since must be a duration ago/);
  assert.is(positiveInt('limit', undefined, 50), 50);
  assert.throws(() => positiveInt('limit', 0, 50), /--limit must be a whole number from 1/);
});

test('config values from the command line: text first, then JSON; errors name the constraint', () => {
  assert.is(configValueFromArg('moog_rate_limit', '200'), 200);
  assert.equal(configValueFromArg('moog_retry_statuses', '[429,503]'), [429, 503]);
  assert.is(configValueFromArg('moog_rate_adaptive', 'true'), true);
  assert.is(configValueFromArg('unhandled_default_team', '123'), '123');
  assert.is(configValueFromArg('moog_signature', '{host}:{rule}'), '{host}:{rule}');
  assert.throws(() => configValueFromArg('moog_rate_limit', '0'), /moog_rate_limit: Too small: expected number to be >=1/);
  assert.throws(() => configValueFromArg('moog_payload_format', 'xml'), /moog_payload_format: Invalid option/);
});

test('tables and formats for humans', () => {
  const t = renderTable(
    ['ID', 'NAME', 'N'],
    [
      ['a', 'x'.repeat(80), 5],
      ['bb', null, 12],
    ],
  );
  const lines = t.split('\n');
  assert.is(lines[0], 'ID  NAME' + ' '.repeat(59) + 'N');
  assert.ok(lines[1].includes('…'));
  assert.ok(lines[2].startsWith('bb  -'));
  assert.ok(lines[2].endsWith('12'));
  assert.is(renderTable(['A'], [], { empty: '(nothing)' }), '(nothing)');
  assert.is(formatDuration(192_000), '3m 12s');
  assert.is(formatDuration(90_061_000), '1d 1h');
  assert.is(formatBytes(1536), '1.5 KiB');
});

test('event sources: generated stream templates and v2.5 files (CRLF JSON arrays, NDJSON)', () => {
  const g = generated({ run: 'r1', host: 'lab', hosts: 3, message: 'LINK-DOWN {run} #{n}', count: 4 });
  const items = [g.next(), g.next(), g.next(), g.next(), g.next()];
  assert.equal(
    items.slice(0, 4).map((i) => i!.host),
    ['lab-0', 'lab-1', 'lab-2', 'lab-0'],
  );
  assert.is(items[3]!.message, 'LINK-DOWN r1 #4');
  assert.is(items[4], undefined);
  const dir = mkdtempSync(join(tmpdir(), 'mutt-cli-'));
  writeFileSync(
    join(dir, 'demo.json'),
    '[\r\n  {"hostname": "a", "message": "x", "syslog_severity": "Error"},\r\n  {"hostname": "b", "message": "y"}\r\n]\r\n',
  );
  writeFileSync(join(dir, 'e.ndjson'), '{"host":"a","message":"x"}\n\n{"host":"b","message":"y"}\n');
  writeFileSync(join(dir, 'bad.ndjson'), '{"host":"a"}\nnot json\n');
  assert.is(readItemsFile(join(dir, 'demo.json')).length, 2);
  assert.is(readItemsFile(join(dir, 'e.ndjson')).length, 2);
  assert.throws(() => readItemsFile(join(dir, 'bad.ndjson')), /--file .*bad.ndjson: line 2: not valid JSON/);
  assert.throws(() => readItemsFile(join(dir, 'missing.json')), /--file: cannot read/);
});

test('did-you-mean: typos and swapped neighbours are suggested, different words are not', () => {
  const flags = ['json', 'wide', 'team', 'q', 'active', 'inactive'];
  assert.is(closestName('wdie', flags), 'wide');
  assert.is(closestName('jsno', flags), 'json');
  assert.is(closestName('actve', flags), 'active');
  assert.is(closestName('colour', flags), null);
  assert.is(closestName('staus', ['status', 'setup']), 'status');
  assert.is(closestName('logs', ['status', 'setup']), null);
});

test.run();
