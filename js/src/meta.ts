// Session metadata (docs/FORMAT.md, "Metadata"): with the header's M flag
// the plaintext starts with
//
//   meta  = count(1) || field{count}
//   field = tag(1) || length(1) || value(length)
//
// tag 0x01: the session's own lifetime, uint32 seconds, at least 1;
// tag 0x02: its identifier, 16 random bytes;
// tag 0x03: its subject, 1..255 bytes of UTF-8.
// Tags appear at most once, in increasing order.

import { EncodeError, MalformedError } from './errors.js';

const TAG_MAX_AGE = 0x01;
const TAG_ID = 0x02;
const TAG_SUBJECT = 0x03;
/** The size of a session identifier. */
export const ID_SIZE = 16;
/** The longest subject, in UTF-8 bytes: its length is one byte. */
export const MAX_SUBJECT_BYTES = 255;

/** A session's metadata; every field absent by default. */
export interface Meta {
  /** The session's own absolute lifetime, whole seconds, at least 1. */
  maxAge?: number;
  /** Its identifier, 16 bytes. */
  id?: Uint8Array;
  /** What the application bound it to, 1..255 bytes of UTF-8. */
  subject?: string;
}

const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const strictUTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reports whether m seals nothing, so that no block (and no M flag) is written. */
export function metaEmpty(m: Meta): boolean {
  return !m.maxAge && m.id === undefined && !m.subject;
}

/** Encodes m; throws EncodeError for a field out of range. */
export function encodeMeta(m: Meta): Uint8Array {
  const fields: number[][] = [];
  if (m.maxAge) {
    if (!Number.isInteger(m.maxAge) || m.maxAge < 1 || m.maxAge > 0xffffffff) throw new EncodeError(`the session's maxAge must be 1 s to 2^32 - 1 s in whole seconds`);
    const v = m.maxAge;
    fields.push([TAG_MAX_AGE, 4, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
  }
  if (m.id !== undefined) {
    if (m.id.length !== ID_SIZE) throw new EncodeError(`a session id has ${ID_SIZE} bytes`);
    fields.push([TAG_ID, ID_SIZE, ...m.id]);
  }
  if (m.subject) {
    const s = utf8.encode(m.subject);
    if (s.length > MAX_SUBJECT_BYTES || LONE_SURROGATE.test(m.subject)) {
      throw new EncodeError(`the subject must be valid UTF-8 of at most ${MAX_SUBJECT_BYTES} bytes`);
    }
    fields.push([TAG_SUBJECT, s.length, ...s]);
  }
  return Uint8Array.from([fields.length, ...fields.flat()]);
}

/**
 * Splits a plaintext with the M flag into its metadata and the rest.
 * Throws MalformedError for a block that breaks the rules.
 */
export function parseMeta(pt: Uint8Array): { meta: Meta; rest: Uint8Array } {
  const bad = (what: string) => new MalformedError('session metadata: ' + what);
  if (pt.length < 1) throw bad('missing');
  const count = pt[0]!;
  let off = 1;
  let last = 0;
  const meta: Meta = {};
  for (let i = 0; i < count; i++) {
    if (pt.length - off < 2 || pt.length - off < 2 + pt[off + 1]!) throw bad('truncated');
    const tag = pt[off]!;
    const len = pt[off + 1]!;
    const val = pt.subarray(off + 2, off + 2 + len);
    off += 2 + len;
    if (tag <= last) throw bad('tags out of order or repeated');
    last = tag;
    if (tag === TAG_MAX_AGE && len === 4 && (val[0]! | val[1]! | val[2]! | val[3]!) !== 0) {
      meta.maxAge = ((val[0]! << 24) >>> 0) + (val[1]! << 16) + (val[2]! << 8) + val[3]!;
    } else if (tag === TAG_ID && len === ID_SIZE) {
      meta.id = val.slice();
    } else if (tag === TAG_SUBJECT && len > 0 && validUTF8(val)) {
      meta.subject = strictUTF8.decode(val);
    } else {
      throw bad(`tag 0x${tag.toString(16).padStart(2, '0')} of ${len} bytes unknown or invalid`);
    }
  }
  return { meta, rest: pt.subarray(off) };
}

function validUTF8(b: Uint8Array): boolean {
  try {
    strictUTF8.decode(b);
    return true;
  } catch {
    return false;
  }
}
