/**
 * The at-risk list of cl-churn-watch, a page at a time: the churn-rules kernel ranks the clients
 * and returns rows [offset, offset + limit) of its order; client-lookup then fetches the columns
 * the list shows for those rows (by row number). Pages are cached (least recently used go first), fetched only when
 * the virtual list needs them, at most two at a time, newest need first; a changed query (rules,
 * sort, filters, dataset) drops the cache and cancels the fetches in flight.
 *
 * Limit: the kernel ranks at most MAX_AT_RISK_PAGE_END (100,000) clients; rows past that are not
 * reachable (`reachable` says how many are), and the element says so.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Dataset } from '../../src/dataset/data-hub.js';
import { LATER_STAGE_PRIORITY, LEADING_PRIORITY, runKernel } from '../../src/query/run-kernel.js';
import { sharedQuery } from '../../src/query/shared-query.js';
import { STALE_STATUS_DELAY_MS } from '../shared/kernel-controller.js';
import { announceDataAccess, fieldsOfQuery } from '../../src/privacy/data-access.js';
import { MAX_AT_RISK_PAGE_END } from '../../workers/kernels/churn-rule-kinds.js';
import type { ChurnRulesResult } from '../../workers/kernels/churn-rules.js';
import type { ClientRowsPage, ClientValues } from '../../workers/kernels/client-lookup.js';

export interface AtRiskRow {
  /** Position in the ranked list (0 = first). */
  readonly index: number;
  readonly clientId: string | null;
  readonly rulesHit: number;
  readonly ruleIds: readonly string[];
  /** The list's columns for this client; null when the id is null or was not found. */
  readonly values: ClientValues | null;
  /** Global row number in the dataset. */
  readonly row: number;
  /** The model's score and reasons, when the query has a model. */
  readonly score?: ClientScore;
}

/** A model's score for one client, with the factors that drove it (explainability). */
export interface ClientScore {
  readonly score: number;
  /** Factors that raised the score, strongest first, in words. */
  readonly reasons: readonly string[];
  /** Factors that lowered it (what keeps the client), strongest first. */
  readonly protective?: readonly string[];
}

export interface AtRiskQuery {
  readonly dataset: Dataset;
  /** A churn-rules spec without offset / limit (rules, asOf, orderBy, filter). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Columns client-lookup returns for each row. */
  readonly columns: readonly string[];
  /**
   * Scores a page's rows (global row numbers) with a model; `modelKey` names the model so a new
   * model refetches the pages.
   */
  readonly model?: { readonly key: string; readonly explain: (rows: readonly number[], signal: AbortSignal) => Promise<ReadonlyMap<number, ClientScore>> };
}

export interface AtRiskPagesOptions {
  readonly pageSize?: number;
  /** Pages kept in the cache. */
  readonly maxPages?: number;
  readonly concurrency?: number;
}

export class AtRiskPages implements ReactiveController {
  error?: Error;
  /** Why the model could not score the last page (the list itself is fine). */
  modelError?: Error;
  readonly pageSize: number;

  private key?: string;
  private query?: AtRiskQuery;
  private generation = new AbortController();
  private readonly pages = new Map<number, AtRiskRow[]>();
  private readonly inFlight = new Set<number>();
  private queue: number[] = [];
  private readonly maxPages: number;
  private readonly concurrency: number;
  private wanted = new Set<number>();
  private current?: number;
  /** The previous query's list, shown (stale) until the new query's first page arrives. */
  private previous?: { total: number; pages: Map<number, AtRiskRow[]> };
  /** Set once the previous list has been shown for STALE_STATUS_DELAY_MS (see `showStale`). */
  private staleLong = false;
  private staleTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly host: ReactiveControllerHost, options: AtRiskPagesOptions = {}) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = options.maxPages ?? 40;
    this.concurrency = options.concurrency ?? 2;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.reset();
    this.key = undefined;
  }

  /**
   * Clients in the list (all of them, even past the reachable limit): the previous query's count
   * while a new one loads, undefined before the first page ever arrives.
   */
  get total(): number | undefined {
    return this.current ?? this.previous?.total;
  }

  /** The rows shown belong to the previous query (a new one is on its way). */
  get stale(): boolean {
    return this.current === undefined && this.previous !== undefined;
  }

  /**
   * The stale list should look it (dimmed): only once the new list has been on its way for
   * STALE_STATUS_DELAY_MS, as the other panels' status (kernel-controller.ts): most filter changes
   * bring the first page sooner, and dimming a list of a few dozen rows at every change cost a
   * style recalculation and paint on the main thread the answers need. `stale` (aria-busy) is at once.
   */
  get showStale(): boolean {
    return this.stale && this.staleLong;
  }

  /** Rows the kernel can rank: min(total, 100,000). */
  get reachable(): number {
    return Math.min(this.total ?? 0, MAX_AT_RISK_PAGE_END);
  }

  /** True while page 0 of the current query is on its way. */
  get loading(): boolean {
    return this.query !== undefined && this.current === undefined && this.error === undefined;
  }

  /** Sets the query; a change of any part starts over at page 0. Null clears the list. */
  setQuery(query: AtRiskQuery | null): void {
    const key = query ? `${query.dataset.key}|${JSON.stringify(query.spec)}|${query.columns.join(',')}|${query.model?.key ?? ''}` : undefined;
    if (key === this.key) return;
    this.key = key;
    // Keep what is on screen until the new list has its first page: no blank flash, no lost focus.
    const shown = this.current !== undefined ? { total: this.current, pages: new Map(this.pages) } : this.previous;
    this.reset();
    this.previous = query ? shown : undefined;
    this.query = query ?? undefined;
    if (this.previous) {
      this.staleTimer = setTimeout(() => {
        this.staleLong = true;
        if (this.stale) this.host.requestUpdate();
      }, STALE_STATUS_DELAY_MS);
    }
    if (query) this.need(0, 0);
    this.host.requestUpdate();
  }

  /** The row at `index`, if its page is loaded. */
  row(index: number): AtRiskRow | undefined {
    const p = Math.floor(index / this.pageSize);
    if (this.stale) return this.previous!.pages.get(p)?.[index - p * this.pageSize];
    const page = this.pages.get(p);
    if (!page) return undefined;
    // Touch: most recently used pages stay.
    this.pages.delete(p);
    this.pages.set(p, page);
    return page[index - p * this.pageSize];
  }

  /** Every loaded row, in list order (for export). */
  loadedRows(): AtRiskRow[] {
    return [...this.pages.keys()].sort((a, b) => a - b).flatMap((p) => this.pages.get(p)!);
  }

  /** Asks for the pages covering rows [first, last]; pages no longer needed leave the queue. */
  need(first: number, last: number): void {
    if (!this.query) return;
    const limit = this.current === undefined ? MAX_AT_RISK_PAGE_END - 1 : Math.min(this.current, MAX_AT_RISK_PAGE_END) - 1;
    const a = Math.max(0, Math.floor(first / this.pageSize));
    const b = Math.floor(Math.max(first, Math.min(last, limit)) / this.pageSize);
    this.wanted = new Set();
    for (let p = a; p <= b; p++) this.wanted.add(p);
    this.queue = [...this.wanted].filter((p) => !this.pages.has(p) && !this.inFlight.has(p));
    this.pump();
  }

  private reset(): void {
    this.generation.abort(new DOMException('The list changed.', 'AbortError'));
    this.generation = new AbortController();
    this.pages.clear();
    this.inFlight.clear();
    this.queue = [];
    this.wanted.clear();
    this.current = undefined;
    this.previous = undefined;
    clearTimeout(this.staleTimer);
    this.staleLong = false;
    this.error = undefined;
    this.modelError = undefined;
    this.query = undefined;
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const p = this.queue.shift()!;
      void this.fetch(p);
    }
  }

  private async fetch(p: number): Promise<void> {
    const query = this.query!;
    const signal = this.generation.signal;
    this.inFlight.add(p);
    const offset = p * this.pageSize;
    const limit = Math.max(0, Math.min(this.pageSize, MAX_AT_RISK_PAGE_END - offset));
    const who = this.host as unknown as Element;
    announceDataAccess(who, query.dataset, 'churn-rules', fieldsOfQuery(query.dataset, 'churn-rules', query.spec));
    announceDataAccess(who, query.dataset, 'client-lookup', query.columns);
    // Through the page's shared queries, as every panel's: a filter set again a few clicks later
    // finds its page among the recent answers instead of running two kernels again.
    // The page's rules query leads to its client lookup: both rank above other panels' first
    // stages, so the pair does not trail them (run-kernel.ts).
    // A page kept from the last visit and found different once recomputed is fetched again.
    const onRevised = () => {
      if (signal.aborted || !this.pages.has(p)) return;
      this.pages.delete(p);
      if (this.wanted.has(p)) this.need(Math.min(...this.wanted) * this.pageSize, (Math.max(...this.wanted) + 1) * this.pageSize - 1);
    };
    const shared = <R>(kernel: string, spec: unknown, priority: number) =>
      sharedQuery<R>(query.dataset, `${query.dataset.key}|${kernel}|${JSON.stringify(spec)}`, (s, _, revalidating) => runKernel<R>(query.dataset, kernel, spec, { signal: s, priority: revalidating ?? priority }), {
        signal,
        kernel,
        onRevised,
      });
    try {
      const ranked = await shared<ChurnRulesResult>('churn-rules', { ...query.spec, offset, limit }, LEADING_PRIORITY);
      // By the ranked rows' numbers: each worker reads its rows where they are (a lookup by id
      // would first index every id of the dataset), and a repeated id shows the row that was ranked.
      const rows = ranked.atRisk.clients.filter((c) => c.clientId !== null).map((c) => c.row);
      const [looked, scores] = await Promise.all([
        rows.length ? shared<ClientRowsPage>('client-lookup', { rows, columns: [...query.columns] }, LATER_STAGE_PRIORITY) : { rows: [] },
        // A failing model must not cost the list: the rows show without scores and say why.
        query.model?.explain(ranked.atRisk.clients.map((c) => c.row), signal).catch((err: Error) => {
          if (signal.aborted || err?.name === 'AbortError') throw err;
          this.modelError = err;
          return undefined;
        }),
      ]);
      if (signal.aborted) return;
      const byRow = new Map(looked.rows.map((r) => [r.row, r.found ? r.values : null]));
      this.pages.set(
        p,
        ranked.atRisk.clients.map((c, k) => ({
          index: offset + k,
          clientId: c.clientId,
          rulesHit: c.rulesHit,
          ruleIds: c.ruleIds,
          values: c.clientId === null ? null : (byRow.get(c.row) ?? null),
          row: c.row,
          score: scores?.get(c.row),
        })),
      );
      this.current = ranked.atRisk.total;
      this.previous = undefined;
      this.evict();
    } catch (err) {
      if (signal.aborted || (err as Error)?.name === 'AbortError') return;
      this.error = err as Error;
      this.previous = undefined;
    } finally {
      if (!signal.aborted) {
        this.inFlight.delete(p);
        this.pump();
        this.host.requestUpdate();
      }
    }
  }

  private evict(): void {
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.wanted.has(p)) this.pages.delete(p);
    }
  }
}
