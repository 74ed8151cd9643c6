import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, RemoteCheckinDTO, SyncStatusDTO } from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';
import { formatDateTime } from '../format';
import { ErrorBanner } from './ErrorBanner';

/**
 * The council server, for the chair: which server this station syncs with, how far it is, a round
 * now, and the candidates the server found checked in at two stations (both clocks shown).
 */
export function SyncPanel() {
  const { t, i18n } = useTranslation();
  const vi = i18n.language.startsWith('vi');
  const [status, setStatus] = useState<SyncStatusDTO | null>(null);
  const [server, setServer] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    try {
      const s = await unwrap(kiosk().sync.status());
      setStatus(s);
    } catch (e) {
      setError(toError(e));
    }
  }, []);
  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), 5000);
    return () => clearInterval(timer);
  }, [reload]);

  const act = async (fn: () => Promise<SyncStatusDTO>) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await fn());
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" data-testid="sync-panel">
      <h2>{t('sync.title')}</h2>
      <p className="hint">{t('sync.hint')}</p>
      {status && (
        <ul className="reasons-small" data-testid="sync-status">
          <li>
            {t('sync.server')}: <strong>{status.server ?? t('sync.none')}</strong>
          </li>
          <li data-state={status.state}>
            {t('sync.state')}: <strong>{t(`sync.states.${status.state}`)}</strong>
            {status.lastError && <div className="hint">{vi ? status.lastError.vi : status.lastError.en}</div>}
          </li>
          <li>
            {t('sync.pending', {
              pending: status.pending,
              head: status.localHead,
              server: status.serverHead ?? '—',
            })}
          </li>
          <li>
            {t('sync.lastSuccess')}: {status.lastSuccessAt ? formatDateTime(status.lastSuccessAt) : '—'}
          </li>
          <li>{t('sync.remote', { count: status.remoteCheckins })}</li>
        </ul>
      )}
      <div className="actions actions-left">
        <input
          value={server}
          placeholder="postgres://may-chu:5432/hoi-dong?sslmode=verify-full"
          onChange={(e) => setServer(e.target.value)}
          data-testid="sync-server"
          aria-label={t('sync.server')}
        />
        <button
          className="btn"
          disabled={busy || !server.trim()}
          onClick={() => void act(() => unwrap(kiosk().sync.configure({ server: server.trim() })))}
          data-testid="sync-configure"
        >
          {t('sync.use')}
        </button>
        <button
          className="btn"
          disabled={busy || !status?.server}
          onClick={() => void act(() => unwrap(kiosk().sync.configure({ server: null })))}
        >
          {t('sync.off')}
        </button>
        <button
          className="btn btn-primary"
          disabled={busy || !status?.server}
          onClick={() => void act(() => unwrap(kiosk().sync.now()))}
          data-testid="sync-now"
        >
          {t('sync.now')}
        </button>
      </div>
      {error && <ErrorBanner error={error} />}
      {status && status.duplicates.length > 0 && (
        <>
          <h3>{t('sync.duplicates')}</h3>
          <p className="hint">{t('sync.timesNote')}</p>
          <ul className="reasons-small" data-testid="sync-duplicates">
            {status.duplicates.map((d) => (
              <li key={`${d.second.station}-${d.candidateNo}-${d.second.at}`} data-state="problem">
                {t('sync.duplicate', {
                  session: d.sessionCode,
                  candidate: d.candidateNo,
                  first: d.first.station,
                  firstAt: formatDateTime(d.first.at),
                  firstReceived: formatDateTime(d.first.receivedAt),
                  second: d.second.station,
                  secondAt: formatDateTime(d.second.at),
                  secondReceived: formatDateTime(d.second.receivedAt),
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The session across stations (log screen): the other stations' check-ins pulled from the council server. */
export function RemoteCheckins({ sessionCode }: { sessionCode: string }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<RemoteCheckinDTO[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    unwrap(kiosk().sync.sessionCheckins({ sessionCode }))
      .then((r) => live && setRows(r))
      .catch((e: unknown) => live && setError(toError(e)));
    return () => {
      live = false;
    };
  }, [sessionCode]);
  if (error) return <ErrorBanner error={error} />;
  if (!rows || rows.length === 0) return null;
  return (
    <section className="card" data-testid="remote-checkins">
      <h2>{t('sync.otherStations', { count: rows.length })}</h2>
      <p className="hint">{t('sync.timesNote')}</p>
      <table className="table">
        <thead>
          <tr>
            <th>{t('sync.station')}</th>
            <th>{t('sync.stationTime')}</th>
            <th>{t('sync.receivedTime')}</th>
            <th>{t('sync.candidate')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.station}-${r.candidateNo}-${r.at}`}>
              <td>{r.station}</td>
              <td className="nowrap">{formatDateTime(r.at)}</td>
              <td className="nowrap">{formatDateTime(r.receivedAt)}</td>
              <td>
                {r.candidateNo}
                {r.fullName ? ` · ${r.fullName}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
