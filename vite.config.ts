import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

const here = import.meta.dirname;

// `npm start` serves demo/; `npm run build` emits the ES-module library (types come from tsc).
export default defineConfig(({ command, mode }) => ({
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
        ? { 'clientlens.bundle': resolve(here, 'src/index.ts') }
        : mode === 'kernels'
          ? { kernels: resolve(here, 'src/kernels.ts') }
          : { clientlens: resolve(here, 'src/index.ts'), core: resolve(here, 'src/core.ts'), elements: resolve(here, 'src/elements.ts'), remote: resolve(here, 'src/remote.ts'), plugins: resolve(here, 'src/plugins.ts') }) as Record<string, string>,
      formats: ['es'],
    },
    rollupOptions: {
      // For bundler users: they bring their own copies of these (one Lit, one Arrow, one d3 per page).
      external: mode === 'bundle' ? [] : [/^lit/, /^@lit\//, 'apache-arrow', 'idb', 'comlink', /^d3-/],
    },
  },
  test: {
    include: ['test/node/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    // Setup hooks build real data (generated books, DuckDB tables, ClickHouse servers); on a busy
    // 2-core machine that can take far longer than vitest's default 10 s.
    hookTimeout: 180_000,
  },
}));
