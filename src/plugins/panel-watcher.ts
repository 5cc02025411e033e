/**
 * Finds elements of contributed panel tags in a root (MutationObserver) and reports when one
 * becomes visible (IntersectionObserver): the `onPanel:<tag>` activation event. Panels scrolled
 * out of view, or in a collapsed part of the page, load no plugin code until they are seen.
 */
import type { Disposable } from '../lifecycle/disposable.js';

export class PanelWatcher implements Disposable {
  private readonly tags = new Set<string>();
  private mutations?: MutationObserver;
  private visibility?: IntersectionObserver;
  private readonly observed = new WeakSet<Element>();

  constructor(
    private readonly root: ParentNode & Node,
    private readonly onFound: (tag: string, element: Element) => void,
    private readonly onVisible: (tag: string, element: Element) => void,
  ) {}

  /** Starts watching (no-op where the observers do not exist, e.g. Node). */
  start(): void {
    if (typeof MutationObserver === 'undefined' || typeof IntersectionObserver === 'undefined' || this.mutations) return;
    this.visibility = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        this.visibility!.unobserve(e.target);
        this.onVisible(e.target.localName, e.target);
      }
    });
    this.mutations = new MutationObserver((records) => {
      for (const r of records) for (const node of r.addedNodes) if (node.nodeType === 1) this.scan(node as Element);
    });
    this.mutations.observe(this.root, { childList: true, subtree: true });
    this.scan(this.root);
  }

  watch(tags: Iterable<string>): void {
    for (const t of tags) this.tags.add(t);
    if (this.mutations) this.scan(this.root);
  }

  unwatch(tags: Iterable<string>): void {
    for (const t of tags) this.tags.delete(t);
  }

  /** Elements of a tag now in the root. */
  elements(tag: string): Element[] {
    return typeof (this.root as ParentNode).querySelectorAll === 'function' ? [...this.root.querySelectorAll(tag)] : [];
  }

  private scan(node: ParentNode & Node): void {
    if (this.tags.size === 0) return;
    const selector = [...this.tags].join(',');
    const found = [...((node as Element).matches?.(selector) ? [node as Element] : []), ...node.querySelectorAll(selector)];
    for (const el of found) {
      if (this.observed.has(el)) continue;
      this.observed.add(el);
      this.onFound(el.localName, el);
      this.visibility?.observe(el);
    }
  }

  dispose(): void {
    this.mutations?.disconnect();
    this.visibility?.disconnect();
    this.mutations = undefined;
    this.visibility = undefined;
  }
}
