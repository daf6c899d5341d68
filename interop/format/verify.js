'use strict';
// Checks cookieformat.js against the test vectors of docs/FORMAT.md:
//
//   node verify.js path/to/vectors.json
//
// prints one line per vector, then "N passed, M failed"; exits 1 on any
// failure. With --stdin it instead reads a JSON array of requests and
// writes a JSON array of results, for the Go interop tests:
//
//   {"op":"seal","cipher","keys","name","chunks","created","sealed",
//    "browser_session","flashes","plaintext"}        -> {"value"}
//   {"op":"open","cipher","keys","name","chunks","value"}
//     -> {"plaintext","created","sealed","browser_session","flashes",
//         "key_id","key_index"} or {"error": "malformed"|"unknown_key"|"authentication"}
//
// Keys are base64url without padding, created and sealed decimal strings.

const fs = require('fs');
const { Codec, FormatError, hchacha20, b64decode, parseMeta } = require('./cookieformat');

function codecFor(v) {
  return new Codec(v.cipher, v.keys.map((k) => {
    const b = b64decode(k);
    if (b === null) throw new Error('key is not base64url without padding: ' + k);
    return b;
  }));
}

// selfTest checks HChaCha20 against draft-irtf-cfrg-xchacha-03 §2.2.1.
function selfTest() {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
  const input = Buffer.from('000000090000004a0000000031415927', 'hex');
  const want = '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc';
  return hchacha20(key, input).toString('hex') === want;
}

// checkVector returns a list of problems, empty when v passes.
function checkVector(v) {
  const codec = codecFor(v);
  const problems = [];
  if (v.error !== undefined) {
    try {
      codec.open(v.name, v.chunks, v.value);
      problems.push('opened, want error ' + v.error);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      if (e.code !== v.error) problems.push('error ' + e.code + ', want ' + v.error);
    }
    return problems;
  }
  const h = {
    created: v.created, sealed: v.sealed, chunks: v.chunks,
    browserSession: v.browser_session, flashes: v.flashes, meta: v.meta !== undefined,
  };
  const meta = Buffer.from(v.meta || '', 'hex');
  const value = codec.seal(v.name, h, Buffer.concat([meta, Buffer.from(v.plaintext, 'utf8')]), Buffer.from(v.nonce, 'hex'));
  if (value !== v.value) problems.push('seal gives ' + value);
  if (codec.keyID().toString('hex') !== v.key_id) problems.push('key id ' + codec.keyID().toString('hex'));
  let got;
  try {
    got = codec.open(v.name, v.chunks, v.value);
  } catch (e) {
    problems.push('open: ' + e.message);
    return problems;
  }
  const g = got.header;
  let body = got.plaintext;
  if (g.meta !== (v.meta !== undefined)) problems.push('flag M ' + g.meta);
  if (g.meta) {
    const m = parseMeta(got.plaintext);
    body = m.body;
    if ((m.fields.maxAge || 0) !== (v.max_age || 0)) problems.push('max_age ' + m.fields.maxAge);
    if ((m.fields.id ? m.fields.id.toString('hex') : '') !== (v.id || '')) problems.push('id ' + m.fields.id);
    if ((m.fields.subject || '') !== (v.subject || '')) problems.push('subject ' + m.fields.subject);
  }
  if (body.toString('utf8') !== v.plaintext) problems.push('plaintext ' + JSON.stringify(body.toString()));
  if (g.created !== BigInt(v.created)) problems.push('created ' + g.created);
  if (g.sealed !== BigInt(v.sealed)) problems.push('sealed ' + g.sealed);
  if (g.browserSession !== v.browser_session) problems.push('browser_session ' + g.browserSession);
  if (g.flashes !== v.flashes) problems.push('flashes ' + g.flashes);
  if (g.keyID.toString('hex') !== v.key_id) problems.push('header key id ' + g.keyID.toString('hex'));
  return problems;
}

function runVectors(path) {
  if (!selfTest()) {
    console.log('FAIL HChaCha20 does not match draft-irtf-cfrg-xchacha-03 §2.2.1');
    process.exit(1);
  }
  const vectors = JSON.parse(fs.readFileSync(path, 'utf8'));
  let passed = 0;
  let failed = 0;
  for (const v of vectors) {
    let problems;
    try {
      problems = checkVector(v);
    } catch (e) {
      problems = ['exception: ' + e.message];
    }
    if (problems.length === 0) {
      passed++;
      console.log('ok   ' + v.comment);
    } else {
      failed++;
      console.log('FAIL ' + v.comment + ': ' + problems.join('; '));
    }
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

function serve(req) {
  const codec = codecFor(req);
  if (req.op === 'seal') {
    const h = {
      created: BigInt(req.created), sealed: BigInt(req.sealed), chunks: req.chunks,
      browserSession: req.browser_session, flashes: req.flashes,
    };
    return { value: codec.seal(req.name, h, Buffer.from(req.plaintext, 'utf8')) };
  }
  if (req.op === 'open') {
    try {
      const got = codec.open(req.name, req.chunks, req.value);
      const g = got.header;
      return {
        plaintext: got.plaintext.toString('utf8'),
        created: String(g.created),
        sealed: String(g.sealed),
        browser_session: g.browserSession,
        flashes: g.flashes,
        key_id: g.keyID.toString('hex'),
        key_index: got.keyIndex,
      };
    } catch (e) {
      if (e instanceof FormatError) return { error: e.code };
      throw e;
    }
  }
  throw new Error('unknown op ' + req.op);
}

if (process.argv[2] === '--stdin') {
  const reqs = JSON.parse(fs.readFileSync(0, 'utf8'));
  process.stdout.write(JSON.stringify(reqs.map(serve)) + '\n');
} else if (process.argv.length === 3) {
  runVectors(process.argv[2]);
} else {
  console.error('usage: node verify.js VECTORS.json | node verify.js --stdin');
  process.exit(2);
}
