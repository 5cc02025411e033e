/**
 * Which worker owns which chunks: contiguous runs, as even as whole chunks allow, so every worker
 * scans a row range and partial results merge in row order.
 */
export interface Partition {
  readonly worker: number;
  readonly firstChunk: number;
  readonly chunkCount: number;
  readonly rowOffset: number;
  readonly rows: number;
}

export function planPartitions(chunkRows: readonly number[], workers: number): Partition[] {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`planPartitions needs at least one worker; got ${workers}.`);
  const n = chunkRows.length;
  const out: Partition[] = [];
  let rowOffset = 0;
  for (let w = 0; w < workers; w++) {
    const first = Math.floor((w * n) / workers);
    const end = Math.floor(((w + 1) * n) / workers);
    let rows = 0;
    for (let c = first; c < end; c++) rows += chunkRows[c];
    out.push({ worker: w, firstChunk: first, chunkCount: end - first, rowOffset, rows });
    rowOffset += rows;
  }
  return out;
}
