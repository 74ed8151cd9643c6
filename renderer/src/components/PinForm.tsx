import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../electron/shared/ipc-contract';
import { toError } from '../api';
import { ErrorBanner } from './ErrorBanner';
import { PinField } from './PinField';

/**
 * The PIN forms' common parts, written once: the first-run setup, the change-PIN dialog, the sign-in
 * and the chair's sign-off. (PinField is the on-screen keypad the sign-in and sign-off use.)
 */

/** A labelled, masked PIN input for a form (no keypad). */
export function PinInput({
  label,
  value,
  onChange,
  hint,
  testId,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  hint?: string;
  testId?: string;
}) {
  return (
    <label>
      {label}
      <input
        type="password"
        inputMode="numeric"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

/** A new PIN typed twice: the two values, and the error to show when they differ. */
export function useNewPin() {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  /** The mismatch error, or null when the two entries agree. */
  const mismatch = (): ApiError | null =>
    pin === again ? null : { code: 'pin_mismatch', vi: t('auth.pinMismatch'), en: t('auth.pinMismatch') };
  return { pin, setPin, again, setAgain, mismatch };
}

/** The "new PIN" and "repeat the PIN" inputs of a useNewPin() state. */
export function NewPinInputs({
  pins,
  hint,
  testIds,
}: {
  pins: ReturnType<typeof useNewPin>;
  /** Under the new PIN, e.g. "4–12 digits". */
  hint?: string;
  testIds?: [pin: string, again: string];
}) {
  const { t } = useTranslation();
  return (
    <>
      <PinInput
        label={t('auth.pinNew')}
        value={pins.pin}
        onChange={pins.setPin}
        hint={hint}
        testId={testIds?.[0]}
      />
      <PinInput
        label={t('auth.repeatPin')}
        value={pins.again}
        onChange={pins.setAgain}
        testId={testIds?.[1]}
      />
    </>
  );
}

/**
 * A PIN sent to the kiosk (sign-in, sign-off): one request at a time; a refused PIN shows its error
 * and is cleared for the next try.
 */
export function usePinSubmit(send: (pin: string) => Promise<void>) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await send(pin);
    } catch (e) {
      setError(toError(e));
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  /** Starts over (another account chosen): no PIN, no error. */
  const reset = () => {
    setPin('');
    setError(null);
  };
  /** A PIN is at least 4 digits: the submit button waits for them. */
  const canSubmit = !busy && pin.length >= 4;
  return { pin, setPin, error, setError, busy, submit, reset, canSubmit };
}

/** The keypad for a usePinSubmit() state, and its error under it (Enter or OK submits). */
export function PinEntry({ entry, testId }: { entry: ReturnType<typeof usePinSubmit>; testId: string }) {
  return (
    <>
      <PinField
        value={entry.pin}
        onChange={entry.setPin}
        onSubmit={() => void entry.submit()}
        autoFocus
        testId={testId}
      />
      <ErrorBanner error={entry.error} />
    </>
  );
}

/** The large submit button of a usePinSubmit() state: waits for 4 digits and for the last answer. */
export function PinSubmit({
  entry,
  label,
  testId,
}: {
  entry: ReturnType<typeof usePinSubmit>;
  label: string;
  testId: string;
}) {
  return (
    <button
      className="btn btn-primary btn-large"
      onClick={() => void entry.submit()}
      disabled={!entry.canSubmit}
      data-testid={testId}
    >
      {label}
    </button>
  );
}
