#!/usr/bin/env node
// Prints each built JavaScript file's minified and gzipped size, then what a page pays:
//  - elements + core: the files a page loads at start for `import 'clientlens'` (dist/clientlens.js
//    and every file it reaches through static imports; lit, @lit/*, apache-arrow, idb, comlink and
//    d3-* are external in that build and not counted). Budget: 60 KB gzipped. The start is a few
//    large files (scripts/vite/start-chunks.ts), so what they hold is listed by source folder too.
//  - on demand: files reached only through a dynamic import(), each with what it pulls in.
//  - the worker: started by the data hub; not page code, but the page downloads it.
//  - the whole page with the standalone bundle (Lit, Arrow, d3 inside): everything it can load.
// The figures come from the import statements in the built files, so they follow the code.
// Budget checked here (exit code 1 when over): the elements plus core at start, 60 KB gzipped.
// Rule checked here (exit code 1 when broken): the start set holds no kernel code. Kernels validate,
// map and reduce in the workers (src/query/run-kernel.ts); the page may use only the small files
// below, which describe kernels without running them. Read from the start files' source maps.
// Second rule, the same way: the start set holds no plugin kit code (issue 5). The kit is the
// `clientlens/plugins` entry, loaded on demand (loadPlugins(), or a palette without a host); the
// page may hold only the kit-free files below.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, normalize, relative } from 'node:path';

const BUDGET = 60 * 1024;
const PAGE_SAFE_KERNEL_FILES = new Set([
  'workers/kernels/kernel.ts', // SpecError and the KernelDef type
  'workers/kernels/kernel-names.ts',
  'workers/kernels/implied-columns.ts',
  'workers/kernels/churn-rule-kinds.ts',
  'workers/kernels/dimension-specs.ts',
  'workers/kernels/funnel-stage-mapping.ts',
  'workers/kernels/iso-day.ts',
  'workers/kernels/column-kind.ts',
  'workers/kernels/spec-checks.ts', // describe(), for messages
]);
const PAGE_SAFE_PLUGIN_FILES = new Set([
  'src/plugins/default-host-options.ts', // options recorded by loadPlugins(options) before the kit loads
  'src/plugins/plugin-api.ts', // types only
]);
const root = new URL('../', import.meta.url).pathname;

/** The source files of a built file, by its source map (none without a map). */
function sourcesOf(file) {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return [];
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  return (map.sources ?? []).map((s) => relative(root, join(dirname(file), map.sourceRoot ?? '', s)));
}

/** Decodes a source map's `mappings` (base64 VLQ): per generated line, [column, source index] of each segment. */
function decodeMappings(mappings) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let source = 0;
  return mappings.split(';').map((line) => {
    let column = 0;
    const segments = [];
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields = [];
      for (let i = 0, value = 0, shift = 0; i < seg.length; i++) {
        const digit = B64.indexOf(seg[i]);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      segments.push([column, fields.length > 1 ? source : -1]);
    }
    return segments;
  });
}

/** Minified bytes of a built file by the folder of their source (components/cl-kpi, src/cache, ...), by its source map. */
function bytesByFolder(file, into = new Map()) {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return into;
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const lines = readFileSync(file, 'utf8').split('\n');
  const folders = (map.sources ?? []).map((s) => {
    const path = relative(root, join(dirname(file), map.sourceRoot ?? '', s));
    return path.includes('node_modules') ? 'node_modules' : dirname(path);
  });
  decodeMappings(map.mappings).forEach((segments, i) => {
    segments.forEach(([column, source], j) => {
      const end = j + 1 < segments.length ? segments[j + 1][0] : lines[i]?.length ?? column;
      const folder = source < 0 ? '(no source: imports, exports)' : folders[source];
      into.set(folder, (into.get(folder) ?? 0) + end - column);
    });
  });
  return into;
}

/** Kernel sources (kernels and their jobs) in a built file. */
const kernelSources = (file) => sourcesOf(file).filter((s) => /^workers\/(kernels\/|jobs\/kernel-)/.test(s) && !PAGE_SAFE_KERNEL_FILES.has(s));
/** Plugin kit sources (src/plugins/, src/plugins.ts) in a built file. */
const pluginSources = (file) => sourcesOf(file).filter((s) => /^src\/plugins(\/|\.ts$)/.test(s) && !PAGE_SAFE_PLUGIN_FILES.has(s));
// `--dist <folder>`: a build elsewhere (test/e2e/size-budget.test.ts builds into a temporary folder).
const distAt = process.argv.indexOf('--dist');
const dist = distAt >= 0 ? normalize(`${process.argv[distAt + 1]}/`) : new URL('../dist/', import.meta.url).pathname;

const sizes = new Map();
function sizeOf(path) {
  if (!sizes.has(path)) {
    const bytes = readFileSync(path);
    sizes.set(path, { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length });
  }
  return sizes.get(path);
}

const jsFiles = (dir) => existsSync(dir)
  ? readdirSync(dir, { recursive: true }).map(String).filter((n) => n.endsWith('.js') && statSync(join(dir, n)).isFile()).map((n) => join(dir, n))
  : [];

// Relative specifiers only: bare ones are the externals. `import x from"./a.js"`, `import"./a.js"`
// and `export{a}from"./a.js"` are static; `import("./a.js")` is dynamic; the worker is a URL. The
// minifier may quote a specifier with backticks (`import(\`./a.js\`)`): any of the three quotes counts.
const STATIC = /\b(?:import|export)\s*(?:[\w$*{},\s]*?\bfrom\s*)?["'`](\.\.?\/[^"'`$]+\.js)["'`]/g;
const DYNAMIC = /\bimport\(\s*["'`](\.\.?\/[^"'`$]+\.js)["'`]\s*\)/g;
const WORKER = /new URL\(\s*["'`]([^"'`$]*worker[^"'`$]*\.js)["'`]\s*,\s*import\.meta\.url\s*\)/g;

const edges = new Map();
function edgesOf(file) {
  if (!edges.has(file)) {
    const code = readFileSync(file, 'utf8');
    const resolve = (re) => [...code.matchAll(re)].map((m) => normalize(join(dirname(file), m[1])));
    edges.set(file, { static: resolve(STATIC), dynamic: resolve(DYNAMIC), worker: resolve(WORKER) });
  }
  return edges.get(file);
}

/** Files reached from `roots` through static imports, not counting those in `known`. */
function closure(roots, known = new Set()) {
  const seen = new Set();
  const todo = roots.filter((f) => !known.has(f));
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f) || known.has(f)) continue;
    seen.add(f);
    todo.push(...edgesOf(f).static);
  }
  return seen;
}

/** The on-demand groups (one per dynamic import target, with what it pulls in) reached from a start set, and the workers it starts. */
function demandOf(start) {
  const loaded = new Set(start);
  const demand = [];
  const workers = new Set();
  for (let i = 0, frontier = [...start]; frontier.length; i++) {
    const next = [];
    for (const f of frontier) {
      for (const w of edgesOf(f).worker) workers.add(w);
      for (const d of edgesOf(f).dynamic) {
        if (loaded.has(d)) continue;
        const group = closure([d], loaded);
        for (const g of group) loaded.add(g);
        demand.push({ root: d, files: group });
        next.push(...group);
      }
    }
    frontier = next;
  }
  return { demand, workers };
}

/** The start set of an entry, its on-demand groups, and its workers' start set and on-demand groups. */
function pageOf(entry) {
  const start = closure([entry]);
  const { demand, workers } = demandOf(start);
  const workerFiles = closure([...workers]);
  return { start, demand, workers: workerFiles, workerDemand: demandOf(workerFiles).demand };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Gzipped bytes of on-demand groups. */
const demandSum = (groups) => groups.reduce((s, d) => s + sum(d.files), 0);
/** Gzipped bytes of the worker: its start and its parts loaded on demand. */
const workerSum = (page) => sum(page.workers) + demandSum(page.workerDemand);

/** The worker's start (what every page that loads data compiles) and its parts loaded on demand. */
function reportWorker(page) {
  console.log(`worker (${[...page.workers].map(name).join(', ')}): ${kb(sum(page.workers))} gzipped at start, with Arrow inside; ${kb(demandSum(page.workerDemand))} on demand (generating, ingest, models):`);
  for (const d of page.workerDemand) console.log(`  ${name(d.root).padEnd(50)} ${kb(sum(d.files)).padStart(10)}${d.files.size > 1 ? ` (${d.files.size} files)` : ''}`);
}
const sum = (files, key = 'gz') => [...files].reduce((s, f) => s + sizeOf(f)[key], 0);
const name = (f) => relative(dist, f);

const all = [...jsFiles(dist)].sort((a, b) => name(a).localeCompare(name(b)));
console.log('file'.padEnd(52), 'minified'.padStart(10), 'gzipped'.padStart(10));
for (const f of all) console.log(name(f).padEnd(52), kb(sizeOf(f).min).padStart(10), kb(sizeOf(f).gz).padStart(10));

const library = join(dist, 'clientlens.js');
if (existsSync(library)) {
  const page = pageOf(library);
  const startGz = sum(page.start);
  console.log(`\nelements + core at start (import 'clientlens': ${page.start.size} files through static imports; lit, @lit/*, apache-arrow, d3-*, idb, comlink not counted):`);
  for (const f of [...page.start].sort((a, b) => sizeOf(b).gz - sizeOf(a).gz)) console.log(`  ${name(f).padEnd(50)} ${kb(sizeOf(f).gz).padStart(10)}`);
  console.log(`  total ${kb(sum(page.start, 'min'))} minified, ${kb(startGz)} gzipped (budget 60 KB: ${startGz <= BUDGET ? 'met' : 'OVER'})`);
  // Over budget fails like the rules below: it had drifted to 61.0 KB unnoticed while it only printed.
  if (startGz > BUDGET) process.exitCode = 1;
  // The start is a few large files (scripts/vite/start-chunks.ts): what they hold, by source folder.
  const folders = new Map();
  for (const f of page.start) bytesByFolder(f, folders);
  console.log('  what the start holds, minified bytes by source folder (from the source maps):');
  for (const [folder, bytes] of [...folders].sort((a, b) => b[1] - a[1])) console.log(`    ${folder.padEnd(48)} ${kb(bytes).padStart(10)}`);
  const kernelCode = [...page.start].flatMap((f) => kernelSources(f).map((s) => `${s} (in ${name(f)})`));
  if (kernelCode.length) {
    console.log(`  KERNEL CODE AT START (must run in the workers; see the header of this script):\n    ${kernelCode.join('\n    ')}`);
    process.exitCode = 1;
  } else console.log('  kernel code at start: none (kernels run in the workers)');
  const pluginCode = [...page.start].flatMap((f) => pluginSources(f).map((s) => `${s} (in ${name(f)})`));
  if (pluginCode.length) {
    console.log(`  PLUGIN KIT CODE AT START (must load on demand; see the header of this script):\n    ${pluginCode.join('\n    ')}`);
    process.exitCode = 1;
  } else console.log('  plugin kit code at start: none (clientlens/plugins loads on demand)');
  console.log('\non demand (dynamic import(), loaded when a feature is first used), gzipped with what each pulls in:');
  for (const d of page.demand) console.log(`  ${name(d.root).padEnd(50)} ${kb(sum(d.files)).padStart(10)}${d.files.size > 1 ? ` (${d.files.size} files)` : ''}`);
  const demandGz = demandSum(page.demand);
  const workerGz = workerSum(page);
  console.log(`  total ${kb(demandGz)} gzipped`);
  reportWorker(page);
  console.log(`library build, everything a page can load from this package: ${kb(startGz + demandGz + workerGz)} gzipped (start + on demand + worker; lit, arrow, d3, idb, comlink come from the host's own copies)`);
}

const bundle = join(dist, 'standalone', 'clientlens.bundle.js');
if (existsSync(bundle)) {
  const page = pageOf(bundle);
  const startGz = sum(page.start);
  const demandGz = demandSum(page.demand);
  const workerGz = workerSum(page);
  console.log(`\nwhole page with the standalone bundle (Lit, Arrow, d3 inside): ${kb(startGz)} at start + ${kb(demandGz)} on demand + ${kb(workerGz)} worker = ${kb(startGz + demandGz + workerGz)} gzipped`);
  // The bundle exposes the kit through loadPlugins() only: the same rule holds for its start.
  const pluginCode = [...page.start].flatMap((f) => pluginSources(f).map((s) => `${s} (in ${relative(dirname(bundle), f)})`));
  if (pluginCode.length) {
    console.log(`  PLUGIN KIT CODE AT THE BUNDLE'S START (must load on demand):\n    ${pluginCode.join('\n    ')}`);
    process.exitCode = 1;
  } else console.log('  plugin kit code at the bundle\'s start: none');
}
