#!/usr/bin/env node
// Prints each built JavaScript file's minified and gzipped size, and checks the elements + core
// budget (library build, Arrow and d3 left out) of 60 KB gzipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = [];
for (const dir of ['', 'assets/', 'standalone/', 'standalone/assets/']) {
  for (const name of readdirSync(join(dist, dir))) {
    if (!name.endsWith('.js')) continue;
    const path = join(dist, dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    files.push({ name: dir + name, min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length });
  }
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('file'.padEnd(44), 'minified'.padStart(10), 'gzipped'.padStart(10));
for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) console.log(f.name.padEnd(44), kb(f.min).padStart(10), kb(f.gz).padStart(10));
// The library build's own chunks; kernels.js is the Node entry (pure functions), not page code.
const library = files.filter((f) => !f.name.includes('/') && f.name !== 'kernels.js');
const libGz = library.reduce((s, f) => s + f.gz, 0);
console.log(`\nelements + core (library build, without lit, apache-arrow, d3, idb, comlink): ${kb(libGz)} gzipped (budget 60 KB: ${libGz <= 60 * 1024 ? 'met' : 'OVER'})`);
const bundle = files.find((f) => f.name.includes('bundle'));
const worker = files.filter((f) => f.name.startsWith('standalone/assets/') && f.name.includes('worker'));
if (bundle) console.log(`whole page with the standalone bundle: ${kb(bundle.gz + worker.reduce((s, f) => s + f.gz, 0))} gzipped (bundle + worker)`);
