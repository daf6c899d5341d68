// Reading the cookies of Express's cookie-session middleware (npm
// cookie-session 1.x and 2.x, signed by the cookies and keygrip packages),
// so that its sessions are taken over and re-written sealed (the Go
// library's migrate/express.go does the same):
//
//   NAME     = base64(JSON.stringify(session))    standard alphabet, padded
//   NAME.sig = HMAC(keys[0], "NAME=" + value)     base64, "+/" -> "-_", no "="

import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64url } from './base64.js';
import { InvalidOptionsError, LegacyPayloadError, LegacySignatureError, TooLargeError } from './index.js';

/** The signed cookies of Express cookie-session to read during a migration. */
export interface LegacyOptions {
  /** cookie-session's `keys` (or `[secret]`), the same strings in the same order. */
  keys: string[];
  /** cookie-session's `name`: 'session' if absent ('express:sess' for 1.x). It must differ from the sealed cookie's name. */
  name?: string;
  /** The app passed Keygrip(keys, 'sha256'); keygrip's default is HMAC-SHA1. */
  sha256?: boolean;
  /** The path and domain the old cookies were set with, to delete them; the sealed cookie's if absent. */
  path?: string;
  domain?: string;
}

/** A checked LegacyOptions. */
export interface Legacy {
  name: string;
  sigName: string;
  keys: Uint8Array[];
  sha256: boolean;
  path: string | undefined;
  domain: string | undefined;
}

const utf8 = new TextEncoder();

/** Checks legacy options against the sealed cookie's name. */
export function legacyFormat(o: LegacyOptions, sealedName: string): Legacy {
  const name = o.name ?? 'session';
  if (!/^[\x21-\x7e]+$/.test(name) || /[;=,"\\]/.test(name)) {
    throw new InvalidOptionsError(`legacy.name ${JSON.stringify(name)}: use printable ASCII without spaces, ';', '=', ',', '"' or '\\'`);
  }
  if (name === sealedName) {
    throw new InvalidOptionsError(`legacy.name and name are both ${JSON.stringify(name)}: give the sealed cookie another name (name: 'sid', say)`);
  }
  if (!Array.isArray(o.keys) || o.keys.length === 0) throw new InvalidOptionsError("legacy.keys is empty: give cookie-session's keys (or [secret]) in the same order");
  o.keys.forEach((k, i) => {
    if (typeof k !== 'string' || k === '') throw new InvalidOptionsError(`legacy.keys[${i}] is empty or not a string: an empty HMAC key lets anyone sign a session`);
  });
  return { name, sigName: name + '.sig', keys: o.keys.map((k) => utf8.encode(k)), sha256: o.sha256 === true, path: o.path, domain: o.domain };
}

/**
 * Finds a cookie the way the npm cookies package (0.9) does: the first
 * match of /(?:^|;) *NAME=([^;]*)/, then a leading '"' removes the first
 * and last characters.
 */
export function nodeCookie(header: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const pos = header.indexOf(name + '=', from);
    if (pos < 0) return undefined;
    let p = pos;
    while (p > 0 && header[p - 1] === ' ') p--;
    if (p === 0 || header[p - 1] === ';') {
      const start = pos + name.length + 1;
      const end = header.indexOf(';', start);
      const v = header.slice(start, end < 0 ? header.length : end);
      return v[0] === '"' ? v.slice(1, -1) : v;
    }
    from = pos + 1;
  }
}

function sign(l: Legacy, key: Uint8Array, data: string): string {
  return encodeBase64url(hmac(l.sha256 ? sha256 : sha1, key, utf8.encode(data)));
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** Reports whether the header carries either of the legacy cookies. */
export function hasLegacy(l: Legacy, header: string): boolean {
  return nodeCookie(header, l.name) !== undefined || nodeCookie(header, l.sigName) !== undefined;
}

/**
 * Reads the legacy session: undefined when there is none, else its data
 * (a JSON object). Throws LegacySignatureError, LegacyPayloadError or
 * TooLargeError.
 */
export function readLegacy(l: Legacy, header: string): Record<string, unknown> | undefined {
  const value = nodeCookie(header, l.name);
  if (!value) return undefined;
  if (l.name.length + value.length > 4096) throw new TooLargeError(l.name, l.name.length + value.length, 4096, false, 1);
  const sig = nodeCookie(header, l.sigName);
  if (!sig) throw new LegacySignatureError(`cookie "${l.name}" has no "${l.sigName}" signature cookie beside it`);
  let ok = false;
  for (const k of l.keys) ok = constantTimeEqual(sign(l, k, l.name + '=' + value), sig) || ok;
  if (!ok) {
    let hint = ' (altered, or signed with a key not in legacy.keys: add it after the current key)';
    if (sig.length === 43 && !l.sha256) hint = " (it has the length of an HMAC-SHA256 signature: set legacy.sha256 if the app used Keygrip(keys, 'sha256'))";
    if (sig.length === 27 && l.sha256) hint = " (it has the length of an HMAC-SHA1 signature: unset legacy.sha256, keygrip's default is SHA-1)";
    throw new LegacySignatureError(`Express cookie "${l.name}": the signature matches none of the ${l.keys.length} configured keys${hint}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(new TextDecoder().decode(nodeBase64Decode(value)));
  } catch {
    throw new LegacyPayloadError(`Express cookie "${l.name}" is not base64 of JSON`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new LegacyPayloadError(`Express cookie "${l.name}" does not hold a JSON object`);
  return obj as Record<string, unknown>;
}

const B64 = (() => {
  const t = new Int16Array(256).fill(-1);
  const std = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[std.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62;
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/**
 * Decodes base64 as Node.js's Buffer.from(s, 'base64') does: both
 * alphabets, other characters skipped, stop at the first '='.
 */
function nodeBase64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) break;
    const v = c < 256 ? B64[c]! : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    if (++n === 4) {
      out.push((acc >> 16) & 255, (acc >> 8) & 255, acc & 255);
      acc = 0;
      n = 0;
    }
  }
  if (n === 2) out.push((acc >> 4) & 255);
  if (n === 3) out.push((acc >> 10) & 255, (acc >> 2) & 255);
  return Uint8Array.from(out);
}
