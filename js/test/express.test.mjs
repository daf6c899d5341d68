// The Express middleware against real Express, and the take-over of real
// cookie-session 2 cookies.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import legacyCookieSession from 'cookie-session';
import Keygrip from 'keygrip';
import { LegacySignatureError, parseHeader, readSession } from 'cookiesession';
import { cookieSession } from 'cookiesession/express';
import { Jar, testKey } from './helpers.mjs';

const K1 = testKey(1), K2 = testKey(2);
let base;
let server;
const errors = [];

// Every route answers with what the handler saw.
function routes(app) {
  app.use(express.json());
  app.get('/view', (req, res) => res.json({ s: req.session, isNew: req.session.isNew, isPopulated: req.session.isPopulated, err: req.sessionError?.code ?? null }));
  app.post('/assign', (req, res) => { Object.assign(req.session, req.body); res.json({ isChanged: req.session.isChanged }); });
  app.post('/replace', (req, res) => { req.session = req.body; res.json({ isNew: req.session.isNew }); });
  app.get('/null', (req, res) => { req.session = null; res.json({ s: req.session }); });
  app.get('/touch', (req, res) => { void req.session.n; res.json({ isChanged: req.session.isChanged }); });
  app.get('/none', (req, res) => res.send('ok'));
  app.get('/remember', (req, res) => { req.sessionOptions.maxAge = 30 * 86400_000; res.send('ok'); });
  app.get('/login', (req, res) => { req.session.regenerate(() => { req.session.user = 'ada'; req.sessionSubject = 'ada'; req.sessionFlashes.push('welcome'); res.send('ok'); }); });
  app.get('/flash', (req, res) => res.json({ flashes: req.sessionFlashes.splice(0) }));
  app.get('/flash-add', (req, res) => res.json({ n: [req.flash('error', 'e1'), req.flash('error', ['e2', 'e3']), req.flash('info', 'i1'), req.flash('', 'd1')] }));
  app.get('/flash-of', (req, res) => res.json({ error: req.flash('error'), again: req.flash('error') }));
  app.get('/flash-all', (req, res) => res.json({ all: req.flash() }));
  app.get('/flash-bad', (req, res) => { req.flash('x'.repeat(256), 'm'); res.send('handler ran'); });
  app.get('/big', (req, res) => { req.session.blob = 'x'.repeat(5000); res.send('handler ran'); });
}

before(async () => {
  const app = express();
  const mount = (path, mw) => { const r = express.Router(); r.use(mw); routes(r); app.use(path, r); };
  mount('/s', cookieSession({ keys: K1, maxAge: 3600_000, maxAgeCeiling: 60 * 86400_000 }));
  mount('/rot', cookieSession({ keys: [K2, K1], maxAge: 3600_000 }));
  mount('/legacy', cookieSession({ name: 'sid', keys: K1, legacy: { keys: ['new-old-key', 'k-current'] } }));
  mount('/legacy256', cookieSession({ name: 'sid', keys: K1, legacy: { keys: ['k-256'], sha256: true } }));
  mount('/err', cookieSession({ keys: K1, onError: (e) => errors.push(e) }));
  mount('/old', legacyCookieSession({ keys: ['k-current'] }));
  mount('/old256', legacyCookieSession({ keys: new Keygrip(['k-256'], 'sha256') }));
  mount('/oldother', legacyCookieSession({ keys: ['not-configured'] }));
  await new Promise((ok) => { server = app.listen(0, '127.0.0.1', ok); });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

async function call(jar, path, body) {
  const init = { headers: { cookie: jar.header() } };
  if (body !== undefined) Object.assign(init, { method: 'POST', body: JSON.stringify(body), headers: { ...init.headers, 'content-type': 'application/json' } });
  const res = await fetch(base + path, init);
  const lines = res.headers.getSetCookie();
  jar.update(lines);
  const text = await res.text();
  return { status: res.status, lines, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
}

test('drop-in for cookie-session: new, assign, read back, null', async () => {
  const jar = new Jar();
  let r = await call(jar, '/s/view');
  assert.deepEqual(r.body, { s: {}, isNew: true, isPopulated: false, err: null });
  assert.deepEqual(r.lines, [], 'an unpopulated new session writes nothing');
  r = await call(jar, '/s/assign', { user: 'ada', cart: [1, 2] });
  assert.equal(r.body.isChanged, true);
  assert.equal(r.lines.length, 1);
  assert.match(r.lines[0], /^session=[\w-]+; Max-Age=3600; Expires=.*; Path=\/; HttpOnly; SameSite=Lax$/);
  assert.equal(r.headers.get('vary'), 'Cookie');
  assert.match(r.headers.get('cache-control'), /private/);
  r = await call(jar, '/s/view');
  assert.deepEqual(r.body, { s: { user: 'ada', cart: [1, 2] }, isNew: false, isPopulated: true, err: null });
  assert.deepEqual(r.lines, [], 'an unchanged session writes nothing');
  r = await call(jar, '/s/touch');
  assert.equal(r.body.isChanged, false);
  r = await call(jar, '/s/replace', { other: true });
  assert.equal(r.body.isNew, true);
  assert.deepEqual((await call(jar, '/s/view')).body.s, { other: true });
  r = await call(jar, '/s/null');
  assert.deepEqual(r.body, { s: null });
  assert.match(r.lines[0], /^session=; Max-Age=0/);
  assert.deepEqual(jar.names(), []);
  assert.deepEqual((await call(jar, '/s/none')).lines, []);
});

test('the cookie is the sealed format: Go reads what Express writes (same keys)', async () => {
  const jar = new Jar();
  await call(jar, '/s/assign', { n: 1 });
  const r = readSession(jar.header(), { keys: K1 });
  assert.deepEqual(r.session.data, { n: 1 });
  assert.equal(parseHeader(jar.map.get('session')).cipher, 'XChaCha20-Poly1305');
});

test('sessionOptions.maxAge becomes the session own lifetime; regenerate, subject, flashes', async () => {
  const jar = new Jar();
  await call(jar, '/s/assign', { a: 1 });
  const created = readSession(jar.header(), { keys: K1 }).session.created;
  let r = await call(jar, '/s/remember');
  // The lifetime counts from the session's creation, whole seconds apart
  // from now: a second boundary passed since /s/assign takes one off.
  const maxAge = Number(/Max-Age=(\d+);/.exec(r.lines[0])?.[1]);
  assert.ok(maxAge <= 2592000 && maxAge >= 2592000 - 5, r.lines[0]);
  assert.equal(readSession(jar.header(), { keys: K1, maxAgeCeiling: 60 * 86400_000 }).session.maxAge, 30 * 86400_000);
  r = await call(jar, '/s/login');
  const s = readSession(jar.header(), { keys: K1, maxAgeCeiling: 60 * 86400_000 }).session;
  assert.equal(s.subject, 'ada');
  assert.deepEqual(s.flashes, ['welcome']);
  assert.ok(s.created >= created);
  assert.deepEqual((await call(jar, '/s/flash')).body.flashes, ['welcome']);
  assert.deepEqual((await call(jar, '/s/flash')).body.flashes, [], 'read once');
});

test('req.flash: by category, as connect-flash; category "" is sessionFlashes', async () => {
  const jar = new Jar();
  let r = await call(jar, '/s/flash-add');
  assert.deepEqual(r.body.n, [1, 3, 1, 1]);
  const s = readSession(jar.header(), { keys: K1 }).session;
  assert.deepEqual([s.flashes, { ...s.flashesByCategory }], [['d1'], { error: ['e1', 'e2', 'e3'], info: ['i1'] }]);
  r = await call(jar, '/s/flash-of');
  assert.deepEqual(r.body, { error: ['e1', 'e2', 'e3'], again: [] });
  assert.equal(r.lines.length, 1, 'reading a category is a change');
  assert.deepEqual((await call(jar, '/s/flash-all')).body.all, { '': ['d1'], info: ['i1'] });
  r = await call(jar, '/s/flash-all');
  assert.deepEqual([r.body.all, r.lines], [{}, []]);
  r = await call(jar, '/s/view');
  assert.deepEqual(r.lines, [], 'no message left, nothing written');
  const before = jar.header();
  r = await call(jar, '/err/flash-bad');
  assert.deepEqual([r.lines, jar.header(), errors.pop()?.code], [[], before, 'encode']);
});

test('key rotation: a session sealed with the old key is re-sealed with the new one when read', async () => {
  const jar = new Jar();
  await call(jar, '/s/assign', { a: 1 });
  const r = await call(jar, '/rot/view');
  assert.deepEqual(r.body.s, { a: 1 });
  assert.equal(r.lines.length, 1);
  const both = { keys: [K2, K1] };
  assert.equal(readSession(jar.header(), both).reseal, false);
  assert.equal(parseHeader(jar.map.get('session')).keyId, readSession('', both) && new (await import('cookiesession')).Codec(K2).keyId());
});

test('a session too large is not written, and is reported', async () => {
  const jar = new Jar();
  await call(jar, '/err/assign', { a: 1 });
  const before = jar.header();
  const r = await call(jar, '/err/big');
  assert.deepEqual(r.lines, []);
  assert.equal(jar.header(), before, 'the client keeps its previous session');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'too_large');
  const r2 = await call(new Jar(), '/s/big');
  assert.equal(r2.status, 500, 'without onError the response says it failed');
  assert.deepEqual(r2.lines, []);
});

for (const [name, old, mine] of [['HMAC-SHA1 keys', '/old', '/legacy'], ['Keygrip sha256', '/old256', '/legacy256']]) {
  test(`cookie-session 2 cookies (${name}) are read and upgraded to the sealed format`, async () => {
    const jar = new Jar();
    await call(jar, `${old}/assign`, { user: 'Zoë', n: 9007199254740991, nested: { a: [true, null] } });
    assert.deepEqual(jar.names(), ['session', 'session.sig']);
    const r = await call(jar, `${mine}/view`);
    assert.deepEqual(r.body.s, { user: 'Zoë', n: 9007199254740991, nested: { a: [true, null] } });
    assert.equal(r.body.isNew, false);
    assert.deepEqual(jar.names(), ['sid'], 'the old cookies are deleted on the same response');
    assert.deepEqual(readSession(jar.header(), { name: 'sid', keys: K1 }).session.data, r.body.s);
    assert.equal((await call(jar, `${old}/view`)).body.isNew, true, 'cookie-session no longer sees a session');
  });
}

test('legacy cookies are upgraded even when the handler does not touch the session', async () => {
  const jar = new Jar();
  await call(jar, '/old/assign', { a: 1 });
  await call(jar, '/legacy/none');
  assert.deepEqual(jar.names(), ['sid']);
  assert.deepEqual(readSession(jar.header(), { name: 'sid', keys: K1 }).session.data, { a: 1 });
});

test('a legacy cookie signed with another key is refused, with the reason', async () => {
  const jar = new Jar();
  await call(jar, '/oldother/assign', { admin: true });
  const r = await call(jar, '/legacy/view');
  assert.deepEqual(r.body.s, {});
  assert.equal(r.body.err, new LegacySignatureError('').code);
  // a forged data cookie with a stale signature
  const forged = new Jar();
  await call(forged, '/old/assign', { admin: false });
  forged.map.set('session', Buffer.from('{"admin":true}').toString('base64'));
  assert.deepEqual((await call(forged, '/legacy/view')).body, { s: {}, isNew: true, isPopulated: false, err: 'legacy_signature' });
});

test('the middleware refuses bad options at once', () => {
  assert.throws(() => cookieSession({ keys: 'secret' }), /not a key/);
  assert.throws(() => cookieSession({ keys: 'MyCompanySessionSecretKeyForProductionDeployment2024' }), /52 characters of text, not a key/);
  assert.throws(() => cookieSession({ keys: K1, legacy: { keys: ['k'] } }), /another name/);
  assert.throws(() => cookieSession({ name: 'sid', keys: K1, legacy: { keys: [] } }), /legacy.keys is empty/);
});
