// RFC 5424 STRUCTURED-DATA: '-' or one or more '[id name="value" ...]' elements, with '\"', '\\' and '\]'
// escapes inside values. One left-to-right pass, so hostile input costs linear time.
//   parseStructuredData('[origin ip="10.0.0.1"] msg', 0) -> { end: 22, data: { origin: { ip: '10.0.0.1' } } }
//   parseStructuredData('[broken', 0) -> null (the caller keeps the text as message instead)

export type StructuredData = Record<string, Record<string, string>>;

const isNameChar = (code: number) => code >= 33 && code <= 126 && code !== 61 /* = */ && code !== 93 /* ] */ && code !== 34; /* " */

/** The SD at `pos` and the index just past it; data is null for the NILVALUE '-'. Null when malformed. */
export function parseStructuredData(text: string, pos: number): { end: number; data: StructuredData | null } | null {
  const n = text.length;
  let i = pos;
  if (text[i] === '-') return { end: i + 1, data: null };
  if (text[i] !== '[') return null;
  const data: StructuredData = {};
  while (text[i] === '[') {
    i++;
    const idStart = i;
    while (i < n && isNameChar(text.charCodeAt(i))) i++;
    if (i === idStart) return null;
    const id = text.slice(idStart, i);
    const params: Record<string, string> = {};
    for (;;) {
      if (text[i] === ']') {
        i++;
        break;
      }
      if (text[i] !== ' ') return null;
      while (text[i] === ' ') i++;
      if (text[i] === ']') {
        i++;
        break;
      }
      const nameStart = i;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      if (i === nameStart || text[i] !== '=' || text[i + 1] !== '"') return null;
      const name = text.slice(nameStart, i);
      i += 2;
      let value = '';
      let segment = i;
      for (;;) {
        if (i >= n) return null;
        const c = text[i];
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) {
          value += text.slice(segment, i) + text[i + 1];
          i += 2;
          segment = i;
        } else if (c === '"') {
          value += text.slice(segment, i);
          i++;
          break;
        } else i++;
      }
      // An own '__proto__' key would replace the object's prototype instead of adding a field.
      if (name !== '__proto__' && !Object.hasOwn(params, name)) params[name] = value;
    }
    if (id !== '__proto__' && !Object.hasOwn(data, id)) data[id] = params;
  }
  return { end: i, data };
}
