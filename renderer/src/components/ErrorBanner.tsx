import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../electron/shared/ipc-contract';
import { pick } from '../api';

/** An error as the examiner reads it: the message in the UI language, the code small for support. */
export function ErrorBanner({ error, onClose }: { error: ApiError | null; onClose?: () => void }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <span className="banner-icon" aria-hidden>
        !
      </span>
      <span className="banner-text">{pick(error, i18n.language)}</span>
      <span className="banner-code">{error.code}</span>
      {onClose && (
        <button className="btn btn-quiet" onClick={onClose}>
          {t('common.close')}
        </button>
      )}
    </div>
  );
}

export function InfoBanner({ children }: { children: React.ReactNode }) {
  return (
    <div className="banner banner-info" role="status">
      {children}
    </div>
  );
}
