// Seal + open of the Go benchmark's three sessions (bench/payloads_test.go:
// small ~300 B, map ~1.5 KB, large ~2.9 KB of JSON) by this package,
// iron-session 9 and Express cookie-session 2, in one Node.js process, in
// interleaved rounds; prints the median time per seal+open and the ratios.
//
//   npm run bench            (ROUNDS=7 MS=300 by default)
//
// What one seal+open is, for each:
//   cookiesession   seal(session, options) then open(value, options):
//                   JSON, XChaCha20-Poly1305, base64url (and back), times checked
//   iron-session    await sealData(data, {password}) then await unsealData(...):
//                   JSON, AES-256-CBC + HMAC-SHA256 (WebCrypto), key derivation per call
//   cookie-session  what its middleware does per cookie: JSON + base64, then a
//                   keygrip HMAC-SHA1 signature of "session=VALUE" (the real
//                   keygrip), and back: keygrip.index, base64, JSON.parse. It
//                   only signs: the data is readable by the client.

import { performance } from 'node:perf_hooks';
import Keygrip from 'keygrip';
import { sealData, unsealData } from 'iron-session';
import { open, seal } from 'cookiesession';

const ROUNDS = Number(process.env.ROUNDS || 7);
const MS = Number(process.env.MS || 300);

function small() {
  return {
    uid: 4815162342, username: 'ada.lovelace', email: 'ada.lovelace@analytical-engine.example',
    roles: ['customer', 'beta-tester', 'newsletter'], csrf: 'pK3vX9qL2mN8rT4wY6zB1cD5fG7hJ0kA-sE3uI9oP2q',
    locale: 'en-GB-oxendict', theme: 'dark-high-contrast', login_at: 1795694400, visits: 42, verified: true,
  };
}
function map() {
  const m = {};
  for (let i = 0; i < 18; i++) m[`pref_${String(i).padStart(2, '0')}`] = `value ${String(i).padStart(2, '0')}: ${'abcdefgh'.repeat(5)}`;
  for (let i = 0; i < 10; i++) m[`count_${String(i).padStart(2, '0')}`] = 1000 * i + 7;
  for (let i = 0; i < 6; i++) m[`flag_${String(i).padStart(2, '0')}`] = i % 2 === 0;
  m.user = 'ada.lovelace@analytical-engine.example';
  m.csrf = 'pK3vX9qL2mN8rT4wY6zB1cD5fG7hJ0kA-sE3uI9oP2q';
  return m;
}
function large() {
  const cart = [];
  for (let i = 0; i < 27; i++) {
    cart.push({ sku: `SKU-${100000 + i * 7919}`, name: `Product number ${String(i).padStart(2, '0')}, colour blue`, qty: 1 + (i % 3), price_cents: 999 + i * 250 });
  }
  const recent = [];
  for (let i = 0; i < 8; i++) recent.push(`/catalogue/item/${200000 + i * 31}`);
  return { user: small(), cart, recent, coupon: 'WINTER-2026-FREE-SHIPPING' };
}

const payloads = { small: small(), map: map(), large: large() };
const options = { keys: 'Ajx9eR7n0Lq2c4bGm8T1vWzY5kP3sH6dU0fJ-aX_QoI' };
const password = 'a-password-of-at-least-32-characters-for-iron';
const grip = new Keygrip(['k-current']);

const contenders = {
  cookiesession: (data) => {
    const v = seal({ data }, options);
    if (open(v, options).data === undefined) throw new Error('open');
  },
  'iron-session': async (data) => {
    const v = await sealData(data, { password });
    if ((await unsealData(v, { password })) === undefined) throw new Error('unseal');
  },
  'cookie-session': (data) => {
    const value = Buffer.from(JSON.stringify(data)).toString('base64');
    const sig = grip.sign('session=' + value);
    if (grip.index('session=' + value, sig) !== 0) throw new Error('sig');
    JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  },
};

// run calls fn on data for about MS milliseconds and returns µs per call.
async function run(fn, data) {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MS) {
    for (let i = 0; i < 50; i++) await fn(data);
    n += 50;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [name, fn] of Object.entries(contenders)) await run(fn, payloads.small); // warm up
const results = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [p, data] of Object.entries(payloads)) {
    for (const [name, fn] of Object.entries(contenders)) ((results[p] ??= {})[name] ??= []).push(await run(fn, data));
  }
}
console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds of ${MS} ms; median µs per seal+open`);
console.log('payload  JSON bytes  cookiesession  iron-session  cookie-session  iron/cookiesession  cookiesession/cookie-session');
for (const [p, byName] of Object.entries(results)) {
  const m = Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, median(v)]));
  console.log(
    `${p.padEnd(8)} ${String(JSON.stringify(payloads[p]).length).padStart(10)}  ${m.cookiesession.toFixed(1).padStart(13)}  ${m['iron-session'].toFixed(1).padStart(12)}  ${m['cookie-session'].toFixed(1).padStart(14)}  ${(m['iron-session'] / m.cookiesession).toFixed(2).padStart(18)}  ${(m.cookiesession / m['cookie-session']).toFixed(2).padStart(27)}`,
  );
}
