// base64url without padding (RFC 4648 §5), strict: one encoding per byte
// string, as docs/FORMAT.md requires. No Buffer, so it runs on every
// runtime.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const VALUE = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const latin1 = new TextDecoder('latin1');

/** Encodes bytes as base64url without padding. */
export function encodeBase64url(b: Uint8Array): string {
  const out = new Uint8Array(encodedLength(b.length));
  let o = 0;
  const n = b.length - (b.length % 3);
  for (let i = 0; i < n; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out[o++] = CODES[v >> 18]!;
    out[o++] = CODES[(v >> 12) & 63]!;
    out[o++] = CODES[(v >> 6) & 63]!;
    out[o++] = CODES[v & 63]!;
  }
  if (b.length - n === 1) {
    const v = b[n]!;
    out[o++] = CODES[v >> 2]!;
    out[o++] = CODES[(v & 3) << 4]!;
  } else if (b.length - n === 2) {
    const v = (b[n]! << 8) | b[n + 1]!;
    out[o++] = CODES[v >> 10]!;
    out[o++] = CODES[(v >> 4) & 63]!;
    out[o++] = CODES[(v & 15) << 2]!;
  }
  return latin1.decode(out); // ASCII only, so latin1 is exact
}

/**
 * Decodes canonical base64url without padding; returns null for anything else (padding, '+', '/',
 * whitespace, a length of 4k+1, and, when strict, non-zero trailing bits).
 */
export function decodeBase64url(s: string, strict = true): Uint8Array | null {
  const rem = s.length % 4;
  if (rem === 1) return null;
  const out = new Uint8Array(((s.length * 3) / 4) | 0);
  let o = 0;
  let i = 0;
  const full = s.length - rem;
  for (; i < full; i += 4) {
    const a = val(s, i), b = val(s, i + 1), c = val(s, i + 2), d = val(s, i + 3);
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem === 2) {
    const a = val(s, i), b = val(s, i + 1);
    if ((a | b) < 0 || (strict && (b & 15) !== 0)) return null;
    out[o++] = (a << 2) | (b >> 4);
  } else if (rem === 3) {
    const a = val(s, i), b = val(s, i + 1), c = val(s, i + 2);
    if ((a | b | c) < 0 || (strict && (c & 3) !== 0)) return null;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}

function val(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? VALUE[c]! : -1;
}

/** The length of the base64url encoding, without padding, of n bytes. */
export function encodedLength(n: number): number {
  return Math.ceil((4 * n) / 3);
}
