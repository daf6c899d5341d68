// The web-standard helpers, through the Hono example (examples/hono.mjs),
// and on their own: Request in, Headers or Response out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSession, readSession, sessionHeaders, setSession, withSession } from 'cookiesession';
import { createApp } from '../examples/hono.mjs';
import { Jar, testKey } from './helpers.mjs';

const K1 = testKey(1);

test('Hono example: log in, count visits, log out', async () => {
  const app = createApp(K1);
  const jar = new Jar();
  const req = async (method, path, body) => {
    const res = await app.request(path, { method, headers: { cookie: jar.header(), 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    jar.update(res.headers.getSetCookie());
    return { res, body: await res.json() };
  };
  assert.deepEqual((await req('GET', '/me')).body, { user: null, refused: null });
  const login = await req('POST', '/login', { user: 'ada' });
  assert.equal(login.res.headers.get('vary'), 'Cookie');
  assert.equal(login.res.headers.get('cache-control'), 'private, no-cache="Set-Cookie"');
  assert.deepEqual((await req('GET', '/me')).body, { user: 'ada', refused: null });
  assert.deepEqual((await req('POST', '/visit')).body, { visits: 1 });
  assert.deepEqual((await req('POST', '/visit')).body, { visits: 2 });
  const s = readSession(jar.header(), { keys: K1 }).session;
  assert.deepEqual(s.data, { user: 'ada', visits: 2 });
  assert.equal(s.subject, 'ada');
  await req('POST', '/logout');
  assert.deepEqual(jar.names(), []);
  // a tampered cookie is refused, with the reason
  const other = createApp(testKey(9));
  const res = await other.request('/me', { headers: { cookie: new Jar().update(sessionHeaders({ data: { user: 'eve' } }, { keys: K1 })).header() } });
  assert.deepEqual(await res.json(), { user: null, refused: 'unknown_key' });
});

test('https requests get Secure cookies; immutable responses are copied', async () => {
  const o = { keys: K1 };
  const h = new Headers({ 'Cache-Control': 'public, max-age=60', Vary: 'Accept' });
  setSession(h, { data: { a: 1 } }, o, { request: new Request('https://example.com/') });
  assert.match(h.getSetCookie()[0], /; Secure; SameSite=Lax$/);
  assert.equal(h.get('cache-control'), 'private, max-age=60');
  assert.equal(h.get('vary'), 'Accept, Cookie');
  const h2 = new Headers();
  setSession(h2, { data: { a: 1 } }, o, { request: new Request('http://localhost/') });
  assert.doesNotMatch(h2.getSetCookie()[0], /Secure/);
  const redirect = Response.redirect('https://example.com/next', 302);
  const r = withSession(redirect, { data: { a: 1 } }, o);
  assert.notEqual(r, redirect);
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), 'https://example.com/next');
  const got = getSession(new Request('http://x/', { headers: { cookie: r.headers.getSetCookie()[0].split(';')[0] } }), o);
  assert.deepEqual(got.session.data, { a: 1 });
  const plain = new Response('ok');
  assert.equal(withSession(plain, null, o), plain);
  assert.match(plain.headers.getSetCookie()[0], /^session=; Max-Age=0/);
});

test('a cookie that must be Secure is refused over plain http, except on loopback', () => {
  const o = { keys: K1, name: '__Host-s' };
  const h = new Headers();
  assert.throws(() => setSession(h, { data: { a: 1 } }, o, { request: new Request('http://example.com/') }), (e) => e.code === 'insecure_request');
  assert.equal(h.getSetCookie().length, 0, 'nothing added');
  setSession(h, { data: { a: 1 } }, o, { request: new Request('http://localhost:8080/') });
  assert.match(h.getSetCookie()[0], /; Secure;/);
  assert.throws(() => sessionHeaders({ data: {} }, { keys: K1, secure: true }, undefined, { https: false }), (e) => e.code === 'insecure_request');
});
