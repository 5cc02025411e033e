import { css } from 'lit';
import { themeTokens } from '../shared/theme.styles.js';

export const styles = [
  themeTokens,
  css`
    :host {
      display: block;
      container-type: inline-size;
    }
    /* A themed dashboard hands its palette to every panel in it as the public --cl-* tokens, so a
       plugin's panel that reads them (docs/plugins.md) follows the theme as the built-in panels do.
       Only with a theme set: a light dashboard leaves its panels' own tokens alone. On the grid,
       not the host: the host's private tokens are read from these names (a cycle there). */
    :host([theme]) .grid {
      --cl-color-text: var(--_text);
      --cl-color-muted: var(--_muted);
      --cl-color-surface: var(--_surface);
      --cl-color-subtle: var(--_subtle);
      --cl-color-border: var(--_border);
      --cl-color-accent: var(--_accent);
      --cl-color-accent-text: var(--_accent-text);
      --cl-color-danger: var(--_danger);
      --cl-color-warning: var(--_warning);
      --cl-color-ok: var(--_ok);
      --cl-color-focus: var(--_focus);
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
      font-size: var(--_text-md);
    }
    .chip {
      display: inline-flex;
      gap: 0.3rem;
      align-items: center;
      font-size: var(--_text-sm);
      border: 1px solid var(--_accent);
      color: var(--_text);
      background: var(--_subtle);
      border-radius: 999px;
      padding: 0.1rem 0.25rem 0.1rem 0.6rem;
    }
    .chip button,
    .bar > button {
      font: inherit;
      font-size: var(--_text-sm);
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
