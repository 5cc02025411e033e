/**
 * Keyboard use of chart marks: one tab stop per chart; arrow keys move between marks (in DOM
 * order, or by rows and columns in a grid), Home / End jump, Enter / Space activate, Escape clears.
 */
export interface RovingOptions {
  /** Marks per row for grid navigation (heatmaps); omit for a simple list. */
  readonly columns?: number;
  readonly onActivate: (index: number) => void;
  readonly onEscape?: () => void;
}

export function handleRovingKeys(event: KeyboardEvent, marks: readonly (HTMLElement | SVGElement)[], options: RovingOptions): void {
  const current = marks.indexOf(event.target as HTMLElement);
  if (current < 0) return;
  const cols = options.columns ?? 1;
  let next: number | null = null;
  switch (event.key) {
    case 'ArrowRight': next = cols > 1 ? current + 1 : current + 1; break;
    case 'ArrowLeft': next = current - 1; break;
    case 'ArrowDown': next = current + cols; break;
    case 'ArrowUp': next = current - cols; break;
    case 'Home': next = 0; break;
    case 'End': next = marks.length - 1; break;
    case 'Enter':
    case ' ':
      event.preventDefault();
      options.onActivate(current);
      return;
    case 'Escape':
      options.onEscape?.();
      return;
    default:
      return;
  }
  event.preventDefault();
  next = Math.max(0, Math.min(marks.length - 1, next));
  for (const [i, m] of marks.entries()) m.setAttribute('tabindex', i === next ? '0' : '-1');
  (marks[next] as HTMLElement).focus();
}
