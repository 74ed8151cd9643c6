import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, IssuerDTO, TrustIssuersDTO } from '../../../electron/shared/ipc-contract';
import type { AppContext } from '../app-context';
import { kiosk, toError, unwrap } from '../api';
import { formatDateTime } from '../format';
import { ErrorBanner, InfoBanner } from '../components/ErrorBanner';

/**
 * The chair's trust screen: the issuers (CSCA behind a chip's document signer) seen on this station's
 * chip reads, with their country, counts, first/last sighting and status; the chair approves (pins) or
 * blocks one, or lifts the decision. The main process enforces the chair role and logs every change.
 */
export function TrustScreen({ ctx: _ctx }: { ctx: AppContext }) {
  const { t } = useTranslation();
  const [data, setData] = useState<TrustIssuersDTO | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await unwrap(kiosk().trust.issuers()));
    } catch (e) {
      setError(toError(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const decide = async (issuer: IssuerDTO, action: 'approve' | 'block' | 'unblock', signers?: string[]) => {
    setError(null);
    setDone(null);
    if (action !== 'unblock' && !window.confirm(t(`trust.confirm.${action}`, { id: short(issuer.issuerId) })))
      return;
    setBusy(issuer.issuerId);
    try {
      const r = await unwrap(
        action === 'approve'
          ? kiosk().trust.approve({ issuerId: issuer.issuerId, ...(signers ? { signers } : {}) })
          : kiosk().trust[action]({ issuerId: issuer.issuerId }),
      );
      setDone(t(`trust.done.${r.status}`, { id: short(r.issuerId) }));
      await load();
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="page trust" data-testid="trust-screen">
      <div className="page-head">
        <h1>{t('trust.title')}</h1>
        <button className="btn" onClick={() => void load()}>
          {t('trust.refresh')}
        </button>
      </div>
      <p className="muted">{t('trust.intro')}</p>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {done && <InfoBanner>{done}</InfoBanner>}
      {data && (
        <p data-testid="trust-configured">
          {t('trust.configured')}:{' '}
          <strong>
            {data.configuredCountries.length ? data.configuredCountries.join(', ') : t('trust.none')}
          </strong>
        </p>
      )}
      <div className="table-scroll">
        <table className="table table-compact" data-testid="trust-table">
          <thead>
            <tr>
              <th>{t('trust.issuer')}</th>
              <th>{t('trust.country')}</th>
              <th>{t('trust.status')}</th>
              <th className="num">{t('trust.cards')}</th>
              <th>{t('trust.firstSeen')}</th>
              <th>{t('trust.lastSeen')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.issuers.map((i) => (
              <tr key={i.issuerId} data-testid={`issuer-${i.issuerId}`}>
                <td>
                  <div className="mono small" title={i.issuerId}>
                    {short(i.issuerId)}
                  </div>
                  <div className="small">{i.issuerDn}</div>
                </td>
                <td>{i.country ?? '??'}</td>
                <td>
                  <span className={`badge issuer-${i.status}`} data-testid="issuer-status">
                    {t(`trust.statuses.${i.status}`)}
                  </span>
                  {i.statusBy && (
                    <div className="muted small">
                      {i.statusBy} · {formatDateTime(i.statusAt)}
                    </div>
                  )}
                  {i.status === 'approved' && (
                    <div className="muted small">
                      {t(i.pinnedKeys.length ? 'trust.pinnedKey' : 'trust.pinned', {
                        n: i.approvedSigners,
                        total: i.documentSigners,
                      })}
                    </div>
                  )}
                  {i.conflict && (
                    <div className="small issuer-conflict" data-testid="issuer-conflict">
                      <strong>{t('trust.conflict', { n: i.conflict.length })}</strong>
                      <ul>
                        {i.conflict.map((g) => (
                          <li key={g.signers[0]}>
                            {t('trust.conflictGroup', {
                              country: g.country ?? '??',
                              cards: g.cards,
                              dn: g.issuerDn,
                            })}{' '}
                            <span className="mono">{g.signers.map((f) => f.slice(0, 12)).join(', ')}</span>{' '}
                            {i.status !== 'blocked' && (
                              <button
                                className="btn btn-small"
                                disabled={busy === i.issuerId}
                                onClick={() => void decide(i, 'approve', g.signers)}
                                data-testid="issuer-approve-group"
                              >
                                {t('trust.approveGroup')}
                              </button>
                            )}
                          </li>
                        ))}
                      </ul>
                    </div>
                  )}
                </td>
                <td className="num">{i.cards}</td>
                <td className="nowrap">{formatDateTime(i.firstSeen)}</td>
                <td className="nowrap">{formatDateTime(i.lastSeen)}</td>
                <td className="nowrap">
                  {i.status !== 'approved' && !i.conflict && (
                    <button
                      className="btn btn-small btn-primary"
                      disabled={busy === i.issuerId}
                      onClick={() => void decide(i, 'approve')}
                      data-testid="issuer-approve"
                    >
                      {t('trust.approve')}
                    </button>
                  )}{' '}
                  {i.status !== 'blocked' && (
                    <button
                      className="btn btn-small btn-danger"
                      disabled={busy === i.issuerId}
                      onClick={() => void decide(i, 'block')}
                      data-testid="issuer-block"
                    >
                      {t('trust.block')}
                    </button>
                  )}{' '}
                  {i.status !== 'seen' && (
                    <button
                      className="btn btn-small btn-quiet"
                      disabled={busy === i.issuerId}
                      onClick={() => void decide(i, 'unblock')}
                      data-testid="issuer-unblock"
                    >
                      {t(i.status === 'blocked' ? 'trust.unblock' : 'trust.unapprove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.issuers.length === 0 && <p className="muted big">{t('trust.empty')}</p>}
      </div>
    </div>
  );
}

function short(id: string): string {
  return id.length > 24 ? `${id.slice(0, 20)}…` : id;
}
