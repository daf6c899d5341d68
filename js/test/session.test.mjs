// The core: seal/open, readSession/sessionHeaders, with the Go library's
// semantics (times, rotation, both ciphers, metadata, flashes, chunks,
// limits, typed errors).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  AuthenticationError, ChunksError, Codec, EncodeError, ExpiredError, FromFutureError, IdleTimeoutError, InvalidOptionsError, MalformedError,
  TooLargeError, UnknownKeyError, newSessionId, open, parseHeader, parseKeys, readSession, seal, sessionHeaders,
} from 'cookiesession';
import { Jar, testKey } from './helpers.mjs';

const K1 = testKey(1), K2 = testKey(2);
const clock = (t) => ({ now: () => t * 1000 });

function roundTrip(opts, session, readOpts = opts) {
  const jar = new Jar().update(sessionHeaders(session, opts));
  return readSession(jar.header(), readOpts);
}

test('seal and open: data, times, both ciphers', () => {
  for (const cipher of ['XChaCha20-Poly1305', 'AES-256-GCM']) {
    const o = { keys: K1, cipher, ...clock(1_800_000_000) };
    const v = seal({ data: { user: 'Zoë', n: [1, 2.5, null] } }, o);
    assert.equal(parseHeader(v).cipher, cipher);
    const s = open(v, o);
    assert.deepEqual(s.data, { user: 'Zoë', n: [1, 2.5, null] });
    assert.equal(s.created, 1_800_000_000);
    assert.equal(s.sealed, 1_800_000_000);
    assert.notEqual(seal({ data: {} }, o), seal({ data: {} }, o), 'nonces repeat');
  }
});

test('the value is bound to the cookie name and chunk count', () => {
  const o = { keys: K1 };
  const v = seal({ data: { a: 1 } }, o);
  assert.throws(() => open(v, { keys: K1, name: 'other' }), AuthenticationError);
  assert.throws(() => open(v, o, 2), AuthenticationError);
});

test('every byte tampered fails to open', () => {
  const o = { keys: K1 };
  const v = seal({ data: { role: 'user' } }, o);
  const raw = Buffer.from(v, 'base64url');
  for (let i = 0; i < raw.length; i++) {
    const t = Buffer.from(raw);
    t[i] ^= 1;
    assert.throws(() => open(t.toString('base64url'), o), (e) => e instanceof MalformedError || e instanceof AuthenticationError || e instanceof UnknownKeyError, `byte ${i}`);
  }
  for (const bad of ['', 'x', v + '=', '+' + v.slice(1), ' ' + v, v.slice(0, 20)]) assert.throws(() => open(bad, o), MalformedError);
});

test('key rotation: old keys open and ask for a re-seal; unknown keys are refused', () => {
  const old = { keys: K1 };
  const both = { keys: [K2, K1] };
  const r = roundTrip(old, { data: { a: 1 } }, both);
  assert.deepEqual(r.session.data, { a: 1 });
  assert.equal(r.reseal, true);
  assert.equal(roundTrip(both, { data: { a: 1 } }, both).reseal, false);
  const gone = roundTrip(old, { data: { a: 1 } }, { keys: K2 });
  assert.equal(gone.session, null);
  assert.ok(gone.error instanceof UnknownKeyError);
});

test('changing the cipher: the other suite opens and is re-sealed', () => {
  const r = roundTrip({ keys: K1, cipher: 'AES-256-GCM' }, { data: { a: 1 } }, { keys: K1 });
  assert.deepEqual(r.session.data, { a: 1 });
  assert.equal(r.reseal, true);
});

test('times: max age, idle timeout, refresh, future, own max age', () => {
  const t0 = 1_800_000_000;
  const base = { keys: K1, maxAge: 3600_000, idleTimeout: 600_000 };
  const v = seal({ data: {} }, { ...base, ...clock(t0) });
  assert.equal(open(v, { ...base, ...clock(t0 + 599) }).created, t0);
  assert.throws(() => open(v, { ...base, ...clock(t0 + 600) }), IdleTimeoutError);
  assert.throws(() => open(v, { ...base, ...clock(t0 + 600) }), ExpiredError, 'idle is a kind of expiry');
  assert.throws(() => open(v, { ...base, ...clock(t0 - 61) }), FromFutureError);
  open(v, { ...base, ...clock(t0 - 60) });
  // re-sealed at t0+500, created kept: expires at t0+3600 whatever the activity
  const v2 = seal({ data: {}, created: t0 }, { ...base, ...clock(t0 + 3000) });
  assert.equal(open(v2, { ...base, ...clock(t0 + 3599) }).created, t0);
  assert.throws(() => open(v2, { ...base, ...clock(t0 + 3600) }), (e) => e instanceof ExpiredError && !(e instanceof IdleTimeoutError));
  // refresh: read at least idle/4 after sealing
  const jar = new Jar().update(sessionHeaders({ data: {} }, { ...base, ...clock(t0) }));
  assert.equal(readSession(jar.header(), { ...base, ...clock(t0 + 149) }).reseal, false);
  assert.equal(readSession(jar.header(), { ...base, ...clock(t0 + 150) }).reseal, true);
  // the session's own lifetime, capped by maxAgeCeiling
  const ceil = { keys: K1, maxAge: 3600_000, maxAgeCeiling: 30 * 86400_000 };
  const long = seal({ data: {}, maxAge: 7 * 86400_000 }, { ...ceil, ...clock(t0) });
  assert.equal(open(long, { ...ceil, ...clock(t0 + 86400) }).maxAge, 7 * 86400_000);
  assert.throws(() => open(long, { ...ceil, ...clock(t0 + 7 * 86400) }), ExpiredError);
  assert.throws(() => open(long, { keys: K1, maxAge: 3600_000, ...clock(t0 + 3600) }), ExpiredError, 'a reader caps it at its own ceiling');
});

test('Set-Cookie attributes: Max-Age from the lifetimes, browser sessions, prefixes', () => {
  const t0 = 1_800_000_000;
  const o = { keys: K1, maxAge: 3600_000, idleTimeout: 600_000, ...clock(t0 + 3300) };
  const [line] = sessionHeaders({ data: {}, created: t0 }, o);
  assert.match(line, /^session=[A-Za-z0-9_-]+; Max-Age=300; Expires=[^;]+ GMT; Path=\/; HttpOnly; SameSite=Lax$/);
  const [b] = sessionHeaders({ data: {}, browserSession: true }, o);
  assert.doesNotMatch(b, /Max-Age|Expires/);
  const [h] = sessionHeaders({ data: {} }, { keys: K1, name: '__Host-s', sameSite: 'strict', priority: 'high' });
  assert.match(h, /; Path=\/; HttpOnly; Secure; SameSite=Strict; Priority=High$/);
  assert.throws(() => sessionHeaders({ data: {} }, { keys: K1, name: '__Host-s', secure: false }), InvalidOptionsError);
  assert.throws(() => sessionHeaders({ data: {} }, { keys: K1, name: '__Host-s', path: '/app' }), InvalidOptionsError);
  assert.deepEqual(sessionHeaders(null, { keys: K1 }), ['session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax']);
});

test('metadata and flashes survive a round trip', () => {
  const id = newSessionId();
  const r = roundTrip({ keys: K1, maxAgeCeiling: 30 * 86400_000 }, { data: { a: 1 }, flashes: ['saved', 'again'], maxAge: 86400_000, id, subject: 'user-42' });
  assert.deepEqual(r.session.data, { a: 1 });
  assert.deepEqual(r.session.flashes, ['saved', 'again']);
  assert.equal(r.session.id, id);
  assert.equal(r.session.subject, 'user-42');
  assert.equal(r.session.maxAge, 86400_000);
  assert.throws(() => seal({ data: {}, subject: 'x'.repeat(256) }, { keys: K1 }), (e) => e.code === 'encode');
  assert.throws(() => seal({ data: {}, id: 'short' }, { keys: K1 }), (e) => e.code === 'encode');
  assert.throws(() => seal({ data: 1n }, { keys: K1 }), (e) => e.code === 'encode');
});

test('flash categories: round trip, order, empty ones dropped, bounds', () => {
  const r = roundTrip({ keys: K1 }, { data: {}, flashes: ['saved'], flashesByCategory: { error: ['e1', 'e2'], info: ['é'], none: [] } });
  assert.deepEqual(r.session.flashes, ['saved']);
  assert.deepEqual({ ...r.session.flashesByCategory }, { error: ['e1', 'e2'], info: ['é'] });
  assert.equal(Object.getPrototypeOf(r.session.flashesByCategory), null);
  const only = roundTrip({ keys: K1 }, { data: { a: 1 }, flashesByCategory: { __proto__: null, ['__proto__']: ['p'] } });
  assert.equal(only.session.flashes, undefined);
  assert.deepEqual(Object.entries(only.session.flashesByCategory), [['__proto__', ['p']]]);
  // Without messages in any category the session seals no envelope.
  const plain = open(seal({ data: { a: 1 }, flashesByCategory: { x: [] } }, { keys: K1 }), { keys: K1 });
  assert.deepEqual(plain, { data: { a: 1 }, created: plain.created, sealed: plain.sealed, browserSession: false });
  const long = 'é'.repeat(127) + 'x'; // 255 bytes
  assert.deepEqual(roundTrip({ keys: K1 }, { data: {}, flashesByCategory: { [long]: ['m'] } }).session.flashesByCategory[long], ['m']);
  for (const bad of [{ [long + 'x']: ['m'] }, { '': ['m'] }, { ['\uD800']: ['m'] }, { a: 'm' }, { a: [1] }]) {
    assert.throws(() => seal({ data: {}, flashesByCategory: bad }, { keys: K1 }), (e) => e.code === 'encode', JSON.stringify(bad));
  }
});

test('flash categories no writer makes are refused (DecodeError); a fourth element is ignored', () => {
  const o = { keys: K1, ...clock(1_800_000_000) };
  const sealPt = (pt) => new Codec(K1).seal('session', { created: 1_800_000_000, sealed: 1_800_000_000, flashes: true }, new TextEncoder().encode(pt), 1);
  for (const pt of [
    '[{},[],[["a",["1"]],["a",["2"]]]]', '[{},[],[["",["1"]]]]', '[{},[],[["a",[]]]]', '[{},[],[["a",null]]]', '[{},[],[[null,["1"]]]]',
    '[{},[],[["a",["1"],"x"]]]', '[{},[],[["a"]]]', '[{},[],[["a",[1]]]]', '[{},[],{"a":["1"]}]', '[{},[],"a"]', `[{},[],[["${'x'.repeat(256)}",["1"]]]]`,
  ]) {
    assert.throws(() => open(sealPt(pt), o), (e) => e.code === 'decode', pt.slice(0, 60));
  }
  assert.deepEqual({ ...open(sealPt('[{},[],[["\\ud800",["1"]]]]'), o).flashesByCategory }, { '\uFFFD': ['1'] }, 'a lone surrogate is read as Go reads it');
  const s = open(sealPt('[{"n":1},["m"],[["a",["1"]]],{"later":true}]'), o);
  assert.deepEqual([s.data, s.flashes, { ...s.flashesByCategory }], [{ n: 1 }, ['m'], { a: ['1'] }]);
});

test('chunking: split, reassembled, bound, stale parts deleted', () => {
  const o = { keys: K1, maxChunks: 4, maxTotalBytes: 16000 };
  const big = { blob: 'x'.repeat(9000) };
  const lines = sessionHeaders({ data: big }, o);
  const jar = new Jar().update(lines);
  assert.deepEqual(jar.names(), ['session', 'session~2', 'session~3']);
  assert.equal(lines.length, 3, 'a request without cookies: nothing to delete');
  assert.deepEqual(lines.slice(0, 2).map((l) => l.split(';')[0].length - 1), [4092, 4092], 'name + value fills the budget');
  const r = readSession(jar.header(), o);
  assert.deepEqual(r.session.data, big);
  assert.deepEqual(r.cookies.present, [1, 2, 3]);
  // a missing, a duplicated, a reordered chunk
  const [a, b, c] = jar.header().split('; ');
  assert.ok(readSession([a, c].join('; '), o).error instanceof ChunksError);
  assert.ok(readSession([a, b, b, c].join('; '), o).error instanceof ChunksError);
  assert.deepEqual(readSession([c, a, b].join('; '), o).session.data, big);
  // parts swapped between two sessions fail authentication
  const other = new Jar().update(sessionHeaders({ data: big }, o)).header().split('; ');
  assert.ok(readSession([a, other[1], c].join('; '), o).error instanceof AuthenticationError);
  // shrinking deletes the old parts the request carried
  const after = sessionHeaders({ data: { small: 1 } }, o, r);
  assert.deepEqual(new Jar().update(after).names(), ['session']);
  assert.deepEqual(after.filter((l) => /Max-Age=0/.test(l)).map((l) => l.split('=')[0]), ['session~2', 'session~3']);
  // a stale part past maxChunks, and malformed chunk names, are ignored and deleted
  const r2 = readSession(`session~9=zzz; session~02=x; ${jar.header()}`, o);
  assert.deepEqual(r2.session.data, big);
  assert.deepEqual(r2.cookies.foreign, ['session~02']);
  const del = sessionHeaders(r2.session, o, r2).filter((l) => /Max-Age=0/.test(l)).map((l) => l.split('=')[0]);
  assert.deepEqual(del.sort(), ['session~02', 'session~9']);
});

// The names of the cookies lines delete (Max-Age=0), in order.
const deleted = (lines) => lines.filter((l) => /Max-Age=0/.test(l)).map((l) => l.split('=')[0]);

test('chunking: a save deletes only the chunk cookies the request carried', () => {
  const o = { keys: K1, maxChunks: 3, maxTotalBytes: 16000 };
  assert.equal(sessionHeaders({ data: { n: 1 } }, o).length, 1, 'a one-chunk save with maxChunks 3: one line');
  const three = new Jar().update(sessionHeaders({ data: { blob: 'x'.repeat(9000) } }, o));
  const two = new Jar().update(sessionHeaders({ data: { blob: 'y'.repeat(5000) } }, o));
  const r3 = readSession(three.header(), o);
  const r2 = readSession(two.header(), o);
  assert.deepEqual(r2.cookies.present, [1, 2]);
  assert.deepEqual(deleted(sessionHeaders({ data: { n: 1 } }, o, r3)), ['session~2', 'session~3']);
  assert.deepEqual(deleted(sessionHeaders({ data: { n: 1 } }, o, r2)), ['session~2'], 'session~3 was not carried');
  assert.deepEqual(deleted(sessionHeaders(r2.session, o, r2)), [], 'the same two chunks again: nothing to delete');
});

test('chunking: a last part that fills the budget exactly has the next chunk name deleted', () => {
  // Find a value whose single part fills the per-cookie budget exactly
  // (base64 cannot make every length, so try three budgets).
  let found = null;
  for (const maxCookieBytes of [3000, 3001, 3002]) {
    const o = { keys: K1, maxChunks: 3, maxTotalBytes: 16000, maxCookieBytes };
    for (let k = 2000; k < 2300 && !found; k++) {
      const lines = sessionHeaders({ data: { b: 'x'.repeat(k) } }, o);
      const one = lines.filter((l) => !/Max-Age=0/.test(l)).length === 1;
      if (one && lines[0].split(';')[0].length - 1 === maxCookieBytes) found = { o, lines, data: { b: 'x'.repeat(k) } };
    }
    if (found) break;
  }
  assert.ok(found, 'no value fills the budget exactly');
  assert.deepEqual(found.lines.map((l) => l.split('=')[0]), ['session', 'session~2'], 'the part fills the budget: session~2, and only it, is deleted');
  assert.match(found.lines[1], /^session~2=; Max-Age=0/);
  // Filling the last allowed chunk: no name after it to delete.
  assert.equal(sessionHeaders({ data: found.data }, { ...found.o, maxChunks: 1 }).length, 1);
});

test('chunking: deleting a session deletes every possible chunk name', () => {
  const o = { keys: K1, maxChunks: 3 };
  assert.deepEqual(deleted(sessionHeaders(null, o)), ['session', 'session~2', 'session~3']);
  const r = readSession('session~5=x', o);
  assert.deepEqual(deleted(sessionHeaders(null, o, r)), ['session', 'session~2', 'session~3', 'session~5']);
});

test('chunking: stale parts after the last one (two tabs racing) are ignored, as the Go reader ignores them', () => {
  const o = { keys: K1, maxChunks: 3, maxTotalBytes: 16000 };
  const three = new Jar().update(sessionHeaders({ data: { blob: 'x'.repeat(9000) } }, o)).header().split('; ');
  const two = new Jar().update(sessionHeaders({ data: { blob: 'y'.repeat(5000) } }, o)).header().split('; ');
  const one = new Jar().update(sessionHeaders({ data: { n: 1 } }, o)).header();
  assert.equal(three.length, 3);
  assert.equal(two.length, 2);
  assert.deepEqual(readSession([one, three[1], three[2]].join('; '), o).session?.data, { n: 1 });
  assert.deepEqual(readSession([one, three[2]].join('; '), o).session?.data, { n: 1 });
  const r = readSession([two[0], two[1], three[2]].join('; '), o);
  assert.deepEqual(r.session?.data, { blob: 'y'.repeat(5000) });
  assert.deepEqual(r.cookies.present, [1, 2, 3], 'the stale part is recorded, for the next save to delete');
  // A value chunked under another per-cookie budget still opens.
  const small = new Jar().update(sessionHeaders({ data: { blob: 'z'.repeat(5000) } }, { ...o, maxCookieBytes: 3000 })).header();
  assert.deepEqual(readSession(small, o).session?.data, { blob: 'z'.repeat(5000) });
});

test('limits: too large without chunking, past maxChunks, past the total budget', () => {
  const data = { blob: 'x'.repeat(3006) };
  assert.throws(() => sessionHeaders({ data }, { keys: K1 }), (e) => e instanceof TooLargeError && e.chunks === 1 && e.limit === 4092);
  sessionHeaders({ data: { blob: 'x'.repeat(3005 - 11) } }, { keys: K1 });
  assert.throws(() => sessionHeaders({ data: { b: 'x'.repeat(20000) } }, { keys: K1, maxChunks: 3, maxTotalBytes: 100000 }), (e) => e instanceof TooLargeError && !e.total && e.chunks > 3);
  assert.throws(() => sessionHeaders({ data: { b: 'x'.repeat(7000) } }, { keys: K1, maxChunks: 4 }), (e) => e instanceof TooLargeError && e.total && e.limit === 6144);
  assert.throws(() => seal({ data }, { keys: K1 }), TooLargeError);
  // an oversized chunk in the request is refused before any crypto
  assert.ok(readSession('session=' + 'A'.repeat(4090), { keys: K1 }).error instanceof TooLargeError);
});

test('hostile headers: junk, many cookies, quotes, no crash', () => {
  const o = { keys: K1 };
  const v = seal({ data: { a: 1 } }, o);
  assert.deepEqual(readSession(`a=b; ;;=;session2=x; session="${v}"`, o).session.data, { a: 1 });
  assert.ok(readSession(Array(3001).fill('session~x=1').join('; '), o).error instanceof ChunksError);
  assert.equal(readSession('', o).session, null);
  assert.equal(readSession(undefined, o).error, null);
  for (const junk of ['session=%', 'session=' + '\u00e9'.repeat(50), 'session=' + 'A'.repeat(100)]) assert.ok(readSession(junk, o).error instanceof MalformedError || readSession(junk, o).error instanceof UnknownKeyError);
});

test('keys: keygen output, hex, lists; weak keys refused; duplicates refused', () => {
  assert.equal(parseKeys(`${K1}, ${K2}\n${K1.length}`.replace(/\n\d+$/, '')).length, 2);
  const hex = Buffer.from(K1, 'base64url').toString('hex');
  assert.equal(new Codec(hex).keyId(), new Codec(K1).keyId(), 'hex of the same bytes is the same key');
  assert.equal(new Codec(Buffer.from(K1, 'base64url')).keyId(), new Codec(K1).keyId());
  for (const bad of ['', ' , ', 'MyCompanySessionSecretKeyForProductionDeployment2024!', 'AAAA', Buffer.alloc(32).toString('base64url'), K1 + '=']) {
    assert.throws(() => parseKeys(bad), InvalidOptionsError, JSON.stringify(bad));
  }
  assert.throws(() => new Codec([K1, K1]), InvalidOptionsError);
  assert.throws(() => readSession('', { keys: [] }), InvalidOptionsError);
  try {
    parseKeys('x'.repeat(43));
  } catch (e) {
    assert.doesNotMatch(e.message, /xxxx/, 'messages never hold a key');
  }
});

// testdata/keytexts.json is the Go package's ParseKeys test too: a key text
// accepted on one side is accepted on the other, as the same bytes.
test('keys: the key texts Go accepts and refuses, as Go does', () => {
  const vectors = JSON.parse(readFileSync(new URL('../../testdata/keytexts.json', import.meta.url), 'utf8'));
  assert.ok(vectors.length >= 20);
  for (const v of vectors) {
    if (v.error) {
      assert.throws(() => parseKeys(v.text), InvalidOptionsError, v.comment);
      continue;
    }
    assert.deepEqual(parseKeys(v.text).map((k) => Buffer.from(k).toString('hex')), v.keys, v.comment);
  }
});

test('options are checked', () => {
  for (const bad of [
    { maxAge: 500 }, { maxAge: 401 * 86400_000 }, { maxCookieBytes: 5000 }, { maxChunks: 256 }, { name: 'a b' }, { name: 'a~b' },
    { sameSite: 'sometimes' }, { maxChunks: 2, maxTotalBytes: 100 }, { cipher: 'DES' }, { idleTimeout: 10 }, { path: 'x' },
  ]) {
    assert.throws(() => readSession('', { keys: K1, ...bad }), InvalidOptionsError, JSON.stringify(bad));
  }
});

test('a session lifetime past maxAgeCeiling is refused when sealing', () => {
  assert.throws(() => sessionHeaders({ data: {}, maxAge: 2 * 3600_000 }, { keys: K1, maxAge: 3600_000 }), (e) => e.code === 'encode' && /maxAgeCeiling/.test(e.message));
  sessionHeaders({ data: {}, maxAge: 1800_000 }, { keys: K1, maxAge: 3600_000 });
});

test('a lone surrogate, which the Go library would read back as U+FFFD, is refused naming its path', () => {
  const o = { keys: K1 };
  const mark = 'SECRETMARK';
  for (const [session, where] of [
    [{ data: { a: { b: ['ok', mark + '\uD800x'] } } }, 'data.a.b[1] '],
    [{ data: { ['k' + mark + '\uDC00']: 1 } }, 'a key of data '],
    [{ data: { 'two words': mark + '\uDFFF' } }, 'data["two words"] '],
    [{ data: { t: { toJSON: () => mark + '\uD83D' } } }, 'data.t '],
    [{ data: mark + '\uD800' }, 'data '],
    [{ data: { t: '\\ud800' + mark + '\uD800' } }, 'data.t '],
    [{ data: {}, flashes: ['ok', mark + '\uD800'] }, 'flashes[1] '],
    [{ data: {}, flashesByCategory: { info: [mark + '\uDBFF'] } }, 'flashesByCategory.info[0] '],
  ]) {
    assert.throws(() => seal(session, o), (e) => {
      assert.ok(e instanceof EncodeError, String(e));
      assert.ok(e.message.includes(where) && e.message.includes('base64'), e.message);
      assert.ok(!e.message.includes(mark), e.message);
      return true;
    }, where);
  }
  // A surrogate pair, U+FFFD itself and the text \ud800 are no lone surrogates.
  const data = { emoji: '😀', fffd: '\uFFFD', text: '\\ud800', escaped: '\\\\ud800' };
  assert.deepEqual(open(seal({ data, flashes: ['😀'] }, o), o).data, data);
});
