/** The kernels a remote engine answers, by the local kernel's name. */
import type { RemoteKernel } from '../remote-kernel.js';
import { remoteSegmentRollup } from './segment-rollup.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const kernels: RemoteKernel<any, any>[] = [remoteSegmentRollup];

export const REMOTE_KERNELS: ReadonlyMap<string, RemoteKernel> = new Map(kernels.map((k) => [k.name, k]));
