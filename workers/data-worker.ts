/**
 * The worker every pool slot runs: generation, ingest, partitions and scoring kernels.
 * Loaded as a same-origin module worker; it never evaluates code it receives.
 */
import { serveJobs } from './job-host.js';
import { DatasetStore } from './dataset-store.js';
import { generateJob } from './jobs/generate-job.js';
import { ingestJob } from './jobs/ingest-job.js';
import { dropDatasetJob, loadChunksJob, summariseJob } from './jobs/partition-jobs.js';
import { kernelJob } from './jobs/kernel-job.js';

const store = new DatasetStore();

serveJobs({
  'generate-chunks': generateJob(store),
  ingest: ingestJob,
  'load-chunks': loadChunksJob(store),
  'drop-dataset': dropDatasetJob(store),
  summarise: summariseJob(store),
  kernel: kernelJob(store),
});
