import { ClCommandPalette } from './cl-command-palette.component.js';

export { ClCommandPalette };
export type { CommandExecuteDetail, CommandErrorDetail } from './cl-command-palette.component.js';

if (!customElements.get('cl-command-palette')) customElements.define('cl-command-palette', ClCommandPalette);

declare global {
  interface HTMLElementTagNameMap {
    'cl-command-palette': ClCommandPalette;
  }
  interface HTMLElementEventMap {
    'cl-command-execute': CustomEvent<import('./cl-command-palette.component.js').CommandExecuteDetail>;
    'cl-command-error': CustomEvent<import('./cl-command-palette.component.js').CommandErrorDetail>;
  }
}
