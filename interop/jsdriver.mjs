// Runs requests from the Go interop tests through the JavaScript package in
// ../js (built: cd js && npm ci && npm run build). Reads a JSON array of
// requests on stdin, writes the JSON array of results on stdout.
//
// The format (format_test.go), keys base64url, created and sealed decimal strings:
//   {"op":"seal","cipher","keys","name","chunks","created","sealed","browser_session","flashes","plaintext"} -> {"value"}
//   {"op":"open","cipher","keys","name","chunks","value"}
//     -> {"plaintext","created","sealed","browser_session","flashes","key_id","key_index"}
//        or {"error": "malformed"|"unknown_key"|"authentication"}
// Sessions over headers (roundtrip_test.go), options {"keys","name","max_chunks","max_total_bytes"}:
//   {"op":"read","options","cookie"} -> {"data","flashes","categories","subject","chunks"} or {"error"}
//   {"op":"write","options","data","flashes","categories","subject"} -> {"set_cookie":[...]} or {"error"}
// categories: the flash categories, [[category, [message, ...]], ...].

import { readFileSync } from 'node:fs';
import { Codec, CookieSessionError, readSession, sessionHeaders } from '../js/dist/esm/index.js';

const keyBytes = (keys) => keys.map((k) => Uint8Array.from(Buffer.from(k, 'base64url')));
const utf8 = new TextDecoder('utf-8', { fatal: true });

function sessionOptions(o) {
  return { keys: keyBytes(o.keys), name: o.name, maxChunks: o.max_chunks, maxTotalBytes: o.max_total_bytes };
}

const ops = {
  seal(r) {
    const h = { created: Number(r.created), sealed: Number(r.sealed), browserSession: r.browser_session, flashes: r.flashes };
    return { value: new Codec(keyBytes(r.keys), r.cipher).seal(r.name, h, new TextEncoder().encode(r.plaintext), r.chunks) };
  },
  open(r) {
    const got = new Codec(keyBytes(r.keys), r.cipher).open(r.name, r.value, r.chunks);
    const g = got.header;
    return {
      plaintext: utf8.decode(got.plaintext), created: String(g.created), sealed: String(g.sealed),
      browser_session: g.browserSession, flashes: g.flashes, key_id: g.keyId, key_index: got.keyIndex,
    };
  },
  read(r) {
    const res = readSession(r.cookie, sessionOptions(r.options));
    if (res.error) throw res.error;
    if (!res.session) return { error: 'none' };
    const s = res.session;
    const categories = Object.entries(s.flashesByCategory ?? {});
    return { data: JSON.stringify(s.data), flashes: s.flashes ?? [], categories, subject: s.subject ?? '', chunks: res.cookies.present.length };
  },
  write(r) {
    const session = { data: JSON.parse(r.data) };
    if (r.flashes?.length) session.flashes = r.flashes;
    if (r.categories?.length) {
      session.flashesByCategory = Object.create(null);
      for (const [c, m] of r.categories) session.flashesByCategory[c] = m;
    }
    if (r.subject) session.subject = r.subject;
    return { set_cookie: sessionHeaders(session, sessionOptions(r.options)) };
  },
};

function serve(r) {
  try {
    return ops[r.op](r);
  } catch (e) {
    if (e instanceof CookieSessionError) return { error: e.code };
    throw e;
  }
}

const reqs = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(reqs.map(serve)) + '\n');
