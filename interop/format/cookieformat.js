'use strict';
// A second implementation of the sealed cookie format, version 1, written
// from docs/FORMAT.md alone. Only Node's built-in crypto is used; HChaCha20
// is implemented here (draft-irtf-cfrg-xchacha-03 §2.2).

const crypto = require('crypto');

const XCHACHA = 0x01;
const AESGCM = 0x02;
const CIPHERS = { 'XChaCha20-Poly1305': XCHACHA, 'AES-256-GCM': AESGCM };
const NONCE_SIZE = { [XCHACHA]: 24, [AESGCM]: 12 };
const SEAL_INFO = {
  [XCHACHA]: 'cookiesession v1 xchacha20-poly1305 seal',
  [AESGCM]: 'cookiesession v1 aes-256-gcm seal',
};
const KEY_ID_INFO = 'cookiesession v1 key id';
const HEADER_SIZE = 18;
const TAG_SIZE = 16;
const MIN_KEY_SIZE = 32;
const FLAG_BROWSER = 0x01;
const FLAG_FLASHES = 0x02;
const FLAG_META = 0x04;
const META_FIELDS = { 1: 'maxAge', 2: 'id', 3: 'subject' };
const MAX_AGE = 0xffffffffn;
const MAX_CREATED = (1n << 63n) - 1n - MAX_AGE;

// FormatError carries one of the three error classes of the format in code:
// 'malformed', 'unknown_key' or 'authentication'.
class FormatError extends Error {
  constructor(code, message) {
    super(code + ': ' + message);
    this.code = code;
  }
}

// b64decode decodes strict base64url without padding, or returns null.
function b64decode(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) {
    return null;
  }
  const b = Buffer.from(s, 'base64url');
  // Re-encoding catches non-zero trailing bits, which Buffer ignores.
  return b.toString('base64url') === s ? b : null;
}

function b64encode(b) {
  return Buffer.from(b).toString('base64url');
}

function hkdf(master, info, length) {
  return Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), Buffer.from(info, 'ascii'), length));
}

// hchacha20 maps a 32-byte key and a 16-byte input to a 32-byte subkey: the
// ChaCha20 state (constants, key, input) through 20 rounds, without the final
// addition, keeping words 0..3 and 12..15.
function hchacha20(key, input) {
  if (key.length !== 32 || input.length !== 16) {
    throw new RangeError('hchacha20: need a 32-byte key and a 16-byte input');
  }
  const s = new Uint32Array(16);
  s[0] = 0x61707865;
  s[1] = 0x3320646e;
  s[2] = 0x79622d32;
  s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = key.readUInt32LE(4 * i);
  for (let i = 0; i < 4; i++) s[12 + i] = input.readUInt32LE(4 * i);
  const rotl = (v, n) => (v << n) | (v >>> (32 - n));
  const qr = (a, b, c, d) => {
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++) {
    out.writeUInt32LE(s[i], 4 * i);
    out.writeUInt32LE(s[12 + i], 16 + 4 * i);
  }
  return out;
}

// aead returns the Node cipher name, key and 12-byte nonce for one value.
function aead(suite, key, nonce) {
  if (suite === AESGCM) return ['aes-256-gcm', key, nonce];
  const n = Buffer.concat([Buffer.alloc(4), nonce.subarray(16, 24)]);
  return ['chacha20-poly1305', hchacha20(key, nonce.subarray(0, 16)), n];
}

function aeadSeal(suite, key, nonce, plaintext, ad) {
  const [alg, k, n] = aead(suite, key, nonce);
  const c = crypto.createCipheriv(alg, k, n, { authTagLength: TAG_SIZE });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

// aeadOpen returns the plaintext, or null when authentication fails.
function aeadOpen(suite, key, nonce, sealed, ad) {
  const [alg, k, n] = aead(suite, key, nonce);
  const body = sealed.subarray(0, sealed.length - TAG_SIZE);
  const d = crypto.createDecipheriv(alg, k, n, { authTagLength: TAG_SIZE });
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  d.setAAD(ad, { plaintextLength: body.length });
  try {
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return null;
  }
}

function checkChunks(chunks) {
  if (chunks === undefined) return 1;
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > 255) {
    throw new RangeError('chunks must be an integer in 1..255');
  }
  return chunks;
}

function associatedData(header, chunks, name) {
  return Buffer.concat([header, Buffer.from([chunks]), Buffer.from(name, 'utf8')]);
}

// Codec holds the derived keys of one or more master keys. The first key
// seals, with the codec's cipher; every key opens values of either cipher.
class Codec {
  constructor(cipher, masterKeys) {
    const suite = typeof cipher === 'string' ? CIPHERS[cipher] : cipher;
    if (!NONCE_SIZE[suite]) throw new TypeError('unknown cipher ' + cipher);
    if (!masterKeys.length) throw new TypeError('at least one master key is needed');
    this.suite = suite;
    this.keys = masterKeys.map((m) => {
      m = Buffer.from(m);
      if (m.length < MIN_KEY_SIZE) throw new RangeError('a master key must have at least 32 bytes');
      return {
        id: hkdf(m, KEY_ID_INFO, 4),
        keys: { [XCHACHA]: hkdf(m, SEAL_INFO[XCHACHA], 32), [AESGCM]: hkdf(m, SEAL_INFO[AESGCM], 32) },
      };
    });
    const ids = new Set(this.keys.map((k) => k.id.toString('hex')));
    if (ids.size !== this.keys.length) throw new RangeError('two master keys share a key identifier');
  }

  keyID(i = 0) {
    return Buffer.from(this.keys[i].id);
  }

  // seal returns the cookie value of plaintext for the cookie called name.
  // h: {created, sealed} Unix seconds (numbers or bigints), browserSession,
  // flashes, meta (the plaintext starts with a metadata block), chunks
  // (default 1). nonce is for test vectors only; by default
  // it is drawn from crypto.randomBytes.
  seal(name, h, plaintext, nonce) {
    const created = BigInt(h.created);
    const age = BigInt(h.sealed) - created;
    if (created < 0n || created > MAX_CREATED) throw new RangeError('created out of range');
    if (age < 0n || age > MAX_AGE) throw new RangeError('sealed must be within 2^32-1 s after created');
    const chunks = checkChunks(h.chunks);
    const size = NONCE_SIZE[this.suite];
    nonce = nonce === undefined ? crypto.randomBytes(size) : Buffer.from(nonce);
    if (nonce.length !== size) throw new RangeError('nonce must have ' + size + ' bytes');
    const header = Buffer.alloc(HEADER_SIZE);
    header[0] = this.suite;
    header[1] = (h.browserSession ? FLAG_BROWSER : 0) | (h.flashes ? FLAG_FLASHES : 0) | (h.meta ? FLAG_META : 0);
    this.keys[0].id.copy(header, 2);
    header.writeBigInt64BE(created, 6);
    header.writeUInt32BE(Number(age), 14);
    const sealed = aeadSeal(this.suite, this.keys[0].keys[this.suite], nonce, Buffer.from(plaintext),
      associatedData(header, chunks, name));
    return b64encode(Buffer.concat([header, nonce, sealed]));
  }

  // open authenticates and decrypts value, received under the cookie called
  // name and joined from chunks cookies. It checks no times. It returns
  // {header, plaintext, keyIndex} or throws a FormatError.
  open(name, chunks, value) {
    chunks = checkChunks(chunks);
    const raw = b64decode(value);
    if (raw === null) throw new FormatError('malformed', 'not base64url without padding');
    if (raw.length < HEADER_SIZE) throw new FormatError('malformed', 'too short');
    const suite = raw[0];
    const flags = raw[1];
    if (!NONCE_SIZE[suite]) throw new FormatError('malformed', 'unknown suite byte');
    if (flags & ~(FLAG_BROWSER | FLAG_FLASHES | FLAG_META)) throw new FormatError('malformed', 'unknown flag bits');
    const size = NONCE_SIZE[suite];
    if (raw.length < HEADER_SIZE + size + TAG_SIZE) throw new FormatError('malformed', 'too short');
    const created = raw.readBigInt64BE(6);
    if (created < 0n || created > MAX_CREATED) throw new FormatError('malformed', 'created out of range');
    const keyID = raw.subarray(2, 6);
    const keyIndex = this.keys.findIndex((k) => k.id.equals(keyID));
    if (keyIndex < 0) throw new FormatError('unknown_key', 'no configured key has id ' + keyID.toString('hex'));
    const header = raw.subarray(0, HEADER_SIZE);
    const nonce = raw.subarray(HEADER_SIZE, HEADER_SIZE + size);
    const plaintext = aeadOpen(suite, this.keys[keyIndex].keys[suite], nonce, raw.subarray(HEADER_SIZE + size),
      associatedData(header, chunks, name));
    if (plaintext === null) throw new FormatError('authentication', 'the value does not authenticate');
    return {
      header: {
        cipher: suite,
        keyID: Buffer.from(keyID),
        created,
        sealed: created + BigInt(raw.readUInt32BE(14)),
        browserSession: (flags & FLAG_BROWSER) !== 0,
        flashes: (flags & FLAG_FLASHES) !== 0,
        meta: (flags & FLAG_META) !== 0,
        chunks,
      },
      plaintext,
      keyIndex,
    };
  }
}

// parseMeta splits a plaintext with flag M into its metadata block's fields
// {maxAge (seconds), id (Buffer), subject} and the body, or throws a
// FormatError('malformed').
function parseMeta(pt) {
  const bad = (why) => new FormatError('malformed', 'metadata: ' + why);
  if (pt.length < 1) throw bad('missing');
  const fields = {};
  let off = 1;
  let last = 0;
  for (let i = 0; i < pt[0]; i++) {
    if (off + 2 > pt.length || off + 2 + pt[off + 1] > pt.length) throw bad('truncated');
    const tag = pt[off];
    const val = pt.subarray(off + 2, off + 2 + pt[off + 1]);
    off += 2 + val.length;
    if (tag <= last) throw bad('tags out of order or repeated');
    last = tag;
    if (tag === 1 && val.length === 4 && val.readUInt32BE(0) > 0) fields.maxAge = val.readUInt32BE(0);
    else if (tag === 2 && val.length === 16) fields.id = Buffer.from(val);
    else if (tag === 3 && val.length > 0 && isUTF8(val)) fields.subject = val.toString('utf8');
    else throw bad('unknown or invalid tag ' + tag);
  }
  return { fields, body: pt.subarray(off) };
}

function isUTF8(b) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

module.exports = { Codec, FormatError, CIPHERS, META_FIELDS, hchacha20, b64decode, b64encode, parseMeta };
