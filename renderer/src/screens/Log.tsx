import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  LogDetailsDTO,
  LogEntryDTO,
  SessionDTO,
  VerifyDTO,
} from '../../../electron/shared/ipc-contract';
import {
  IDENTITY_VERDICTS,
  OUTCOMES,
  type IdentityVerdict,
  type Outcome,
} from '../../../native/domain/vocabulary';
import type { AppContext } from '../app-context';
import { RemoteCheckins } from '../components/SyncPanel';
import { kiosk, pick, toError, unwrap } from '../api';
import { formatDate, formatDateTime, parseDmy, vnDayBoundary } from '../format';
import { ErrorBanner } from '../components/ErrorBanner';

const PAGE = 100;

interface Filters {
  sessionCode: string;
  outcome: string;
  identityVerdict: string;
  actor: string;
  from: string;
  to: string;
}

export function LogScreen({ ctx }: { ctx: AppContext }) {
  const { t, i18n } = useTranslation();
  const [sessions, setSessions] = useState<SessionDTO[]>([]);
  const [actors, setActors] = useState<string[]>([]);
  const [filters, setFilters] = useState<Filters>({
    sessionCode: ctx.sessionCode ?? '',
    outcome: '',
    identityVerdict: '',
    actor: '',
    from: '',
    to: '',
  });
  const [entries, setEntries] = useState<LogEntryDTO[]>([]);
  const [more, setMore] = useState(false);
  const [selected, setSelected] = useState<LogDetailsDTO | null>(null);
  const [verify, setVerify] = useState<VerifyDTO | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const runVerify = useCallback(async () => {
    setVerifying(true);
    try {
      setVerify(await unwrap(kiosk().log.verify()));
    } catch (e) {
      setError(toError(e));
    } finally {
      setVerifying(false);
    }
  }, []);

  useEffect(() => {
    void unwrap(kiosk().sessions.list()).then(setSessions, () => {});
    void unwrap(kiosk().log.actors()).then(setActors, () => {});
    void runVerify();
  }, [runVerify]);

  const load = useCallback(
    async (offset: number) => {
      setError(null);
      const from = filters.from ? parseDmy(filters.from) : null;
      const to = filters.to ? parseDmy(filters.to) : null;
      if ((filters.from && !from) || (filters.to && !to)) {
        setError({ code: 'bad_date', vi: t('sessions.badDate'), en: t('sessions.badDate') });
        return;
      }
      try {
        const page = await unwrap(
          kiosk().log.list({
            ...(filters.sessionCode ? { sessionCode: filters.sessionCode } : {}),
            ...(filters.outcome ? { outcome: filters.outcome as Outcome } : {}),
            ...(filters.identityVerdict
              ? { identityVerdict: filters.identityVerdict as IdentityVerdict }
              : {}),
            ...(filters.actor ? { actor: filters.actor } : {}),
            ...(from ? { from: vnDayBoundary(from) } : {}),
            ...(to ? { to: vnDayBoundary(to, true) } : {}),
            limit: PAGE,
            offset,
          }),
        );
        setEntries((old) => (offset === 0 ? page.entries : [...old, ...page.entries]));
        setMore(page.more);
      } catch (e) {
        setError(toError(e));
      }
    },
    [filters, t],
  );

  useEffect(() => {
    const h = setTimeout(() => void load(0), 150);
    return () => clearTimeout(h);
  }, [load]);

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="page log-page">
      <div className="page-head">
        <h1>{t('log.title')}</h1>
        <ChainBadge verify={verify} busy={verifying} onVerify={() => void runVerify()} />
      </div>
      <div className="filters" data-testid="log-filters">
        <label>
          {t('checkin.session')}
          <select value={filters.sessionCode} onChange={set('sessionCode')} data-testid="log-session">
            <option value="">{t('log.all')}</option>
            {sessions.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} — {formatDate(s.date)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.outcome')}
          <select value={filters.outcome} onChange={set('outcome')} data-testid="log-outcome">
            <option value="">{t('log.all')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`verdict.short.${o}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.verdict')}
          <select value={filters.identityVerdict} onChange={set('identityVerdict')}>
            <option value="">{t('log.all')}</option>
            {IDENTITY_VERDICTS.map((v) => (
              <option key={v} value={v}>
                {t(`verdict.identity.${v}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.examiner')}
          <select value={filters.actor} onChange={set('actor')}>
            <option value="">{t('log.all')}</option>
            {actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.from')}
          <input
            value={filters.from}
            onChange={set('from')}
            placeholder={t('common.dateHint')}
            className="date-input"
          />
        </label>
        <label>
          {t('log.to')}
          <input
            value={filters.to}
            onChange={set('to')}
            placeholder={t('common.dateHint')}
            className="date-input"
          />
        </label>
      </div>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <div className="log-layout">
        <div className="table-scroll">
          <table className="table table-compact" data-testid="log-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>{t('log.time')}</th>
                <th>{t('log.kind')}</th>
                <th>{t('checkin.session')}</th>
                <th>{t('log.examiner')}</th>
                <th>{t('log.candidate')}</th>
                <th>{t('log.result')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr
                  key={e.id}
                  className={`clickable${selected?.id === e.id ? ' selected' : ''}`}
                  onClick={async () => setSelected(await unwrap(kiosk().log.get({ id: e.id })))}
                >
                  <td className="num">{e.id}</td>
                  <td className="nowrap">{formatDateTime(e.at)}</td>
                  <td>{t(`log.kinds.${e.kind}`, { defaultValue: e.kind })}</td>
                  <td className="nowrap">{e.sessionCode ?? ''}</td>
                  <td>
                    {e.actor}
                    <div className="muted small">{e.station}</div>
                  </td>
                  <td>{e.candidateNo ? `${e.candidateNo} ${e.candidateName ?? ''}` : ''}</td>
                  <td>
                    {e.outcome && (
                      <span className={`badge outcome-${e.outcome}`}>
                        {t(`verdict.short.${e.outcome as Outcome}`)}
                      </span>
                    )}
                    {e.identityVerdict && (
                      <div className="small">
                        {t(`verdict.identity.${e.identityVerdict as IdentityVerdict}`)}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 && <p className="muted big">{t('log.none')}</p>}
          {more && (
            <button className="btn" onClick={() => void load(entries.length)}>
              {t('log.more')}
            </button>
          )}
        </div>
        {selected && (
          <aside className="log-details" data-testid="log-details">
            <h2>
              {t('log.entry')} #{selected.id}
            </h2>
            <dl className="facts">
              <dt>{t('log.time')}</dt>
              <dd>{formatDateTime(selected.at)}</dd>
              <dt>{t('log.kind')}</dt>
              <dd>{t(`log.kinds.${selected.kind}`, { defaultValue: selected.kind })}</dd>
              <dt>{t('log.examiner')}</dt>
              <dd>
                {selected.actor} · {selected.station}
              </dd>
              {selected.source && (
                <>
                  <dt>{t('log.source')}</dt>
                  <dd>{t(`log.sources.${selected.source}`)}</dd>
                </>
              )}
              {selected.authenticityVerdict && (
                <>
                  <dt>{t('verdict.authenticityLabel')}</dt>
                  <dd>{t(`verdict.authenticity.${selected.authenticityVerdict as 'genuine'}`)}</dd>
                </>
              )}
            </dl>
            {selected.reasons.length > 0 && (
              <>
                <h3>{t('log.reasons')}</h3>
                <ul className="reasons-small">
                  {selected.reasons.map((r, i) => (
                    <li key={i} className={`reason-${r.severity}`}>
                      {pick(r, i18n.language)}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>{t('log.details')}</h3>
            <DetailsView details={selected.details} />
            <h3>{t('log.hashes')}</h3>
            <div className="mono small break">
              {t('log.hash')}: {selected.hash}
              <br />
              {t('log.prevHash')}: {selected.prevHash}
            </div>
          </aside>
        )}
      </div>
      {filters.sessionCode && <RemoteCheckins sessionCode={filters.sessionCode} />}
    </div>
  );
}

function ChainBadge({
  verify,
  busy,
  onVerify,
}: {
  verify: VerifyDTO | null;
  busy: boolean;
  onVerify: () => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div
      className={`chain ${verify ? (verify.ok ? 'chain-ok' : 'chain-bad') : 'chain-unknown'}`}
      data-testid="chain-badge"
      data-ok={verify ? String(verify.ok) : ''}
    >
      <span className="chain-icon" aria-hidden>
        {verify ? (verify.ok ? '✓' : '✕') : '…'}
      </span>
      <span className="chain-text">
        {!verify
          ? t('log.chainChecking')
          : verify.ok
            ? t('log.chainOk', { n: verify.entries })
            : i18n.language === 'en'
              ? verify.firstBroken.message
              : verify.firstBroken.vi}
      </span>
      <button className="btn btn-small" onClick={onVerify} disabled={busy}>
        {t('log.verifyAgain')}
      </button>
    </div>
  );
}

/** Non-personal details: authenticity checks as a list, the trace summary, other values as text. */
function DetailsView({ details }: { details: Record<string, unknown> }) {
  const { t } = useTranslation();
  const entries = Object.entries(details);
  if (!entries.length) return <p className="muted">—</p>;
  return (
    <dl className="facts small">
      {entries.map(([k, v]) => (
        <div key={k} className="fact-row">
          <dt>{t(`log.detailKeys.${k as 'entry'}`, { defaultValue: k })}</dt>
          <dd>
            {k === 'authenticityChecks' && v && typeof v === 'object' ? (
              <ul className="checks">
                {Object.entries(v as Record<string, string>).map(([name, outcome]) => (
                  <li key={name} className={`check-${outcome}`}>
                    {t(`log.checks.${name as 'hashes'}`, { defaultValue: name })}:{' '}
                    {t(`log.checkOutcome.${outcome as 'pass'}`, { defaultValue: outcome })}
                  </li>
                ))}
              </ul>
            ) : (
              <DetailValue value={v} />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** One detail value: lists of data groups, small objects as key/value rows, the rest as text. */
function DetailValue({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (typeof value === 'string' && ['pass', 'fail', 'not_run', 'not_supported'].includes(value)) {
    return <>{t(`log.checkOutcome.${value as 'pass'}`)}</>;
  }
  if (value === null || typeof value !== 'object') return <>{String(value)}</>;
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((x) => x && typeof x === 'object' && 'name' in x)) {
      return (
        <ul className="checks">
          {value.map((x: Record<string, unknown>, i) => (
            <li key={i} className={x.hashOk === false ? 'check-fail' : undefined}>
              {String(x.name)}: {String(x.status ?? '')}
              {typeof x.bytes === 'number' && x.bytes > 0 ? ` · ${x.bytes} B` : ''}
              {x.hashOk === true ? ' · ✓' : x.hashOk === false ? ' · ✕' : ''}
            </li>
          ))}
        </ul>
      );
    }
    return <>{value.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') || '—'}</>;
  }
  return (
    <dl className="facts small nested">
      {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
        <div key={k} className="fact-row">
          <dt>{t(`log.detailKeys.${k as 'entry'}`, { defaultValue: k })}</dt>
          <dd className="break">{v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
