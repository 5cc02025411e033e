/**
 * The worker every pool slot runs: generation, ingest, partitions, scoring kernels and models.
 * Loaded as a same-origin module worker; it never evaluates code it receives.
 */
import { serveJobs } from './job-host.js';
import { DatasetStore } from './dataset-store.js';
import { dropDatasetJob, loadChunksJob, summariseJob } from './jobs/partition-jobs.js';
import { kernelJob } from './jobs/kernel-job.js';
import { kernelCheckJob } from './jobs/kernel-check-job.js';
import { kernelReduceJob } from './jobs/kernel-reduce-job.js';
import { kernelRowsJob } from './jobs/kernel-rows-job.js';
import { kernelWarmJob } from './jobs/kernel-warm-job.js';
import { pluginKernelsJob } from '../src/plugins/worker-kernels.js';
import type { JobHandler } from './job-host.js';

const store = new DatasetStore();

/**
 * A job whose code loads on its first call: generating, ingesting and the models are not what a
 * cached load runs, and their code was a quarter of the worker that every page load compiled and
 * evaluated before reading the cache. Same-origin module chunks (strict-CSP safe).
 */
function onDemand(load: () => Promise<JobHandler>): JobHandler {
  let handler: Promise<JobHandler> | undefined;
  return async (args, ctx) => {
    handler ??= load().catch((err: unknown) => {
      handler = undefined; // a failed load (e.g. the network) is tried again by the next job
      throw err;
    });
    return (await handler)(args, ctx);
  };
}

const models = () => import('./jobs/model-jobs.js');
const clv = () => import('./jobs/clv-jobs.js');

serveJobs({
  'generate-chunks': onDemand(async () => (await import('./jobs/generate-job.js')).generateJob(store)),
  ingest: onDemand(async () => (await import('./jobs/ingest-job.js')).ingestJob),
  'load-chunks': loadChunksJob(store),
  'drop-dataset': dropDatasetJob(store),
  summarise: summariseJob(store),
  kernel: kernelJob(store),
  'kernel-check': kernelCheckJob,
  'kernel-reduce': kernelReduceJob,
  'kernel-rows': kernelRowsJob,
  'kernel-warm': kernelWarmJob(store),
  'plugin-kernels': pluginKernelsJob,
  'model-gather': onDemand(async () => (await models()).gatherJob(store)),
  'train-churn': onDemand(async () => (await models()).trainChurnJob(store)),
  'score-churn': onDemand(async () => (await models()).scoreChurnJob(store)),
  'explain-rows': onDemand(async () => (await models()).explainRowsJob(store)),
  'fit-clv': onDemand(async () => (await models()).fitClvJob(store)),
  kmeans: onDemand(async () => (await models()).kmeansJob(store)),
  'clv-summaries': onDemand(async () => (await clv()).clvSummariesJob(store)),
  'clv-fit-groups': onDemand(async () => (await clv()).clvFitGroupsJob()),
});
