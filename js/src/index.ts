// cookiesession: sessions sealed in cookies, in the format of the Go
// library cookiesession (docs/FORMAT.md), for Node.js, edge runtimes and
// browsers' service workers. The Express middleware is in
// 'cookiesession/express'.

export { Codec, parseHeader, overhead, sealedLength } from './codec.js';
export type { CipherName, Header, Opened, SealHeader } from './codec.js';
export {
  AuthenticationError, ChunksError, CookieSessionError, DecodeError, EncodeError, ExpiredError, FromFutureError,
  IdleTimeoutError, InsecureRequestError, InvalidOptionsError, LegacyPayloadError, LegacySignatureError, MalformedError, TooLargeError, UnknownKeyError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { MIN_KEY_SIZE, parseKeys } from './keys.js';
export type { KeyInput } from './keys.js';
export { DEFAULT_MAX_COOKIE_BYTES, DEFAULT_MAX_TOTAL_BYTES, MAX_CHUNKS, MAX_COOKIE_BYTES_LIMIT } from './chunks.js';
export { DEFAULT_CLOCK_SKEW, DEFAULT_MAX_AGE, DEFAULT_NAME, MAX_AGE_LIMIT } from './options.js';
export type { SessionOptions } from './options.js';
export { MAX_SUBJECT_BYTES } from './meta.js';
export { MAX_FLASH_CATEGORY_BYTES, newSessionId, open, readSession, seal, sessionHeaders } from './session.js';
export type { HeaderContext, ReadResult, Session, SessionData } from './session.js';
export { cacheControlForSetCookie, getSession, setSession, withSession } from './web.js';
export type { WriteContext } from './web.js';
