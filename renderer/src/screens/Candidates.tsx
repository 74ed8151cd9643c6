import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  CandidateDTO,
  CandidateListDTO,
  SessionDTO,
} from '../../../electron/shared/ipc-contract';
import type { AppContext } from '../app-context';
import { kiosk, toError, unwrap } from '../api';
import { formatDate, formatTime } from '../format';
import { ErrorBanner } from '../components/ErrorBanner';
import { Modal } from '../components/Modal';

export function Candidates({ ctx }: { ctx: AppContext }) {
  const { t } = useTranslation();
  const [sessions, setSessions] = useState<SessionDTO[]>([]);
  const [code, setCode] = useState<string>(ctx.sessionCode ?? '');
  const [query, setQuery] = useState('');
  const [list, setList] = useState<CandidateListDTO | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [shown, setShown] = useState<{ c: CandidateDTO; photo: string | null } | null>(null);

  useEffect(() => {
    void unwrap(kiosk().sessions.list()).then(
      (s) => {
        setSessions(s);
        setCode((c) => c || s[0]?.code || '');
      },
      (e: unknown) => setError(toError(e)),
    );
  }, []);

  useEffect(() => {
    if (!code) return;
    const handle = setTimeout(() => {
      void unwrap(kiosk().candidates.search({ sessionCode: code, ...(query.trim() ? { query } : {}) })).then(
        setList,
        (e: unknown) => setError(toError(e)),
      );
    }, 150);
    return () => clearTimeout(handle);
  }, [code, query]);

  const open = async (c: CandidateDTO) => {
    const photo = c.hasPhoto ? (await unwrap(kiosk().candidates.photo({ candidateId: c.id }))).dataUrl : null;
    setShown({ c, photo });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('candidates.title')}</h1>
        {list && (
          <div className="counter counter-small">
            <span className="counter-label">{t('checkin.present')}</span>
            <span className="counter-value">
              <strong>{list.present}</strong> / {list.total}
            </span>
          </div>
        )}
      </div>
      <div className="filters">
        <label>
          {t('checkin.session')}
          <select value={code} onChange={(e) => setCode(e.target.value)} data-testid="candidates-session">
            {sessions.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} — {formatDate(s.date)} ({t(`sessions.states.${s.state}`)})
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('candidates.search')}
          <input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t('candidates.searchHint')}
            data-testid="candidates-search"
          />
        </label>
      </div>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {list && list.candidates.length === 0 && <p className="muted big">{t('candidates.none')}</p>}
      {list && list.candidates.length > 0 && (
        <table className="table" data-testid="candidates-table">
          <thead>
            <tr>
              <th>{t('candidate.no')}</th>
              <th>{t('candidate.name')}</th>
              <th>{t('candidate.dob')}</th>
              <th>{t('candidate.class')}</th>
              <th>{t('candidate.idNumber')}</th>
              <th>{t('candidates.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.candidates.map((c) => (
              <tr key={c.id} className="clickable" onClick={() => void open(c)}>
                <td>
                  <strong>{c.candidateNo}</strong>
                </td>
                <td>{c.fullName}</td>
                <td>{formatDate(c.dateOfBirth)}</td>
                <td>{c.licenceClass ?? ''}</td>
                <td className="mono">{c.idNumberMasked}</td>
                <td>
                  {c.checkedInAt ? (
                    <span className="badge badge-ok">
                      {t('candidates.presentAt', { time: formatTime(c.checkedInAt) })}
                    </span>
                  ) : (
                    <span className="badge badge-muted">{t('candidates.absent')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && (
        <Modal title={`${shown.c.candidateNo} — ${shown.c.fullName}`} onClose={() => setShown(null)}>
          <div className="candidate-card">
            <figure className="photo">
              {shown.photo ? (
                <img src={shown.photo} alt={t('verdict.rosterPhoto')} />
              ) : (
                <div className="photo-none">{t('verdict.noPhoto')}</div>
              )}
              <figcaption>{t('verdict.rosterPhoto')}</figcaption>
            </figure>
            <dl className="facts">
              <dt>{t('candidate.dob')}</dt>
              <dd>{formatDate(shown.c.dateOfBirth)}</dd>
              <dt>{t('candidate.class')}</dt>
              <dd>{shown.c.licenceClass ?? '—'}</dd>
              <dt>{t('candidate.sex')}</dt>
              <dd>{shown.c.sex ? t(`candidate.sexes.${shown.c.sex}`) : '—'}</dd>
              <dt>{t('candidate.idNumber')}</dt>
              <dd className="mono">{shown.c.idNumberMasked}</dd>
              <dt>{t('candidates.status')}</dt>
              <dd>
                {shown.c.checkedInAt
                  ? t('candidates.presentAt', { time: formatTime(shown.c.checkedInAt) })
                  : t('candidates.absent')}
              </dd>
              {shown.c.note && (
                <>
                  <dt>{t('candidate.note')}</dt>
                  <dd>{shown.c.note}</dd>
                </>
              )}
            </dl>
          </div>
          <div className="actions">
            <button className="btn" onClick={() => setShown(null)}>
              {t('common.close')}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
