import { expect } from 'chai';
import { createTestPool } from './fixtures/test-pool.js';
import { JobCancelledError, JobTimeoutError, WorkerCrashedError } from '../../src/pool/job-errors.js';
import type { WorkerPool } from '../../src/pool/worker-pool.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('WorkerPool (real module workers in Chromium)', () => {
  let pool: WorkerPool;
  afterEach(() => pool?.dispose());

  it('runs jobs round trip on the worker asked for, and spreads untargeted jobs', async () => {
    pool = createTestPool({ size: 2 });
    const a = await pool.run<{ args: unknown; bornAt: string }>('echo', { x: [1, 2, 3], s: '客户' }, { worker: 0 });
    const b = await pool.run<{ args: unknown; bornAt: string }>('echo', null, { worker: 1 });
    expect(a.args).to.deep.equal({ x: [1, 2, 3], s: '客户' });
    expect(a.bornAt).to.not.equal(b.bornAt);
    const spread = await Promise.all([pool.run<string>('whoami'), pool.run<string>('whoami')]);
    expect(new Set(spread).size).to.equal(2);
    // One at a time, every worker idle each time: still both workers, not always the first.
    const oneByOne: string[] = [];
    for (let i = 0; i < 4; i++) oneByOne.push(await pool.run<string>('whoami'));
    expect(new Set(oneByOne).size).to.equal(2);
  });

  it('moves buffers into and out of workers instead of copying them', async () => {
    pool = createTestPool({ size: 1 });
    const buffer = new ArrayBuffer(1024);
    const result = await pool.run<{ seen: number; out: ArrayBuffer }>('bytes', { buffer }, { transfer: [buffer] });
    expect(result.seen).to.equal(1024);
    expect(buffer.byteLength, 'the sent buffer is detached').to.equal(0);
    expect(new Uint8Array(result.out)[1023]).to.equal(7);
  });

  it('reports progress while a job runs', async () => {
    pool = createTestPool({ size: 1 });
    const seen: number[] = [];
    await pool.run('sleep', { ms: 600, steps: 6 }, { onProgress: (f) => seen.push(f) });
    expect(seen.length).to.be.greaterThan(1);
    expect(seen.at(-1)).to.equal(1);
    expect([...seen].sort((x, y) => x - y)).to.deep.equal(seen);
  });

  it('cancels a cooperative job at once and keeps the same worker', async () => {
    pool = createTestPool({ size: 1 });
    const before = await pool.run<string>('whoami');
    const controller = new AbortController();
    const job = pool.run('sleep', { ms: 5000, steps: 100 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const t0 = performance.now();
    const err = await rejection(job);
    expect(err).to.be.instanceOf(JobCancelledError);
    expect(err.name).to.equal('AbortError');
    expect(performance.now() - t0).to.be.lessThan(1000);
    expect(await pool.run<string>('whoami')).to.equal(before);
    expect(pool.stats()[0].restarts).to.equal(0);
  });

  it('rejects a job whose signal is already aborted without running it', async () => {
    pool = createTestPool({ size: 1 });
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(pool.run('echo', 1, { signal: controller.signal }))).to.be.instanceOf(JobCancelledError);
    expect(pool.stats()[0].completed).to.equal(0);
  });

  it('replaces a worker that ignores cancellation, and later jobs succeed', async () => {
    pool = createTestPool({ size: 1, cancelGraceMs: 200 });
    const before = await pool.run<string>('whoami');
    const controller = new AbortController();
    const job = pool.run('spin', { ms: 60_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await rejection(job)).to.be.instanceOf(JobCancelledError);
    const after = await pool.run<string>('whoami');
    expect(after).to.not.equal(before);
    expect(pool.stats()[0].restarts).to.equal(1);
  });

  it('stops a job that runs past its time budget with a clear error', async () => {
    pool = createTestPool({ size: 1, cancelGraceMs: 200 });
    const err = await rejection(pool.run('spin', { ms: 60_000 }, { timeoutMs: 300 }));
    expect(err).to.be.instanceOf(JobTimeoutError);
    expect(err.message).to.contain('"spin"').and.contain('300 ms');
    expect((await pool.run<{ args: number }>('echo', 5)).args).to.equal(5);
  });

  it('passes a job error through with its name and fields, and the worker stays', async () => {
    pool = createTestPool({ size: 1 });
    const before = await pool.run<string>('whoami');
    const err = (await rejection(pool.run('fail'))) as Error & { column?: string };
    expect(err.name).to.equal('SpecError');
    expect(err.message).to.contain('balanceX');
    expect(err.column).to.equal('balanceX');
    expect(await pool.run<string>('whoami')).to.equal(before);
  });

  it('retries once on a new worker when its worker is terminated mid-job', async () => {
    pool = createTestPool({ size: 1 });
    const job = pool.run<{ slept: number; bornAt: string }>('sleep', { ms: 400, steps: 4 });
    const before = await new Promise<string>((resolve) => setTimeout(() => resolve('terminated'), 100));
    pool.terminateWorker(0, 'test kill');
    const result = await job;
    expect(before).to.equal('terminated');
    expect(result.slept).to.equal(400);
    expect(pool.stats()[0].restarts).to.equal(1);
  });

  it('fails a job whose worker crashes twice with a clear error, then keeps working', async () => {
    pool = createTestPool({ size: 1 });
    const replaced: string[] = [];
    pool.onWorkerReplaced((e) => replaced.push(e.reason));
    const err = await rejection(pool.run('crash'));
    expect(err).to.be.instanceOf(WorkerCrashedError);
    expect(err.message).to.contain('"crash"').and.contain('boom from a timer');
    expect(replaced.length).to.equal(2);
    expect((await pool.run<{ args: string }>('echo', 'still here')).args).to.equal('still here');
  });

  it('detects a worker that died silently by its missing heartbeat', async () => {
    pool = createTestPool({ size: 1, stallTimeoutMs: 400 });
    const err = await rejection(pool.run('close'));
    expect(err).to.be.instanceOf(WorkerCrashedError);
    expect(err.message).to.contain('no heartbeat');
    expect((await pool.run<{ args: number }>('echo', 1)).args).to.equal(1);
  });

  it('does not mistake a long job that checkpoints for a dead worker', async () => {
    // Heartbeats go out after 200 ms of silence: a stall timeout of 1 s leaves room for a busy
    // machine's late messages, and the job still outlives it three times over.
    pool = createTestPool({ size: 1, stallTimeoutMs: 1000 });
    const r = await pool.run<{ slept: number }>('sleep', { ms: 3000, steps: 60 });
    expect(r.slept).to.equal(3000);
    expect(pool.stats()[0].restarts).to.equal(0);
  });

  it('keeps the main thread responsive while a worker is busy', async () => {
    pool = createTestPool({ size: 1 });
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 20);
    await pool.run('spin', { ms: 800 });
    clearInterval(timer);
    expect(gaps.length).to.be.greaterThan(10);
  });

  it('gives up with a message naming the cause when the worker script cannot load', async () => {
    pool = createTestPool({ size: 1, createWorker: () => new Worker(new URL('./does-not-exist.js', import.meta.url), { type: 'module' }) });
    const err = await rejection(pool.run('echo', 1));
    expect(err.message).to.contain('failed to start 3 times in a row').and.contain('worker script loads');
    const again = await rejection(pool.run('echo', 1));
    expect(again.message).to.contain('worker pool stopped');
  });

  it('runs a job of higher priority beside a long one, ahead of the queue, and parks the long one meanwhile', async () => {
    pool = createTestPool({ size: 1 });
    const order: string[] = [];
    let longProgress = 0;
    const long = pool.run('sleep', { ms: 1500, steps: 30 }, { onProgress: () => longProgress++ }).then(() => order.push('long'));
    const queued = pool.run('echo', 'plain').then(() => order.push('plain'));
    await new Promise((r) => setTimeout(r, 150));
    const t0 = performance.now();
    await pool.run('echo', 'quick', { priority: 2 });
    expect(performance.now() - t0, 'did not wait for the long job').to.be.below(700);
    order.push('quick');
    // While the higher job runs, the long one makes no progress (it is parked at a checkpoint).
    const before = longProgress;
    await pool.run('sleep', { ms: 400, steps: 4 }, { priority: 2 });
    expect(longProgress - before, 'progress of the long job meanwhile').to.be.at.most(1);
    await Promise.all([long, queued]);
    expect(order).to.deep.equal(['quick', 'long', 'plain']);
    expect(pool.stats()[0].busy).to.equal(false);
  });

  it('sends the next job ahead, so the worker goes on while the page is busy', async () => {
    pool = createTestPool({ size: 1 });
    await pool.run('whoami');
    const first = pool.run('sleep', { ms: 60, steps: 2 });
    const second = pool.run<number>('stamp');
    // The page is busy for 400 ms (drawing a chart, say) while the first job ends in the worker.
    const end = performance.now() + 400;
    while (performance.now() < end);
    const pageFreeAt = performance.timeOrigin + performance.now();
    await first;
    expect(await second, 'the second job began while the page was still busy').to.be.below(pageFreeAt - 150);
  });

  it('cancels a job waiting its turn in the worker without disturbing the running one', async () => {
    pool = createTestPool({ size: 1, cancelGraceMs: 1000 });
    const running = pool.run<{ slept: number }>('sleep', { ms: 600, steps: 6 });
    const controller = new AbortController();
    const waiting = pool.run('echo', 'never', { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(await rejection(waiting)).to.be.instanceOf(JobCancelledError);
    expect((await running).slept).to.equal(600);
    await new Promise((r) => setTimeout(r, 1100));
    expect(pool.stats()[0].restarts, 'the worker answered the cancel in time').to.equal(0);
  });

  it('starts the time budget of a job sent ahead when it begins, not while it waits', async () => {
    pool = createTestPool({ size: 1 });
    const first = pool.run('sleep', { ms: 500, steps: 5 });
    const second = await pool.run<{ slept: number }>('sleep', { ms: 100, steps: 2 }, { timeoutMs: 400 });
    expect(second.slept).to.equal(100);
    await first;
  });

  it('does not count a crash against a job that was only waiting its turn', async () => {
    pool = createTestPool({ size: 1 });
    const crash = rejection(pool.run('crash'));
    const waiting = pool.run<{ args: string }>('echo', 'behind the crash');
    expect(await crash).to.be.instanceOf(WorkerCrashedError);
    expect((await waiting).args).to.equal('behind the crash');
  });

  it('refuses bad options with errors naming them', () => {
    expect(() => createTestPool({ size: 0 })).to.throw(/size/);
    expect(() => createTestPool({ stallTimeoutMs: -1 })).to.throw(/stallTimeoutMs/);
  });
});
