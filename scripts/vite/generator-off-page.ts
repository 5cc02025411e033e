/**
 * Keeps the portfolio generator's tables off the page (issue 5). The page reads only the
 * generator's options (resolvePortfolioOptions, chunkCount, PORTFOLIO_GENERATOR_VERSION in
 * src/generate/portfolio.ts, through src/dataset/); the workers generate. But portfolio.ts imports
 * vocabulary.ts and random.ts, whose top-level code builds name lists and alias tables, and a
 * bundler keeps top-level calls it cannot prove pure: 4.5 KB gzipped of names and tables the page
 * never reads.
 *
 * For the page builds only (the workers are bundled apart, with none of this), the two modules are
 * declared free of side effects and `weightTable` pure, which is what they are: their top-level
 * code fills module-private constants and touches nothing else.
 *
 * Contract, checked here: no code of vocabulary.ts or random.ts reaches a page chunk. That is
 * stricter than needed, and on purpose: vocabulary.ts draws its RM names from a seeded generator
 * after the branch weights, so a page that imported, say, RMS alone would compute other names
 * than the workers. A page that needs a vocabulary must import it from a file of its own. (The
 * cleaner fix is such a file for the options, src/generate/portfolio-options.ts, imported by
 * src/dataset/; then none of this is needed.)
 */
import type { Plugin } from 'vite';

const OFF_PAGE = /[\\/]src[\\/]generate[\\/](vocabulary|random)\.ts$/;

/** For `build.rollupOptions.treeshake`. */
export const generatorTreeshake = {
  moduleSideEffects: [
    { test: OFF_PAGE, sideEffects: false },
    { test: /./, sideEffects: true },
  ],
  manualPureFunctions: ['weightTable'],
};

/** Fails the build when code of the generator's tables reaches an output chunk. */
export function generatorOffPage(): Plugin {
  return {
    name: 'clientlens:generator-off-page',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const out of Object.values(bundle)) {
        if (out.type !== 'chunk') continue;
        const found = Object.keys(out.modules).filter((id) => OFF_PAGE.test(id) && out.modules[id].renderedLength > 0);
        if (found.length) this.error(`${out.fileName} holds code of ${found.join(', ')}: the generator's tables must stay off the page (see scripts/vite/generator-off-page.ts).`);
      }
    },
  };
}
