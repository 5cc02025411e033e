import { css } from 'lit';
import { themeTokens } from '../shared/theme.styles.js';

export const styles = [
  themeTokens,
  css`
    :host {
      display: block;
      container-type: inline-size;
    }
    [part='base'] {
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 1rem 1.25rem;
      display: grid;
      gap: 0.9rem;
    }
    h2 {
      font-size: var(--_text-base);
      margin: 0;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem 1.5rem;
      align-items: center;
    }
    fieldset {
      border: 0;
      padding: 0;
      margin: 0;
      display: flex;
      gap: 0.35rem;
      align-items: center;
      flex-wrap: wrap;
    }
    legend {
      float: left;
      margin-right: 0.5rem;
      color: var(--_muted);
      font-size: var(--_text-md);
    }
    [role='radio'] {
      font: inherit;
      font-size: var(--_text-md);
      padding: 0.3rem 0.7rem;
      border: 1px solid var(--_border);
      border-radius: 999px;
      background: var(--_subtle);
      color: var(--_text);
      cursor: pointer;
    }
    [role='radio'][aria-checked='true'] {
      background: var(--_accent);
      color: var(--_accent-text);
      border-color: var(--_accent);
    }
    [part='drop-zone'] {
      border: 1.5px dashed var(--_border);
      border-radius: var(--_radius);
      padding: 0.6rem 0.9rem;
      display: flex;
      gap: 0.6rem;
      align-items: center;
      color: var(--_muted);
      font-size: var(--_text-md);
    }
    [part='drop-zone'].over {
      border-color: var(--_accent);
      background: var(--_subtle);
    }
    label.file {
      color: var(--_accent);
      cursor: pointer;
      text-decoration: underline;
    }
    input[type='file'] {
      position: absolute;
      width: 1px;
      height: 1px;
      opacity: 0;
    }
    [part='status'] {
      font-size: var(--_text-base);
      display: flex;
      gap: 0.75rem;
      align-items: baseline;
      flex-wrap: wrap;
    }
    .count {
      font-size: var(--_text-xl);
      font-weight: var(--_weight-strong);
      font-variant-numeric: tabular-nums;
    }
    .badge {
      font-size: var(--_text-sm);
      border-radius: 999px;
      padding: 0.1rem 0.55rem;
      background: var(--_subtle);
      border: 1px solid var(--_border);
    }
    .badge.cache {
      color: var(--_ok);
      border-color: currentColor;
    }
    progress {
      width: 100%;
      accent-color: var(--_accent);
    }
    table {
      justify-self: start;
      min-width: min(32rem, 100%);
      border-collapse: collapse;
      font-size: var(--_text-md);
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      text-align: left;
      padding: 0.2rem 1rem 0.2rem 0;
      border-bottom: 1px solid var(--_border);
    }
    td.ms {
      text-align: right;
      /* A duration is one word: "8 ms" never breaks between number and unit on a narrow card. */
      white-space: nowrap;
    }
    [part='issues'] {
      border-left: 3px solid var(--_danger);
      padding-left: 0.75rem;
    }
    [part='issues'] li {
      margin: 0.2rem 0;
      overflow-wrap: anywhere;
    }
    .error {
      color: var(--_danger);
    }
    .warning {
      color: var(--_warning);
    }
    @container (max-width: 480px) {
      [part='base'] {
        padding: 0.75rem;
      }
      .count {
        font-size: var(--_text-lg);
      }
    }
  `,
];
