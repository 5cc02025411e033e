import { css } from 'lit';
import { themeTokens } from '../shared/theme.styles.js';

export const styles = [
  themeTokens,
  css`
    :host {
      display: block;
      container-type: inline-size;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      margin: 0 0 0.75rem;
      min-height: 2rem;
    }
    .bar .label {
      color: var(--_muted);
      font-size: 0.85rem;
    }
    .chip {
      display: inline-flex;
      gap: 0.3rem;
      align-items: center;
      font-size: 0.82rem;
      border: 1px solid var(--_accent);
      color: var(--_text);
      background: var(--_subtle);
      border-radius: 999px;
      padding: 0.1rem 0.25rem 0.1rem 0.6rem;
    }
    .chip button,
    .bar > button {
      font: inherit;
      font-size: 0.8rem;
      border: 1px solid var(--_border);
      background: var(--_surface);
      color: var(--_text);
      border-radius: 999px;
      cursor: pointer;
      padding: 0 0.45rem;
    }
    .grid {
      display: grid;
      gap: var(--cl-dashboard-gap, 0.9rem);
      grid-template-columns: repeat(var(--cl-dashboard-columns, 2), minmax(0, 1fr));
    }
    ::slotted([data-span='full']),
    ::slotted(cl-kpi),
    ::slotted(cl-dataset-loader) {
      grid-column: 1 / -1;
    }
    @container (max-width: 760px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `,
];
