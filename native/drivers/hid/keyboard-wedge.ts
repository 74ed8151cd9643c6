/**
 * Keyboard-wedge scanners type the scanned text as key presses. This pure decoder, fed the UI's key
 * events, tells a scanner burst (many keys, each within a few milliseconds of the last, ended by Enter or
 * Tab) from a person typing, and returns the scanned text.
 *
 * Layout mangling: a scanner sends US key positions; on a French (AZERTY) or German (QWERTZ) layout the
 * digit row and the `|` key then produce other characters ('&' for 1, "'" for |, …). `code` names the
 * physical key whatever the layout, so digits and `|` (all a CCCD QR needs besides letters) are recovered
 * from it. Characters that arrived intact (Vietnamese letters typed through an input method or Alt codes,
 * ASCII letters) are kept as they are.
 *
 * Pure: no DOM, no timers; the caller passes `timeStamp` (KeyboardEvent.timeStamp, ms).
 */

export interface WedgeKeyEvent {
  key: string;
  code: string;
  timeStamp: number;
  /** KeyboardEvent.shiftKey when known: decides between the two characters of a mangled key. */
  shiftKey?: boolean;
}

export interface KeyboardWedgeOptions {
  /** Largest gap between two keys of one burst (default 40 ms; people rarely type under 60 ms). */
  maxGapMs?: number;
  /** Fewest characters for a burst to count as a scan (default 8). */
  minLength?: number;
  /** Keys that end a scan (default Enter and Tab). */
  terminators?: string[];
  /** Recover digits and `|` from `code` when the layout mangled them (default true). */
  recoverLayout?: boolean;
}

/**
 * US-layout characters of the keys recovered from `code`: [unshifted, shifted]. Only the digit row and
 * the `|` key: letters are left as typed (a layout may legitimately put them elsewhere).
 */
const US_KEYS: Record<string, [string, string]> = {
  Digit0: ['0', ')'],
  Digit1: ['1', '!'],
  Digit2: ['2', '@'],
  Digit3: ['3', '#'],
  Digit4: ['4', '$'],
  Digit5: ['5', '%'],
  Digit6: ['6', '^'],
  Digit7: ['7', '&'],
  Digit8: ['8', '*'],
  Digit9: ['9', '('],
  Backslash: ['\\', '|'],
};

const NUMPAD: Record<string, string> = {
  Numpad0: '0',
  Numpad1: '1',
  Numpad2: '2',
  Numpad3: '3',
  Numpad4: '4',
  Numpad5: '5',
  Numpad6: '6',
  Numpad7: '7',
  Numpad8: '8',
  Numpad9: '9',
  NumpadDecimal: '.',
  NumpadSubtract: '-',
  NumpadAdd: '+',
  NumpadMultiply: '*',
  NumpadDivide: '/',
};

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Fn']);

/**
 * The character a key event stands for, recovered from `code` when the layout mangled it.
 * Returns undefined for keys that type nothing.
 */
export function recoverChar(ev: WedgeKeyEvent, recover = true): string | undefined {
  const intact = /^[0-9|]$/.test(ev.key);
  if (recover && !intact) {
    const numpad = NUMPAD[ev.code];
    // NumLock off turns numpad digits into navigation keys; the position still says which digit.
    if (numpad !== undefined) return numpad;
    const us = US_KEYS[ev.code];
    if (us && ev.key !== us[0] && ev.key !== us[1]) {
      if (ev.shiftKey !== undefined) return ev.shiftKey ? us[1] : us[0];
      // Without the shift state: a scanner types digits unshifted and `|` shifted.
      return ev.code === 'Backslash' ? us[1] : us[0];
    }
  }
  if (ev.key === 'Dead' || ev.key === 'Unidentified') return undefined;
  // One character (a Vietnamese letter may be one or two code units): printable.
  if ([...ev.key].length === 1) return ev.key;
  return undefined;
}

/** Feeds key events, returns the scanned text when a scanner burst ends. */
export class KeyboardWedgeDecoder {
  private readonly maxGapMs: number;
  private readonly minLength: number;
  private readonly terminators: Set<string>;
  private readonly recover: boolean;
  private chars: string[] = [];
  private last = Number.NEGATIVE_INFINITY;

  constructor(options: KeyboardWedgeOptions = {}) {
    this.maxGapMs = options.maxGapMs ?? 40;
    this.minLength = options.minLength ?? 8;
    this.terminators = new Set(options.terminators ?? ['Enter', 'Tab']);
    this.recover = options.recoverLayout ?? true;
  }

  /** Characters collected in the burst so far (for a UI that wants to hide them from inputs). */
  get bufferedLength(): number {
    return this.chars.length;
  }

  reset(): void {
    this.chars = [];
    this.last = Number.NEGATIVE_INFINITY;
  }

  /** Returns the scanned text (NFC) when this key ends a scanner burst; null otherwise. */
  feed(ev: WedgeKeyEvent): string | null {
    const gap = ev.timeStamp - this.last;
    if (MODIFIERS.has(ev.key)) {
      // Shift/AltGr presses are part of a burst's timing but type nothing.
      if (this.chars.length > 0 && gap > this.maxGapMs) this.reset();
      if (this.chars.length > 0) this.last = ev.timeStamp;
      return null;
    }
    if (this.chars.length > 0 && gap > this.maxGapMs) this.reset();
    const isTerminator =
      this.terminators.has(ev.key) || (ev.code === 'NumpadEnter' && this.terminators.has('Enter'));
    if (isTerminator) {
      const text = this.chars.join('');
      const done = this.chars.length >= this.minLength;
      this.reset();
      return done ? text.normalize('NFC') : null;
    }
    const ch = recoverChar(ev, this.recover);
    if (ch === undefined) {
      if (ev.key !== 'Dead')
        this.reset(); // Backspace, arrows… : a person is editing
      else this.last = ev.timeStamp;
      return null;
    }
    this.chars.push(ch);
    this.last = ev.timeStamp;
    return null;
  }
}
