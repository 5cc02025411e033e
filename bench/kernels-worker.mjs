// Worker of the `clientlens-pool` engine in bench/kernels.mjs: loads the kernels through Vite's SSR
// loader, keeps its half of the batches (sent once as Arrow IPC), and runs prepare.map / map on it.
import { parentPort, workerData } from 'node:worker_threads';
import { createServer } from 'vite';
import { tableFromIPC } from 'apache-arrow';

const vite = await createServer({ configFile: workerData.configFile, mode: 'bench', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false } });
const { getKernel } = await vite.ssrLoadModule('/workers/kernels/index.ts');
const ctx = { checkpoint: async () => {}, progress: () => {} };
let rows = [];

parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'load') {
      const table = tableFromIPC(msg.ipc);
      rows = [];
      let offset = msg.rowOffset;
      for (const batch of table.batches) {
        rows.push({ batch, rowOffset: offset });
        offset += batch.numRows;
      }
      parentPort.postMessage({ ok: true, rows: offset - msg.rowOffset });
    } else if (msg.type === 'prepare') {
      const k = getKernel(msg.kernel);
      parentPort.postMessage({ ok: true, value: await k.prepare.map(rows, msg.spec, ctx) });
    } else if (msg.type === 'map') {
      const k = getKernel(msg.kernel);
      parentPort.postMessage({ ok: true, value: await k.map(rows, msg.spec, msg.params, ctx) });
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
