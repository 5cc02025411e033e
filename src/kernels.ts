/**
 * `clientlens/kernels`: the pure functions the workers run, for Node scripts, tests and servers:
 * ingest, the synthetic portfolio generator, and the scoring kernels with their one-thread runner.
 */
export { ingest } from './ingest/ingest.js';
export type { IngestOptions, IngestResult } from './ingest/ingest.js';
export { generatePortfolio, generatePortfolioChunk, chunkCount } from './generate/portfolio.js';
export type { PortfolioOptions } from './generate/portfolio.js';
export { generateTransactions } from './generate/transactions.js';
export { KERNELS, getKernel } from '../workers/kernels/index.js';
export { runKernelLocal, runKernelSplit } from '../workers/kernels/run-local.js';
export { SpecError } from '../workers/kernels/kernel.js';
export type { KernelDef, AnyKernel, RowBatch, KernelContext } from '../workers/kernels/kernel.js';
