// A tolerant JSON scanner that records where every value and member sits in
// the text, so diagnostics that AWS reports as JSON pointers ("/States/Foo/Next")
// can be underlined in the editor. It never throws: on a syntax error it keeps
// what it has read so far.

/**
 * @typedef {{from:number,to:number,kind:string,keyFrom?:number,keyTo?:number,
 *   members?:Map<string,Node>, items?:Node[]}} Node
 */

/** parse returns the root Node of text, or null when nothing could be read. */
export function parse(text) {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = () => {
    // at a '"'; returns the decoded string (best effort) and moves past it
    const start = ++i;
    let out = '';
    let seg = start;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(seg, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(seg, i);
        const e = text[i + 1];
        if (e === 'u') {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16) || 0);
          i += 6;
        } else {
          out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[e] ?? e ?? '';
          i += 2;
        }
        seg = i;
        continue;
      }
      i++;
    }
    out += text.slice(seg, i);
    return out;
  };
  const value = (depth) => {
    ws();
    if (i >= n || depth > 200) return null;
    const from = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const node = { from, to: from, kind: 'object', members: new Map() };
      for (;;) {
        ws();
        if (text[i] === '}') { i++; break; }
        if (text[i] === ',') { i++; continue; }
        if (text[i] !== '"') { node.to = i; return node; }
        const keyFrom = i;
        const key = str();
        const keyTo = i;
        ws();
        if (text[i] !== ':') { node.to = i; return node; }
        i++;
        const v = value(depth + 1);
        if (!v) { node.to = i; return node; }
        v.keyFrom = keyFrom;
        v.keyTo = keyTo;
        node.members.set(key, v);
      }
      node.to = i;
      return node;
    }
    if (c === '[') {
      i++;
      const node = { from, to: from, kind: 'array', items: [] };
      for (;;) {
        ws();
        if (text[i] === ']') { i++; break; }
        if (text[i] === ',') { i++; continue; }
        if (i >= n) break;
        const v = value(depth + 1);
        if (!v) break;
        node.items.push(v);
      }
      node.to = i;
      return node;
    }
    if (c === '"') {
      str();
      return { from, to: i, kind: 'string' };
    }
    // number, true, false, null (or garbage): read a token
    while (i < n && !/[\s,\]}:]/.test(text[i])) i++;
    if (i === from) { i++; }
    return { from, to: i, kind: 'scalar' };
  };
  return value(0);
}

/**
 * locate maps a JSON pointer (RFC 6901, as AWS diagnostics report locations)
 * to a text range. When the pointer names a member that is not there (a
 * missing required field), it points at the key of the deepest member that
 * exists, so the underline still lands on the state at fault.
 */
export function locate(root, pointer) {
  if (!root) return { from: 0, to: 0 };
  const parts = String(pointer || '')
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root;
  for (const p of parts) {
    let next = null;
    if (node.kind === 'object') next = node.members.get(p) || null;
    else if (node.kind === 'array') next = node.items[Number(p)] || null;
    if (!next) break;
    node = next;
  }
  if (node === root) return { from: root.from, to: Math.min(root.from + 1, root.to) };
  // underline the key and a short scalar, or just the key of a big value
  if (node.kind === 'object' || node.kind === 'array') return { from: node.keyFrom, to: node.keyTo };
  return { from: node.keyFrom ?? node.from, to: node.to };
}
