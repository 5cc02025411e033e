/**
 * One chunk per group of start modules, instead of the dozens of small chunks the bundler makes
 * when several entries and on-demand modules share code (issue 5). Each file is gzipped on its
 * own, so many small files compress far worse than a few large ones: the same code at the start
 * of `import 'clientlens'` measured 73.5 KB gzipped in 38 files and 59.8 KB in 10.
 *
 * A group is every module reached through static imports from its roots, less the modules an
 * earlier group took and the roots themselves (entries stay entry files). Modules reached only
 * through `import()` are in no group: on-demand code keeps its own chunks, and a page that never
 * needs it never fetches it.
 *
 * Contracts:
 * - Library build: `clientlens-core` holds what `clientlens/core` loads and `clientlens-elements`
 *   what `clientlens/elements` adds; `clientlens` loads both, a core-only page only the first.
 *   Packages (lit, arrow, d3, idb, comlink) are external there and in no group.
 * - A module is placed whole: if start code imports a module that on-demand code uses more of, all
 *   of what either uses lands at start. Give the page its own small file for what it needs (as
 *   src/models/cluster-features.ts does for the fitting code) rather than importing from code that
 *   loads on demand; scripts/report-sizes.mjs shows the start set grow if this is missed.
 */
import type { Plugin } from 'vite';

export interface StartChunks {
  /** Computes the groups once the module graph is known (buildEnd). */
  readonly plugin: Plugin;
  /** For `output.codeSplitting.groups`, in the order given (the first group wins a shared module). */
  readonly groups: { name: string; priority: number; test: (id: string) => boolean }[];
}

/** `roots`: group name -> the modules it starts from (absolute paths), earlier groups first. */
export function startChunks(roots: Record<string, readonly string[]>): StartChunks {
  const owner = new Map<string, string>();
  const plugin: Plugin = {
    name: 'clientlens:start-chunks',
    apply: 'build',
    buildEnd() {
      owner.clear();
      const entries = new Set(Object.values(roots).flat());
      for (const [name, starts] of Object.entries(roots)) {
        const todo = [...starts];
        const seen = new Set<string>();
        while (todo.length) {
          const id = todo.pop()!;
          if (seen.has(id)) continue;
          seen.add(id);
          const info = this.getModuleInfo(id);
          if (!info) continue;
          // Packages are left to the bundler: in the standalone build it places what the start
          // uses of them with the start, and what only on-demand code uses with that code.
          if (!entries.has(id) && !owner.has(id) && !id.includes('/node_modules/') && !id.startsWith('\0')) owner.set(id, name);
          todo.push(...info.importedIds);
        }
      }
    },
  };
  const names = Object.keys(roots);
  const groups = names.map((name, i) => ({ name, priority: names.length - i, test: (id: string) => owner.get(id) === name }));
  return { plugin, groups };
}
