import { css } from 'lit';
import { panelStyles } from '../shared/panel.styles.js';

export const styles = [
  panelStyles,
  css`
    :host {
      --_row-h: 52px;
      --_head-h: 34px;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      margin: 0 0 0.6rem;
      padding: 0;
      list-style: none;
    }
    .chip {
      font: inherit;
      font-size: var(--_text-sm);
      display: inline-flex;
      gap: 0.35rem;
      align-items: baseline;
      border: 1px solid var(--_border);
      background: var(--_subtle);
      color: var(--_text);
      border-radius: 999px;
      padding: 0.2rem 0.7rem;
      cursor: pointer;
    }
    .chip[aria-pressed='true'] {
      background: var(--_accent);
      border-color: var(--_accent);
      color: var(--_accent-text);
    }
    .chip .count {
      font-weight: var(--_weight-strong);
      font-variant-numeric: tabular-nums;
    }
    .chip .share {
      opacity: 0.85;
      font-variant-numeric: tabular-nums;
    }
    .chip .tick {
      font-weight: var(--_weight-strong);
    }
    .note {
      font-size: var(--_text-sm);
      color: var(--_muted);
      margin: 0.4rem 0 0;
    }
    .note.listed {
      margin: 0 0 0.4rem;
    }
    .model {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.3rem 0.6rem;
      font-size: var(--_text-sm);
      color: var(--_muted);
      margin: 0 0 0.5rem;
    }
    .model .error,
    .model.error {
      color: var(--_danger);
    }
    .model button {
      font: inherit;
      padding: 0.15rem 0.6rem;
      border-radius: 999px;
      border: 1px solid currentColor;
      background: transparent;
      color: var(--_accent);
      cursor: pointer;
    }
    .model button:focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }
    .model progress {
      width: 6rem;
    }
    .grid {
      position: relative;
      height: var(--cl-churn-watch-height, 26rem);
      overflow-y: auto;
      overflow-x: hidden;
      border: 1px solid var(--_border);
      border-radius: 6px;
      background: var(--_surface);
      font-size: var(--_text-md);
      overscroll-behavior: contain;
      /* Layout and paint of the list stay inside it: scrolling never relayouts the page. */
      contain: strict;
    }
    .grid.stale .body {
      opacity: 0.55;
    }
    .grid:focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }
    .row {
      display: grid;
      grid-template-columns: 6.6rem minmax(4.5rem, 1fr) 7.2rem 7.6rem minmax(11rem, 2.3fr);
      align-items: center;
      column-gap: 0.6rem;
      padding: 0 0.6rem;
      box-sizing: border-box;
    }
    .with-score .row {
      grid-template-columns: 6.6rem minmax(4.5rem, 1fr) 7.2rem 7.6rem minmax(11rem, 2.3fr) 8rem;
    }
    .head {
      position: sticky;
      top: 0;
      z-index: 1;
      height: var(--_head-h);
      background: var(--_subtle);
      border-bottom: 1px solid var(--_border);
      font-weight: var(--_weight-strong);
      font-size: var(--_text-sm);
      color: var(--_muted);
    }
    .head .row {
      height: 100%;
    }
    .body {
      position: relative;
    }
    .body .row {
      position: absolute;
      left: 0;
      right: 0;
      top: 0;
      height: var(--_row-h);
      border-bottom: 1px solid var(--_border);
      cursor: pointer;
      contain: strict;
    }
    .body .row:hover {
      background: var(--_subtle);
    }
    .body .row.active {
      background: var(--_subtle);
      box-shadow: inset 3px 0 0 var(--_accent);
    }
    .grid:focus-visible .row.active {
      outline: 2px solid var(--_focus);
      outline-offset: -2px;
    }
    .body .row[aria-selected='true'] .name {
      font-weight: var(--_weight-strong);
    }
    .cell {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .id {
      font-family: var(--_font-mono);
      font-size: var(--_text-sm);
      color: var(--_muted);
    }
    .reasons {
      display: flex;
      gap: 0.4rem;
      align-items: center;
    }
    .hits {
      flex: none;
      display: inline-grid;
      place-items: center;
      min-width: 1.35rem;
      height: 1.35rem;
      border-radius: 999px;
      background: var(--_danger);
      color: var(--_surface);
      font-size: var(--_text-xs);
      font-weight: var(--_weight-strong);
    }
    .reason-list {
      min-width: 0;
      display: grid;
      line-height: 1.25;
    }
    .reason-list span,
    .score span {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .score {
      display: grid;
      line-height: 1.25;
    }
    .score .why {
      color: var(--_muted);
      font-size: var(--_text-xs);
    }
    .loading-row {
      color: var(--_muted);
    }
    .skeleton {
      display: block;
      height: 0.7rem;
      border-radius: 4px;
      background: var(--_subtle);
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    label.inline {
      font-size: var(--_text-sm);
      color: var(--_muted);
      display: inline-flex;
      gap: 0.35rem;
      align-items: center;
    }
    table.data + h3,
    h3 {
      font-size: var(--_text-md);
      margin: 0.8rem 0 0.3rem;
    }
    @container (max-width: 720px) {
      .row,
      .with-score .row {
        grid-template-columns: minmax(5rem, 1fr) 6.8rem minmax(9rem, 1.6fr);
      }
      .with-score .row {
        grid-template-columns: minmax(5rem, 1fr) 6.8rem minmax(9rem, 1.6fr) 5.5rem;
      }
      .c-id,
      .c-seg {
        display: none;
      }
    }
    /* A phone-width panel: the name and the reasons give way (shortened with an ellipsis; the
       client card has them whole) so that every column stays inside the list; the AUM, a figure,
       stays whole (smaller type: "CN¥37,584,132" was cut in a 300 px list). Tracks stay fixed or
       fractional: each row is a grid of its own, and the columns must line up. */
    @container (max-width: 480px) {
      .row,
      .with-score .row {
        grid-template-columns: minmax(0, 1fr) 6.6rem minmax(0, 1.5fr);
        column-gap: 0.4rem;
        padding: 0 0.4rem;
      }
      .with-score .row {
        grid-template-columns: minmax(0, 1fr) 6.6rem minmax(0, 1.5fr) 4.5rem;
      }
      .body .num {
        font-size: var(--_text-sm);
        letter-spacing: -0.02em;
      }
    }
  `,
];
