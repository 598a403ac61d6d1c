import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostics } from 'recheck';
import {
  checkRegexSafety,
  checkRegexSafetyAsync,
  compileRuleRegex,
  judge,
  PythonRegexError,
  translatePythonRegex,
} from '../../actors/alerter/regex.ts';
import { requiredLiterals } from '../../actors/alerter/regex-literals.ts';
import { parsePythonRegex } from '../../actors/alerter/regex-syntax.ts';

/** Python-dialect search, case-insensitive, as the alerter runs it (folded pattern on lower-cased text). */
const search = (pattern: string, text: string) => compileRuleRegex(pattern).re.test(text.toLowerCase());

test('Python syntax translates to JavaScript', () => {
  const cases: [string, string][] = [
    ['(?P<port>Gi\\d+/\\d+) down', '(?<port>Gi\\d+\\/\\d+) down'],
    ['(?P<w>\\w+) (?P=w)', '(?<w>\\w+) \\k<w>'],
    ['(?i)LINK-(UP|DOWN)', 'LINK-(UP|DOWN)'],
    ['(?iu)x', 'x'],
    ['\\Afoo\\Z', '^foo$'],
    ['a{,3}b{2,}c{4}', 'a{0,3}b{2,}c{4}'],
    ['[]a]', '[\\]a]'],
    ['[^]a-]', '[^\\]a\\-]'],
    ['x{}y{', 'x\\{\\}y\\{'],
    ['\\a\\x41\\101\\0\\u00e9', '\\x07AA\\x00é'],
    ['(?s)a.b', 'a[\\s\\S]b'],
    ['(?m)^x$', '(?:^|(?<=\\n))x(?:$|(?=\\n))'],
    ['a(?#comment)b', 'ab'],
    ['(?i:abc)d', '(?:abc)d'],
    ['ab(?i)c', 'abc'],
    ['(?<js>x)\\k<js>', '(?<js>x)\\k<js>'],
    ['(a)\\1', '(a)\\1'],
    ['(a)\\1\\x30', '(a)(?:\\1)0'],
    ['a*?b+?c??', 'a*?b+?c??'],
    ['(?=x)(?!y)(?<=z)(?<!w)', '(?=x)(?!y)(?<=z)(?<!w)'],
    ['\\.\\-\\%\\/\\ ', '\\.-%\\/ '],
    ['[\\b\\d\\s\\w\\x41-\\x43\\101]', '[\\x08\\d\\s\\wA-CA]'],
    ['😀+', '(?:😀)+'],
  ];
  for (const [py, js] of cases) assert.is(translatePythonRegex(py), js, py);
});

test('what JavaScript cannot express the same way is refused with a clear error', () => {
  const cases: [string, RegExp][] = [
    ['\\q', /bad escape \\q/],
    ['foo\\', /bad escape \(end of pattern\)/],
    ['a**', /multiple repeat/],
    ['a{2}{3}', /multiple repeat/],
    ['*a', /nothing to repeat/],
    ['{2}', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['a{3,2}', /min repeat greater than max repeat/],
    ['a++', /possessive/],
    ['(?>a)', /atomic groups/],
    ['(a)(?(1)b|c)', /conditional groups/],
    ['(?P>x)', /recursion/],
    ['(?x)a b', /verbose mode/],
    ['(?L)a', /locale mode/],
    ['(?-i:a)', /case-sensitive sections/],
    ['(?s:a.)', /scoped flag \(\?s:/],
    ['a(?s)b', /global flags not at the start/],
    ['(?Q)', /unknown extension/],
    ['\\N{EM DASH}', /named character escapes/],
    ['(a', /missing \), unterminated subpattern/],
    ['a)', /unbalanced parenthesis/],
    ['(?#open', /unterminated comment/],
    ['[abc', /unterminated character set/],
    ['[a\\', /unterminated character set/],
    ['[\\d-z]', /bad character range/],
    ['[z-a]', /bad character range/],
    ['[\\9]', /bad escape \\9/],
    ['[😀]', /outside the Basic Multilingual Plane/],
    ['(?P=nope)', /unknown group name 'nope'/],
    ['(?P<x>a(?P=x))', /cannot refer to an open group/],
    ['(a\\1)', /cannot refer to an open group/],
    ['(a)\\2', /invalid group reference 2/],
    ['(?P<1x>a)', /bad character in group name/],
    ['(?P<x>a)(?P<x>b)', /redefinition of group name/],
    ['\\x4', /incomplete escape \\x4/],
    ['\\U00110000', /bad escape \\U110000/],
    ['\\777', /outside of range/],
    ['[\\777]', /outside of range/],
    ['(?<=a)+', /not valid as a JavaScript regex/],
  ];
  for (const [py, message] of cases) {
    try {
      translatePythonRegex(py);
      assert.unreachable(`accepted ${py}`);
    } catch (err) {
      if (!(err instanceof PythonRegexError)) throw err;
      assert.match(err.message, message, py);
      assert.type(err.position, 'number');
    }
  }
});

test('translated regexes match what Python would, case-insensitively', () => {
  assert.ok(search('LINK-(UP|DOWN)', '%LINK-3-UPDOWN: Interface Gi0/1 LINK-DOWN'));
  assert.ok(search('link-(up|down)', 'LINK-UP'));
  assert.not.ok(search('LINK-(UP|DOWN)', 'normal text'));
  assert.ok(search('(?P<w>\\w+) (?P=w)', 'HELLO hello'), 'backreference compares case-insensitively');
  assert.ok(search('\\Afoo', 'FOO bar'));
  assert.not.ok(search('\\Afoo', 'a foo'));
  assert.ok(search('down\\Z', 'link DOWN'));
  assert.ok(search('[A-C]x', 'bX'));
  assert.not.ok(search('[^A-C]x', 'bx'), 'a negated set excludes both cases');
  assert.ok(search('(?s)a.b', 'a\nb'));
  assert.not.ok(search('a.b', 'a\nb'));
  assert.ok(search('(?m)^second$', 'first\nSECOND\nthird'));
  assert.ok(search('ΟΔΟΣ', 'κλειστός ΟΔΟΣ'), 'final sigma');
  assert.ok(search('a{,2}b', 'b'));
  assert.ok(search('(a)\\1\\x30', 'aa0'));
  assert.ok(search('.*error.*failed.*', 'disk ERROR: write FAILED'), 'outer .* dropped from the searched form');
  assert.is(compileRuleRegex('.*error.*failed.*').folded, 'error.*failed');
  assert.is(compileRuleRegex('(?P<x>LINK)-[A-C]').folded, '(?<x>link)-[A-Ca-c]');
});

test('compiled regexes say whether letter case can change their answer', () => {
  for (const p of ['^\\S+ \\d+: %\\w+-[0-1]-', '[0-9.:-]+$', '\\b\\d{3}\\b', '(?:\\d\\d)+', '.{2} 1', '[\\x30-\\x39]'])
    assert.ok(compileRuleRegex(p).caseFree, p);
  for (const p of ['a\\d', '[0-9x]', '(\\d)\\1', '[\\x30-\\x41]', 'É', '(?:x)+']) assert.not.ok(compileRuleRegex(p).caseFree, p);
});

test('compiled regexes say whether the linear-time fallback can run them', () => {
  assert.ok(compileRuleRegex('(a+)+$').linearFallback);
  assert.not.ok(compileRuleRegex('(a+)\\1').linearFallback);
  assert.not.ok(compileRuleRegex('(?<=x)a').linearFallback);
  assert.not.ok(compileRuleRegex('(?P<n>a)(?P=n)').linearFallback);
});

test('required literals: every match contains them', () => {
  const lits = (p: string) => requiredLiterals(parsePythonRegex(p));
  assert.equal(lits('%BGP-\\d-ADJCHANGE'), [['-adjchange'], ['%bgp-']]);
  assert.equal(lits('CRITICAL|FATAL'), [['critical', 'fatal']]);
  assert.equal(lits('LINK-(UP|DOWN)'), [['link-']], 'up/down are too short to filter on');
  assert.equal(lits('(?:foo)bar'), [['foobar']]);
  assert.equal(lits('ab{3}c'), [['abbbc']]);
  assert.equal(lits('temp(erature)?'), [['temp']]);
  assert.equal(lits('x+yz(?:abc)+q'), [['yzabc']], 'a repeated group contributes one copy');
  assert.equal(
    lits('fan (tray|unit) (\\d+) (failed|removed)'),
    [['failed', 'removed'], ['fan '], ['tray', 'unit']],
    'most selective first',
  );
  assert.equal(lits('(?=look)ahead'), [['ahead']], 'lookaround content is not required text');
  assert.equal(lits('^start$'), [['start']]);
  assert.is(lits('a.b'), null);
  assert.is(lits('\\d+'), null);
  assert.is(lits('(abc)?d'), null, 'optional text is not required');
  assert.is(lits('abc|d'), null, 'every branch needs a literal');
  assert.is(lits('[abc]def|x'), null);
  assert.equal(lits('ΣΦΑΛΜΑ'), [['φαλμα']], 'lower-cased; sigma (two lower-case forms) is left out');
  assert.equal(lits('ABCΣ'), [['abc']], 'sigma ends the run (two lower-case forms)');
  assert.equal(lits('same.*same'), [['same']], 'duplicate groups collapse');
  assert.is(lits(Array.from({ length: 20 }, (_, i) => `word${i}`).join('|')), null, 'too many alternatives');
});

test('unsafe patterns are refused at write time', () => {
  for (const p of ['(a+)+$', '(x+x+)+y', '^(a|a)*$', '^(\\w+\\s?)*$']) {
    const r = checkRegexSafety(p);
    assert.is(r.ok, false, p);
    if (!r.ok) assert.match(r.reason, /catastrophic backtracking: exponential/, p);
  }
});

test('invalid syntax is refused at write time', () => {
  const r = checkRegexSafety('[invalid(regex');
  assert.equal(r, { ok: false, reason: 'invalid regex: unterminated character set at position 0' });
  const bad = checkRegexSafety('a\\q');
  assert.is(bad.ok, false);
});

test('safe patterns are accepted with their JavaScript translation', () => {
  // Whether the analyser finishes in time depends on the machine; accepted either way (with a warning if not).
  const r = checkRegexSafety('(?P<fac>%[A-Z_]+)-[0-7]-UPDOWN', { timeoutMs: 1000 });
  assert.is(r.ok, true);
  if (r.ok) assert.is(r.compiled, '(?<fac>%[A-Z_]+)-[0-7]-UPDOWN');
  const link = checkRegexSafety('LINK-(UP|DOWN)');
  assert.is(link.ok && link.compiled, 'LINK-(UP|DOWN)');
});

test('quadratic patterns are accepted with a warning; backreferences make super-linear ones unsafe', () => {
  const quad = checkRegexSafety('.*error.*failed.*');
  assert.is(quad.ok, true);
  if (quad.ok) assert.match(quad.warning ?? '', /2nd degree polynomial.*linear-time fallback/);
  const cubic = checkRegexSafety('(\\d+)\\s+\\1');
  assert.is(cubic.ok, false);
  if (!cubic.ok) assert.match(cubic.reason, /polynomial.*backreferences or lookaround/);
});

test('the write-time check also runs off the event loop', async () => {
  const r = await checkRegexSafetyAsync('(a+)+$');
  assert.is(r.ok, false);
  const link = await checkRegexSafetyAsync('LINK-(UP|DOWN)');
  assert.is(link.ok && link.compiled, 'LINK-(UP|DOWN)');
  assert.equal(await checkRegexSafetyAsync('(unclosed'), {
    ok: false,
    reason: 'invalid regex: missing ), unterminated subpattern at position 0',
  });
});

test('inconclusive analysis: accepted when the run-time fallback applies, refused when it cannot', () => {
  const timeout = { source: 'x', flags: '', status: 'unknown', error: { kind: 'timeout' } } as Diagnostics;
  const guarded = judge(timeout, { source: 'x', folded: 'x', linearFallback: true }, 5000);
  assert.equal(guarded, {
    ok: true,
    compiled: 'x',
    warning: 'safety analysis did not finish within 5000 ms; accepted: bounded at run time by the linear-time fallback and the subject cap',
  });
  const unguarded = judge(timeout, { source: '(x)\\1', folded: '(x)\\1', linearFallback: false });
  assert.is(unguarded.ok, false);
  if (!unguarded.ok) assert.match(unguarded.reason, /did not finish within 5000 ms, and it uses backreferences/);
  const unsupported = judge({ source: 'x', flags: '', status: 'unknown', error: { kind: 'unsupported', message: 'odd' } } as Diagnostics, {
    source: 'x',
    folded: 'x',
    linearFallback: true,
  });
  assert.is(unsupported.ok, true);
  if (unsupported.ok) assert.match(unsupported.warning ?? '', /not possible \(unsupported: odd\)/);
});

test('polynomial verdicts follow the fallback rule', () => {
  const poly = (degree: number) =>
    ({
      source: 'x',
      flags: '',
      status: 'vulnerable',
      checker: 'automaton',
      hotspot: [{ start: 0, end: 1, temperature: 'heat' }],
      attack: { pattern: "'a'.repeat(" + '9'.repeat(200) + ')', string: '', base: 0, suffix: '', pumps: [] },
      complexity: { type: 'polynomial', degree, summary: `${degree}rd degree polynomial`, isFuzz: false },
    }) as Diagnostics;
  const withBackref = { source: '(a)\\1', folded: '(a)\\1', linearFallback: false };
  assert.is(judge(poly(3), withBackref).ok, false);
  const deg2 = judge(poly(2), withBackref);
  assert.is(deg2.ok, true);
  if (deg2.ok) assert.match(deg2.warning ?? '', /subject cap and the time budget/);
  const r = judge(poly(3), withBackref);
  if (!r.ok) assert.ok(r.reason.includes("'a'.repeat(999") && r.reason.includes('...'), 'long attack strings are cut');
});

test.run();
