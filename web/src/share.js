// share.js packs the playground session (definition, input, mocks) into a URL
// fragment and back: deflate-raw + base64url ("#z=") where the browser has
// CompressionStream, plain base64url ("#j=") otherwise. Nothing leaves the page.

const te = new TextEncoder();
const td = new TextDecoder();

function b64url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(bytes, stream) {
  const s = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** encodeSession returns the fragment (without '#') for session. */
export async function encodeSession(session) {
  const raw = te.encode(JSON.stringify(session));
  if (typeof CompressionStream !== 'undefined') {
    try {
      return 'z=' + b64url(await pipe(raw, new CompressionStream('deflate-raw')));
    } catch { /* fall through to plain */ }
  }
  return 'j=' + b64url(raw);
}

/** decodeSession reads a fragment made by encodeSession; null if it is not one. */
export async function decodeSession(hash) {
  const h = (hash || '').replace(/^#/, '');
  try {
    if (h.startsWith('z=')) {
      const bytes = await pipe(unb64url(h.slice(2)), new DecompressionStream('deflate-raw'));
      return JSON.parse(td.decode(bytes));
    }
    if (h.startsWith('j=')) return JSON.parse(td.decode(unb64url(h.slice(2))));
  } catch (e) {
    console.warn('stepwise: cannot read the shared session in the URL', e);
  }
  return null;
}

const KEY = 'stepwise.playground.session.v1';

/** saveLocal keeps session in localStorage (quietly ignores a full or blocked store). */
export function saveLocal(session) {
  try { localStorage.setItem(KEY, JSON.stringify(session)); } catch { /* private mode */ }
}

/** loadLocal returns the last saved session or null. */
export function loadLocal() {
  try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch { return null; }
}
