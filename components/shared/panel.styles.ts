import { css } from 'lit';
import { themeTokens } from './theme.styles.js';

export const panelStyles = [
  themeTokens,
  css`
    :host {
      display: block;
      container-type: inline-size;
      min-width: 0;
      /* A dashboard has a dozen panels, most of them off screen: the browser skips laying out and
         painting those until they scroll near the viewport (they stay in the accessibility tree),
         and a redraw inside one panel does not lay out the others. The remembered size keeps the
         page from jumping when a skipped panel comes back. */
      content-visibility: auto;
      contain-intrinsic-size: auto 360px;
    }
    .panel {
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 0.9rem 1rem 1rem;
      display: grid;
      gap: 0.6rem;
      height: 100%;
      box-sizing: border-box;
      position: relative;
    }
    .panel-head {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: flex-start;
      justify-content: space-between;
    }
    h2 {
      font-size: var(--_text-base);
      margin: 0;
    }
    .subtitle {
      margin: 0.15rem 0 0;
      color: var(--_muted);
      font-size: var(--_text-sm);
    }
    .toolbar {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
      align-items: center;
    }
    .seg {
      display: inline-flex;
    }
    .seg button,
    select {
      font: inherit;
      font-size: var(--_text-sm);
      padding: 0.2rem 0.55rem;
      border: 1px solid var(--_border);
      background: var(--_subtle);
      color: var(--_text);
      cursor: pointer;
    }
    select {
      border-radius: 6px;
    }
    .seg button:first-child {
      border-radius: 6px 0 0 6px;
    }
    .seg button:last-child {
      border-radius: 0 6px 6px 0;
    }
    .seg button + button {
      border-left: 0;
    }
    .seg button[aria-pressed='true'] {
      background: var(--_accent);
      color: var(--_accent-text);
      border-color: var(--_accent);
    }
    .seg button:disabled {
      opacity: 0.5;
      cursor: default;
    }
    .status {
      font-size: var(--_text-sm);
      color: var(--_muted);
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .status.over {
      position: absolute;
      right: 1rem;
      bottom: 0.75rem;
      z-index: 1;
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: 999px;
      padding: 0.15rem 0.65rem;
    }
    .status.over progress {
      width: 6rem;
    }
    progress {
      accent-color: var(--_accent);
      flex: 1;
      max-width: 14rem;
    }
    .panel-body {
      min-height: 8rem;
      transition: opacity 0.15s;
    }
    .panel-body.stale {
      opacity: 0.55;
    }
    .placeholder {
      height: 12rem;
      border-radius: 6px;
      background: linear-gradient(90deg, var(--_subtle), var(--_surface), var(--_subtle));
    }
    .error {
      color: var(--_danger);
    }
    .empty {
      color: var(--_muted);
    }
    /* A chart is drawn at its own width in pixels (its width and height attributes, from the
       panel's width) and never scaled up: scaled, its text was 11.07-11.13 px instead of 11, in
       font strikes of its own (a font lookup each, on the main thread, per chart width). It
       shrinks, keeping its shape, only in a container narrower than its minimum. */
    svg {
      display: block;
      max-width: 100%;
      height: auto;
      overflow: visible;
      font-family: var(--_font);
    }
    svg text {
      fill: var(--_text);
      font-size: var(--_text-chart);
    }
    svg .axis text {
      fill: var(--_muted);
    }
    /* A label that may cross grid lines or marks: an outline of the panel's colour keeps it legible
       (the high-contrast theme's black grid lines struck through the whale curve's peak label). */
    svg text.halo {
      paint-order: stroke;
      stroke: var(--_surface);
      stroke-width: 3px;
      stroke-linejoin: round;
    }
    svg .axis line,
    svg .axis path,
    svg .grid line {
      stroke: var(--_border);
    }
    .mark {
      fill: var(--_accent);
      cursor: pointer;
    }
    .mark.dim {
      opacity: 0.35;
    }
    .mark:focus-visible {
      outline: none;
      stroke: var(--_focus);
      stroke-width: 2px;
    }
    table.data {
      border-collapse: collapse;
      width: 100%;
      font-size: var(--_text-md);
      font-variant-numeric: tabular-nums;
    }
    table.data th,
    table.data td {
      text-align: left;
      padding: 0.25rem 0.6rem 0.25rem 0;
      border-bottom: 1px solid var(--_border);
    }
    table.data td.num,
    table.data th.num {
      text-align: right;
    }
    .tooltip {
      position: absolute;
      pointer-events: none;
      background: var(--_text);
      color: var(--_surface);
      font-size: var(--_text-sm);
      padding: 0.3rem 0.5rem;
      border-radius: 4px;
      white-space: pre-line;
      z-index: 2;
      max-width: 18rem;
    }
    .chart-wrap {
      position: relative;
    }
  `,
];
