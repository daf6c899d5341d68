'use strict'
// The Node side of the end-to-end benchmark: Express 5 with cookie-session 2
// and the same handler as cmd/server (read the session, increment a
// counter, write it back). It uses the packages installed in ../../interop
// (npm ci there), or in the directory INTEROP_DIR names.
//
//   node server.js [port]   # prints "listening on http://127.0.0.1:PORT"
//   SESSION=0 node server.js  # the same handler without cookie-session
//
// It listens on 127.0.0.1 only. /debug/stats answers process.memoryUsage().

const crypto = require('node:crypto')
const path = require('node:path')

const modules = process.env.INTEROP_DIR || path.join(__dirname, '..', '..', 'interop')
const load = (name) => require(require.resolve(name, { paths: [modules] }))
const express = load('express')
const cookieSession = load('cookie-session')

const withSession = process.env.SESSION !== '0'

const app = express()
if (withSession) {
  app.use(cookieSession({
    name: 'session',
    keys: [crypto.randomBytes(32).toString('base64')],
    maxAge: 24 * 60 * 60 * 1000,
    httpOnly: true,
    sameSite: 'lax'
  }))
  app.get('/', (req, res) => {
    const n = (req.session.n || 0) + 1
    req.session.n = n
    res.type('text/plain').send(String(n))
  })
} else {
  app.get('/', (req, res) => {
    res.type('text/plain').send('1')
  })
}

app.get('/debug/stats', (req, res) => {
  res.json(process.memoryUsage())
})

const port = Number(process.argv[2] || 0)
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
