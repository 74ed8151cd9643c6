import { describe, expect, it } from 'vitest';
import {
  KeyboardWedgeDecoder,
  recoverChar,
  type WedgeKeyEvent,
} from '../../native/drivers/hid/keyboard-wedge';

// A fictional CCCD QR payload (no real person): id|old id|name|birth|sex|address|issue date.
const QR = '079099001234|271234567|Lê Thị Bé|01011999|Nữ|Tổ 1, Phường 2, TP Huế|15082021';

/** What a US-configured scanner sends for a character: the US key position and shift state. */
function usKey(ch: string): { code: string; shift: boolean } | undefined {
  if (/[0-9]/.test(ch)) return { code: `Digit${ch}`, shift: false };
  if (ch === '|') return { code: 'Backslash', shift: true };
  if (ch === ',') return { code: 'Comma', shift: false };
  if (ch === ' ') return { code: 'Space', shift: false };
  if (/[a-z]/.test(ch)) return { code: `Key${ch.toUpperCase()}`, shift: false };
  if (/[A-Z]/.test(ch)) return { code: `Key${ch}`, shift: true };
  return undefined; // not on a US keyboard: the scanner sends it as Unicode (code '')
}

const AZERTY_DIGITS = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'];
const AZERTY_LETTERS: Record<string, string> = {
  KeyQ: 'a',
  KeyA: 'q',
  KeyZ: 'w',
  KeyW: 'z',
  KeySemicolon: 'm',
};

/** The key value a host with `layout` produces for a US key position. */
function hostKey(layout: 'us' | 'fr' | 'de', code: string, shift: boolean, ch: string): string {
  if (layout === 'us') return ch;
  if (code.startsWith('Digit')) {
    const d = Number(code.slice(5));
    if (layout === 'fr') return shift ? String(d) : AZERTY_DIGITS[d]!;
    return shift ? '=!"§$%&/()'[d]! : String(d); // QWERTZ: digits unshifted, symbols shifted
  }
  if (code === 'Backslash') {
    if (layout === 'fr') return shift ? 'µ' : '*';
    return shift ? "'" : '#';
  }
  if (layout === 'fr' && AZERTY_LETTERS[code])
    return shift ? AZERTY_LETTERS[code]!.toUpperCase() : AZERTY_LETTERS[code]!;
  if (layout === 'de' && code === 'KeyY') return shift ? 'Z' : 'z';
  if (layout === 'de' && code === 'KeyZ') return shift ? 'Y' : 'y';
  return ch;
}

/** Key events of a scanner burst: `gapMs` apart, Shift pressed before shifted keys, Enter at the end. */
function scannerBurst(
  text: string,
  layout: 'us' | 'fr' | 'de',
  opts: { gapMs?: number; start?: number; terminator?: string; withShift?: boolean } = {},
): WedgeKeyEvent[] {
  const gap = opts.gapMs ?? 4;
  let t = opts.start ?? 1000;
  const events: WedgeKeyEvent[] = [];
  for (const ch of text) {
    const pos = usKey(ch);
    if (!pos) {
      events.push({ key: ch, code: '', timeStamp: (t += gap) });
      continue;
    }
    if (pos.shift) events.push({ key: 'Shift', code: 'ShiftLeft', timeStamp: (t += 1) });
    const ev: WedgeKeyEvent = {
      key: hostKey(layout, pos.code, pos.shift, ch),
      code: pos.code,
      timeStamp: (t += gap),
    };
    if (opts.withShift) ev.shiftKey = pos.shift;
    events.push(ev);
  }
  const term = opts.terminator ?? 'Enter';
  events.push({ key: term, code: term, timeStamp: (t += gap) });
  return events;
}

function feedAll(d: KeyboardWedgeDecoder, events: WedgeKeyEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const r = d.feed(e);
    if (r !== null) out.push(r);
  }
  return out;
}

describe('keyboard wedge decoder', () => {
  it('returns a fast burst ended by Enter, Vietnamese characters intact and NFC', () => {
    const d = new KeyboardWedgeDecoder();
    expect(feedAll(d, scannerBurst(QR, 'us'))).toEqual([QR.normalize('NFC')]);
  });

  it('accepts Tab as the terminator too', () => {
    const d = new KeyboardWedgeDecoder();
    expect(feedAll(d, scannerBurst('079099001234', 'us', { terminator: 'Tab' }))).toEqual(['079099001234']);
  });

  it('ignores human typing (gaps of 80-200 ms) even when it ends with Enter', () => {
    const d = new KeyboardWedgeDecoder();
    const events: WedgeKeyEvent[] = [];
    let t = 0;
    for (const ch of '079099001234')
      events.push({ key: ch, code: `Digit${ch}`, timeStamp: (t += 80 + (t % 120)) });
    events.push({ key: 'Enter', code: 'Enter', timeStamp: (t += 150) });
    expect(feedAll(d, events)).toEqual([]);
  });

  it('ignores a fast burst shorter than minLength, and a burst broken by Backspace', () => {
    const d = new KeyboardWedgeDecoder({ minLength: 8 });
    expect(feedAll(d, scannerBurst('12345', 'us'))).toEqual([]);
    const broken = scannerBurst('0790990012', 'us');
    broken.splice(5, 0, { key: 'Backspace', code: 'Backspace', timeStamp: broken[4]!.timeStamp + 1 });
    expect(feedAll(d, broken)).toEqual([]);
  });

  it('starts a new burst after a pause: a person typing before a scan does not pollute it', () => {
    const d = new KeyboardWedgeDecoder();
    const human: WedgeKeyEvent[] = [
      { key: 'a', code: 'KeyA', timeStamp: 10 },
      { key: 'b', code: 'KeyB', timeStamp: 200 },
    ];
    expect(feedAll(d, [...human, ...scannerBurst('079099001234|271234567', 'us', { start: 900 })])).toEqual([
      '079099001234|271234567',
    ]);
  });

  it('recovers digits and | from a French AZERTY-mangled burst via code', () => {
    const events = scannerBurst(QR, 'fr');
    // The layout really did mangle it: the raw keys read like '&é' and 'µ', not digits and '|'.
    const raw = events
      .filter((e) => e.key.length === 1)
      .map((e) => e.key)
      .join('');
    expect(raw.startsWith('àèçàççàà&é"\'µ')).toBe(true);
    expect(feedAll(new KeyboardWedgeDecoder(), events)).toEqual([QR]);
  });

  it('recovers | from a German QWERTZ-mangled burst via code (digits were intact)', () => {
    const events = scannerBurst(QR, 'de');
    expect(events.some((e) => e.code === 'Backslash' && e.key === "'")).toBe(true);
    expect(feedAll(new KeyboardWedgeDecoder(), events)).toEqual([QR]);
  });

  it('uses shiftKey when the UI passes it', () => {
    expect(recoverChar({ key: 'µ', code: 'Backslash', timeStamp: 0, shiftKey: true })).toBe('|');
    expect(recoverChar({ key: '*', code: 'Backslash', timeStamp: 0, shiftKey: false })).toBe('\\');
    expect(recoverChar({ key: '&', code: 'Digit1', timeStamp: 0, shiftKey: false })).toBe('1');
    expect(feedAll(new KeyboardWedgeDecoder(), scannerBurst(QR, 'fr', { withShift: true }))).toEqual([QR]);
  });

  it('keeps characters that are already right, and numpad digits with NumLock off', () => {
    expect(recoverChar({ key: '|', code: 'Digit6', timeStamp: 0 })).toBe('|'); // AZERTY AltGr+6
    expect(recoverChar({ key: '7', code: 'Digit7', timeStamp: 0 })).toBe('7');
    expect(recoverChar({ key: 'ữ', code: '', timeStamp: 0 })).toBe('ữ');
    expect(recoverChar({ key: 'End', code: 'Numpad1', timeStamp: 0 })).toBe('1');
    expect(recoverChar({ key: 'ArrowLeft', code: 'ArrowLeft', timeStamp: 0 })).toBeUndefined();
  });

  it('leaves mangled keys alone when recovery is off', () => {
    const d = new KeyboardWedgeDecoder({ recoverLayout: false });
    const [text] = feedAll(d, scannerBurst('079099001234|271234567', 'fr'));
    expect(text).toBe('àèçàççàà&é"\'µéè&é"\'(-è');
  });

  it('respects a custom max gap (slow scanners)', () => {
    const slow = scannerBurst('079099001234', 'us', { gapMs: 60 });
    expect(feedAll(new KeyboardWedgeDecoder(), slow)).toEqual([]);
    expect(feedAll(new KeyboardWedgeDecoder({ maxGapMs: 80 }), slow)).toEqual(['079099001234']);
  });
});
