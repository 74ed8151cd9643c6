import { useEffect, useRef, type InputHTMLAttributes, type RefObject } from 'react';
import { KeyboardWedgeDecoder, recoverChar } from '../../native/drivers/hid/keyboard-wedge';

/**
 * Keyboard-wedge QR capture for the check-in screen. A scanner "types" the QR text; every key goes
 * through the pure decoder (native/drivers/hid/keyboard-wedge.ts), and a fast burst ended by Enter/Tab is a
 * scan. People typing are ignored, and keys typed into a form field are left alone.
 *
 * Characters that come WITHOUT a key press of their own (Vietnamese letters sent as Unicode text or
 * Windows Alt codes, IME commits) only reach a focused text field, so the screen keeps an invisible
 * "sink" field focused: its keydowns are fed to the decoder (and swallowed), and text that arrives
 * with no keydown is fed as characters with the input event's time.
 */
/**
 * Largest gap between two keys of one scan. Scanners send a key every few milliseconds, but the
 * browser delivers key events on frame boundaries and a busy machine drops a frame now and then;
 * 60 ms tolerates that, while people typing 8+ keys in a row never stay under it.
 */
export const WEDGE_MAX_GAP_MS = 60;

export function useWedge(
  enabled: boolean,
  onScan: (text: string) => void,
  onKey?: (key: 'Enter' | 'Escape') => void,
): { sinkRef: RefObject<HTMLInputElement | null>; sinkProps: InputHTMLAttributes<HTMLInputElement> } {
  const decoder = useRef(new KeyboardWedgeDecoder({ maxGapMs: WEDGE_MAX_GAP_MS }));
  const sinkRef = useRef<HTMLInputElement | null>(null);
  const handlers = useRef({ onScan, onKey });
  handlers.current = { onScan, onKey };

  useEffect(() => {
    if (!enabled) return;
    const d = decoder.current;
    d.reset();
    const sink = () => sinkRef.current;
    const isFormField = (el: Element | null) =>
      !!el &&
      el !== sink() &&
      ((el as HTMLElement).isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
    const focusSink = () => {
      const s = sink();
      if (s && !isFormField(document.activeElement) && document.activeElement !== s)
        s.focus({ preventScroll: true });
    };

    const deliver = (text: string | null) => {
      if (text !== null) handlers.current.onScan(text);
    };

    const onKeyDown = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (isFormField(target)) return;
      if (e.ctrlKey || e.metaKey) return;
      // Windows Alt codes: the digits compose one character that arrives as text (onInput).
      if (e.altKey && e.code.startsWith('Numpad')) return;
      const inBurst = d.bufferedLength > 0;
      const printable = recoverChar({
        key: e.key,
        code: e.code,
        timeStamp: e.timeStamp,
        shiftKey: e.shiftKey,
      });
      // Swallow what the sink would insert (it is fed here) and Space/Enter that would "click" a button.
      if (printable !== undefined || ((e.key === 'Enter' || e.key === 'Tab') && inBurst)) e.preventDefault();
      const text = d.feed({ key: e.key, code: e.code, timeStamp: e.timeStamp, shiftKey: e.shiftKey });
      if (text !== null) {
        e.preventDefault();
        deliver(text);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Escape') && !inBurst) {
        if (target?.tagName === 'BUTTON') return; // Enter on a focused button is its click
        handlers.current.onKey?.(e.key);
      }
    };

    const onInput = (e: Event) => {
      const s = sink();
      if (!s || e.target !== s) return;
      const data = (e as InputEvent).data ?? s.value;
      s.value = '';
      for (const ch of data) {
        deliver(d.feed({ key: ch, code: '', timeStamp: e.timeStamp }));
      }
    };

    // Keep the sink focused whenever no form field is: after clicks, dialogs closing, start-up.
    const onFocusOut = () => setTimeout(focusSink, 0);
    const onPointerUp = () => setTimeout(focusSink, 0);
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('input', onInput, true);
    window.addEventListener('focusout', onFocusOut, true);
    window.addEventListener('pointerup', onPointerUp, true);
    focusSink();
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('input', onInput, true);
      window.removeEventListener('focusout', onFocusOut, true);
      window.removeEventListener('pointerup', onPointerUp, true);
    };
  }, [enabled]);

  return {
    sinkRef,
    sinkProps: {
      className: 'wedge-sink',
      inputMode: 'none',
      autoComplete: 'off',
      spellCheck: false,
      tabIndex: -1,
      'aria-hidden': true,
      readOnly: false,
      defaultValue: '',
    },
  };
}
