/**
 * Containment for plugin panels. A contributed panel's element class is defined through a guarded
 * subclass: a throw in its constructor, lifecycle callbacks or Lit update cycle (render, willUpdate,
 * updated...) is reported to the host, which marks the plugin failed; the element then shows an
 * error badge naming the plugin instead of its content, and never updates again. The badge is
 * built with DOM calls and a constructed stylesheet: no markup strings, fine under a strict CSP
 * and Trusted Types.
 */
import { css } from 'lit';
import { msg, str } from '@lit/localize';

export interface PanelFailure {
  readonly pluginId: string;
  readonly pluginName: string;
  readonly message: string;
}

export interface PanelGuardHooks {
  /** The plugin's failure, if it has failed. */
  failure(): PanelFailure | undefined;
  /** A throw from the panel's code; `element` is null when its constructor threw. */
  report(element: Element | null, error: unknown): void;
  connected(element: Element): void;
  disconnected(element: Element): void;
}

interface LifecycleCallbacks {
  connectedCallback?(): void;
  disconnectedCallback?(): void;
  adoptedCallback?(): void;
  attributeChangedCallback?(name: string, oldValue: string | null, newValue: string | null): void;
  performUpdate?(): unknown;
}

type ElementBase = new () => HTMLElement & LifecycleCallbacks;

/** A subclass of the plugin's element class that reports instead of throwing. */
export function guardPanelClass(base: CustomElementConstructor, hooks: PanelGuardHooks): CustomElementConstructor {
  const Base = base as unknown as ElementBase;
  const guard = (el: Element, fn: () => unknown): unknown => {
    try {
      return fn();
    } catch (err) {
      hooks.report(el, err);
      return undefined;
    }
  };
  class GuardedPanel extends Base {
    constructor() {
      try {
        super();
      } catch (err) {
        hooks.report(null, err);
        throw err;
      }
    }

    override connectedCallback(): void {
      hooks.connected(this);
      const failed = hooks.failure();
      if (failed) return renderPanelError(this, failed);
      guard(this, () => super.connectedCallback?.());
    }

    override disconnectedCallback(): void {
      hooks.disconnected(this);
      if (!hooks.failure()) guard(this, () => super.disconnectedCallback?.());
    }

    override adoptedCallback(): void {
      if (!hooks.failure()) guard(this, () => super.adoptedCallback?.());
    }

    override attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
      if (!hooks.failure()) guard(this, () => super.attributeChangedCallback?.(name, oldValue, newValue));
    }

    // Lit's update cycle (ReactiveElement.performUpdate marks itself updated before rethrowing).
    override performUpdate(): unknown {
      if (hooks.failure()) return undefined;
      return guard(this, () => super.performUpdate?.());
    }
  }
  return GuardedPanel as unknown as CustomElementConstructor;
}

let sheet: CSSStyleSheet | undefined;

const badgeStyles = css`
  :host {
    display: block;
  }
  .cl-plugin-error {
    font-family: var(--cl-font, system-ui, sans-serif);
    border: 1px solid var(--cl-color-danger, #b3261e);
    border-left-width: 4px;
    border-radius: var(--cl-radius, 8px);
    background: var(--cl-color-surface, #fff);
    color: var(--cl-color-text, #1c2430);
    padding: 0.75rem 1rem;
  }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    font-weight: 600;
    color: #fff;
    background: var(--cl-color-danger, #b3261e);
    border-radius: 999px;
    padding: 0.05rem 0.55rem;
    margin-right: 0.4rem;
  }
  p {
    margin: 0.4rem 0 0;
    font-size: 0.875rem;
    overflow-wrap: anywhere;
  }
`;

const badged = new WeakSet<Element>();

/** Whether an element currently shows a plugin error badge. */
export function hasPanelError(element: Element): boolean {
  return badged.has(element);
}

/** Replaces a panel's content with an error badge naming the plugin. */
export function renderPanelError(element: Element, failure: PanelFailure): void {
  let root: ShadowRoot | Element | null = element.shadowRoot;
  if (!root) {
    try {
      root = element.attachShadow({ mode: 'open' });
    } catch {
      // A closed shadow root (or an element that cannot host one): the light DOM is all we have.
      root = element;
    }
  }
  const doc = element.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'cl-plugin-error';
  box.setAttribute('role', 'alert');
  box.setAttribute('part', 'plugin-error');
  box.dataset.pluginId = failure.pluginId;
  const head = doc.createElement('div');
  const badge = doc.createElement('span');
  badge.className = 'badge';
  badge.textContent = msg('Plugin error', { id: 'plugin.badge' });
  const title = doc.createElement('strong');
  title.textContent = msg(str`${failure.pluginName} stopped working`, { id: 'plugin.failed-title' });
  head.append(badge, title);
  const detail = doc.createElement('p');
  detail.textContent = failure.message;
  const hint = doc.createElement('p');
  hint.textContent = msg('The rest of the dashboard keeps working.', { id: 'plugin.failed-hint' });
  box.append(head, detail, hint);
  if (root instanceof ShadowRoot) {
    if (typeof CSSStyleSheet !== 'undefined' && 'adoptedStyleSheets' in root) root.adoptedStyleSheets = [(sheet ??= badgeStyles.styleSheet!)];
  }
  root.replaceChildren(box);
  badged.add(element);
}
