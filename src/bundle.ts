/**
 * The standalone bundle's entry (`dist/standalone/clientlens.bundle.js`): everything `clientlens`
 * gives (every element registered as cl-*, the core API) and `defineElements`, so that a second
 * copy of the bundle on a page (another version) can register its elements under a prefix of its
 * own once it finds the cl-* tags taken. Bundler users import defineElements from
 * `clientlens/elements`; it stays out of `clientlens`'s start.
 */
export * from './index.js';
export { defineElements } from './elements.js';
