// A Hono app (Cloudflare Workers, Deno, Bun, Node) with a sealed session:
// the same cookie, and the same keys, as the Go services and the Express
// middleware. Run the test: npm test (test/web.test.mjs).

import { Hono } from 'hono';
import { getSession, setSession } from 'cookiesession';

/** Returns the app; keys as `cookiesession keygen` prints them (an env var in production). */
export function createApp(keys) {
  const options = { keys, name: 'session', maxAge: 8 * 3600_000 };
  const app = new Hono();

  app.get('/me', (c) => {
    const { session, error } = getSession(c.req.raw, options);
    return c.json({ user: session?.data.user ?? null, refused: error?.code ?? null });
  });

  app.post('/login', async (c) => {
    const { user } = await c.req.json();
    const read = getSession(c.req.raw, options);
    const res = c.json({ ok: true });
    // A login starts a new session (no `created`): a fresh lifetime.
    setSession(res.headers, { data: { user }, subject: user }, options, { request: c.req.raw, read });
    return res;
  });

  app.post('/visit', (c) => {
    const read = getSession(c.req.raw, options);
    const session = read.session ?? { data: {} };
    session.data.visits = (session.data.visits ?? 0) + 1;
    const res = c.json({ visits: session.data.visits });
    setSession(res.headers, session, options, { request: c.req.raw, read });
    return res;
  });

  app.post('/logout', (c) => {
    const read = getSession(c.req.raw, options);
    const res = c.json({ ok: true });
    setSession(res.headers, null, options, { request: c.req.raw, read });
    return res;
  });
  return app;
}
