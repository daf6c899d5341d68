import { Codec, seal, open } from 'cookiesession';
const options = { keys: 'Ajx9eR7n0Lq2c4bGm8T1vWzY5kP3sH6dU0fJ-aX_QoI' };
const c = new Codec(options.keys);
const pt = new Uint8Array(300);
function t(name, f, n = 20000) { for (let i = 0; i < 2000; i++) f(); const s = performance.now(); for (let i = 0; i < n; i++) f(); console.log(name, ((performance.now() - s) * 1000 / n).toFixed(2), 'µs'); }
const v = c.seal('session', { created: 1, sealed: 1 }, pt);
for (let r = 0; r < 2; r++) {
t('codec seal', () => c.seal('session', { created: 1, sealed: 1 }, pt));
t('codec open', () => c.open('session', v));
t('seal', () => seal({ data: { a: 1 } }, options));
const sv = seal({ data: { a: 1 } }, options);
t('open', () => open(sv, options));
}
