/**
 * Keybindings: `mod+shift+p`-style strings parsed once, matched against KeyboardEvents, and
 * formatted for the platform (`Ctrl+Shift+P`, `⌘⇧P`). `mod` is Cmd on macOS and Ctrl elsewhere.
 * One key with modifiers; chords (two presses) are not supported.
 */
export type Platform = 'mac' | 'other';

export interface KeyCombo {
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
  /** Lower-case key name: a letter, digit, `f1`..`f12`, `enter`, `escape`, `arrowup`, `/`, ... */
  readonly key: string;
}

const NAMED_KEYS = new Set([
  'enter', 'escape', 'tab', 'space', 'backspace', 'delete', 'insert', 'home', 'end', 'pageup', 'pagedown',
  'arrowup', 'arrowdown', 'arrowleft', 'arrowright', ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
]);
const ALIASES: Record<string, string> = { esc: 'escape', up: 'arrowup', down: 'arrowdown', left: 'arrowleft', right: 'arrowright', return: 'enter', del: 'delete' };

export class KeybindingError extends Error {
  override readonly name = 'KeybindingError';
}

/** Parses `ctrl+shift+p` (case-insensitive) for a platform; throws KeybindingError naming the problem. */
export function parseKeybinding(text: string, platform: Platform): KeyCombo {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) throw new KeybindingError(`A key must be text like "mod+shift+p"; got ${JSON.stringify(text)}.`);
  const parts = text.toLowerCase().split('+').map((p) => p.trim());
  // "ctrl++" means the plus key.
  if (text.endsWith('++')) parts.splice(parts.length - 2, 2, '+');
  const combo = { ctrl: false, meta: false, alt: false, shift: false, key: '' };
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (!last) {
      const mod = part === 'mod' ? (platform === 'mac' ? 'meta' : 'ctrl') : part === 'cmd' || part === 'meta' || part === 'win' ? 'meta' : part === 'ctrl' || part === 'control' ? 'ctrl' : part === 'alt' || part === 'option' ? 'alt' : part === 'shift' ? 'shift' : null;
      if (!mod) throw new KeybindingError(`"${text}": "${part}" is not a modifier (mod, ctrl, cmd, alt, shift).`);
      if (combo[mod]) throw new KeybindingError(`"${text}" repeats a modifier.`);
      combo[mod] = true;
      continue;
    }
    const key = ALIASES[part] ?? part;
    if (!(key.length === 1 || NAMED_KEYS.has(key))) throw new KeybindingError(`"${text}": "${part}" is not a key (a letter, digit, symbol, f1-f12, enter, escape, arrowup, ...).`);
    combo.key = key;
  }
  if (!combo.key) throw new KeybindingError(`"${text}" has no key after its modifiers.`);
  return combo;
}

/** The key of an event, independent of keyboard layout for letters and digits (alt+k on a Mac types "˚"). */
function eventKey(e: KeyboardEvent): string {
  if (/^Key[A-Z]$/.test(e.code)) return e.code.slice(3).toLowerCase();
  if (/^Digit[0-9]$/.test(e.code)) return e.code.slice(5);
  const k = e.key.toLowerCase();
  return k === ' ' ? 'space' : k;
}

export function matchesEvent(combo: KeyCombo, e: KeyboardEvent): boolean {
  return e.ctrlKey === combo.ctrl && e.metaKey === combo.meta && e.altKey === combo.alt && e.shiftKey === combo.shift && eventKey(e) === combo.key;
}

export function formatKeybinding(combo: KeyCombo, platform: Platform): string {
  const key = combo.key.length === 1 ? combo.key.toUpperCase() : combo.key === 'escape' ? 'Esc' : combo.key.replace(/^arrow/, '').replace(/^./, (c) => c.toUpperCase());
  if (platform === 'mac') return `${combo.ctrl ? '⌃' : ''}${combo.alt ? '⌥' : ''}${combo.shift ? '⇧' : ''}${combo.meta ? '⌘' : ''}${key}`;
  return [combo.ctrl && 'Ctrl', combo.meta && 'Win', combo.alt && 'Alt', combo.shift && 'Shift', key].filter(Boolean).join('+');
}

export function detectPlatform(): Platform {
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { userAgentData?: { platform?: string } });
  const name = nav?.userAgentData?.platform ?? nav?.platform ?? '';
  return /mac|iphone|ipad/i.test(name) ? 'mac' : 'other';
}
