// key=value messages as Fortinet (FortiGate), Sophos and others send them: 'date=2024-03-01 time=12:00:00
// devname="FGT-01" level="warning" msg="..."'. Values may be double-quoted with '\"' escapes. Only text that
// starts with a pair and holds at least three counts: a sentence containing 'user=root' is not a record.
//   parseKeyValues('date=2024-03-01 time=12:00:00 devname="FGT 1"') -> { date: '2024-03-01', time: '12:00:00', devname: 'FGT 1' }

const KEY = /[A-Za-z_][A-Za-z0-9_.-]{0,63}=/y;
const MAX_PAIRS = 512;
const MIN_PAIRS = 3;

export function parseKeyValues(text: string): Record<string, string> | null {
  const n = text.length;
  const pairs: Record<string, string> = {};
  let count = 0;
  let i = 0;
  while (i < n && count < MAX_PAIRS) {
    while (text[i] === ' ') i++;
    if (i >= n) break;
    KEY.lastIndex = i;
    const m = KEY.exec(text);
    if (!m) {
      if (count === 0) return null;
      const next = text.indexOf(' ', i);
      i = next < 0 ? n : next;
      continue;
    }
    const key = m[0].slice(0, -1);
    i = KEY.lastIndex;
    let value: string;
    if (text[i] === '"') {
      i++;
      value = '';
      let segment = i;
      for (;;) {
        if (i >= n) {
          value += text.slice(segment);
          break;
        }
        if (text[i] === '\\' && text[i + 1] === '"') {
          value += text.slice(segment, i) + '"';
          i += 2;
          segment = i;
        } else if (text[i] === '"') {
          value += text.slice(segment, i);
          i++;
          break;
        } else i++;
      }
    } else {
      const next = text.indexOf(' ', i);
      const end = next < 0 ? n : next;
      value = text.slice(i, end);
      i = end;
    }
    if (key !== '__proto__') pairs[key] = value;
    count++;
  }
  return count >= MIN_PAIRS ? pairs : null;
}
