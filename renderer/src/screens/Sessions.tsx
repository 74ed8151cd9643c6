import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  ExportResultDTO,
  ReportFormat,
  RosterPickDTO,
  RosterPreviewDTO,
  SessionDTO,
} from '../../../electron/shared/ipc-contract';
import type { AppContext } from '../app-context';
import { kiosk, pick, toError, unwrap } from '../api';
import { formatDate, formatDateTime, parseDmy, todayDmy } from '../format';
import { ErrorBanner, InfoBanner } from '../components/ErrorBanner';
import { Modal } from '../components/Modal';
import { Form } from '../components/Form';
import { PinEntry, PinSubmit, usePinSubmit } from '../components/PinForm';

export function Sessions({ ctx }: { ctx: AppContext }) {
  const { t } = useTranslation();
  const [sessions, setSessions] = useState<SessionDTO[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [info, setInfo] = useState<{ file: string; kb: number } | null>(null);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState<SessionDTO | null>(null);
  const [closing, setClosing] = useState<SessionDTO | null>(null);
  const [signing, setSigning] = useState<SessionDTO | null>(null);
  const isChair = ctx.user.role === 'chair';

  const reload = useCallback(async () => {
    try {
      setSessions(await unwrap(kiosk().sessions.list()));
    } catch (e) {
      setError(toError(e));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const exportReport = async (s: SessionDTO, format: ReportFormat) => {
    setError(null);
    setInfo(null);
    try {
      const r: ExportResultDTO = await unwrap(
        kiosk().reports.export({ sessionCode: s.code, format, lang: 'vi' }),
      );
      if (!r.cancelled) setInfo({ file: r.fileName, kb: Math.max(1, Math.round(r.bytes / 1024)) });
    } catch (e) {
      setError(toError(e));
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('sessions.title')}</h1>
        <button className="btn btn-primary" onClick={() => setCreating(true)} data-testid="session-new">
          + {t('sessions.create')}
        </button>
      </div>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {info && <InfoBanner>{t('sessions.exported', info)}</InfoBanner>}

      {sessions.length === 0 ? (
        <p className="muted big">{t('sessions.none')}</p>
      ) : (
        <table className="table" data-testid="sessions-table">
          <thead>
            <tr>
              <th>{t('sessions.code')}</th>
              <th>{t('sessions.date')}</th>
              <th>{t('sessions.council')}</th>
              <th>{t('sessions.state')}</th>
              <th className="num">{t('sessions.presentTotal')}</th>
              <th>{t('sessions.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.code} data-testid={`session-${s.code}`}>
                <td className="nowrap">
                  <strong>{s.code}</strong>
                  {s.licenceClasses.length > 0 && (
                    <div className="muted small">{s.licenceClasses.join(', ')}</div>
                  )}
                </td>
                <td>{formatDate(s.date)}</td>
                <td>
                  {s.council}
                  {s.location && <div className="muted small">{s.location}</div>}
                </td>
                <td>
                  <span className={`badge state-${s.state}`} data-testid="session-state">
                    {t(`sessions.states.${s.state}`)}
                  </span>
                  {s.state === 'signed' && (
                    <div className="muted small">
                      {t('sessions.signedBy', { who: s.signedBy ?? '', at: formatDateTime(s.signedAt) })}
                    </div>
                  )}
                </td>
                <td className="num">
                  <strong>{s.present}</strong> / {s.total}
                </td>
                <td>
                  <div className="row-actions">
                    {s.state === 'open' && (
                      <>
                        <button
                          className="btn btn-primary"
                          onClick={() => {
                            ctx.setSessionCode(s.code);
                            ctx.go('checkin');
                          }}
                        >
                          {t('sessions.checkIn')}
                        </button>
                        <button className="btn" onClick={() => setImporting(s)} data-testid="session-import">
                          {t('sessions.import')}
                        </button>
                        {isChair && (
                          <button className="btn" onClick={() => setClosing(s)} data-testid="session-close">
                            {t('sessions.close')}
                          </button>
                        )}
                      </>
                    )}
                    {s.state === 'closed' && isChair && (
                      <button
                        className="btn btn-primary"
                        onClick={() => setSigning(s)}
                        data-testid="session-sign"
                      >
                        {t('sessions.signOff')}
                      </button>
                    )}
                    {isChair && (
                      <span className="export">
                        <span className="muted small">{t('sessions.export')}:</span>
                        {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
                          <button
                            key={f}
                            className="btn btn-small"
                            onClick={() => void exportReport(s, f)}
                            data-testid={`export-${f}`}
                          >
                            {f.toUpperCase()}
                          </button>
                        ))}
                      </span>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {creating && (
        <CreateSession
          onClose={() => setCreating(false)}
          onCreated={async (s) => {
            setCreating(false);
            await reload();
            setImporting(s);
          }}
        />
      )}
      {importing && (
        <ImportRoster
          session={importing}
          onClose={async () => {
            setImporting(null);
            await reload();
          }}
        />
      )}
      {closing && (
        <Modal title={t('sessions.closeTitle', { code: closing.code })} onClose={() => setClosing(null)}>
          <p className="big">{t('sessions.closeWarning')}</p>
          <p>
            {t('sessions.presentTotal')}: <strong>{closing.present}</strong> / {closing.total}
          </p>
          <div className="actions">
            <button className="btn" onClick={() => setClosing(null)}>
              {t('common.cancel')}
            </button>
            <button
              className="btn btn-danger btn-large"
              data-testid="session-close-confirm"
              onClick={async () => {
                try {
                  await unwrap(kiosk().sessions.close({ sessionCode: closing.code }));
                  if (ctx.sessionCode === closing.code) ctx.setSessionCode(null);
                } catch (e) {
                  setError(toError(e));
                }
                setClosing(null);
                await reload();
              }}
            >
              {t('sessions.close')}
            </button>
          </div>
        </Modal>
      )}
      {signing && (
        <SignOff
          session={signing}
          onClose={async () => {
            setSigning(null);
            await reload();
          }}
        />
      )}
    </div>
  );
}

function CreateSession({ onClose, onCreated }: { onClose: () => void; onCreated: (s: SessionDTO) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [council, setCouncil] = useState('');
  const [date, setDate] = useState(todayDmy());
  const [location, setLocation] = useState('');
  const [classes, setClasses] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async () => {
    setError(null);
    const iso = parseDmy(date);
    if (!iso) {
      setError({ code: 'bad_date', vi: t('sessions.badDate'), en: t('sessions.badDate') });
      return;
    }
    try {
      const s = await unwrap(
        kiosk().sessions.create({
          code,
          council,
          date: iso,
          ...(location.trim() ? { location } : {}),
          licenceClasses: classes
            .split(/[,;\s]+/)
            .map((x) => x.trim().toUpperCase())
            .filter(Boolean),
        }),
      );
      onCreated(s);
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <Modal title={t('sessions.create')} onClose={onClose}>
      <Form onSubmit={submit}>
        <label>
          {t('sessions.code')}
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoFocus
            placeholder="SH-2026-11-27-B"
            data-testid="new-code"
          />
        </label>
        <label>
          {t('sessions.council')}
          <input value={council} onChange={(e) => setCouncil(e.target.value)} data-testid="new-council" />
        </label>
        <label>
          {t('sessions.date')} <span className="hint">({t('common.dateHint')})</span>
          <input value={date} onChange={(e) => setDate(e.target.value)} data-testid="new-date" />
        </label>
        <label>
          {t('sessions.location')}
          <input value={location} onChange={(e) => setLocation(e.target.value)} />
        </label>
        <label>
          {t('sessions.classes')} <span className="hint">{t('sessions.classesHint')}</span>
          <input value={classes} onChange={(e) => setClasses(e.target.value)} data-testid="new-classes" />
        </label>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary btn-large" data-testid="new-submit">
            {t('sessions.createSubmit')}
          </button>
        </div>
      </Form>
    </Modal>
  );
}

function ImportRoster({ session, onClose }: { session: SessionDTO; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [file, setFile] = useState<RosterPickDTO | null>(null);
  const [preview, setPreview] = useState<RosterPreviewDTO | null>(null);
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<{ n: number; code: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async () => {
    setError(null);
    setPreview(null);
    setDone(null);
    try {
      const f = await unwrap(kiosk().roster.pickFile());
      if (!f) return;
      setFile(f);
      setBusy(true);
      setPreview(await unwrap(kiosk().roster.preview({ sessionCode: session.code, token: f.token })));
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(false);
    }
  };

  const commit = async () => {
    if (!file || !preview) return;
    setBusy(true);
    setError(null);
    try {
      const r = await unwrap(
        kiosk().roster.import({ sessionCode: session.code, token: file.token, replace }),
      );
      setDone({ n: r.imported, code: r.sessionCode });
      setPreview(null);
      setFile(null);
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(false);
    }
  };

  const hardErrors = preview?.errors.filter((e) => e.reason.severity === 'error') ?? [];
  const warnings = preview?.errors.filter((e) => e.reason.severity !== 'error') ?? [];
  const needsReplace = (preview?.existingCandidates ?? 0) > 0;

  return (
    <Modal title={t('roster.title', { code: session.code })} onClose={onClose} wide>
      <p className="muted">{t('roster.help')}</p>
      <div className="actions actions-left">
        <button
          className="btn btn-primary"
          onClick={() => void choose()}
          disabled={busy}
          data-testid="roster-choose"
        >
          {t('roster.choose')}
        </button>
        {file && (
          <span className="file-name" data-testid="roster-file">
            {file.fileName}
          </span>
        )}
      </div>
      <ErrorBanner error={error} />
      {done && (
        <div className="banner banner-ok" data-testid="roster-done">
          {t('roster.imported', done)}
        </div>
      )}
      {busy && <p className="muted">{t('roster.reading')}</p>}
      {preview && (
        <div className="preview" data-testid="roster-preview">
          <div
            className={`preview-summary ${hardErrors.length ? 'bad' : 'good'}`}
            data-testid="roster-summary"
          >
            {hardErrors.length
              ? t('roster.errorsSummary', { rows: new Set(hardErrors.map((e) => e.rowNumber)).size })
              : t('roster.okSummary', { n: preview.totalRows, format: preview.format.toUpperCase() })}
          </div>
          {preview.errors.length > 0 && (
            <div className="errors-scroll">
              <table className="table table-compact" data-testid="roster-errors">
                <thead>
                  <tr>
                    <th className="num">{t('roster.row')}</th>
                    <th>{t('roster.column')}</th>
                    <th>{t('roster.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...hardErrors, ...warnings].map((e, i) => (
                    <tr key={i} className={e.reason.severity === 'error' ? 'row-error' : 'row-warning'}>
                      <td className="num">{e.rowNumber}</td>
                      <td>{e.column ?? ''}</td>
                      <td>{pick(e.reason, i18n.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {preview.rows.length > 0 && (
            <div className="table-scroll">
              <table className="table table-compact" data-testid="roster-rows">
                <thead>
                  <tr>
                    <th className="num">{t('roster.row')}</th>
                    <th>{t('candidate.no')}</th>
                    <th>{t('candidate.name')}</th>
                    <th>{t('candidate.dob')}</th>
                    <th>{t('candidate.idNumber')}</th>
                    <th>{t('candidate.class')}</th>
                    <th>{t('candidate.sex')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r) => (
                    <tr key={r.rowNumber}>
                      <td className="num">{r.rowNumber}</td>
                      <td>{r.candidateNo}</td>
                      <td>{r.fullName}</td>
                      <td>{formatDate(r.dateOfBirth)}</td>
                      <td className="mono">{r.idNumber}</td>
                      <td>{r.licenceClass ?? ''}</td>
                      <td>{r.sex ? t(`candidate.sexes.${r.sex}`) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.totalRows > preview.rows.length && (
                <p className="muted">{t('roster.more', { n: preview.totalRows - preview.rows.length })}</p>
              )}
            </div>
          )}
          {preview.canImport && needsReplace && (
            <label className="check">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
              {t('roster.replace', { n: preview.existingCandidates })}
            </label>
          )}
        </div>
      )}
      <div className="actions">
        <button className="btn" onClick={onClose} data-testid="roster-close">
          {t('common.close')}
        </button>
        {preview && (
          <button
            className="btn btn-primary btn-large"
            disabled={!preview.canImport || busy || (needsReplace && !replace)}
            onClick={() => void commit()}
            data-testid="roster-import"
          >
            {preview.canImport ? t('roster.importN', { n: preview.totalRows }) : t('roster.importBlocked')}
          </button>
        )}
      </div>
    </Modal>
  );
}

function SignOff({ session, onClose }: { session: SessionDTO; onClose: () => void }) {
  const { t } = useTranslation();
  const [signed, setSigned] = useState<SessionDTO | null>(null);
  const entry = usePinSubmit(async (pin) => {
    setSigned(await unwrap(kiosk().sessions.signOff({ sessionCode: session.code, pin })));
  });
  return (
    <Modal title={t('sessions.signOffTitle', { code: session.code })} onClose={onClose}>
      {signed ? (
        <div className="banner banner-ok" data-testid="signoff-done">
          {t('sessions.signedDone', { at: formatDateTime(signed.signedAt) })}
        </div>
      ) : (
        <>
          <p>
            {t('sessions.presentTotal')}: <strong>{session.present}</strong> / {session.total}
          </p>
          <p className="warning-text">{t('sessions.signOffWarning')}</p>
          <PinEntry entry={entry} testId="signoff-pin" />
        </>
      )}
      <div className="actions">
        <button className="btn" onClick={onClose}>
          {t('common.close')}
        </button>
        {!signed && <PinSubmit entry={entry} label={t('sessions.signOff')} testId="signoff-submit" />}
      </div>
    </Modal>
  );
}
