// Worker of the `clientlens-pool` engine in bench/kernels.mjs: loads the kernels through Vite's SSR
// loader, keeps its half of the batches (sent once as Arrow IPC), and runs each stage through the
// browser pool's own job handler (workers/jobs/kernel-job.ts: the spec validated again, page
// filters split off, rows gathered from the stored chunks), with a context whose checkpoint yields
// to the event loop once per batch as job-host.ts does. Not mimicked: comlink's message wrapping
// and the progress/heartbeat messages (see the trace notes in bench/kernels.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { createServer } from 'vite';
import { tableFromIPC } from 'apache-arrow';

const vite = await createServer({ configFile: workerData.configFile, mode: 'bench', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false } });
const { kernelJob } = await vite.ssrLoadModule('/workers/jobs/kernel-job.ts');
const { DatasetStore } = await vite.ssrLoadModule('/workers/dataset-store.ts');
const store = new DatasetStore();
const job = kernelJob(store);
const DATASET = 'bench';

// job-host.ts's checkpoint without the heartbeat: its own macrotask yield, at most every 8 ms.
const { yieldToEventLoop } = await vite.ssrLoadModule('/workers/job-host.ts');
const { throttledCheckpoint } = await vite.ssrLoadModule('/workers/throttled-checkpoint.ts');
const ctx = { signal: new AbortController().signal, checkpoint: throttledCheckpoint({ checkpoint: yieldToEventLoop }), progress: () => {}, transfer: (v) => v };

// Epoch milliseconds, comparable across threads (each thread's performance.now() has its own origin).
const clock = () => performance.timeOrigin + performance.now();

parentPort.on('message', async (msg) => {
  const received = clock();
  try {
    if (msg.type === 'load') {
      const table = tableFromIPC(msg.ipc);
      store.put(DATASET, { index: 0, rowOffset: msg.rowOffset, table });
      parentPort.postMessage({ ok: true, rows: table.numRows });
    } else if (msg.type === 'prepare' || msg.type === 'map') {
      const value = await job({ datasetId: DATASET, kernel: msg.kernel, spec: msg.spec, stage: msg.type, params: msg.params }, ctx);
      parentPort.postMessage({ ok: true, value, t: [received, clock()] });
    } else if (msg.type === 'close') {
      await vite.close();
      parentPort.postMessage({ ok: true });
      parentPort.close();
    }
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
parentPort.postMessage({ ok: true, ready: true });
