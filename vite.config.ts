import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

const here = import.meta.dirname;

// `npm start` serves demo/; `npm run build` emits the ES-module library (types come from tsc).
export default defineConfig(({ command, mode }) => ({
  // The demo is the dev server's root; tests and benchmarks serve from the project root.
  root: command === 'serve' && mode === 'development' ? resolve(here, 'demo') : here,
  server: { port: 5173, strictPort: false, fs: { allow: [here] } },
  // Relative base: the worker file is found next to the library chunk wherever a host serves it.
  base: command === 'build' ? './' : '/',
  worker: { format: 'es' },
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: { clientlens: resolve(here, 'src/index.ts'), core: resolve(here, 'src/core.ts') },
      formats: ['es'],
    },
    rollupOptions: {
      // Consumers bring their own copies of these (one Lit and one Arrow per page).
      external: [/^lit/, /^@lit\//, 'apache-arrow', 'idb', 'comlink'],
    },
  },
  test: {
    include: ['test/node/**/*.test.ts', 'workers/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
  },
}));
