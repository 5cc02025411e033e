// Runs the TypeScript generator in Node through Vite's SSR loader (no separate build step).
import { createServer } from 'vite';

export async function generatePortfolio(rows) {
  const vite = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode: 'bench', logLevel: 'error', server: { middlewareMode: true, hmr: false } });
  try {
    const mod = await vite.ssrLoadModule('/src/generate/portfolio.ts');
    const t0 = performance.now();
    const tables = mod.generatePortfolio({ rows });
    return { chunks: tables.length, ms: performance.now() - t0 };
  } finally {
    await vite.close();
  }
}
