// Errors. Every error this package throws or reports is a
// CookieSessionError; its class (and its `code`) says what happened, its
// message what to change. No message ever holds a key, session data or a
// whole cookie value.

/** The classes of error, as `CookieSessionError.code`. */
export type ErrorCode =
  | 'invalid_options'
  | 'malformed'
  | 'unknown_key'
  | 'authentication'
  | 'chunks'
  | 'expired'
  | 'idle_timeout'
  | 'from_future'
  | 'decode'
  | 'encode'
  | 'too_large'
  | 'insecure_request'
  | 'legacy_signature'
  | 'legacy_payload';

/** The base class of every error of this package. */
export class CookieSessionError extends Error {
  /** The class of error; the subclass says the same. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super('cookiesession: ' + message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration this package refuses: the message names the option. */
export class InvalidOptionsError extends CookieSessionError {
  constructor(message: string) { super('invalid_options', 'invalid options: ' + message); }
}

/** A cookie value this format never wrote: not base64url, too short, an unknown version or flag. */
export class MalformedError extends CookieSessionError {
  constructor(message: string) { super('malformed', 'malformed cookie value: ' + message); }
}

/** A value sealed under a key that is not configured (rotated out, or another deployment's). */
export class UnknownKeyError extends CookieSessionError {
  constructor(message: string) { super('unknown_key', 'cookie sealed with an unknown key: ' + message); }
}

/** A value that failed authentication: altered, truncated, or sealed for another cookie name or chunk count. */
export class AuthenticationError extends CookieSessionError {
  constructor(message: string) { super('authentication', 'cookie failed authentication: ' + message); }
}

/** A chunked session whose cookies do not fit together: a chunk missing or sent twice, or far too many cookies. */
export class ChunksError extends CookieSessionError {
  constructor(message: string) { super('chunks', 'session cookies inconsistent: ' + message); }
}

/** A session past its absolute lifetime (maxAge, or its own). */
export class ExpiredError extends CookieSessionError {
  constructor(message: string, code: ErrorCode = 'expired') { super(code, message); }
}

/** A session not used within idleTimeout. It is an ExpiredError too. */
export class IdleTimeoutError extends ExpiredError {
  constructor(message: string) { super(message, 'idle_timeout'); }
}

/** A value whose timestamps lie further ahead than clockSkew allows: a wrong clock, or a forgery. */
export class FromFutureError extends CookieSessionError {
  constructor(message: string) { super('from_future', 'cookie timestamps are in the future: ' + message); }
}

/** A value that authenticated but whose plaintext is not the JSON this format holds. */
export class DecodeError extends CookieSessionError {
  constructor(message: string) { super('decode', 'session data does not decode: ' + message); }
}

/** Session data that cannot be sealed: not JSON-encodable, or metadata out of range. */
export class EncodeError extends CookieSessionError {
  constructor(message: string) { super('encode', 'session data does not encode: ' + message); }
}

/**
 * A sealed session that exceeds the size limits. `size` bytes were needed
 * against `limit`: with `chunks` 1, name plus value of the one cookie
 * against maxCookieBytes; with `total`, the session's cookies in the Cookie
 * header against maxTotalBytes; otherwise (chunks > 1) the Cookie-header
 * bytes needed against what maxChunks cookies hold.
 */
export class TooLargeError extends CookieSessionError {
  readonly cookieName: string;
  readonly size: number;
  readonly limit: number;
  readonly total: boolean;
  readonly chunks: number;
  constructor(cookieName: string, size: number, limit: number, total: boolean, chunks: number) {
    let msg: string;
    if (total) {
      msg = `session too large: its ${chunks} cookies "${cookieName}"... need ${size} bytes in the Cookie header, limit ${limit} (maxTotalBytes); store less in the session, or raise maxTotalBytes if every proxy on the path allows a longer Cookie header`;
    } else if (chunks > 1) {
      msg = `session too large: it needs ${chunks} cookies "${cookieName}"... (${size} bytes in the Cookie header), more than maxChunks allows (${limit} bytes); store less in the session, or raise maxChunks`;
    } else {
      msg = `session too large: cookie "${cookieName}" needs ${size} bytes (name+value), limit ${limit} (maxCookieBytes); store less in the session, or enable chunking with maxChunks`;
    }
    super('too_large', msg);
    this.cookieName = cookieName;
    this.size = size;
    this.limit = limit;
    this.total = total;
    this.chunks = chunks;
  }
}

/** A cookie that must be Secure, set in answer to a plain-http request from a non-loopback client: the browser would drop it. */
export class InsecureRequestError extends CookieSessionError {
  constructor(message: string) { super('insecure_request', 'Secure cookie over plain HTTP: ' + message); }
}

/** An Express cookie-session cookie whose signature matches none of the legacy keys. */
export class LegacySignatureError extends CookieSessionError {
  constructor(message: string) { super('legacy_signature', 'legacy session cookie signature invalid: ' + message); }
}

/** An Express cookie-session cookie, correctly signed, whose content is not a JSON object. */
export class LegacyPayloadError extends CookieSessionError {
  constructor(message: string) { super('legacy_payload', 'legacy session cookie content unusable: ' + message); }
}
