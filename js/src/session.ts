// Sessions over the format: JSON data, flash messages, metadata and times
// sealed into a cookie value (seal, open), and into or out of HTTP header
// strings, chunks included (readSession, sessionHeaders). The semantics
// are the Go library's (session.go, cookiesession.go, internal/flash,
// internal/format/meta.go).

import { decodeBase64url, encodeBase64url } from './base64.js';
import { type Header, sealedLength } from './codec.js';
import { chunkName, type Incoming, planChunks, readChunks, splitChunks } from './chunks.js';
import { AuthenticationError, CookieSessionError, DecodeError, EncodeError, ExpiredError, FromFutureError, IdleTimeoutError, InsecureRequestError, MalformedError } from './errors.js';
import { encodeMeta, ID_SIZE, type Meta, metaEmpty, parseMeta } from './meta.js';
import { type SessionOptions, type Settings, settings } from './options.js';
import { randomBytes } from './random.js';

/** Session data as Express's cookie-session holds it: a JSON object. */
export type SessionData = Record<string, unknown>;

/** A session: its data and what the format seals beside it. */
export interface Session<T = SessionData> {
  /** The data, sealed as JSON (JSON.stringify; JSON.parse on open). */
  data: T;
  /** Flash messages of the default category, read once on a later request. */
  flashes?: string[];
  /**
   * Flash messages of other categories ("error", "info"): each category
   * (1 to 255 bytes of UTF-8) to its messages, in the order added. Sealed
   * without the categories whose array is empty; read as an object
   * without prototype, absent when there is none.
   */
  flashesByCategory?: Record<string, string[]>;
  /** When the session began, Unix seconds; absent for a new session (now, when sealed). */
  created?: number;
  /** When its value was last sealed, Unix seconds; set by opening. */
  sealed?: number;
  /** A browser-session cookie (no Max-Age); absent: the options' browserSession. */
  browserSession?: boolean;
  /** The session's own absolute lifetime in ms (whole seconds), capped by maxAgeCeiling ("remember me"). */
  maxAge?: number;
  /** The session's random identifier (16 bytes, base64url), kept across re-seals: what the Go library's revocation lists name. */
  id?: string;
  /** What the session is bound to (a user id), at most 255 bytes of UTF-8. */
  subject?: string;
}

/** What readSession found in a Cookie header. */
export interface ReadResult<T = SessionData> {
  /** The session, or null when there was none or it was refused. */
  session: Session<T> | null;
  /** Why the session cookie was refused, or null. */
  error: CookieSessionError | null;
  /** The session must be re-sealed although unchanged: an older key, the other cipher, or due for refresh. */
  reseal: boolean;
  /** The session's cookies the header carried (chunk indexes and malformed chunk names), which the next save deletes when stale. */
  cookies: Pick<Incoming, 'present' | 'foreign'>;
}

/** Where the headers go: the request's scheme decides an absent `secure`. */
export interface HeaderContext {
  /** The request came over https (directly or through a trusted proxy). */
  https?: boolean;
  /**
   * The request came from a loopback address, where browsers keep Secure
   * cookies over plain http. Without it, a cookie that must be Secure
   * answering a plain-http request (https false) is refused with
   * InsecureRequestError, since the browser would drop it.
   */
  loopback?: boolean;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Returns a fresh session identifier, 16 random bytes in base64url. */
export function newSessionId(): string {
  return encodeBase64url(randomBytes(ID_SIZE));
}

/** The lifetime in seconds of a session whose own is ownMs (absent: none). */
function lifetime(s: Settings, ownMs: number | undefined): number {
  return ownMs ? Math.min(Math.trunc(ownMs / 1000), s.ceiling) : s.maxAge;
}

/** The plaintext and header flags of a session. */
function envelope(s: Settings, session: Session<unknown>): { pt: Uint8Array; flashes: boolean; meta: boolean } {
  let json: string | undefined;
  try {
    json = JSON.stringify(session.data);
  } catch (e) {
    throw new EncodeError(`JSON.stringify failed (${e instanceof TypeError ? 'a cycle or a BigInt' : 'a toJSON method threw'})`);
  }
  if (json === undefined) throw new EncodeError('the data is not a JSON value (undefined, a function or a symbol)');
  refuseLoneSurrogates(json, session.data, 'data');
  const flashes = session.flashes ?? [];
  if (!isStrings(flashes)) throw new EncodeError('flashes must be an array of strings');
  const cats = categoryPairs(session.flashesByCategory);
  const hasFlashes = flashes.length > 0 || cats.length > 0;
  let text = json;
  if (hasFlashes) {
    const flashesJSON = JSON.stringify(flashes), catsJSON = cats.length === 0 ? '' : `,${JSON.stringify(cats)}`;
    refuseLoneSurrogates(flashesJSON + catsJSON, { flashes, flashesByCategory: Object.fromEntries(cats) }, '');
    text = `[${json},${flashesJSON}${catsJSON}]`;
  }
  const body = utf8.encode(text);
  const m: Meta = {};
  if (session.maxAge) {
    if (!Number.isFinite(session.maxAge) || session.maxAge < 1000 || session.maxAge > s.ceiling * 1000) {
      throw new EncodeError(`the session's maxAge must lie between 1000 ms and maxAgeCeiling (${s.ceiling * 1000} ms)`);
    }
    m.maxAge = Math.trunc(session.maxAge / 1000);
  }
  if (session.id !== undefined) {
    const id = decodeBase64url(session.id);
    if (id === null || id.length !== ID_SIZE) throw new EncodeError('the session id must be 16 bytes in base64url (newSessionId makes one)');
    m.id = id;
  }
  if (session.subject) m.subject = session.subject;
  if (metaEmpty(m)) return { pt: body, flashes: hasFlashes, meta: false };
  const mb = encodeMeta(m);
  const pt = new Uint8Array(mb.length + body.length);
  pt.set(mb, 0);
  pt.set(body, mb.length);
  return { pt, flashes: hasFlashes, meta: true };
}

/**
 * An escape of a UTF-16 surrogate, not preceded by an escaped backslash:
 * JSON.stringify writes a lone surrogate so (ES2019, well-formed
 * JSON.stringify), and Go's encoding/json reads it as U+FFFD.
 */
const SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Throws EncodeError naming where value, whose JSON.stringify text is
 * json, holds a string with a lone surrogate, which the Go library would
 * read back with U+FFFD in its place. Only JSON with a surrogate escape is
 * searched (calling toJSON methods a second time); the path is built from
 * root ("data"; "" for the flash messages).
 */
function refuseLoneSurrogates(json: string, value: unknown, root: string): void {
  if (!SURROGATE_ESCAPE.test(json)) return;
  const paths = new WeakMap<object, string>();
  let where = '';
  const found = {};
  try {
    JSON.stringify(value, function (this: object, key: string, v: unknown) {
      const holder = paths.get(this);
      const path = holder === undefined ? root : holder === '' ? key : holder + pathStep(key, Array.isArray(this));
      if (holder !== undefined && !Array.isArray(this) && LONE_SURROGATE.test(key)) where = `a key of ${holder || 'the value'}`;
      else if (typeof v === 'string' && LONE_SURROGATE.test(v)) where = path;
      if (where !== '') throw found;
      if (typeof v === 'object' && v !== null) paths.set(v, path);
      return v;
    });
  } catch (e) {
    if (e !== found) throw e;
    throw new EncodeError(`${where} is a string with a lone surrogate (half of a UTF-16 pair), which JSON.stringify escapes and the Go library reads back as U+FFFD: ` +
      'store binary data encoded (base64), or well-formed text');
  }
}

/** One step of a path: [2] in an array, .name for a key that reads as an identifier, else ["key"]. */
function pathStep(key: string, inArray: boolean): string {
  if (inArray) return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The longest flash category, in UTF-8 bytes (the Go library's MaxFlashCategoryBytes). */
export const MAX_FLASH_CATEGORY_BYTES = 255;

function isStrings(a: unknown): a is string[] {
  return Array.isArray(a) && a.every((x) => typeof x === 'string');
}

/** Whether c can name a category: 1 to 255 bytes of UTF-8 (no lone surrogate). */
function validCategory(c: string): boolean {
  return c !== '' && !/[\uD800-\uDFFF]/u.test(c) && utf8.encode(c).length <= MAX_FLASH_CATEGORY_BYTES;
}

/** The envelope's [category, messages] pairs of flashesByCategory, without empty ones. */
function categoryPairs(byCategory: Record<string, string[]> | undefined): [string, string[]][] {
  if (byCategory === undefined) return [];
  if (byCategory === null || typeof byCategory !== 'object') throw new EncodeError('flashesByCategory must be an object of string arrays');
  const pairs: [string, string[]][] = [];
  for (const [c, msgs] of Object.entries(byCategory)) {
    if (!isStrings(msgs)) throw new EncodeError('flashesByCategory must be an object of string arrays');
    if (msgs.length === 0) continue;
    if (!validCategory(c)) throw new EncodeError(`a flash category must be 1 to ${MAX_FLASH_CATEGORY_BYTES} bytes of UTF-8 (the default category is flashes)`);
    pairs.push([c, msgs]);
  }
  return pairs;
}

/** Parses the envelope's third element: [[category, [message, ...]], ...] (docs/FORMAT.md). */
function parseCategories(v: unknown): Record<string, string[]> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new DecodeError('flash categories are not [[category, [messages]], ...]');
  const out: Record<string, string[]> = Object.create(null);
  v.forEach((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || !isStrings(p[1])) {
      throw new DecodeError(`flash category ${i} is not [category, [messages]]`);
    }
    // A lone surrogate escape reads as U+FFFD, as Go's encoding/json reads it.
    const c = (p[0] as string).replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
    const msgs = p[1] as string[];
    if (!validCategory(c) || Object.hasOwn(out, c) || msgs.length === 0) {
      throw new DecodeError(`flash category ${i} is empty, longer than ${MAX_FLASH_CATEGORY_BYTES} bytes, repeated, or has no message`);
    }
    out[c] = msgs;
  });
  return v.length > 0 ? out : undefined;
}

/** Seals the envelope for n chunks, at now (Unix s); created defaults to now. */
function sealAt(s: Settings, session: Session<unknown>, env: ReturnType<typeof envelope>, now: number, chunks: number) {
  const created = session.created ?? now;
  const sealed = Math.max(now, created); // a clock behind the one that sealed
  const browserSession = session.browserSession ?? s.browserSession;
  const value = s.codec.seal(s.name, { created, sealed, browserSession, flashes: env.flashes, meta: env.meta }, env.pt, chunks);
  return { value, created, sealed, browserSession };
}

/**
 * Seals a session into one cookie value for the cookie options.name (one
 * chunk). A session without `created` is new: it begins now. Throws
 * EncodeError, or TooLargeError when the value exceeds maxCookieBytes.
 */
export function seal<T>(session: Session<T>, options: SessionOptions): string {
  const s = settings(options);
  const env = envelope(s, session);
  const len = sealedLength(s.codec.cipher, env.pt.length);
  if (s.name.length + len > s.limits.cookie) planChunks(s.name, len, { ...s.limits, chunks: 1 });
  return sealAt(s, session, env, nowSeconds(s), 1).value;
}

function nowSeconds(s: Settings): number {
  return Math.floor(s.now() / 1000);
}

/**
 * Opens a cookie value sealed for options.name, split across `chunks`
 * cookies, and checks its times. Throws MalformedError, UnknownKeyError,
 * AuthenticationError, ExpiredError (IdleTimeoutError), FromFutureError or
 * DecodeError.
 */
export function open<T = SessionData>(value: string, options: SessionOptions, chunks = 1): Session<T> {
  return openValue<T>(settings(options), value, chunks).session;
}

function openValue<T>(s: Settings, value: string, chunks: number): { session: Session<T>; reseal: boolean } {
  const { header, plaintext, keyIndex } = s.codec.open(s.name, value, chunks);
  let pt = plaintext;
  let meta: Meta = {};
  if (header.meta) ({ meta, rest: pt } = parseMeta(plaintext));
  const now = nowSeconds(s);
  checkTimes(s, header, lifetime(s, meta.maxAge ? meta.maxAge * 1000 : undefined), now);
  let text: string;
  try {
    text = utf8Decoder.decode(pt);
  } catch {
    throw new DecodeError('the plaintext is not UTF-8');
  }
  let data: unknown;
  let flashes: string[] | undefined;
  let byCategory: Record<string, string[]> | undefined;
  try {
    data = JSON.parse(text);
  } catch {
    throw new DecodeError('the plaintext is not JSON');
  }
  if (header.flashes) {
    if (!Array.isArray(data) || data.length < 2) throw new DecodeError('flash envelope is not [data, [messages]]');
    const f = data[1];
    if (f !== null && (!Array.isArray(f) || f.some((x) => typeof x !== 'string'))) throw new DecodeError('flash messages are not strings');
    flashes = f ?? [];
    byCategory = parseCategories(data[2]); // elements after the third are ignored
    data = data[0];
  }
  const session: Session<T> = { data: data as T, created: header.created, sealed: header.sealed, browserSession: header.browserSession };
  if (flashes && flashes.length > 0) session.flashes = flashes;
  if (byCategory) session.flashesByCategory = byCategory;
  if (meta.maxAge) session.maxAge = meta.maxAge * 1000;
  if (meta.id) session.id = encodeBase64url(meta.id);
  if (meta.subject) session.subject = meta.subject;
  const rotated = keyIndex > 0 || header.cipher !== s.codec.cipher;
  return { session, reseal: rotated || (s.refresh > 0 && now - header.sealed >= s.refresh) };
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

/** Enforces the lifetimes (docs/FORMAT.md, "Times"); maxAge in seconds. */
function checkTimes(s: Settings, h: Header, maxAge: number, now: number): void {
  const future = now + s.skew;
  if (h.created > future || h.sealed > future) {
    throw new FromFutureError(`sealed at ${iso(h.sealed)}, now ${iso(now)}: check the servers' clocks`);
  }
  if (now >= h.created + maxAge) throw new ExpiredError(`session expired: created ${iso(h.created)}, past the ${maxAge} s lifetime`);
  if (s.idle > 0 && now >= h.sealed + s.idle) throw new IdleTimeoutError(`session idle timeout: last sealed ${iso(h.sealed)}, idle longer than ${s.idle} s`);
}

/**
 * Reads the session of options.name, and its chunks, from a Cookie header
 * (undefined or null: none). It never throws for what the header holds:
 * a refused cookie gives session null and the error.
 */
export function readSession<T = SessionData>(cookieHeader: string | null | undefined, options: SessionOptions): ReadResult<T> {
  const s = settings(options);
  const { in: inc, error } = readChunks(cookieHeader ?? '', s.name, s.limits);
  const result: ReadResult<T> = { session: null, error, reseal: false, cookies: { present: inc.present, foreign: inc.foreign } };
  if (error || inc.chunks === 0) return result;
  try {
    const { session, reseal } = openValue<T>(s, inc.value, inc.chunks);
    result.session = session;
    result.reseal = reseal;
  } catch (e) {
    if (!(e instanceof CookieSessionError)) throw e;
    const unopened = e instanceof MalformedError || e instanceof AuthenticationError;
    result.error = inc.missing && unopened ? inc.missing : e;
    if (inc.whole !== undefined && unopened) {
      // Stale parts after the value's last, or a value written under
      // another per-cookie budget: its error is the one every part explains.
      try {
        const { session, reseal } = openValue<T>(s, inc.whole, inc.wholeChunks!);
        Object.assign(result, { session, reseal, error: null });
      } catch (e2) {
        if (!(e2 instanceof CookieSessionError)) throw e2;
        result.error = e2;
      }
    }
  }
  return result;
}

/** The attributes shared by every Set-Cookie line of one response. */
function attributes(s: Settings, ctx: HeaderContext | undefined): string {
  const secure = s.secure ?? (ctx?.https === true || s.secureWhy !== '');
  if (secure && ctx?.https === false && !ctx.loopback) {
    const why = s.secureWhy || 'secure: true';
    throw new InsecureRequestError(`cookie "${s.name}" must be Secure (${why}) but the request came over plain http, so the browser would drop it: serve https, or tell the app the request was https behind your proxy (Express: trust proxy)`);
  }
  let a = '; Path=' + s.path;
  if (s.domain) a += '; Domain=' + s.domain;
  if (s.httpOnly) a += '; HttpOnly';
  if (secure) a += '; Secure';
  a += '; SameSite=' + s.sameSite;
  if (s.partitioned) a += '; Partitioned';
  if (s.priority) a += '; Priority=' + s.priority;
  return a;
}

function expireLine(name: string, attrs: string): string {
  return name + '=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT' + attrs;
}

/**
 * The Set-Cookie header values that store a session, or delete it (null),
 * and delete the stale chunks the request carried (`read`, from
 * readSession): a save deletes only those, and the next chunk name when the
 * value's last part fills the per-cookie budget (a reader would read on
 * into a stale part there); deleting (null) deletes every possible chunk
 * name. A stale chunk the request did not carry (two tabs racing) is
 * ignored by readers and deleted by the next save that carries it. A session without
 * `created` is new and begins now; `sealed` becomes now. Throws EncodeError,
 * or TooLargeError when the session exceeds the size budgets; the previous
 * cookies then stay as they were.
 */
export function sessionHeaders<T>(session: Session<T> | null, options: SessionOptions, read?: Pick<ReadResult<unknown>, 'cookies'>, ctx?: HeaderContext): string[] {
  return sessionLines(settings(options), session, read?.cookies, ctx).lines;
}

/** sessionHeaders, also returning the session as sealed (created and sealed set). */
export function sessionLines<T>(s: Settings, session: Session<T> | null, cookies: ReadResult['cookies'] | undefined, ctx: HeaderContext | undefined): { lines: string[]; sealed: Session<T> | null; chunks: number } {
  const attrs = attributes(s, ctx);
  const present = cookies?.present ?? [];
  const lines: string[] = [];
  let n = 0;
  let full = false; // the last part fills the per-cookie budget
  let sealed: Session<T> | null = null;
  if (session !== null) {
    const env = envelope(s, session);
    const len = sealedLength(s.codec.cipher, env.pt.length);
    n = planChunks(s.name, len, s.limits);
    const now = nowSeconds(s);
    const r = sealAt(s, session, env, now, n);
    sealed = { ...session, created: r.created, sealed: r.sealed, browserSession: r.browserSession };
    let persist = '';
    if (!r.browserSession) {
      let end = r.created + lifetime(s, session.maxAge);
      if (s.idle > 0) end = Math.min(end, r.sealed + s.idle);
      const maxAge = Math.max(end - r.sealed, 1);
      persist = '; Max-Age=' + maxAge + '; Expires=' + new Date((r.sealed + maxAge) * 1000).toUTCString();
    }
    const parts = n === 1 ? [r.value] : splitChunks(s.name, r.value, n, s.limits);
    parts.forEach((p, i) => lines.push(chunkName(s.name, i + 1) + '=' + p + persist + attrs));
    full = chunkName(s.name, n).length + parts[n - 1]!.length === s.limits.cookie;
  }
  const last = Math.max(s.limits.chunks, present.length > 0 ? present[present.length - 1]! : 0);
  for (let i = n + 1; i <= last; i++) {
    const possible = i <= s.limits.chunks && (session === null || (full && i === n + 1));
    if (possible || present.includes(i)) lines.push(expireLine(chunkName(s.name, i), attrs));
  }
  for (const f of cookies?.foreign ?? []) lines.push(expireLine(f, attrs));
  return { lines, sealed, chunks: n };
}
