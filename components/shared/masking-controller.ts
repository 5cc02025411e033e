/**
 * The page's masking policy (`setMasking` in src/privacy/masking.ts) for an element: `show` turns
 * a value of a sensitive field into what may be displayed, and the host re-renders when the host
 * page changes the policy. The element's own `mask` attribute (names only, "王*") applies on top.
 *
 * Contract: every place an element puts a client name, client id or RM name on screen (text,
 * tooltip, aria-label, table view) goes through `show` or `label`; kernels, filters and events keep
 * the real values. CSV exports are masked in toCsv (src/export/csv.ts) by column name.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isMaskableField, maskValue, onMaskingChange, type MaskableField } from '../../src/privacy/masking.js';
import type { Disposable } from '../../src/lifecycle/disposable.js';
import { maskName } from '../cl-client-card/mask-name.js';

export class MaskingController implements ReactiveController {
  private sub?: Disposable;

  constructor(private readonly host: ReactiveControllerHost & { mask?: boolean }) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sub = onMaskingChange(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    void this.sub?.dispose();
    this.sub = undefined;
  }

  /** A value of `field` as it may be shown. */
  show(field: MaskableField, value: string | null | undefined): string {
    if (value === null || value === undefined) return '';
    if (field === 'name' && this.host.mask) return maskName(value);
    return maskValue(field, value);
  }

  /** A group label of a category `column`: masked when the column is a sensitive field (e.g. by="rm"). */
  label(column: string | null | undefined, value: string | null | undefined): string {
    if (value === null || value === undefined) return '';
    return column && isMaskableField(column) ? this.show(column, value) : value;
  }
}
