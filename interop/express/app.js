'use strict'

// Express test server for the Go interop tests. Each "profile" mounts its
// own cookie-session middleware (2.x, or 1.x through the cookie-session-1
// alias) under /<profile>/, configured from the JSON in the environment
// variable INTEROP_PROFILES:
//
//   { "<profile>": { "version": 1|2, "name": "...", "keys": ["..."],
//                    "secret": "...", "sha256": true }, ... }
//
// A profile with "sealed": true mounts the JavaScript package's own
// middleware (../js, built) instead, with "keys" in base64url, and also:
//   GET  /<p>/flash-add?cat=C&msg=M   req.flash(C, M)
//   GET  /<p>/flash-of?cat=C          answers {"messages": req.flash(C)}
// Without the built package such profiles are not mounted (the Go tests
// that use them check for it first).
//
// Usage: node express/app.js <port>   (0 picks a free port)
// Prints "ready <port>" on stdout once listening.
//
// Endpoints, per profile:
//   POST /<p>/set      body: JSON object; replaces the session with it
//   POST /<p>/merge    body: JSON object; assigns its keys into the session
//   GET  /<p>/get      answers {"isNew": bool, "session": {...}}
//   GET  /<p>/destroy  sets req.session = null
//   GET  /<p>/sign?data=NAME%3DVALUE  answers the profile's keygrip signature
//                      of data, to build cookies cookie-session never wrote

const express = require('express')
const Keygrip = require('keygrip')
const cookieSession2 = require('cookie-session')
const cookieSession1 = require('cookie-session-1')
let sealedSession = null
try {
  sealedSession = require('../../js/dist/cjs/express.cjs').cookieSession
} catch (e) {
  // not built
}

const profiles = JSON.parse(process.env.INTEROP_PROFILES || '{}')
const port = Number(process.argv[2] || 0)

const app = express()
app.use(express.json({ limit: '1mb', strict: false }))

for (const [id, p] of Object.entries(profiles)) {
  if (p.sealed) {
    if (sealedSession) app.use('/' + id, sealedRouter(p))
    continue
  }
  const router = express.Router()
  let keys = p.keys
  if (keys && p.sha256) keys = new Keygrip(keys, 'sha256')
  const opts = {}
  if (p.name) opts.name = p.name
  if (keys) opts.keys = keys
  if (p.secret) opts.secret = p.secret
  const middleware = p.version === 1 ? cookieSession1(opts) : cookieSession2(opts)
  const grip = keys instanceof Keygrip ? keys : new Keygrip(p.keys || [p.secret])

  router.use(middleware)

  router.post('/set', (req, res) => {
    req.session = req.body
    res.json({ ok: true })
  })

  router.post('/merge', (req, res) => {
    Object.assign(req.session, req.body)
    res.json({ ok: true })
  })

  router.get('/get', (req, res) => {
    const sess = req.session
    res.json({ isNew: Boolean(sess.isNew), session: sess })
  })

  router.get('/destroy', (req, res) => {
    req.session = null
    res.json({ ok: true })
  })

  router.get('/sign', (req, res) => {
    res.type('text/plain').send(grip.sign(String(req.query.data)))
  })

  app.use('/' + id, router)
}

function sealedRouter (p) {
  const router = express.Router()
  router.use(sealedSession({ name: p.name, keys: p.keys.map((k) => Uint8Array.from(Buffer.from(k, 'base64url'))) }))
  router.get('/flash-add', (req, res) => res.json({ n: req.flash(String(req.query.cat), String(req.query.msg)) }))
  router.get('/flash-of', (req, res) => res.json({ messages: req.flash(String(req.query.cat)) }))
  return router
}

app.use((err, req, res, next) => {
  res.status(500).type('text/plain').send(String(err && err.stack))
})

const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write('ready ' + server.address().port + '\n')
})

// The test closes stdin (or kills the process) when it is done.
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
