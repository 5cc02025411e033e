import { css } from 'lit';
import { panelStyles } from '../shared/panel.styles.js';

export const styles = [
  panelStyles,
  css`
    .who {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 0.75rem;
      align-items: baseline;
    }
    .who h2 {
      font-size: var(--_text-lg);
    }
    .id {
      font-family: var(--_font-mono);
      font-size: var(--_text-sm);
      color: var(--_muted);
    }
    .tags {
      display: flex;
      flex-wrap: wrap;
      gap: 0.35rem;
      margin: 0.45rem 0 0;
      padding: 0;
      list-style: none;
    }
    .tag {
      font-size: var(--_text-xs);
      border: 1px solid var(--_border);
      background: var(--_subtle);
      border-radius: 999px;
      padding: 0.1rem 0.55rem;
    }
    .tag .k {
      color: var(--_muted);
    }
    .sections {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr));
      gap: 0.75rem;
    }
    .box {
      border: 1px solid var(--_border);
      border-radius: calc(var(--_radius) - 2px);
      padding: 0.6rem 0.75rem;
      background: var(--_surface);
      min-width: 0;
    }
    .box.wide {
      grid-column: 1 / -1;
    }
    h3 {
      font-size: var(--_text-md);
      margin: 0 0 0.45rem;
      color: var(--_muted);
      font-weight: var(--_weight-strong);
      text-transform: none;
    }
    dl {
      margin: 0;
      display: grid;
      gap: 0.25rem;
    }
    dl > div {
      display: flex;
      justify-content: space-between;
      gap: 0.75rem;
      font-size: var(--_text-md);
    }
    dt {
      color: var(--_muted);
      min-width: 0;
    }
    dd {
      margin: 0;
      flex: none;
      max-width: 65%;
      font-variant-numeric: tabular-nums;
      text-align: right;
      font-weight: var(--_weight-strong);
    }
    dd.neg {
      color: var(--_danger);
    }
    ul.plain {
      margin: 0;
      padding-left: 1.1rem;
      font-size: var(--_text-md);
      display: grid;
      gap: 0.2rem;
    }
    .risk-none {
      color: var(--_ok);
      font-size: var(--_text-md);
      margin: 0;
    }
    .hit {
      color: var(--_danger);
      font-weight: var(--_weight-strong);
    }
    .alert,
    .okay {
      display: flex;
      gap: 0.5rem;
      align-items: flex-start;
      border-radius: 6px;
      padding: 0.45rem 0.65rem;
      font-size: var(--_text-md);
      margin: 0 0 0.5rem;
    }
    .alert {
      border: 2px solid var(--_danger);
      color: var(--_danger);
      background: var(--_surface);
    }
    .okay {
      border: 1px solid var(--_ok);
      color: var(--_ok);
    }
    .icon {
      font-weight: var(--_weight-strong);
      flex: none;
    }
    td.mismatch {
      color: var(--_danger);
      font-weight: var(--_weight-strong);
    }
    td.suitable {
      color: var(--_ok);
    }
    .muted {
      color: var(--_muted);
      font-size: var(--_text-md);
      margin: 0;
    }
    h4 {
      font-size: var(--_text-sm);
      margin: 0.6rem 0 0.25rem;
    }
  `,
];
