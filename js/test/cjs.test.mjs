// The CommonJS build: require() gives the same API, and the Express entry
// shares the core's error classes.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as esm from 'cookiesession';
import { testKey } from './helpers.mjs';

const require = createRequire(import.meta.url);

test('require(cookiesession) and require(cookiesession/express)', () => {
  const cjs = require('cookiesession');
  const ex = require('cookiesession/express');
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.equal(typeof ex.cookieSession, 'function');
  assert.equal(ex.default, ex.cookieSession);
  const o = { keys: testKey(1) };
  assert.deepEqual(esm.open(cjs.seal({ data: { a: 1 } }, o), o).data, { a: 1 });
  assert.throws(() => ex.cookieSession({ keys: 'short' }), cjs.InvalidOptionsError, 'one set of error classes in CommonJS');
});
