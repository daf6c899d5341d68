// The sealed format, version 1. docs/FORMAT.md is the specification; this
// file implements it and nothing else.
//
//   value  = base64url-nopad( header || nonce || ciphertext || tag )
//   header = suite(1) || flags(1) || key id(4) || created(8, int64 BE Unix s)
//            || age(4, uint32 BE seconds from created to sealed)
//   AD     = header || chunks(1) || cookie name

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AESGCM, aeadOpen, aeadSeal, XCHACHA } from './aead.js';
import { decodeBase64url, encodeBase64url, encodedLength } from './base64.js';
import { AuthenticationError, EncodeError, InvalidOptionsError, MalformedError, UnknownKeyError } from './errors.js';
import { type KeyInput, resolveKeys } from './keys.js';
import { randomBytes } from './random.js';

/** The AEAD that seals, by the name docs/FORMAT.md gives it. */
export type CipherName = 'XChaCha20-Poly1305' | 'AES-256-GCM';

const SUITE: Record<CipherName, number> = { 'XChaCha20-Poly1305': XCHACHA, 'AES-256-GCM': AESGCM };
const CIPHER_NAME: Record<number, CipherName> = { [XCHACHA]: 'XChaCha20-Poly1305', [AESGCM]: 'AES-256-GCM' };
const NONCE_SIZE: Record<number, number> = { [XCHACHA]: 24, [AESGCM]: 12 };

/** The header's size, and the AEAD tag's. */
export const HEADER_SIZE = 18;
const TAG_SIZE = 16;
/** The most cookies one value can be split across: the count is one byte of the AD. */
export const MAX_CHUNKS = 255;
const MAX_AGE_FIELD = 0xffffffff;

const FLAG_BROWSER_SESSION = 0x01;
const FLAG_FLASHES = 0x02;
const FLAG_META = 0x04;
const FLAGS_KNOWN = FLAG_BROWSER_SESSION | FLAG_FLASHES | FLAG_META;

const INFO_KEY_ID = 'cookiesession v1 key id';
const SEAL_INFO: Record<number, string> = {
  [XCHACHA]: 'cookiesession v1 xchacha20-poly1305 seal',
  [AESGCM]: 'cookiesession v1 aes-256-gcm seal',
};

const utf8 = new TextEncoder();

/** The authenticated, unencrypted part of a sealed value. */
export interface Header {
  /** The AEAD the value is sealed with. */
  cipher: CipherName;
  /** The identifier of the master key that sealed, 4 bytes in hex. */
  keyId: string;
  /** When the session began, Unix seconds. */
  created: number;
  /** When this value was sealed, Unix seconds; not before created. */
  sealed: number;
  /** Flag B: the cookie carries no Max-Age. */
  browserSession: boolean;
  /** Flag F: the plaintext is [data, [flash, ...]]. */
  flashes: boolean;
  /** Flag M: the plaintext starts with the metadata block. */
  meta: boolean;
}

/** What Codec.seal takes of a header: the rest comes from the codec. */
export type SealHeader = Pick<Header, 'created' | 'sealed'> & Partial<Pick<Header, 'browserSession' | 'flashes' | 'meta'>>;

/** An opened value. */
export interface Opened {
  header: Header;
  plaintext: Uint8Array;
  /** The index of the configured key that opened it (0 seals). */
  keyIndex: number;
}

/** The number of bytes sealing adds before base64: 58 (XChaCha20-Poly1305) or 46 (AES-256-GCM). */
export function overhead(cipher: CipherName): number {
  return HEADER_SIZE + NONCE_SIZE[SUITE[cipher]]! + TAG_SIZE;
}

/** The length of the cookie value that sealing n bytes of plaintext gives. */
export function sealedLength(cipher: CipherName, n: number): number {
  return encodedLength(n + overhead(cipher));
}

interface DerivedKey {
  id: Uint8Array;
  hex: string;
  sub: Record<number, Uint8Array>;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

// sealFixed is Codec's seal with a given nonce, set by its static block.
let sealFixed: (c: Codec, name: string, h: SealHeader, plaintext: Uint8Array, chunks: number, nonce: Uint8Array) => string;

/**
 * Codec seals and opens cookie values: the format alone, no times, no
 * JSON. It holds the subkeys derived from the master keys. The first key
 * seals, with `cipher`; every key opens values of either cipher.
 */
export class Codec {
  readonly cipher: CipherName;
  readonly #keys: DerivedKey[];

  static {
    sealFixed = (c, name, h, plaintext, chunks, nonce) => c.#seal(name, h, plaintext, chunks, nonce);
  }

  constructor(keys: KeyInput, cipher: CipherName = 'XChaCha20-Poly1305') {
    if (SUITE[cipher] === undefined) {
      throw new InvalidOptionsError(`unknown cipher ${JSON.stringify(cipher)}: use 'XChaCha20-Poly1305' or 'AES-256-GCM'`);
    }
    this.cipher = cipher;
    this.#keys = [];
    for (const master of resolveKeys(keys)) {
      const id = hkdf(sha256, master, undefined, utf8.encode(INFO_KEY_ID), 4);
      const k: DerivedKey = { id, hex: hex(id), sub: {} };
      for (const suite of [XCHACHA, AESGCM]) k.sub[suite] = hkdf(sha256, master, undefined, utf8.encode(SEAL_INFO[suite]!), 32);
      const dup = this.#keys.findIndex((p) => p.hex === k.hex);
      if (dup >= 0) throw new InvalidOptionsError(`keys ${dup + 1} and ${this.#keys.length + 1} have the same key id: remove the duplicate key`);
      this.#keys.push(k);
    }
  }

  /** The identifier of the i-th master key (0 seals), 4 bytes in hex. */
  keyId(i = 0): string {
    const k = this.#keys[i];
    if (k === undefined) throw new RangeError(`no key ${i}`);
    return k.hex;
  }

  /** The number of configured master keys. */
  get keyCount(): number {
    return this.#keys.length;
  }

  /**
   * Seals plaintext for the cookie called name, split across chunks cookies
   * (1 to 255), under the first key. Throws EncodeError for times out of
   * range.
   */
  seal(name: string, h: SealHeader, plaintext: Uint8Array, chunks = 1): string {
    return this.#seal(name, h, plaintext, chunks, randomBytes(NONCE_SIZE[SUITE[this.cipher]]!));
  }

  #seal(name: string, h: SealHeader, plaintext: Uint8Array, chunks: number, nonce: Uint8Array): string {
    const suite = SUITE[this.cipher];
    const k = this.#keys[0]!;
    if (!Number.isSafeInteger(h.created) || !Number.isSafeInteger(h.sealed) || h.created < 0 || h.sealed < h.created || h.sealed - h.created > MAX_AGE_FIELD) {
      throw new EncodeError(`times out of range (created ${h.created}, sealed ${h.sealed})`);
    }
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) throw new EncodeError(`chunk count ${chunks} out of range`);
    if (nonce.length !== NONCE_SIZE[suite]) throw new RangeError('nonce of the wrong size');
    const header = new Uint8Array(HEADER_SIZE);
    header[0] = suite;
    header[1] = (h.browserSession ? FLAG_BROWSER_SESSION : 0) | (h.flashes ? FLAG_FLASHES : 0) | (h.meta ? FLAG_META : 0);
    header.set(k.id, 2);
    const dv = new DataView(header.buffer);
    dv.setUint32(6, Math.floor(h.created / 2 ** 32));
    dv.setUint32(10, h.created >>> 0);
    dv.setUint32(14, h.sealed - h.created);
    const ct = aeadSeal(suite, k.sub[suite]!, nonce, ad(header, chunks, name), plaintext);
    const raw = new Uint8Array(HEADER_SIZE + nonce.length + ct.length);
    raw.set(header, 0);
    raw.set(nonce, HEADER_SIZE);
    raw.set(ct, HEADER_SIZE + nonce.length);
    return encodeBase64url(raw);
  }

  /**
   * Authenticates and decrypts value, sealed for the cookie called name and
   * split across chunks cookies. It checks no times. Throws MalformedError,
   * UnknownKeyError or AuthenticationError.
   */
  open(name: string, value: string, chunks = 1): Opened {
    const raw = decodeBase64url(value);
    if (raw === null) throw new MalformedError('not base64url');
    const header = parseRawHeader(raw);
    const idx = this.#keys.findIndex((k) => k.hex === header.keyId);
    if (idx < 0) throw new UnknownKeyError(`key id ${header.keyId} is not configured (rotated out, or another deployment's key)`);
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) throw new MalformedError(`chunk count ${chunks} out of range`);
    const suite = SUITE[header.cipher];
    const n = HEADER_SIZE + NONCE_SIZE[suite]!;
    let plaintext: Uint8Array;
    try {
      plaintext = aeadOpen(suite, this.#keys[idx]!.sub[suite]!, raw.subarray(HEADER_SIZE, n), ad(raw.subarray(0, HEADER_SIZE), chunks, name), raw.subarray(n));
    } catch {
      throw new AuthenticationError(`altered, truncated, or sealed for a cookie other than ${JSON.stringify(name)}`);
    }
    return { header, plaintext, keyIndex: idx };
  }
}

/** Seals with a given nonce: for the test vectors only; never export it from the package. */
export function sealWithNonce(c: Codec, name: string, h: SealHeader, plaintext: Uint8Array, chunks: number, nonce: Uint8Array): string {
  return sealFixed(c, name, h, plaintext, chunks, nonce);
}

function ad(header: Uint8Array, chunks: number, name: string): Uint8Array {
  const nb = utf8.encode(name);
  const out = new Uint8Array(HEADER_SIZE + 1 + nb.length);
  out.set(header.subarray(0, HEADER_SIZE), 0);
  out[HEADER_SIZE] = chunks;
  out.set(nb, HEADER_SIZE + 1);
  return out;
}

function parseRawHeader(b: Uint8Array): Header {
  if (b.length < 1) throw new MalformedError('empty');
  const cipher = CIPHER_NAME[b[0]!];
  if (cipher === undefined) {
    throw new MalformedError(`unknown format byte 0x${b[0]!.toString(16).padStart(2, '0')} (not a value this library wrote, or written by a newer version)`);
  }
  if (b.length < overhead(cipher)) throw new MalformedError(`${b.length} bytes, shorter than the ${overhead(cipher)}-byte envelope`);
  const flags = b[1]!;
  if ((flags & ~FLAGS_KNOWN) !== 0) throw new MalformedError(`unknown flags 0x${flags.toString(16).padStart(2, '0')}`);
  const dv = new DataView(b.buffer, b.byteOffset, HEADER_SIZE);
  const hi = dv.getUint32(6);
  // created must be at most 2^63 - 1 - (2^32 - 1): hi < 2^31 - 1, or
  // hi = 2^31 - 1 and lo = 0.
  if (hi > 0x7ffffffe && !(hi === 0x7fffffff && dv.getUint32(10) === 0)) throw new MalformedError('creation time out of range');
  const created = hi * 2 ** 32 + dv.getUint32(10);
  return {
    cipher,
    keyId: hex(b.subarray(2, 6)),
    created,
    sealed: created + dv.getUint32(14),
    browserSession: (flags & FLAG_BROWSER_SESSION) !== 0,
    flashes: (flags & FLAG_FLASHES) !== 0,
    meta: (flags & FLAG_META) !== 0,
  };
}

/** Decodes the header of a sealed value without any key. Nothing in it is authenticated: inspect, never decide. */
export function parseHeader(value: string): Header {
  const raw = decodeBase64url(value);
  if (raw === null) throw new MalformedError('not base64url');
  return parseRawHeader(raw);
}
