// Express middleware: a drop-in for cookie-session (req.session, assign,
// req.session = null, isNew, isChanged, isPopulated, req.sessionOptions),
// sealed in the format of the Go library, with the same keys. During a
// migration it also reads cookie-session's signed cookies and replaces them
// with sealed ones on the same response.

import {
  cacheControlForSetCookie, type CookieSessionError, newSessionId, readSession, type ReadResult, type Session,
  sessionHeaders, type SessionOptions,
} from './index.js';
import { hasLegacy, type Legacy, legacyFormat, type LegacyOptions, readLegacy } from './legacy.js';

export type { LegacyOptions } from './legacy.js';

/** Options of the middleware: the sealed cookie's, and the old cookies to take over. */
export interface CookieSessionOptions extends SessionOptions {
  /**
   * Express cookie-session's signed cookies to read and upgrade during a
   * migration. `name` must then differ from legacy.name.
   */
  legacy?: LegacyOptions;
  /**
   * Called when the session cannot be saved (TooLargeError, EncodeError,
   * InsecureRequestError):
   * the client keeps its previous cookies. Absent: the error is logged with
   * console.error and the response status becomes 500.
   */
  onError?: (err: CookieSessionError, req: ExpressRequest, res: ExpressResponse) => void;
}

/** req.session: the session's data as own properties, and cookie-session's getters. */
export interface CookieSession {
  [key: string]: unknown;
  /** The request carried no valid session. */
  readonly isNew: boolean;
  /** The data differs from what the request carried (or the session is new). */
  readonly isChanged: boolean;
  /** The session holds data. */
  readonly isPopulated: boolean;
  /** Starts the session anew (a new creation time and identifier), keeping the data: call it after login. Passport calls it. */
  regenerate(cb?: (err?: unknown) => void): void;
  /** Does nothing but call cb: the middleware saves before the response starts. Passport calls it. */
  save(cb?: (err?: unknown) => void): void;
}

/** What the middleware needs of Express's request. */
export interface ExpressRequest {
  headers: { cookie?: string | undefined };
  secure?: boolean;
  [key: string]: unknown;
}

/** What the middleware needs of Node's response. */
export interface ExpressResponse {
  getHeader(name: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
  removeHeader?(name: string): unknown;
  writeHead: (...args: any[]) => unknown;
  [key: string]: unknown;
}

// What a Session object knows beside its data; not enumerable.
interface Ctx {
  isNew: boolean;
  json: string | undefined; // the data's JSON as read; undefined for a new session
  session: Session | null; // as read: times and metadata
  renewed: boolean;
  reseal: boolean; // key rotation, refresh, legacy upgrade
}

const CTX = Symbol('cookiesession');
const proto = Object.create(Object.prototype, {
  isNew: { get(this: Holder) { return this[CTX].isNew; } },
  isChanged: { get(this: Holder) { return this[CTX].isNew || this[CTX].json !== JSON.stringify(this); } },
  isPopulated: { get(this: Holder) { return Object.keys(this).length > 0; } },
  regenerate: { value(this: Holder, cb?: (err?: unknown) => void) { this[CTX].renewed = true; cb?.(); } },
  save: { value(cb?: (err?: unknown) => void) { cb?.(); } },
});

type Holder = Record<string, unknown> & { [CTX]: Ctx };

function newSession(obj: Record<string, unknown> | null, ctx: Ctx): CookieSession {
  const s = Object.create(proto) as Holder;
  Object.defineProperty(s, CTX, { value: ctx });
  if (obj) {
    for (const key in obj) if (!(key in s)) s[key] = obj[key];
  }
  return s as unknown as CookieSession;
}

/**
 * Returns the middleware: `app.use(cookieSession({ name, keys, maxAge }))`.
 * req.session behaves as cookie-session's; beside it the request gets
 * `sessionOptions` (per-request options: a `maxAge` set there becomes the
 * session's own lifetime, sealed and enforced), `sessionError` (why the
 * request's cookie was refused, or null), `sessionFlashes` (the session's
 * flash messages, an array to push to and splice from), `flash` (as
 * connect-flash's: `req.flash(category, message)` adds, `req.flash(category)`
 * reads once, `req.flash()` reads every category once; category '' is
 * sessionFlashes; unless the request already has a `flash`) and
 * `sessionSubject` (what the session is bound to, a user id, or undefined).
 * Throws InvalidOptionsError for a bad configuration.
 */
export function cookieSession(options: CookieSessionOptions) {
  const opts: CookieSessionOptions = { ...options };
  // Check the options (and derive the keys) now, not on the first request.
  readSession('', opts);
  const legacy = opts.legacy ? legacyFormat(opts.legacy, opts.name ?? 'session') : undefined;
  return function cookieSessionMiddleware(req: ExpressRequest, res: ExpressResponse, next: (err?: unknown) => void): void {
    const state = new RequestState(req, res, opts, legacy);
    req.sessionOptions = Object.create(opts);
    Object.defineProperty(req, 'session', {
      configurable: true, enumerable: true,
      get: () => state.get(),
      set: (v: unknown) => state.set(v),
    });
    for (const [prop, field] of [['sessionError', 'error'], ['sessionFlashes', 'flashes'], ['sessionSubject', 'subject']] as const) {
      Object.defineProperty(req, prop, {
        configurable: true, enumerable: false,
        get: () => { state.get(); return state[field]; },
        set: (v: never) => { state.get(); state[field] = v; },
      });
    }
    if (req.flash === undefined) {
      Object.defineProperty(req, 'flash', { configurable: true, writable: true, value: state.flash.bind(state) });
    }
    const writeHead = res.writeHead;
    let done = false;
    res.writeHead = function (this: unknown, ...args: unknown[]) {
      if (!done) {
        done = true;
        if (!state.commit()) {
          args[0] = 500;
          if (typeof args[1] === 'string') args[1] = 'Internal Server Error';
        }
      }
      return writeHead.apply(this, args);
    };
    next();
  };
}

class RequestState {
  sess: CookieSession | false | undefined;
  read: ReadResult | null = null;
  error: CookieSessionError | null = null;
  flashes: string[] = [];
  flashCats: Record<string, string[]> = Object.create(null);
  subject: string | undefined;
  private readFlashes = '[[],[]]'; // flashesJSON() of none
  private readSubject: string | undefined;
  private legacyFound = false;

  constructor(
    private req: ExpressRequest,
    private res: ExpressResponse,
    private opts: CookieSessionOptions,
    private legacy: Legacy | undefined,
  ) {}

  get(): CookieSession | null {
    if (this.sess) return this.sess;
    if (this.sess === false) return null;
    const header = this.req.headers.cookie ?? '';
    const read = readSession(header, this.opts);
    this.read = read;
    this.error = read.error;
    if (read.session && read.session.data !== null && typeof read.session.data === 'object' && !Array.isArray(read.session.data)) {
      const s = read.session;
      this.flashes = s.flashes ?? [];
      for (const [c, m] of Object.entries(s.flashesByCategory ?? {})) this.flashCats[c] = [...m];
      this.readFlashes = this.flashesJSON();
      this.subject = this.readSubject = s.subject;
      this.sess = newSession(s.data, { isNew: false, json: JSON.stringify(s.data), session: s, renewed: false, reseal: read.reseal });
      return this.sess;
    }
    if (read.session) this.error = null; // sealed by a service whose data is no object: start anew
    if (this.legacy && read.session === null && read.error === null && read.cookies.present.length === 0) {
      try {
        const obj = readLegacy(this.legacy, header);
        this.legacyFound = hasLegacy(this.legacy, header);
        if (obj) {
          this.sess = newSession(obj, { isNew: false, json: JSON.stringify(obj), session: null, renewed: false, reseal: true });
          return this.sess;
        }
      } catch (e) {
        this.legacyFound = true;
        this.error = e as CookieSessionError;
      }
    }
    this.sess = newSession(null, { isNew: true, json: undefined, session: null, renewed: false, reseal: false });
    return this.sess;
  }

  set(v: unknown): void {
    if (v === null || v === undefined) {
      this.get(); // what the request carried, to delete all of it
      this.sess = false;
      return;
    }
    if (typeof v !== 'object') throw new TypeError('req.session can only be set as null or an object.');
    const prev = this.get();
    const prevCtx = prev ? (prev as unknown as Holder)[CTX] : undefined;
    this.sess = newSession(v as Record<string, unknown>, { isNew: true, json: undefined, session: prevCtx?.session ?? null, renewed: false, reseal: false });
  }

  /** Every flash message, by category, as JSON: what a save would change. */
  private flashesJSON(): string {
    return JSON.stringify([this.flashes, Object.entries(this.flashCats).filter(([, m]) => m.length > 0)]);
  }

  /**
   * req.flash, as connect-flash's: (category, message or messages) adds and
   * returns the category's count; (category) returns its messages and
   * removes them; () returns every category's ('' the default) and removes
   * them. A category is checked when the session is saved (EncodeError).
   */
  flash(category?: string, message?: string | string[]): number | string[] | Record<string, string[]> {
    this.get();
    if (category === undefined) {
      const all: Record<string, string[]> = Object.create(null);
      if (this.flashes.length > 0) all[''] = this.flashes.splice(0);
      for (const [c, m] of Object.entries(this.flashCats)) if (m.length > 0) all[c] = m;
      this.flashCats = Object.create(null);
      return all;
    }
    if (typeof category !== 'string') throw new TypeError('req.flash: the category must be a string');
    if (message === undefined) {
      if (category === '') return this.flashes.splice(0);
      const m = this.flashCats[category] ?? [];
      delete this.flashCats[category];
      return m;
    }
    const msgs = Array.isArray(message) ? message : [message];
    if (msgs.some((m) => typeof m !== 'string')) throw new TypeError('req.flash: messages must be strings');
    const list = category === '' ? this.flashes : (this.flashCats[category] ??= []);
    list.push(...msgs);
    return list.length;
  }

  /** Writes the Set-Cookie lines due, if any; false when the session could not be saved. */
  commit(): boolean {
    if (this.sess === undefined) {
      const takeOver = this.legacy !== undefined && hasLegacy(this.legacy, this.req.headers.cookie ?? '');
      if (!takeOver && ownMaxAge(this.req.sessionOptions as SessionOptions, this.opts) === undefined) return true;
      this.get(); // a legacy cookie to take over now, or a lifetime to seal
    }
    let session: Session | null = null;
    if (this.sess) {
      const ctx = (this.sess as unknown as Holder)[CTX];
      const s = this.sess as unknown as CookieSession;
      const own = ownMaxAge(this.req.sessionOptions as SessionOptions, this.opts);
      const prev = ctx.session;
      const changed = (!s.isNew || s.isPopulated) && s.isChanged;
      const metaChanged = this.flashesJSON() !== this.readFlashes || this.subject !== this.readSubject ||
        ctx.renewed || (own ?? prev?.maxAge) !== prev?.maxAge;
      if (!changed && !metaChanged && !ctx.reseal) return true;
      session = { data: { ...s } };
      if (this.flashes.length > 0) session.flashes = [...this.flashes];
      if (Object.values(this.flashCats).some((m) => m.length > 0)) session.flashesByCategory = this.flashCats;
      if (this.subject) session.subject = this.subject;
      const maxAge = own ?? prev?.maxAge;
      if (maxAge) session.maxAge = maxAge;
      if (prev) {
        // An assigned object (req.session = {...}) replaces the data, not
        // the session: its creation time stays, as in the Go library.
        session.browserSession = prev.browserSession;
        if (!ctx.renewed) session.created = prev.created;
      }
      if (prev?.id) session.id = ctx.renewed ? newSessionId() : prev.id;
    }
    let lines: string[];
    try {
      lines = sessionHeaders(session, this.opts, this.read ?? undefined, { https: this.req.secure === true, loopback: isLoopback(this.req) });
    } catch (e) {
      const err = e as CookieSessionError;
      if (this.opts.onError) this.opts.onError(err, this.req, this.res);
      else console.error('cookiesession: session not saved: ' + err.message);
      return this.opts.onError !== undefined;
    }
    if (this.legacy && this.legacyFound) lines.push(...this.expireLegacy());
    this.setCookies(lines);
    return true;
  }

  private expireLegacy(): string[] {
    const l = this.legacy!;
    const path = l.path ?? this.opts.path ?? '/';
    const domain = l.domain ?? this.opts.domain;
    const attrs = '; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=' + path + (domain ? '; Domain=' + domain : '');
    return [l.name + '=' + attrs, l.sigName + '=' + attrs];
  }

  private setCookies(lines: string[]): void {
    const res = this.res;
    const name = this.opts.name ?? 'session';
    let prev = res.getHeader('Set-Cookie');
    if (prev === undefined) prev = [];
    if (!Array.isArray(prev)) prev = [String(prev)];
    // Lines an earlier writer added for these cookies are replaced.
    const kept = (prev as string[]).filter((l) => !(l.startsWith(name + '=') || l.startsWith(name + '~')));
    res.setHeader('Set-Cookie', [...kept, ...lines]);
    const vary = String(res.getHeader('Vary') ?? '');
    if (!/(^|,)\s*(\*|cookie)\s*(,|$)/i.test(vary)) res.setHeader('Vary', vary ? vary + ', Cookie' : 'Cookie');
    const cc = res.getHeader('Cache-Control');
    res.setHeader('Cache-Control', cacheControlForSetCookie(cc === undefined ? null : String(cc)));
  }
}

/** Reports whether the request's peer is a loopback address, where browsers keep Secure cookies over http. */
function isLoopback(req: ExpressRequest): boolean {
  const addr = String((req.socket as { remoteAddress?: string } | undefined)?.remoteAddress ?? '');
  return /^(127\.|::1$|::ffff:127\.)/.test(addr);
}

/** The session's own lifetime from req.sessionOptions.maxAge, when the request set one. */
function ownMaxAge(perRequest: SessionOptions | undefined, base: SessionOptions): number | undefined {
  if (!perRequest || !Object.prototype.hasOwnProperty.call(perRequest, 'maxAge')) return undefined;
  const v = perRequest.maxAge;
  return v === base.maxAge ? undefined : v;
}

export default cookieSession;
