import { defineElements } from '../../src/elements.js';

// The built bundle (npm run build) when present, else the source entry, as the "other version".
try {
  const bundle = '/dist/standalone/clientlens.bundle.js';
  await import(/* @vite-ignore */ bundle);
} catch {
  await import('../../src/index.js');
}
(window as unknown as { __defined: string[] }).__defined = defineElements('next');
