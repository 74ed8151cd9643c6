import { useTranslation } from 'react-i18next';

/** A PIN input (digits only, masked) with an on-screen keypad for touch screens. */
export function PinField({
  value,
  onChange,
  onSubmit,
  autoFocus,
  testId,
}: {
  value: string;
  onChange(v: string): void;
  onSubmit?: () => void;
  autoFocus?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const press = (d: string) => onChange((value + d).slice(0, 12));
  return (
    <div className="pin">
      <input
        className="pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        aria-label={t('auth.pin')}
        placeholder={t('auth.pin')}
        value={value}
        autoFocus={autoFocus}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, 12))}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && onSubmit) {
            e.preventDefault();
            onSubmit();
          }
        }}
      />
      <div className="pin-pad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" className="pin-key" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button
          type="button"
          className="pin-key"
          onClick={() => onChange(value.slice(0, -1))}
          aria-label={t('auth.backspace')}
        >
          ⌫
        </button>
        <button type="button" className="pin-key" onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className="pin-key pin-ok"
          onClick={() => onSubmit?.()}
          aria-label={t('common.ok')}
        >
          OK
        </button>
      </div>
    </div>
  );
}
