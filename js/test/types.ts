// Compiled (not run) by `npm test`: the published declarations type a
// typical use of both entries.

import { type CookieSessionError, readSession, type Session, sessionHeaders, TooLargeError } from 'cookiesession';
import { cookieSession, type CookieSession } from 'cookiesession/express';

interface Cart { items: string[] }
const options = { keys: 'x'.repeat(43), maxAge: 3600_000, maxChunks: 4 };
const read = readSession<Cart>('session=abc', options);
const items: string[] | undefined = read.session?.data.items;
const err: CookieSessionError | null = read.error;
const errorsShown: string[] = read.session?.flashesByCategory?.['error'] ?? [];
const next: Session<Cart> = { data: { items: [...(items ?? []), 'book'] }, flashesByCategory: { info: ['added'] } };
void errorsShown;
try {
  const lines: string[] = sessionHeaders(next, options, read);
  void lines;
} catch (e) {
  if (e instanceof TooLargeError) void (e.size - e.limit);
}
const mw = cookieSession({ name: 'sid', keys: options.keys, legacy: { keys: ['old'] } });
void mw;
declare const s: CookieSession;
const flags: boolean[] = [s.isNew, s.isChanged, s.isPopulated];
void flags;
void err;
