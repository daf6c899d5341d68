// The test vectors of docs/FORMAT.md (internal/format/testdata/vectors.json in the
// repository), checked both ways, as vectors_test.go checks them in Go.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Codec, CookieSessionError } from 'cookiesession';
import { sealWithNonce } from '../dist/esm/codec.js';
import { parseMeta } from '../dist/esm/meta.js';
import { nativeAEAD } from '../dist/esm/aead.js';

const path = nativeAEAD ? 'node:crypto' : '@noble/ciphers';

const vectors = JSON.parse(readFileSync(new URL('../../internal/format/testdata/vectors.json', import.meta.url), 'utf8'));
const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

test('vectors file has both kinds', () => {
  assert.ok(vectors.filter((v) => v.error === undefined).length >= 5);
  assert.ok(vectors.filter((v) => v.error !== undefined).length >= 5);
});

for (const v of vectors) {
  test(`vector (${path}): ${v.comment}`, () => {
    // The format takes keys of 32 bytes or more; parseKeys only what keygen prints.
    const codec = new Codec(v.keys.map((k) => Uint8Array.from(Buffer.from(k, 'base64url'))), v.cipher);
    if (v.error !== undefined) {
      assert.throws(() => codec.open(v.name, v.value, v.chunks), (e) => e instanceof CookieSessionError && e.code === v.error);
      return;
    }
    const meta = v.meta === undefined ? new Uint8Array() : hex(v.meta);
    const body = new TextEncoder().encode(v.plaintext);
    const pt = new Uint8Array([...meta, ...body]);
    const h = { created: v.created, sealed: v.sealed, browserSession: v.browser_session, flashes: v.flashes, meta: v.meta !== undefined };
    assert.equal(codec.keyId(0), v.key_id);
    assert.equal(sealWithNonce(codec, v.name, h, pt, v.chunks, hex(v.nonce)), v.value);
    const got = codec.open(v.name, v.value, v.chunks);
    assert.deepEqual(got.header, { cipher: v.cipher, keyId: v.key_id, ...h });
    assert.equal(got.keyIndex, 0);
    let rest = got.plaintext;
    if (v.meta !== undefined) {
      const m = parseMeta(got.plaintext);
      rest = m.rest;
      assert.equal(m.meta.maxAge ?? 0, v.max_age ?? 0);
      assert.equal(m.meta.id ? toHex(m.meta.id) : '', v.id ?? '');
      assert.equal(m.meta.subject ?? '', v.subject ?? '');
    }
    assert.equal(new TextDecoder().decode(rest), v.plaintext);
  });
}

// The flash vectors through the session layer: each opens to its messages
// and seals back to the same plaintext, so the envelope JavaScript writes
// for default-category messages is what it wrote before categories.
test('flash vectors open and seal back byte for byte', async () => {
  const { open, seal } = await import('cookiesession');
  let cats = 0;
  for (const v of vectors.filter((x) => x.flashes && x.error === undefined)) {
    const keys = v.keys.map((k) => Uint8Array.from(Buffer.from(k, 'base64url')));
    const o = { keys, cipher: v.cipher, name: v.name, now: () => v.sealed * 1000, maxAge: 400 * 86400_000, maxAgeCeiling: 400 * 86400_000 };
    const s = open(v.value, o, v.chunks);
    cats += Object.keys(s.flashesByCategory ?? {}).length;
    const again = new Codec(keys, v.cipher).open(v.name, seal(s, o), 1).plaintext;
    const m = v.meta === undefined ? again : parseMeta(again).rest;
    assert.equal(new TextDecoder().decode(m), v.plaintext, v.comment);
  }
  assert.ok(cats >= 2, 'no vector with categories');
});
