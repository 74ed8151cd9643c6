import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  CheckResultDTO,
  ReadingProgressDTO,
  RecentCheckDTO,
  SessionDTO,
} from '../../../electron/shared/ipc-contract';
import type { AppContext } from '../app-context';
import { kiosk, pick, toError, unwrap } from '../api';
import { formatDate, formatTime } from '../format';
import { playVerdictSound } from '../sound';
import { useWedge } from '../useWedge';
import { Verdict } from '../components/Verdict';
import type { FaceState } from '../components/FaceCheck';
import { ErrorBanner } from '../components/ErrorBanner';
import { Modal } from '../components/Modal';
import { VerdictIcon } from '../components/VerdictIcon';
import { ReaderStatusBar } from '../components/ReaderStatus';
import { Form } from '../components/Form';

type Phase =
  | { kind: 'waiting' }
  | { kind: 'checking' }
  /** The CAN went to the chip reader: the card must be placed (or is being placed). */
  | { kind: 'awaiting_chip'; qrOnlyAvailable: boolean }
  | { kind: 'reading'; progress: ReadingProgressDTO; qrOnlyAvailable: boolean };

export function CheckIn({ ctx }: { ctx: AppContext }) {
  const { t, i18n } = useTranslation();
  const [sessions, setSessions] = useState<SessionDTO[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'waiting' });
  const [result, setResult] = useState<CheckResultDTO | null>(null);
  const [counts, setCounts] = useState<{ present: number; total: number } | null>(null);
  const [recent, setRecent] = useState<RecentCheckDTO[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [manual, setManual] = useState(false);
  /** The face override dialog is open: the scanner wedge must not take the keys. */
  const [faceDialog, setFaceDialog] = useState(false);
  const dismissTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const code = ctx.sessionCode;
  const session = sessions.find((s) => s.code === code) ?? null;

  const refresh = useCallback(async (sessionCode: string) => {
    const [list, r] = await Promise.all([
      unwrap(kiosk().sessions.list()),
      unwrap(kiosk().checks.recent({ sessionCode, limit: 8 })),
    ]);
    setSessions(list);
    setRecent(r);
    const s = list.find((x) => x.code === sessionCode);
    if (s) setCounts({ present: s.present, total: s.total });
  }, []);

  // The open sessions; pick the only one, or keep the chosen one.
  useEffect(() => {
    void unwrap(kiosk().sessions.list()).then(
      (list) => {
        setSessions(list);
        setLoaded(true);
        const open = list.filter((s) => s.state === 'open');
        if (!code && open.length === 1) ctx.setSessionCode(open[0]!.code);
      },
      (e: unknown) => setError(toError(e)),
    );
  }, [code, ctx]);

  // Tell main which session this window checks in (chip reads and hardware scanners go there).
  useEffect(() => {
    if (!code) return;
    void unwrap(kiosk().checks.setActiveSession({ sessionCode: code })).catch((e: unknown) =>
      setError(toError(e)),
    );
    void refresh(code).catch((e: unknown) => setError(toError(e)));
    return () => {
      void kiosk().checks.setActiveSession({ sessionCode: null });
    };
  }, [code, refresh]);

  const faceExpected = useCallback(
    (r: CheckResultDTO) => ctx.settings.faceEnabled && !!r.faceRequired && r.checkId !== undefined,
    [ctx.settings.faceEnabled],
  );

  const show = useCallback(
    (r: CheckResultDTO) => {
      clearTimeout(dismissTimer.current);
      setPhase({ kind: 'waiting' });
      setError(null);
      setResult(r);
      setCounts(r.counts);
      if (ctx.settings.soundEnabled) playVerdictSound(r.outcome);
      // With a face check, a green verdict closes itself only once the face matched (onFace).
      if (r.outcome === 'accepted' && ctx.settings.verdictSeconds > 0 && !faceExpected(r)) {
        dismissTimer.current = setTimeout(() => setResult(null), ctx.settings.verdictSeconds * 1000);
      }
      if (code) void unwrap(kiosk().checks.recent({ sessionCode: code, limit: 8 })).then(setRecent, () => {});
    },
    [ctx.settings.soundEnabled, ctx.settings.verdictSeconds, code, faceExpected],
  );

  useEffect(() => () => clearTimeout(dismissTimer.current), []);

  /** The face verdict arrived: red sounds as red; a match lets a green verdict close itself. */
  const onFace = useCallback(
    (f: FaceState) => {
      if (!f.result) return;
      clearTimeout(dismissTimer.current);
      if ((f.result.face === 'no_match' || f.result.liveness === 'failed') && !f.overridden) {
        if (ctx.settings.soundEnabled) playVerdictSound('rejected');
      } else if (
        ((f.result.face === 'match' && f.result.liveness !== 'failed') || f.overridden) &&
        result?.outcome === 'accepted' &&
        ctx.settings.verdictSeconds > 0
      ) {
        dismissTimer.current = setTimeout(() => setResult(null), ctx.settings.verdictSeconds * 1000);
      }
    },
    [ctx.settings.soundEnabled, ctx.settings.verdictSeconds, result?.outcome],
  );

  // Checks made in the main process (chip reads, serial/HID scanners) and reading progress.
  useEffect(() => {
    const offResult = kiosk().scan.onResult(show);
    const offError = kiosk().scan.onError((e) => {
      // A CAN that does not open the card: the reader waits for the right QR, so keep waiting.
      setPhase((ph) => (e.code === 'wrong_access' && ph.kind !== 'waiting' ? ph : { kind: 'waiting' }));
      setError(e);
    });
    const offAwaiting = kiosk().scan.onAwaitingChip(({ qrOnlyAvailable }) => {
      setResult(null);
      setError(null);
      setPhase({ kind: 'awaiting_chip', qrOnlyAvailable });
    });
    const offProgress = kiosk().reading.onProgress((p) => {
      if (p.phase === 'done') return;
      if (p.phase === 'card_removed') {
        setPhase((ph) => (ph.kind === 'reading' ? { kind: 'waiting' } : ph));
      } else if (p.phase === 'failed') {
        setPhase({ kind: 'waiting' });
        if (p.message) setError({ code: 'reading_failed', ...p.message });
      } else {
        setResult(null);
        setPhase((ph) => ({
          kind: 'reading',
          progress: p,
          qrOnlyAvailable: ph.kind === 'awaiting_chip' || ph.kind === 'reading' ? ph.qrOnlyAvailable : false,
        }));
      }
    });
    return () => {
      offResult();
      offError();
      offAwaiting();
      offProgress();
    };
  }, [show]);

  const checkQr = useCallback(
    async (text: string) => {
      if (!code) {
        setError({
          code: 'no_session',
          vi: t('checkin.chooseSessionFirst'),
          en: t('checkin.chooseSessionFirst'),
        });
        return;
      }
      setPhase({ kind: 'checking' });
      setError(null);
      try {
        const r = await unwrap(kiosk().checks.qr({ sessionCode: code, text }));
        if (r.status === 'awaiting_chip') setPhase({ kind: 'awaiting_chip', qrOnlyAvailable: true });
        else if (r.result) show(r.result);
      } catch (e) {
        setPhase({ kind: 'waiting' });
        setError(toError(e));
      }
    },
    [code, show, t],
  );

  /** The examiner accepts the QR alone (no chip read). */
  const qrOnly = useCallback(async () => {
    if (!code) return;
    try {
      show(await unwrap(kiosk().checks.qrOnly({ sessionCode: code })));
    } catch (e) {
      setPhase({ kind: 'waiting' });
      setError(toError(e));
    }
  }, [code, show]);

  const dismiss = useCallback(() => {
    clearTimeout(dismissTimer.current);
    setResult(null);
    (document.activeElement as HTMLElement | null)?.blur?.();
  }, []);

  const wedge = useWedge(
    ctx.settings.readers.qrWedge && !manual && !faceDialog,
    (text) => void checkQr(text),
    (key) => {
      if (result && (key === 'Enter' || key === 'Escape')) dismiss();
    },
  );

  const open = sessions.filter((s) => s.state === 'open');
  const footer = (
    <div className="verdict-foot-left">
      <div className="verdict-counter" data-testid="verdict-counter">
        {t('checkin.present')}: <strong>{counts?.present ?? 0}</strong> / {counts?.total ?? 0}
      </div>
      <ReaderStatusBar readers={ctx.readers} wedgeEnabled={ctx.settings.readers.qrWedge} />
    </div>
  );

  return (
    <div className="checkin">
      <input ref={wedge.sinkRef} {...wedge.sinkProps} data-testid="wedge-sink" />
      <div className="checkin-top">
        <label className="session-select">
          <span>{t('checkin.session')}</span>
          <select
            value={code ?? ''}
            onChange={(e) => ctx.setSessionCode(e.target.value || null)}
            data-testid="checkin-session"
          >
            <option value="">{t('checkin.chooseSession')}</option>
            {open.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} — {formatDate(s.date)}
              </option>
            ))}
          </select>
        </label>
        {session && (
          <div className="counter" data-testid="counter" aria-live="polite">
            <span className="counter-label">{t('checkin.present')}</span>
            <span className="counter-value">
              <strong>{counts?.present ?? session.present}</strong> / {counts?.total ?? session.total}
            </span>
          </div>
        )}
      </div>

      <ErrorBanner error={error} onClose={() => setError(null)} />

      <div className="checkin-main">
        <section className="waiting" data-testid="checkin-state" data-phase={phase.kind}>
          {!code ? (
            <div className="waiting-inner">
              <div className="waiting-title">
                {loaded && open.length === 0 ? t('checkin.noOpenSession') : t('checkin.chooseSessionFirst')}
              </div>
              {loaded && open.length === 0 && (
                <button className="btn btn-primary btn-large" onClick={() => ctx.go('sessions')}>
                  {t('nav.sessions')}
                </button>
              )}
            </div>
          ) : phase.kind === 'awaiting_chip' ? (
            <div className="waiting-inner awaiting" data-testid="awaiting-chip">
              <CardOnReaderIllustration />
              <div className="waiting-title">{t('checkin.holdCard')}</div>
              <div className="waiting-sub">{t('checkin.placeCardForChip')}</div>
              <ChipFallback
                show={phase.qrOnlyAvailable && !ctx.settings.requireChip}
                onQrOnly={() => void qrOnly()}
                onCancel={() => setPhase({ kind: 'waiting' })}
              />
            </div>
          ) : phase.kind === 'reading' ? (
            <div className="waiting-inner reading">
              <div className="spinner" aria-hidden />
              <div className="waiting-title">{t('checkin.holdCard')}</div>
              <div className="waiting-sub">
                {phase.progress.message
                  ? pick(phase.progress.message, i18n.language)
                  : t(`checkin.phase.${phase.progress.phase}`)}
              </div>
              {phase.progress.percent !== undefined && (
                <div
                  className="progress"
                  role="progressbar"
                  aria-valuenow={phase.progress.percent}
                  aria-valuemin={0}
                  aria-valuemax={100}
                >
                  <div className="progress-bar" style={{ width: `${phase.progress.percent}%` }} />
                </div>
              )}
            </div>
          ) : phase.kind === 'checking' ? (
            <div className="waiting-inner">
              <div className="spinner" aria-hidden />
              <div className="waiting-title">{t('checkin.checking')}</div>
            </div>
          ) : (
            <div className="waiting-inner">
              <ScanIllustration />
              <div className="waiting-title" data-testid="waiting-title">
                {t('checkin.waiting')}
              </div>
              <div className="waiting-sub">{session ? `${session.code} · ${session.council}` : ''}</div>
            </div>
          )}
          <div className="checkin-actions">
            <button
              className="btn btn-large"
              disabled={!code}
              onClick={() => setManual(true)}
              data-testid="manual-open"
            >
              {t('checkin.manual')}
            </button>
            {ctx.demo && code && (
              <>
                <button
                  className="btn"
                  onClick={async () =>
                    void checkQr((await unwrap(kiosk().demo.sampleQr({ kind: 'on_roster' }))).text)
                  }
                >
                  {t('checkin.demoOnRoster')}
                </button>
                <button
                  className="btn"
                  onClick={async () =>
                    void checkQr((await unwrap(kiosk().demo.sampleQr({ kind: 'not_on_roster' }))).text)
                  }
                >
                  {t('checkin.demoNotOnRoster')}
                </button>
                {(
                  [
                    ['genuine', 'checkin.demoCardGenuine'],
                    ['altered', 'checkin.demoCardAltered'],
                    ['clone', 'checkin.demoCardClone'],
                  ] as const
                ).map(([kind, label]) => (
                  <button
                    key={kind}
                    className="btn"
                    data-testid={`demo-card-${kind}`}
                    onClick={async () => {
                      // The verdict arrives as scan.result (with reading progress), as from a real reader.
                      const r = await kiosk().demo.tapCard({ sessionCode: code, kind });
                      if (!r.ok) setError(r.error);
                    }}
                  >
                    {t(label)}
                  </button>
                ))}
              </>
            )}
          </div>
        </section>

        <aside className="recent" aria-label={t('checkin.recent')}>
          <h2>{t('checkin.recent')}</h2>
          {recent.length === 0 && <p className="muted">{t('checkin.noRecent')}</p>}
          <ol className="recent-list" data-testid="recent-list">
            {recent.map((r) => (
              <li key={r.logId} className={`recent-item recent-${r.outcome}`}>
                <span className="recent-icon">
                  <VerdictIcon outcome={r.outcome} size={28} />
                </span>
                <span className="recent-time">{formatTime(r.at)}</span>
                <span className="recent-who">
                  {r.candidateNo ? (
                    <>
                      <strong>{r.candidateNo}</strong> {r.fullName}
                    </>
                  ) : (
                    <em>{t(`verdict.identity.${r.identityVerdict}`)}</em>
                  )}
                </span>
                <span className="recent-verdict">
                  {t(`verdict.short.${r.outcome}`)}
                  {r.identityVerdict !== 'match' && r.candidateNo
                    ? ` · ${t(`verdict.identity.${r.identityVerdict}`)}`
                    : ''}
                </span>
              </li>
            ))}
          </ol>
        </aside>
      </div>

      {result && (
        <Verdict
          key={result.logId}
          result={result}
          onDismiss={dismiss}
          footer={footer}
          face={{
            enabled: ctx.settings.faceEnabled,
            deviceId: ctx.settings.cameraDeviceId,
            onChange: onFace,
            onDialog: setFaceDialog,
          }}
        />
      )}
      {manual && code && (
        <ManualEntry
          sessionCode={code}
          onClose={() => setManual(false)}
          onResult={(r) => {
            setManual(false);
            show(r);
          }}
          onAwaitingChip={() => {
            setManual(false);
            setPhase({ kind: 'awaiting_chip', qrOnlyAvailable: false });
          }}
        />
      )}
    </div>
  );
}

function ManualEntry({
  sessionCode,
  onClose,
  onResult,
  onAwaitingChip,
}: {
  sessionCode: string;
  onClose: () => void;
  onResult: (r: CheckResultDTO) => void;
  onAwaitingChip: () => void;
}) {
  const { t } = useTranslation();
  const [number, setNumber] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const valid = /^(\d{6}|\d{12})$/.test(number);
  const submit = async () => {
    setError(null);
    try {
      const r = await unwrap(kiosk().checks.manual({ sessionCode, number }));
      if (r.status === 'awaiting_chip') onAwaitingChip();
      else if (r.result) onResult(r.result);
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <Modal title={t('checkin.manualTitle')} onClose={onClose}>
      <p className="muted">{t('checkin.manualHelp')}</p>
      <Form onSubmit={() => valid && submit()}>
        <input
          className="big-input"
          inputMode="numeric"
          autoFocus
          maxLength={12}
          value={number}
          placeholder="001234567890"
          onChange={(e) => setNumber(e.target.value.replace(/\D/g, '').slice(0, 12))}
          data-testid="manual-number"
        />
        <div className="hint">
          {number.length === 6
            ? t('checkin.manualCan')
            : number.length === 12
              ? t('checkin.manualId')
              : t('checkin.manualDigits', { n: number.length })}
        </div>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary btn-large"
            disabled={!valid}
            data-testid="manual-submit"
          >
            {t('checkin.manualSubmit')}
          </button>
        </div>
      </Form>
    </Modal>
  );
}

function ChipFallback({
  show,
  onQrOnly,
  onCancel,
}: {
  show: boolean;
  onQrOnly: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="chip-fallback">
      {show && (
        <button className="btn" onClick={onQrOnly} data-testid="qr-only">
          {t('checkin.qrOnly')}
        </button>
      )}
      <button className="btn btn-quiet" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

function CardOnReaderIllustration() {
  return (
    <svg className="scan-illustration" viewBox="0 0 240 120" aria-hidden>
      <rect x="30" y="70" width="180" height="40" rx="8" fill="none" stroke="currentColor" strokeWidth="6" />
      <rect x="70" y="14" width="100" height="64" rx="8" fill="#fff" stroke="currentColor" strokeWidth="6" />
      <rect x="84" y="30" width="22" height="18" rx="3" fill="currentColor" />
      <path
        d="M186 30 q12 16 0 32 M198 22 q20 24 0 48"
        fill="none"
        stroke="currentColor"
        strokeWidth="5"
        strokeLinecap="round"
      />
    </svg>
  );
}

function ScanIllustration() {
  return (
    <svg className="scan-illustration" viewBox="0 0 240 120" aria-hidden>
      <rect x="8" y="14" width="96" height="96" rx="10" fill="none" stroke="currentColor" strokeWidth="6" />
      <rect x="24" y="30" width="24" height="24" fill="currentColor" />
      <rect x="64" y="30" width="24" height="24" fill="currentColor" />
      <rect x="24" y="70" width="24" height="24" fill="currentColor" />
      <rect x="64" y="70" width="10" height="10" fill="currentColor" />
      <rect x="78" y="84" width="10" height="10" fill="currentColor" />
      <rect x="136" y="24" width="96" height="62" rx="8" fill="none" stroke="currentColor" strokeWidth="6" />
      <rect x="150" y="40" width="20" height="16" rx="3" fill="currentColor" />
      <path
        d="M184 100 q16 -10 32 0 M176 110 q24 -16 48 0"
        fill="none"
        stroke="currentColor"
        strokeWidth="5"
        strokeLinecap="round"
      />
    </svg>
  );
}
