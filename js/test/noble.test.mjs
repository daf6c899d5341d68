// Where node:crypto is absent (Workers, Deno, browsers), @noble/ciphers
// seals and opens: the vector and core tests again, in a Node.js process
// without process.getBuiltinModule, so the package cannot reach it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('the @noble/ciphers path passes the vectors and the core tests', () => {
  const hide = 'data:text/javascript,delete process.getBuiltinModule';
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a run of its own, reporting in TAP
  const r = spawnSync(process.execPath, ['--import', hide, '--test', '--test-reporter=tap', 'test/vectors.test.mjs', 'test/session.test.mjs'], {
    cwd: new URL('..', import.meta.url), encoding: 'utf8', env,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /vector \(@noble\/ciphers\)/);
  assert.doesNotMatch(r.stdout, /vector \(node:crypto\)/);
  assert.match(r.stdout, /^# fail 0$/m);
  const pass = Number(/^# pass (\d+)$/m.exec(r.stdout)?.[1]);
  assert.ok(pass >= 30, `${pass} passed`);
});
