import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';
import { Modal } from './Modal';
import { ErrorBanner, InfoBanner } from './ErrorBanner';

export function ChangePinDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const submit = async () => {
    setError(null);
    if (next !== again) {
      setError({ code: 'pin_mismatch', vi: t('auth.pinMismatch'), en: t('auth.pinMismatch') });
      return;
    }
    try {
      await unwrap(kiosk().auth.changePin({ currentPin: current, newPin: next }));
      setDone(true);
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <Modal title={t('auth.changePin')} onClose={onClose}>
      {done ? (
        <InfoBanner>{t('auth.pinChanged')}</InfoBanner>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label>
            {t('auth.currentPin')}
            <input
              type="password"
              inputMode="numeric"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </label>
          <label>
            {t('auth.newPin')}
            <input
              type="password"
              inputMode="numeric"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          </label>
          <label>
            {t('auth.repeatPin')}
            <input
              type="password"
              inputMode="numeric"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
          </label>
          <ErrorBanner error={error} />
          <div className="actions">
            <button className="btn btn-primary" type="submit">
              {t('common.save')}
            </button>
          </div>
        </form>
      )}
      <div className="actions">
        <button className="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
