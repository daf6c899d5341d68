// Builds dist/: ESM with type declarations (tsc), CommonJS (esbuild; the
// @noble packages are ESM-only, so the CommonJS files carry their own copy),
// and the minified edge bundle whose size the README reports.
//
//   node build.mjs            build
//   node build.mjs --size     build, then print the edge bundle's size

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });

for (const entry of ['index', 'express']) {
  await build({
    entryPoints: [`src/${entry}.ts`], outfile: `dist/cjs/${entry}.cjs`,
    bundle: true, format: 'cjs', platform: 'neutral', target: 'es2022', logLevel: 'warning',
    // The Express entry uses the core through './index.js' only: it shares
    // index.cjs (and its error classes) rather than carrying a copy.
    plugins: [{ name: 'core', setup(b) { b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: './index.cjs', external: true })); } }],
  });
}

// Declarations for require(): each .d.ts as .d.cts, its imports renamed.
mkdirSync('dist/cjs', { recursive: true });
for (const f of readdirSync('dist/esm').filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(`dist/esm/${f}`, 'utf8').replace(/from '(\.\/[^']+)\.js'/g, "from '$1.cjs'");
  writeFileSync(`dist/cjs/${f.replace(/\.d\.ts$/, '.d.cts')}`, text);
}

// The edge bundle: the core and the web helpers, everything inlined, minified.
const edge = await build({
  entryPoints: ['src/index.ts'], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
  minify: true, write: false, logLevel: 'warning',
});
const code = edge.outputFiles[0].contents;
mkdirSync('dist/edge', { recursive: true });
writeFileSync('dist/edge/index.min.js', code);
if (process.argv.includes('--size')) {
  console.log(`edge bundle (dist/edge/index.min.js): ${code.length} bytes minified, ${gzipSync(code, { level: 9 }).length} bytes gzipped`);
}
