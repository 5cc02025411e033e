/** The kernels a remote engine answers, by the local kernel's name. */
import type { RemoteKernel } from '../remote-kernel.js';
import { remoteAssetLoyalty } from './asset-loyalty.js';
import { remoteChurnRules } from './churn-rules.js';
import { remoteClientLookup } from './client-lookup.js';
import { remoteFunnel } from './funnel.js';
import { remoteKpis } from './kpis.js';
import { remoteProfitability } from './profitability.js';
import { remoteRfm } from './rfm.js';
import { remoteSegmentRollup } from './segment-rollup.js';
import { remoteWhaleCurve } from './whale-curve.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const kernels: RemoteKernel<any, any>[] = [remoteSegmentRollup, remoteChurnRules, remoteProfitability, remoteWhaleCurve, remoteAssetLoyalty, remoteKpis, remoteClientLookup, remoteFunnel, remoteRfm];

export const REMOTE_KERNELS: ReadonlyMap<string, RemoteKernel> = new Map(kernels.map((k) => [k.name, k]));
