// JSON bodies built to exhaust a parser, each as large as fits in `bytes`: the hostile suite sends them to the
// shipped process (tests/hostile/bodies.test.ts) and bench/hostile-http.ts measures the answers.
//   await fetch(url, { method: 'POST', body: flood(5 * 1024 * 1024) })

/** `[{},{},...]`: as many empty objects as fit in `bytes`. */
export function flood(bytes: number): string {
  const n = Math.floor((bytes - 2 + 1) / 3);
  return `[${'{},'.repeat(n - 1)}{}]`;
}

/** `[[[...]]]` as deep as fits in `bytes`. */
export const deep = (bytes: number): string => '['.repeat(Math.floor(bytes / 2)) + ']'.repeat(Math.floor(bytes / 2));

/** `{"k0":0,"k1":0,...}`: as many members as fit in `bytes`. */
export function wide(bytes: number): string {
  const parts: string[] = [];
  for (let n = 2, i = 0; ; i++) {
    const member = `"k${i}":0`;
    if (n + member.length + 1 > bytes) break;
    parts.push(member);
    n += member.length + 1;
  }
  return `{${parts.join(',')}}`;
}
