// Random bytes for nonces and session identifiers, from the runtime's
// crypto.getRandomValues (Web Crypto: Node.js, Workers, Deno, browsers).
// One call per nonce costs more than the sealing of a small session in
// Node.js 20, so the bytes are drawn 4 KiB at a time and each byte is
// handed out once.

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let used = 0;

/** Returns n fresh random bytes (n at most 4096). */
export function randomBytes(n: number): Uint8Array {
  if (used + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n); // no byte handed out stays in memory
  used += n;
  return out;
}
