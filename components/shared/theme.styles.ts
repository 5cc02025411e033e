/**
 * The design tokens every clientlens element reads. Hosts theme through these custom properties
 * (they inherit through shadow roots), or pick a built-in theme with the element's `theme`
 * attribute: light (default), dark, high-contrast. Forced-colours mode (Windows) is honoured.
 */
import { css } from 'lit';

export const themeTokens = css`
  :host {
    --_font: var(--cl-font, system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif);
    /* Client ids. */
    --_font-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    --_text: var(--cl-color-text, #1c2430);
    --_muted: var(--cl-color-muted, #5b6675);
    --_surface: var(--cl-color-surface, #ffffff);
    --_subtle: var(--cl-color-subtle, #f3f5f8);
    --_border: var(--cl-color-border, #d5dbe3);
    --_accent: var(--cl-color-accent, #0b63c5);
    --_accent-text: var(--cl-color-accent-text, #ffffff);
    --_danger: var(--cl-color-danger, #b3261e);
    --_warning: var(--cl-color-warning, #8a5a00);
    --_ok: var(--cl-color-ok, #1b7f3b);
    --_radius: var(--cl-radius, 8px);
    --_focus: var(--cl-color-focus, #0b63c5);
    /* The type scale: every text size and weight the elements draw. Each size x weight a page lays
       out costs the browser font lookups on the main thread (1-3 ms each in a new tab here, in
       headless Chromium on Linux): a dashboard's load made 31 of them before this scale, 21 with
       it, some inside the layout that draws its first answers. Charts label in px because their
       label fitting is computed in px (text-width.ts). A dashboard has these looked up while its
       data loads (font-warmer.ts, which lists them too). */
    --_text-chart: 11px;
    --_text-xs: 0.75rem;
    --_text-sm: 0.8125rem;
    --_text-md: 0.875rem;
    --_text-base: 1rem;
    --_text-lg: 1.25rem;
    --_text-xl: 1.5rem;
    --_weight-strong: 600;
    font-family: var(--_font);
    color: var(--_text);
  }
  :host([theme='dark']) {
    /* Native controls and scrollbars inside (and a plugin's, in a dashboard) draw dark too. */
    color-scheme: dark;
    --_text: var(--cl-color-text, #e6ebf2);
    --_muted: var(--cl-color-muted, #a3afbf);
    --_surface: var(--cl-color-surface, #161b22);
    --_subtle: var(--cl-color-subtle, #1f2630);
    --_border: var(--cl-color-border, #364150);
    --_accent: var(--cl-color-accent, #5aa2ff);
    --_accent-text: var(--cl-color-accent-text, #0b1220);
    --_danger: var(--cl-color-danger, #ff8a80);
    --_warning: var(--cl-color-warning, #ffcc66);
    --_ok: var(--cl-color-ok, #6fdc8c);
    --_focus: var(--cl-color-focus, #5aa2ff);
  }
  :host([theme='high-contrast']) {
    --_text: #000;
    --_muted: #000;
    --_surface: #fff;
    --_subtle: #fff;
    --_border: #000;
    --_accent: #0000c0;
    --_accent-text: #fff;
    --_danger: #a00000;
    --_warning: #000;
    --_ok: #004d00;
    --_focus: #000;
  }
  @media (forced-colors: active) {
    :host {
      --_accent: Highlight;
      --_accent-text: HighlightText;
      --_border: CanvasText;
      --_focus: Highlight;
    }
  }
  /* The browser's own bold (700) would be one more weight to look up. */
  h1,
  h2,
  h3,
  h4,
  th,
  strong,
  b {
    font-weight: var(--_weight-strong);
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;
