// The two AEADs of the format. @noble/ciphers everywhere; where the
// runtime offers Node.js's crypto module synchronously
// (process.getBuiltinModule, Node.js 20.16+), its native ChaCha20-Poly1305
// and AES-256-GCM do the bulk work, which is several times faster. Both
// paths are checked against the test vectors. XChaCha20-Poly1305 is
// HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2, from @noble/ciphers) over the
// first 16 nonce bytes, then RFC 8439 ChaCha20-Poly1305 under that subkey
// with the nonce 0x00000000 || the last 8 nonce bytes.

import { gcm } from '@noble/ciphers/aes.js';
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/** The suite bytes of docs/FORMAT.md. */
export const XCHACHA = 0x01;
export const AESGCM = 0x02;
const TAG_SIZE = 16;

interface NodeCipher {
  setAAD(aad: Uint8Array, o?: { plaintextLength: number }): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
  setAuthTag(tag: Uint8Array): unknown;
}
interface NodeCrypto {
  createCipheriv(alg: string, key: Uint8Array, iv: Uint8Array, o?: { authTagLength: number }): NodeCipher;
  createDecipheriv(alg: string, key: Uint8Array, iv: Uint8Array, o?: { authTagLength: number }): NodeCipher;
}

const native = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

/** Reports whether the native path is in use (for the tests' report). */
export const nativeAEAD = native !== undefined;

// "expand 32-byte k", the ChaCha constants.
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

/** HChaCha20's subkey and the ChaCha20-Poly1305 nonce for an XChaCha20 key and 24-byte nonce. */
function xchachaSubkey(key: Uint8Array, nonce: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const out = new Uint32Array(8);
  hchacha(SIGMA, new Uint32Array(key.slice(0, 32).buffer), new Uint32Array(nonce.slice(0, 16).buffer), out);
  const iv = new Uint8Array(12);
  iv.set(nonce.subarray(16, 24), 4);
  return { key: new Uint8Array(out.buffer), iv };
}

function nativeParams(suite: number, key: Uint8Array, nonce: Uint8Array): [string, Uint8Array, Uint8Array] {
  if (suite === XCHACHA) {
    const s = xchachaSubkey(key, nonce);
    return ['chacha20-poly1305', s.key, s.iv];
  }
  return ['aes-256-gcm', key, nonce];
}

/** Encrypts plaintext, returning ciphertext || tag. */
export function aeadSeal(suite: number, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (native === undefined) return (suite === XCHACHA ? xchacha20poly1305 : gcm)(key, nonce, aad).encrypt(plaintext);
  const [alg, k, iv] = nativeParams(suite, key, nonce);
  const c = native.createCipheriv(alg, k, iv, { authTagLength: TAG_SIZE });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const a = c.update(plaintext);
  const b = c.final();
  const out = new Uint8Array(a.length + b.length + TAG_SIZE);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c.getAuthTag(), a.length + b.length);
  return out;
}

/** Decrypts ciphertext || tag; throws when authentication fails. */
export function aeadOpen(suite: number, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (native === undefined) return (suite === XCHACHA ? xchacha20poly1305 : gcm)(key, nonce, aad).decrypt(sealed);
  if (sealed.length < TAG_SIZE) throw new Error('short');
  const [alg, k, iv] = nativeParams(suite, key, nonce);
  const ctLen = sealed.length - TAG_SIZE;
  const d = native.createDecipheriv(alg, k, iv, { authTagLength: TAG_SIZE });
  d.setAuthTag(sealed.subarray(ctLen));
  d.setAAD(aad, { plaintextLength: ctLen });
  const a = d.update(sealed.subarray(0, ctLen));
  const b = d.final(); // throws on a wrong tag
  if (b.length === 0) return new Uint8Array(a.buffer, a.byteOffset, a.length);
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
