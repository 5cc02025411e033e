import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { startChunks } from './scripts/vite/start-chunks.js';
import { generatorOffPage, generatorTreeshake } from './scripts/vite/generator-off-page.js';

const here = import.meta.dirname;

// `npm start` serves demo/; `npm run build` emits the ES-module library (types come from tsc).
export default defineConfig(({ command, mode }) => {
  // The page builds: the library (mode production) and the standalone bundle. Not the Node kernels.
  const page = command === 'build' && mode !== 'kernels';
  const chunks = mode === 'bundle'
    ? startChunks({ 'clientlens-start': [resolve(here, 'src/bundle.ts')] })
    : startChunks({ 'clientlens-core': [resolve(here, 'src/core.ts')], 'clientlens-elements': [resolve(here, 'src/elements.ts')] });
  return {
    // The demo is the dev server's root; tests and benchmarks serve from the project root.
    root: command === 'serve' && mode === 'development' ? resolve(here, 'demo') : here,
    server: { port: 5173, strictPort: false, fs: { allow: [here] } },
    // Pre-bundled up front, so a first visit never triggers Vite's reload-on-discovery.
    optimizeDeps: {
      entries: ['**/*.html'],
      include: ['lit', 'lit/directives/class-map.js', 'lit/directives/style-map.js', '@lit/localize', '@lit/task', 'apache-arrow', 'idb', 'comlink', 'd3-scale', 'd3-shape', 'd3-array', 'd3-hierarchy', 'react', 'react-dom/client', 'vue'],
    },
    // Relative base: the worker file is found next to the library chunk wherever a host serves it.
    base: command === 'build' ? './' : '/',
    plugins: page
      ? [
          // Lit's html`` and css`` templates without the source's indentation and comments (Lit's
          // own minifier; the tagged templates only, of our sources: svg`` and packages untouched).
          minifyHTML({ failOnError: true, filter: (id: string) => id.startsWith(`${here}/components/`) || id.startsWith(`${here}/src/`) }),
          chunks.plugin,
          generatorOffPage(),
        ]
      : [],
    worker: { format: 'es' },
    build: {
      // The standalone bundle and the Node kernels are builds of their own, each in its own folder:
      // sizes do not mix, and no chunk is shared with the page entries. In one build, a module both
      // reach (e.g. the portfolio generator) lands whole in a chunk the page loads.
      outDir: resolve(here, mode === 'bundle' ? 'dist/standalone' : mode === 'kernels' ? 'dist/node' : 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      lib: {
        // 'bundle': one self-contained file for pages without a bundler (a single script tag).
        entry: (mode === 'bundle'
          ? { 'clientlens.bundle': resolve(here, 'src/bundle.ts') }
          : mode === 'kernels'
            ? { kernels: resolve(here, 'src/kernels.ts') }
            : { clientlens: resolve(here, 'src/index.ts'), core: resolve(here, 'src/core.ts'), elements: resolve(here, 'src/elements.ts'), remote: resolve(here, 'src/remote.ts'), plugins: resolve(here, 'src/plugins.ts') }) as Record<string, string>,
        formats: ['es'],
      },
      rollupOptions: {
        // For bundler users: they bring their own copies of these (one Lit, one Arrow, one d3 per page).
        external: mode === 'bundle' ? [] : [/^lit/, /^@lit\//, 'apache-arrow', 'idb', 'comlink', /^d3-/],
        ...(page
          ? {
              treeshake: generatorTreeshake,
              output: {
                // Vite leaves the whitespace of an ES library for the user's bundler to remove; a page
                // with the standalone bundle, or one importing the files as they are, has no such
                // bundler, so it is removed here. /* @__PURE__ */ annotations stay for those that do.
                minify: { compress: true, mangle: true, codegen: true },
                codeSplitting: { groups: chunks.groups },
              },
            }
          : {}),
      },
    },
    test: {
      include: ['test/node/**/*.test.ts', 'test/e2e/**/*.test.ts'],
      testTimeout: 60_000,
      // Setup hooks build real data (generated books, DuckDB tables, ClickHouse servers); on a busy
      // 2-core machine that can take far longer than vitest's default 10 s.
      hookTimeout: 180_000,
    },
  };
});
