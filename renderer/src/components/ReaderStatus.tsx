import { useTranslation } from 'react-i18next';
import type { ReaderStatusDTO } from '../../../electron/shared/ipc-contract';
import { pick } from '../api';

const GOOD = new Set(['ready', 'card_present', 'reading']);

/** Every reader and scanner with its state: always on screen, so a dead reader is noticed at once. */
export function ReaderStatusBar({
  readers,
  wedgeEnabled,
}: {
  readers: ReaderStatusDTO[];
  wedgeEnabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className="readerbar" data-testid="reader-status" aria-label={t('readers.label')}>
      <span className="readerbar-label">{t('readers.label')}:</span>
      <span className={`pill ${wedgeEnabled ? 'pill-ok' : 'pill-off'}`}>
        <span className="dot" aria-hidden />
        {t('readers.wedge')} — {wedgeEnabled ? t('readers.state.ready') : t('readers.state.disabled')}
      </span>
      {readers.map((r) => (
        <span
          key={r.id}
          className={`pill ${GOOD.has(r.state) ? 'pill-ok' : r.state === 'disabled' ? 'pill-off' : 'pill-bad'}`}
          title={r.message ? pick(r.message, i18n.language) : undefined}
        >
          <span className="dot" aria-hidden />
          {t(`readers.kinds.${r.kind}`)} <span className="pill-detail">{r.name}</span> —{' '}
          {t(`readers.state.${r.state}`)}
        </span>
      ))}
      {readers.length === 0 && <span className="pill pill-off">{t('readers.noChipReader')}</span>}
    </div>
  );
}
