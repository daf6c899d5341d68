// Web-standard helpers: read a session from a Request, write it to Headers
// or a Response. For Next.js route handlers and middleware, Hono, Cloudflare
// Workers, Deno and service workers: nothing here needs Node.js.

import type { SessionOptions } from './options.js';
import { readSession, type ReadResult, type Session, type SessionData, sessionHeaders } from './session.js';

/** Reads the session from a Request's Cookie header (see readSession). */
export function getSession<T = SessionData>(request: Request, options: SessionOptions): ReadResult<T> {
  return readSession<T>(request.headers.get('cookie'), options);
}

/** Where setSession writes: the request decides an absent `secure`, `read` which stale chunks to delete. */
export interface WriteContext {
  /**
   * The request answered: over https, an absent `secure` means Secure; over
   * http to a host other than localhost, a cookie that must be Secure is
   * refused (InsecureRequestError).
   */
  request?: Request;
  /** What getSession read, so that the stale chunks it saw are deleted. */
  read?: Pick<ReadResult<unknown>, 'cookies'>;
}

/**
 * Appends the Set-Cookie lines that store the session (null: delete it) to
 * headers, with `Vary: Cookie` and a Cache-Control that keeps shared caches
 * from storing the response. Throws TooLargeError, EncodeError or
 * InsecureRequestError, adding nothing.
 */
export function setSession<T>(headers: Headers, session: Session<T> | null, options: SessionOptions, ctx: WriteContext = {}): void {
  appendLines(headers, sessionLinesFor(session, options, ctx));
}

function sessionLinesFor<T>(session: Session<T> | null, options: SessionOptions, ctx: WriteContext): string[] {
  if (ctx.request === undefined) return sessionHeaders(session, options, ctx.read);
  const url = new URL(ctx.request.url);
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
  return sessionHeaders(session, options, ctx.read, { https: url.protocol === 'https:', loopback });
}

function appendLines(headers: Headers, lines: string[]): void {
  for (const l of lines) headers.append('Set-Cookie', l);
  const vary = headers.get('Vary') ?? '';
  if (!/(^|,)\s*(\*|cookie)\s*(,|$)/i.test(vary)) headers.append('Vary', 'Cookie');
  headers.set('Cache-Control', cacheControlForSetCookie(headers.get('Cache-Control')));
}

/**
 * Returns response with the session's Set-Cookie lines (see setSession): the
 * same Response, or a copy when its headers are immutable (a fetch() result,
 * Response.redirect).
 */
export function withSession<T>(response: Response, session: Session<T> | null, options: SessionOptions, ctx: WriteContext = {}): Response {
  const lines = sessionLinesFor(session, options, ctx);
  try {
    appendLines(response.headers, lines);
    return response;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // immutable headers: the first append throws
  }
  const r = new Response(response.body, response);
  appendLines(r.headers, lines);
  return r;
}

/**
 * The Cache-Control of a response that sets a session cookie, given the one
 * it has (null: none): `private, no-cache="Set-Cookie"` when none; else
 * without public, s-maxage and proxy-revalidate, and private added
 * (RFC 9111 §5.2.2.7), as the Go library does.
 */
export function cacheControlForSetCookie(current: string | null | undefined): string {
  if (!current) return 'private, no-cache="Set-Cookie"';
  const out: string[] = [];
  let priv = false;
  for (let d of current.split(',')) {
    d = d.trim();
    const name = d.split('=')[0]!.toLowerCase();
    if (name === 'public' || name === 's-maxage' || name === 'proxy-revalidate') continue;
    if (name === 'private' || name === 'no-store') priv = true;
    if (d !== '') out.push(d);
  }
  if (!priv) out.unshift('private');
  return out.join(', ');
}
