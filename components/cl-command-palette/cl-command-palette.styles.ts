import { css } from 'lit';
import { themeTokens } from '../shared/theme.styles.js';

export const styles = [
  themeTokens,
  css`
    :host {
      display: inline-block;
    }
    .open {
      font: inherit;
      font-size: var(--_text-md);
      display: inline-flex;
      gap: 0.5rem;
      align-items: center;
      border: 1px solid var(--_border);
      background: var(--_surface);
      color: var(--_text);
      border-radius: 6px;
      padding: 0.25rem 0.6rem;
      cursor: pointer;
    }
    kbd {
      font: inherit;
      font-size: var(--_text-xs);
      color: var(--_muted);
      border: 1px solid var(--_border);
      border-radius: 4px;
      padding: 0 0.3rem;
      white-space: nowrap;
    }
    .status {
      position: absolute;
      width: 1px;
      height: 1px;
      /* Back inside its line: at the page's right edge the hidden text made the page 1px wider than a phone's screen. */
      margin: -1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .status.visible {
      position: static;
      width: auto;
      height: auto;
      margin: 0;
      clip-path: none;
      white-space: normal;
      margin-left: 0.5rem;
      font-size: var(--_text-sm);
      color: var(--_danger);
    }
    dialog {
      width: min(40rem, 92vw);
      margin: 12vh auto auto;
      padding: 0;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
      color: var(--_text);
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.25);
    }
    dialog::backdrop {
      background: rgb(10 20 35 / 0.35);
    }
    input {
      box-sizing: border-box;
      width: 100%;
      font: inherit;
      font-size: var(--_text-base);
      padding: 0.7rem 0.9rem;
      border: 0;
      border-bottom: 1px solid var(--_border);
      background: transparent;
      color: var(--_text);
    }
    input:focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: -2px;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0.3rem;
      max-height: min(24rem, 60vh);
      overflow: auto;
    }
    li {
      display: flex;
      justify-content: space-between;
      gap: 1rem;
      align-items: center;
      padding: 0.4rem 0.6rem;
      border-radius: 6px;
      cursor: pointer;
    }
    li[aria-selected='true'] {
      background: var(--_accent);
      color: var(--_accent-text);
    }
    li[aria-selected='true'] kbd,
    li[aria-selected='true'] .plugin {
      color: inherit;
      border-color: currentColor;
    }
    .cat {
      color: var(--_muted);
    }
    li[aria-selected='true'] .cat {
      color: inherit;
    }
    mark {
      background: none;
      color: inherit;
      font-weight: var(--_weight-strong);
      text-decoration: underline;
    }
    .meta {
      display: inline-flex;
      gap: 0.5rem;
      align-items: center;
    }
    .plugin {
      font-size: var(--_text-xs);
      color: var(--_muted);
    }
    .empty {
      margin: 0;
      padding: 0.8rem 0.9rem;
      color: var(--_muted);
    }
  `,
];
