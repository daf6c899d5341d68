// Master keys: parsing them from configuration text, and refusing keys
// that are obviously not random (docs/FORMAT.md, "Master keys and
// subkeys"; the Go library's internal/format/keys.go).

import { decodeBase64url } from './base64.js';
import { InvalidOptionsError } from './errors.js';

/** The least number of bytes of key material a master key must have. */
export const MIN_KEY_SIZE = 32;

/**
 * The fewest distinct byte values a master key must hold: 32 uniformly
 * random bytes hold fewer than 16 with probability about 3.2e-17.
 */
const MIN_DISTINCT_KEY_BYTES = 16;

/** Master keys as options take them: text as `cookiesession keygen` prints it, or bytes. */
export type KeyInput = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/**
 * Parses master keys from configuration text: each key as
 * `cookiesession keygen` prints it (43 characters: canonical base64url
 * without padding of 32 bytes), or hex of exactly 32 or 64 bytes (`openssl rand -hex 32`),
 * separated by commas, whitespace (one key per line works), or both. The
 * order is kept: the first key seals, all open. Keys that are obviously
 * not random are refused. Errors are InvalidOptionsError and name the key
 * by position, never by content.
 */
export function parseKeys(list: string): Uint8Array[] {
  if (list.trim() === '') {
    throw new InvalidOptionsError(`no keys: give at least one key of ${MIN_KEY_SIZE} random bytes (cookiesession keygen prints one)`);
  }
  const keys: Uint8Array[] = [];
  for (const entry of list.split(',')) {
    const fields = entry.split(/[\t\n\v\f\r ]+/).filter((f) => f !== '');
    if (fields.length === 0) {
      throw new InvalidOptionsError(`key ${keys.length + 1} is empty: separate keys by one comma, or by whitespace`);
    }
    for (const f of fields) keys.push(checkKey(keys.length + 1, decodeKey(keys.length + 1, f)));
  }
  return keys;
}

/**
 * Decodes one key's text exactly as the Go package's ParseKeys does: text of
 * only hex digits is hex and must be 64 or 128 digits (32 or 64 bytes); any
 * other text must be what keygen prints, 43 characters of canonical
 * base64url without padding (32 bytes). Any other text is refused, so that
 * a passphrase is never read as base64 by accident.
 */
function decodeKey(i: number, s: string): Uint8Array {
  if (/^[0-9a-fA-F]+$/.test(s)) {
    if (s.length !== 64 && s.length !== 128) {
      throw new InvalidOptionsError(`key ${i} is ${s.length} hex digits: a hex key has 64 or 128 (32 or 64 bytes); ${KEY_FORMS}`);
    }
    const k = new Uint8Array(s.length / 2);
    for (let j = 0; j < k.length; j++) k[j] = parseInt(s.slice(2 * j, 2 * j + 2), 16);
    return k;
  }
  const k = s.length === 43 ? decodeBase64url(s, true) : null;
  if (k === null) {
    throw new InvalidOptionsError(`key ${i} is ${s.length} characters of text, not a key: ${KEY_FORMS}`);
  }
  return k;
}

const KEY_FORMS = 'give 43 base64url characters as cookiesession keygen prints them, or 64 or 128 hex digits as openssl rand -hex 32 (or 64) prints them; a password or passphrase is not a key';

/** Resolves the keys option: text (parseKeys), bytes, or a list of either. */
export function resolveKeys(input: KeyInput | undefined): Uint8Array[] {
  if (input === undefined || (Array.isArray(input) && input.length === 0)) {
    throw new InvalidOptionsError(`no keys: give at least one key of ${MIN_KEY_SIZE} random bytes (cookiesession keygen prints one)`);
  }
  if (typeof input === 'string') return parseKeys(input);
  if (input instanceof Uint8Array) return [checkKey(1, input)];
  const keys: Uint8Array[] = [];
  for (const k of input as ReadonlyArray<string | Uint8Array>) {
    if (typeof k === 'string') {
      const parsed = parseKeys(k);
      if (parsed.length !== 1) throw new InvalidOptionsError(`key ${keys.length + 1} holds ${parsed.length} keys: give one key per array element`);
      keys.push(parsed[0]!);
    } else if (k instanceof Uint8Array) {
      keys.push(checkKey(keys.length + 1, k));
    } else {
      throw new InvalidOptionsError(`key ${keys.length + 1} is neither a string nor a Uint8Array`);
    }
  }
  return keys;
}

/** Refuses the i-th key (from 1) when it is short or obviously not random. */
function checkKey(i: number, k: Uint8Array): Uint8Array {
  if (k.length < MIN_KEY_SIZE) {
    throw new InvalidOptionsError(`key ${i} has ${k.length} bytes: each key needs at least ${MIN_KEY_SIZE} random bytes (cookiesession keygen prints one); a space or line break inside a key splits it in two`);
  }
  if (k.every((b) => (b >= 0x20 && b <= 0x7e) || b === 9 || b === 10 || b === 13)) {
    throw new InvalidOptionsError(`key ${i} is printable text, not random bytes: a password is not a key, and a hex or base64 key must be decoded first (parseKeys decodes what cookiesession keygen prints; keygen prints a new key)`);
  }
  if (new Set(k).size < MIN_DISTINCT_KEY_BYTES) {
    throw new InvalidOptionsError(`key ${i} repeats a few byte values (fewer than ${MIN_DISTINCT_KEY_BYTES} distinct in its ${k.length} bytes), so it is not random: use a new key from cookiesession keygen`);
  }
  return k;
}
