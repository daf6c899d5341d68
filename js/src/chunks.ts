// Chunking (docs/FORMAT.md, "Chunks"): a sealed value longer than one
// cookie's budget is split across several cookies. Chunk 1 is the cookie
// NAME itself; chunk k (k >= 2) is NAME~k. The chunk count is bound into
// the AEAD's associated data, so missing or mixed chunks fail to
// open. The rules and figures are the Go library's (chunking.go,
// internal/chunks, limits.go; docs/LIMITS.md).

import { ChunksError, TooLargeError } from './errors.js';

/** Separates a cookie name from a chunk index. */
export const SEP = '~';
/** The most cookies one session can be split across. */
export const MAX_CHUNKS = 255;
/**
 * The largest per-cookie budget (name + value): past it Chrome and Firefox
 * drop the cookie (RFC 6265bis §5.7).
 */
export const MAX_COOKIE_BYTES_LIMIT = 4096;
/** The default per-cookie budget: fits Chrome, Firefox and Safari (4093 with the "="). */
export const DEFAULT_MAX_COOKIE_BYTES = 4092;
/** The default budget of all chunks in the Cookie header: room for other cookies under nginx's 8 KB header line. */
export const DEFAULT_MAX_TOTAL_BYTES = 6144;
/** The most cookie pairs that contain the name a reader examines: net/http's own cap. */
const MAX_COOKIES = 3000;
/** The most malformed chunk names one save deletes. */
const MAX_FOREIGN = 8;

/** Resolved size budgets. */
export interface Limits {
  cookie: number;
  total: number;
  chunks: number;
}

/** The name of chunk i (1-based) of the cookie called name. */
export function chunkName(name: string, i: number): string {
  return i === 1 ? name : name + SEP + i;
}

/**
 * The chunk index of the cookie called cookie in the session called name:
 * 1 for name, k for name~k, 0 for another cookie, -1 for a name in the
 * chunk namespace that is no chunk name (name~0, name~02, name~1, name~x).
 */
export function chunkIndex(cookie: string, name: string): number {
  if (!cookie.startsWith(name)) return 0;
  if (cookie.length === name.length) return 1;
  if (cookie[name.length] !== SEP) return 0;
  const s = cookie.slice(name.length + 1);
  if (!/^[1-9][0-9]{0,2}$/.test(s)) return -1;
  const n = Number(s);
  return n >= 2 && n <= MAX_CHUNKS ? n : -1;
}

/** The bytes pairs of these name and value lengths take in a Cookie header ("; "-joined). */
function headerBytes(pairs: Array<[number, number]>): number {
  let n = 0;
  for (const [k, v] of pairs) n += (n > 0 ? 2 : 0) + k + 1 + v;
  return n;
}

/**
 * How many cookies a value of valueLen characters takes under l; throws
 * TooLargeError when it does not fit. Each cookie but the last is filled to
 * the per-cookie budget.
 */
export function planChunks(name: string, valueLen: number, l: Limits): number {
  let left = valueLen;
  let n = 0;
  const pairs: Array<[number, number]> = [];
  while (left > 0 || n === 0) {
    n++;
    if (n > l.chunks) break;
    const part = Math.min(left, l.cookie - chunkName(name, n).length);
    left -= part;
    pairs.push([chunkName(name, n).length, part]);
  }
  if (left > 0) throw overflow(name, valueLen, valueLen - left, l);
  if (n > 1 && headerBytes(pairs) > l.total) throw new TooLargeError(name, headerBytes(pairs), l.total, true, n);
  return n;
}

function overflow(name: string, valueLen: number, fits: number, l: Limits): TooLargeError {
  if (l.chunks === 1) return new TooLargeError(name, name.length + valueLen, l.cookie, false, 1);
  const [need, chunks] = unlimited(name, valueLen, l.cookie);
  const [most] = unlimited(name, fits, l.cookie);
  if (most > l.total) return new TooLargeError(name, need, l.total, true, chunks);
  return new TooLargeError(name, need, most, false, chunks);
}

function unlimited(name: string, valueLen: number, perCookie: number): [number, number] {
  const pairs: Array<[number, number]> = [];
  while (valueLen > 0) {
    const k = chunkName(name, pairs.length + 1).length;
    const part = Math.min(valueLen, perCookie - k);
    valueLen -= part;
    pairs.push([k, part]);
  }
  return [headerBytes(pairs), pairs.length];
}

/** Cuts value into the n parts planChunks counted. */
export function splitChunks(name: string, value: string, n: number, l: Limits): string[] {
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) {
    let room = l.cookie - chunkName(name, i).length;
    if (i === n || room > value.length) room = value.length;
    parts.push(value.slice(0, room));
    value = value.slice(room);
  }
  return parts;
}

/** What a Cookie header carried of one session's cookies. */
export interface Incoming {
  /** The reassembled value; "" when absent. */
  value: string;
  /** How many cookies it came in; 0 when absent. */
  chunks: number;
  /** The chunk indexes the header carried, for a save to delete the stale ones. */
  present: number[];
  /** Names in the chunk namespace that no writer makes, for a save to delete. */
  foreign: string[];
  /**
   * Parts 1..wholeChunks, when the header carries parts after value's last
   * one, none missing: a value written under another per-cookie budget,
   * opened when value does not open.
   */
  whole?: string;
  wholeChunks?: number;
  /** Why value does not open, when it ends in a full part before a gap: the next part is missing. */
  missing?: ChunksError;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reports whether name is an RFC 6265 token. */
export function validCookieName(name: string): boolean {
  return TOKEN.test(name);
}

/** Drops the double quotes around a cookie value (RFC 6265 allows them). */
export function unquote(v: string): string {
  return v.length > 1 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
}

/**
 * Reads the session called name and its chunks from a Cookie header. The
 * incoming state is returned with the error, when there is one, so that a
 * save can still delete what the header carried.
 */
export function readChunks(header: string, name: string, l: Limits): { in: Incoming; error: ChunksError | TooLargeError | null } {
  const inc: Incoming = { value: '', chunks: 0, present: [], foreign: [] };
  const present = new Set<number>();
  const parts: string[] = [];
  let error: ChunksError | TooLargeError | null = null;
  let seen = 0;
  let highest = 0;
  const sizes: Array<[number, number]> = [];
  for (const raw of header.split(';')) {
    if (!raw.includes(name)) continue;
    if (++seen > MAX_COOKIES) {
      error ??= new ChunksError(`the request carries more than ${MAX_COOKIES} cookies that contain the name "${name}", which no browser sends: session not read; clearing the site's cookies in the client fixes it`);
      break;
    }
    const pair = raw.trim();
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const k = pair.slice(0, eq);
    const i = chunkIndex(k, name);
    if (i === 0) continue;
    if (i < 0) {
      if (inc.foreign.length < MAX_FOREIGN && validCookieName(k) && k.length <= 256) inc.foreign.push(k);
      continue;
    }
    if (i > l.chunks) {
      present.add(i); // stale: ignored, deleted by the next save
      continue;
    }
    if (present.has(i)) {
      error ??= new ChunksError(`cookie "${chunkName(name, i)}" sent twice (another path or domain?)`);
      continue;
    }
    present.add(i);
    if (error) continue;
    const v = unquote(pair.slice(eq + 1));
    if (k.length + v.length > MAX_COOKIE_BYTES_LIMIT) {
      error = new TooLargeError(k, k.length + v.length, MAX_COOKIE_BYTES_LIMIT, false, 1);
      continue;
    }
    sizes.push([k.length, v.length]);
    highest = Math.max(highest, i);
    parts[i - 1] = v;
  }
  inc.present = [...present].sort((a, b) => a - b);
  if (error || highest === 0) return { in: inc, error };
  // The parts a writer with this budget made: 1..n, each but the last
  // filling it. Parts after n are stale (two tabs racing) and not read.
  let n = 0;
  while (n < highest && parts[n] !== undefined) {
    n++;
    if (chunkName(name, n).length + parts[n - 1]!.length !== l.cookie) break;
  }
  let counted = sizes;
  if (n > 0 && n < highest) {
    let contiguous = true; // parts is sparse: every() would skip its holes
    for (let i = 0; i < highest; i++) contiguous &&= parts[i] !== undefined;
    if (contiguous && headerBytes(sizes) <= l.total) {
      inc.whole = parts.slice(0, highest).join('');
      inc.wholeChunks = highest;
    }
    counted = parts.slice(0, n).map((p, i) => [chunkName(name, i + 1).length, p!.length]);
    if (parts[n] === undefined && chunkName(name, n).length + parts[n - 1]!.length === l.cookie) {
      inc.missing = new ChunksError(`chunk ${n + 1} of ${highest} is missing`);
    }
  }
  const total = headerBytes(counted);
  if (counted.length > 1 && total > l.total) return { in: inc, error: new TooLargeError(name, total, l.total, true, counted.length) };
  if (n === 0) return { in: inc, error: new ChunksError(`chunk 1 of ${highest} is missing`) };
  inc.value = parts.slice(0, n).join('');
  inc.chunks = n;
  return { in: inc, error: null };
}
