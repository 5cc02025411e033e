/**
 * The worker every pool slot runs: generation, ingest, partitions, scoring kernels and models.
 * Loaded as a same-origin module worker; it never evaluates code it receives.
 */
import { serveJobs } from './job-host.js';
import { DatasetStore } from './dataset-store.js';
import { generateJob } from './jobs/generate-job.js';
import { ingestJob } from './jobs/ingest-job.js';
import { dropDatasetJob, loadChunksJob, summariseJob } from './jobs/partition-jobs.js';
import { kernelJob } from './jobs/kernel-job.js';
import { kernelCheckJob } from './jobs/kernel-check-job.js';
import { kernelReduceJob } from './jobs/kernel-reduce-job.js';
import { kernelRowsJob } from './jobs/kernel-rows-job.js';
import { kernelWarmJob } from './jobs/kernel-warm-job.js';
import { pluginKernelsJob } from '../src/plugins/worker-kernels.js';
import { clvFitGroupsJob, clvSummariesJob } from './jobs/clv-jobs.js';
import { explainRowsJob, fitClvJob, gatherJob, kmeansJob, scoreChurnJob, trainChurnJob } from './jobs/model-jobs.js';

const store = new DatasetStore();

serveJobs({
  'generate-chunks': generateJob(store),
  ingest: ingestJob,
  'load-chunks': loadChunksJob(store),
  'drop-dataset': dropDatasetJob(store),
  summarise: summariseJob(store),
  kernel: kernelJob(store),
  'kernel-check': kernelCheckJob,
  'kernel-reduce': kernelReduceJob,
  'kernel-rows': kernelRowsJob,
  'kernel-warm': kernelWarmJob(store),
  'plugin-kernels': pluginKernelsJob,
  'model-gather': gatherJob(store),
  'train-churn': trainChurnJob(store),
  'score-churn': scoreChurnJob(store),
  'explain-rows': explainRowsJob(store),
  'fit-clv': fitClvJob(store),
  kmeans: kmeansJob(store),
  'clv-summaries': clvSummariesJob(store),
  'clv-fit-groups': clvFitGroupsJob(),
});
