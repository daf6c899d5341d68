// Options and their validation: the defaults of absent fields, and the
// checks that refuse a configuration a browser would not honour. Times are
// in milliseconds, as in Express's cookie-session; the format counts whole
// seconds.

import { type CipherName, Codec } from './codec.js';
import { chunkName, DEFAULT_MAX_COOKIE_BYTES, DEFAULT_MAX_TOTAL_BYTES, type Limits, MAX_CHUNKS, MAX_COOKIE_BYTES_LIMIT, SEP, validCookieName } from './chunks.js';
import { InvalidOptionsError } from './errors.js';
import type { KeyInput } from './keys.js';

/** The cookie name when `name` is absent. */
export const DEFAULT_NAME = 'session';
/** The absolute lifetime when `maxAge` is absent: 24 hours, in ms. */
export const DEFAULT_MAX_AGE = 24 * 3600 * 1000;
/** The longest lifetime: RFC 6265bis §5.6.1 caps a cookie's Max-Age at 400 days. */
export const MAX_AGE_LIMIT = 400 * 24 * 3600 * 1000;
/** How far in the future a value's timestamps may lie when `clockSkew` is absent: 60 s. */
export const DEFAULT_CLOCK_SKEW = 60 * 1000;
/** The longest Path or Domain a browser keeps (RFC 6265bis §5.6). */
const MAX_ATTRIBUTE_BYTES = 1024;

/** Options of the sealed session cookie; every field but `keys` has a useful default. */
export interface SessionOptions {
  /**
   * The master keys: text as `cookiesession keygen` prints it (base64url,
   * several separated by commas or whitespace; hex of 32 or 64 bytes is
   * taken too), or bytes, or an array of either. The first key seals; every
   * key opens, and a session opened with an older key is re-sealed with the
   * first. The same keys as the Go services'.
   */
  keys: KeyInput;
  /** The AEAD that seals: 'XChaCha20-Poly1305' (default) or 'AES-256-GCM'. Both open. */
  cipher?: CipherName;
  /** The cookie name; 'session' if absent. A `__Host-` prefix is recommended in production. */
  name?: string;
  /** The cookie path; '/' if absent. */
  path?: string;
  /** The cookie domain; absent means host-only (recommended). */
  domain?: string;
  /** SameSite: 'lax' (default), 'strict' or 'none' (requires Secure). */
  sameSite?: 'lax' | 'strict' | 'none' | 'Lax' | 'Strict' | 'None';
  /**
   * The Secure attribute. Absent: set when the request came over https (the
   * Express middleware and the web helpers know; the header functions, given
   * no request, set it only when the name prefix, SameSite=None or
   * Partitioned require it). `false` with such a requirement is refused.
   */
  secure?: boolean;
  /** The HttpOnly attribute; true if absent. */
  httpOnly?: boolean;
  /** The Partitioned attribute (CHIPS); requires Secure. */
  partitioned?: boolean;
  /** Chrome's Priority attribute. */
  priority?: 'low' | 'medium' | 'high';
  /** The absolute lifetime in ms, from creation, enforced on the server; 24 h if absent, at most 400 days. Whole seconds. */
  maxAge?: number;
  /** The longest lifetime a session may give itself (`Session.maxAge`); maxAge if absent. */
  maxAgeCeiling?: number;
  /** Ends a session not used for this long (ms), enforced on the server; none if absent or 0. */
  idleTimeout?: number;
  /** Re-seals a session read this long (ms) after it was last sealed; idleTimeout/4 if absent; negative disables. */
  refreshAfter?: number;
  /** How far in the future (ms) a value's timestamps may lie; 60 s if absent; negative: none. */
  clockSkew?: number;
  /** New sessions are browser-session cookies (no Max-Age); the server enforces maxAge either way. */
  browserSession?: boolean;
  /** The per-cookie budget, name plus value: 4092 if absent, 256..4096. */
  maxCookieBytes?: number;
  /** How many cookies one session may be split across: 1 (no chunking) if absent, at most 255. */
  maxChunks?: number;
  /** The budget of all chunks in the Cookie header: 6144 when chunking, if absent. */
  maxTotalBytes?: number;
  /** The clock, in ms since the epoch; Date.now if absent. */
  now?: () => number;
}

/** Options checked, with defaults applied and keys derived. */
export interface Settings {
  codec: Codec;
  name: string;
  path: string;
  domain: string;
  sameSite: 'Lax' | 'Strict' | 'None';
  secure: boolean | undefined;
  secureWhy: string;
  httpOnly: boolean;
  partitioned: boolean;
  priority: string;
  /** Seconds, as the format counts them. */
  maxAge: number;
  ceiling: number;
  idle: number;
  refresh: number;
  skew: number;
  browserSession: boolean;
  limits: Limits;
  now: () => number;
}

// Settings derived from one options object are kept, so that passing the
// same options to every call derives the keys once.
const cache = new WeakMap<object, Settings>();

/** Checks options and derives the keys, once per options object. */
export function settings(o: SessionOptions): Settings {
  let s = cache.get(o);
  if (s === undefined) {
    s = resolve(o);
    cache.set(o, s);
  }
  return s;
}

function seconds(what: string, ms: number | undefined, dflt: number): number {
  const v = ms ?? dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidOptionsError(`${what} must be a number of milliseconds`);
  return Math.trunc(v / 1000);
}

function resolve(o: SessionOptions): Settings {
  if (o === null || typeof o !== 'object') throw new InvalidOptionsError('options must be an object with at least `keys`');
  const codec = new Codec(o.keys, o.cipher ?? 'XChaCha20-Poly1305');
  const limits = resolveLimits(o);
  const name = o.name ?? DEFAULT_NAME;
  const path = o.path ?? '/';
  const domain = o.domain ?? '';
  checkAttributes(name, path, domain);
  if (2 * (chunkName(name, limits.chunks).length + 1) > limits.cookie) {
    throw new InvalidOptionsError(`cookie name of ${name.length} bytes leaves less than half of maxCookieBytes (${limits.cookie}) for the value: choose a shorter name`);
  }
  const s: Settings = {
    codec, name, path, domain,
    sameSite: sameSite(o.sameSite),
    secure: o.secure,
    secureWhy: '',
    httpOnly: o.httpOnly ?? true,
    partitioned: o.partitioned ?? false,
    priority: priority(o.priority),
    maxAge: 0, ceiling: 0, idle: 0, refresh: 0, skew: 0,
    browserSession: o.browserSession ?? false,
    limits,
    now: o.now ?? Date.now,
  };
  resolveLifetimes(o, s);
  checkPrefix(s);
  return s;
}

function resolveLimits(o: SessionOptions): Limits {
  const cookie = o.maxCookieBytes || DEFAULT_MAX_COOKIE_BYTES;
  const chunks = o.maxChunks || 1;
  const total = o.maxTotalBytes || (chunks === 1 ? cookie : DEFAULT_MAX_TOTAL_BYTES);
  if (!Number.isInteger(cookie) || cookie < 256 || cookie > MAX_COOKIE_BYTES_LIMIT) {
    throw new InvalidOptionsError(`maxCookieBytes ${o.maxCookieBytes} out of range: use 256..${MAX_COOKIE_BYTES_LIMIT} (absent means ${DEFAULT_MAX_COOKIE_BYTES})`);
  }
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) {
    throw new InvalidOptionsError(`maxChunks ${o.maxChunks} out of range: use 1..${MAX_CHUNKS} (absent means 1, no chunking)`);
  }
  if (!Number.isInteger(total) || total < cookie) {
    throw new InvalidOptionsError(`maxTotalBytes ${o.maxTotalBytes} is below maxCookieBytes ${cookie}: raise it or leave it out`);
  }
  return { cookie, total, chunks };
}

function resolveLifetimes(o: SessionOptions, s: Settings): void {
  s.maxAge = seconds('maxAge', o.maxAge, DEFAULT_MAX_AGE);
  if (s.maxAge < 1 || s.maxAge * 1000 > MAX_AGE_LIMIT) {
    throw new InvalidOptionsError(`maxAge ${o.maxAge} out of range: use 1000..${MAX_AGE_LIMIT} ms (400 days, the most a browser keeps a cookie)`);
  }
  s.idle = seconds('idleTimeout', o.idleTimeout, 0);
  if (s.idle < 0 || (o.idleTimeout !== undefined && o.idleTimeout > 0 && s.idle < 1)) {
    throw new InvalidOptionsError(`idleTimeout ${o.idleTimeout} out of range: use 0 (none) or at least 1000 ms`);
  }
  s.refresh = o.refreshAfter === undefined || o.refreshAfter === 0 ? Math.trunc(s.idle / 4) : Math.max(seconds('refreshAfter', o.refreshAfter, 0), -1);
  s.skew = Math.max(seconds('clockSkew', o.clockSkew === 0 ? undefined : o.clockSkew, DEFAULT_CLOCK_SKEW), 0);
  s.ceiling = seconds('maxAgeCeiling', o.maxAgeCeiling, s.maxAge * 1000);
  if (s.ceiling < s.maxAge || s.ceiling * 1000 > MAX_AGE_LIMIT) {
    throw new InvalidOptionsError(`maxAgeCeiling ${o.maxAgeCeiling} out of range: use maxAge (${s.maxAge * 1000} ms) up to ${MAX_AGE_LIMIT} ms`);
  }
}

function sameSite(v: SessionOptions['sameSite']): Settings['sameSite'] {
  switch ((v ?? 'lax').toLowerCase()) {
    case 'lax': return 'Lax';
    case 'strict': return 'Strict';
    case 'none': return 'None';
  }
  throw new InvalidOptionsError(`sameSite ${JSON.stringify(v)} unknown: use 'lax', 'strict' or 'none'`);
}

function priority(v: SessionOptions['priority']): string {
  if (v === undefined) return '';
  const p = { low: 'Low', medium: 'Medium', high: 'High' }[String(v).toLowerCase()];
  if (p === undefined) throw new InvalidOptionsError(`priority ${JSON.stringify(v)} unknown: use 'low', 'medium' or 'high'`);
  return p;
}

function checkAttributes(name: string, path: string, domain: string): void {
  if (!validCookieName(name)) throw new InvalidOptionsError(`cookie name ${JSON.stringify(name)} is not an RFC 6265 token: use letters, digits and !#$%&'*+-.^_\`| only`);
  if (name.includes(SEP)) throw new InvalidOptionsError(`cookie name ${JSON.stringify(name)} contains "${SEP}", which chunk names use: choose another name`);
  if (path.length > MAX_ATTRIBUTE_BYTES || domain.length > MAX_ATTRIBUTE_BYTES) throw new InvalidOptionsError(`path or domain longer than ${MAX_ATTRIBUTE_BYTES} bytes: browsers ignore such attributes (RFC 6265bis §5.6)`);
  if (path[0] !== '/' || !/^[\x20-\x3a\x3c-\x7e]*$/.test(path)) throw new InvalidOptionsError(`path ${JSON.stringify(path)} must start with / and contain no ';' or control characters`);
  if (domain !== '' && !/^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(domain)) {
    throw new InvalidOptionsError(`domain ${JSON.stringify(domain)} is not a host name`);
  }
}

// The cookie-name prefixes of RFC 6265bis §4.1.3, matched in any case.
function checkPrefix(s: Settings): void {
  const lower = s.name.toLowerCase();
  let why = '';
  if (lower.startsWith('__host-')) {
    if (s.path !== '/' || s.domain !== '') throw new InvalidOptionsError(`cookie "${s.name}": the __Host- prefix (in any case) requires path '/' and no domain`);
    why = 'its __Host- prefix';
  } else if (lower.startsWith('__secure-')) {
    why = 'its __Secure- prefix';
  } else if (s.sameSite === 'None') {
    why = 'SameSite=None';
  } else if (s.partitioned) {
    why = 'Partitioned';
  }
  s.secureWhy = why;
  if (why !== '' && s.secure === false) {
    throw new InvalidOptionsError(`cookie "${s.name}" needs the Secure attribute because of ${why}, but secure is false: leave it out or set it true`);
  }
}
