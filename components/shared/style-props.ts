/**
 * Inline styles that a strict Content-Security-Policy allows: `style=${styleProps({ ... })}` sets
 * each property through CSSOM (`element.style`), every time. Lit's own styleMap writes its first
 * render as a `style` attribute, which `style-src` without 'unsafe-inline' blocks (a style-src-attr
 * violation: on demo/embed/strict-csp.html the churn list's rows all sat at the top, tooltips at
 * the corner, treemap tiles uncoloured).
 *
 * Contract: only on a `style` attribute; properties absent from the next render are removed;
 * camelCase names (`transform`) and custom properties (`--_x`) both work.
 */
import { noChange, nothing } from 'lit';
import { Directive, PartType, directive, type AttributePart, type PartInfo } from 'lit/directive.js';

export type StyleProps = Readonly<Record<string, string | number | undefined | null>>;

class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('styleProps() goes on a style attribute only.');
  }

  render(_styles: StyleProps) {
    return nothing;
  }

  override update(part: AttributePart, [styles]: [StyleProps]) {
    const style = (part.element as HTMLElement | SVGElement).style;
    for (const name of this.previous) {
      if (styles[name] === undefined || styles[name] === null) set(style, name, null);
    }
    this.previous = new Set();
    for (const [name, value] of Object.entries(styles)) {
      if (value === undefined || value === null) continue;
      set(style, name, String(value));
      this.previous.add(name);
    }
    return noChange;
  }
}

function set(style: CSSStyleDeclaration, name: string, value: string | null): void {
  if (name.includes('-')) {
    if (value === null) style.removeProperty(name);
    else style.setProperty(name, value);
  } else {
    (style as unknown as Record<string, string>)[name] = value ?? '';
  }
}

export const styleProps = directive(StylePropsDirective);
