// Issue 5's budget: the elements plus core that `import 'clientlens'` loads at start, without the
// host's Lit, Arrow, d3, idb and comlink, under 60 KB gzipped; and the start holds no kernel or
// plugin kit code. The library is built into a temporary folder and scripts/report-sizes.mjs (the
// build's own report) reads it: it exits 1 when the budget or a rule is broken.
import { describe, expect, it } from 'vitest';
import { build } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

describe('the library build', () => {
  it('keeps the elements and core under 60 KB gzipped at start, with no kernel or plugin kit code', async () => {
    const out = mkdtempSync(join(tmpdir(), 'clientlens-lib-'));
    try {
      await build({ configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
      const report = spawnSync(process.execPath, [join(root, 'scripts/report-sizes.mjs'), '--dist', out], { encoding: 'utf8' });
      const start = /elements \+ core at start[\s\S]*?total [\d.]+ KB minified, ([\d.]+) KB gzipped \(budget 60 KB: (met|OVER)\)/.exec(report.stdout);
      expect(start, report.stdout + report.stderr).not.toBeNull();
      expect(Number(start![1])).toBeLessThanOrEqual(60);
      expect(report.stdout).toContain('kernel code at start: none');
      expect(report.stdout).toContain('plugin kit code at start: none');
      expect(report.status, report.stdout + report.stderr).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
