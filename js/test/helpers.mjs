// Helpers shared by the tests: fixed keys that look random, and a jar that
// replays Set-Cookie lines as a browser would for one path.

import { createHash } from 'node:crypto';

/** A fixed master key: SHA-256 of one byte, base64url (what keygen prints). */
export function testKey(b) {
  return createHash('sha256').update(Buffer.from([b])).digest('base64url');
}

/** Cookies by name, in the order first set. */
export class Jar {
  constructor() { this.map = new Map(); }
  /** Applies Set-Cookie lines: Max-Age<=0 or a past Expires deletes. */
  update(lines) {
    for (const l of lines ?? []) {
      const [pair, ...attrs] = l.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const del = attrs.some((a) => {
        const [k, v] = a.trim().split('=');
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
        return false;
      });
      if (del) this.map.delete(name);
      else this.map.set(name, value);
    }
    return this;
  }
  header() { return [...this.map].map(([k, v]) => `${k}=${v}`).join('; '); }
  names() { return [...this.map.keys()]; }
}
