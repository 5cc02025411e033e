import { LitElement, html, nothing, css } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { panelStyles } from '../shared/panel.styles.js';
import { PanelController } from '../shared/panel.js';
import { DatasetController } from '../shared/dataset-controller.js';
import { KernelController } from '../shared/kernel-controller.js';
import type { DataHub, Dataset } from '../../src/dataset/data-hub.js';
import type { KpiResult } from '../../workers/kernels/kpis.js';
import { formatCurrency, formatNumber, formatPercent } from '../../src/i18n/format.js';

export type KpiMetric = 'clients' | 'aum' | 'retentionRate' | 'churnRate' | 'nps' | 'crossSellRate' | 'costToIncome' | 'activeRate' | 'revenue';

const ALL: KpiMetric[] = ['clients', 'aum', 'retentionRate', 'churnRate', 'nps', 'crossSellRate', 'costToIncome', 'activeRate'];
/** Metrics where a rise is bad news (the trend arrow turns red). */
const LOWER_IS_BETTER = new Set<KpiMetric>(['churnRate', 'costToIncome']);

/**
 * @summary Headline tiles for a client book: clients, AUM, retention, churn rate, NPS, cross-sell
 * rate, cost-to-income, active share; with the change against a baseline period when given.
 *
 * @attr metrics - Comma-separated tiles to show (default all): clients, aum, retentionRate, churnRate, nps, crossSellRate, costToIncome, activeRate, revenue.
 * @attr currency - ISO currency of money figures (default CNY).
 * @attr as-of - Reference date for "active" (YYYY-MM-DD).
 * @attr src - Load this CSV/JSON/Arrow URL instead of the page's current dataset.
 * @attr mapping - JSON field mapping for src.
 * @attr theme - light | dark | high-contrast.
 * @prop baseline - KPIs of an earlier period (same shape as the result) to show trends against.
 * @prop data - A Dataset to show (overrides src and the page's current dataset).
 *
 * @csspart base - The card. @csspart tile - Each tile.
 */
export class ClKpi extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr));
        gap: 0.6rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .tile {
        border: 1px solid var(--_border);
        border-radius: calc(var(--_radius) - 2px);
        padding: 0.6rem 0.75rem;
        background: var(--_subtle);
      }
      .label {
        font-size: var(--_text-sm);
        color: var(--_muted);
      }
      .value {
        font-size: var(--_text-xl);
        font-weight: var(--_weight-strong);
        font-variant-numeric: tabular-nums;
        margin-top: 0.15rem;
      }
      .delta {
        font-size: var(--_text-sm);
        margin-top: 0.1rem;
      }
      .delta.good {
        color: var(--_ok);
      }
      .delta.bad {
        color: var(--_danger);
      }
      .na {
        color: var(--_muted);
        font-size: var(--_text-md);
      }
      /* A phone-width panel: two tiles a row with smaller figures, not one tall column. */
      @container (max-width: 480px) {
        .tiles {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
        .value {
          font-size: var(--_text-lg);
        }
      }
    `,
  ];

  static override properties = {
    metrics: { converter: (v: string | null) => (v ? (v.split(',').map((s) => s.trim()).filter(Boolean) as KpiMetric[]) : ALL) },
    currency: { type: String },
    asOf: { type: String, attribute: 'as-of' },
    src: { type: String },
    mapping: { type: Object },
    theme: { type: String, reflect: true },
    baseline: { attribute: false },
    data: { attribute: false },
    hub: { attribute: false },
  };

  metrics: KpiMetric[] = ALL;
  currency = 'CNY';
  asOf?: string;
  src?: string;
  mapping?: Record<string, string>;
  theme?: string;
  baseline?: Partial<KpiResult>;
  data?: Dataset;
  hub?: DataHub;

  private readonly source = new DatasetController(this);
  private readonly panel = new PanelController(this);
  private readonly kpis = new KernelController<KpiResult>(this, {
    data: this.source,
    query: () => ({ kernel: 'kpis', spec: this.asOf ? { asOf: this.asOf } : {} }),
  });

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  /** The last computed KPIs (undefined until the first result). */
  get value(): KpiResult | undefined {
    return this.kpis.value;
  }

  private label(m: KpiMetric): string {
    switch (m) {
      case 'clients': return msg('Clients', { id: 'kpi.clients' });
      case 'aum': return msg('Assets under management', { id: 'kpi.aum' });
      case 'revenue': return msg('Revenue (12 months)', { id: 'kpi.revenue' });
      case 'retentionRate': return msg('Retention rate', { id: 'kpi.retention' });
      case 'churnRate': return msg('Churn rate', { id: 'kpi.churn' });
      case 'nps': return msg('Net Promoter Score', { id: 'kpi.nps' });
      case 'crossSellRate': return msg('Cross-sell rate', { id: 'kpi.cross-sell' });
      case 'costToIncome': return msg('Cost-to-income', { id: 'kpi.cti' });
      case 'activeRate': return msg('Active clients', { id: 'kpi.active' });
    }
  }

  private format(m: KpiMetric, v: number): string {
    switch (m) {
      case 'clients': return formatNumber(v);
      case 'aum':
      case 'revenue': return formatCurrency(v, this.currency, undefined, { notation: 'compact', maximumFractionDigits: 1 });
      case 'nps': return formatNumber(v, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
      case 'costToIncome': return formatNumber(v, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
      default: return formatPercent(v);
    }
  }

  private delta(m: KpiMetric, v: number | null) {
    const b = this.baseline?.[m as keyof KpiResult];
    if (v === null || typeof b !== 'number') return nothing;
    const diff = v - b;
    if (diff === 0) return html`<div class="delta">${msg('no change', { id: 'kpi.no-change' })}</div>`;
    const good = LOWER_IS_BETTER.has(m) ? diff < 0 : diff > 0;
    const shown = m === 'nps' || m === 'costToIncome' || m === 'clients' ? formatNumber(diff, { maximumFractionDigits: 2, signDisplay: 'always' }) : m === 'aum' || m === 'revenue' ? formatCurrency(diff, this.currency, undefined, { notation: 'compact', signDisplay: 'always' }) : `${formatNumber(diff * 100, { maximumFractionDigits: 1, signDisplay: 'always' })} pp`;
    return html`<div class="delta ${good ? 'good' : 'bad'}">
      <span aria-hidden="true">${diff > 0 ? '▲' : '▼'}</span> ${msg(str`${shown} vs baseline`, { id: 'kpi.vs-baseline' })}
    </div>`;
  }

  private rows(r: KpiResult) {
    return this.metrics.filter((m) => ALL.includes(m) || m === 'revenue').map((m) => ({ metric: m, value: (r as unknown as Record<string, number | null>)[m] ?? null }));
  }

  override render() {
    const r = this.kpis.value;
    return this.panel.render(this.source, this.kpis, {
      title: msg('Key figures', { id: 'kpi.title' }),
      filename: 'clientlens-kpis',
      isEmpty: r ? r.clients === 0 : false,
      reuseBody: true,
      chart: () => html`<ul class="tiles" role="list">
        ${this.rows(r!).map(
          ({ metric, value }) => html`<li class="tile" part="tile" data-metric=${metric}>
            <div class="label">${this.label(metric)}</div>
            ${value === null
              ? html`<div class="na">${msg('not in this data', { id: 'kpi.na' })}</div>`
              : html`<div class="value">${this.format(metric, value)}</div>${this.delta(metric, value)}`}
          </li>`,
        )}
      </ul>`,
      table: () => html`<table class="data">
        <thead><tr><th scope="col">${msg('Metric', { id: 'kpi.col.metric' })}</th><th scope="col" class="num">${msg('Value', { id: 'kpi.col.value' })}</th><th scope="col" class="num">${msg('Baseline', { id: 'kpi.col.baseline' })}</th></tr></thead>
        <tbody>
          ${this.rows(r!).map(({ metric, value }) => {
            const b = this.baseline?.[metric as keyof KpiResult];
            return html`<tr><th scope="row">${this.label(metric)}</th><td class="num">${value === null ? '—' : this.format(metric, value)}</td><td class="num">${typeof b === 'number' ? this.format(metric, b) : '—'}</td></tr>`;
          })}
        </tbody>
      </table>`,
      csv: () => ({
        header: ['metric', 'value', 'baseline'],
        rows: this.rows(r!).map(({ metric, value }) => [metric, value, (this.baseline?.[metric as keyof KpiResult] as number | undefined) ?? null]),
      }),
    });
  }
}
