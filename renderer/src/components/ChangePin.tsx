import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';
import { Modal } from './Modal';
import { ErrorBanner, InfoBanner } from './ErrorBanner';
import { Form } from './Form';
import { NewPinInputs, PinInput, useNewPin } from './PinForm';

export function ChangePinDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const pins = useNewPin();
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const submit = async () => {
    const mismatch = pins.mismatch();
    setError(mismatch);
    if (mismatch) return;
    try {
      await unwrap(kiosk().auth.changePin({ currentPin: current, newPin: pins.pin }));
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
        <Form onSubmit={submit}>
          <PinInput label={t('auth.currentPin')} value={current} onChange={setCurrent} />
          <NewPinInputs pins={pins} />
          <ErrorBanner error={error} />
          <div className="actions">
            <button className="btn btn-primary" type="submit">
              {t('common.save')}
            </button>
          </div>
        </Form>
      )}
      <div className="actions">
        <button className="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
