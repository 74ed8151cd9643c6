import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  DoctorReportDTO,
  ReaderInfoDTO,
  Role,
  SettingsDTO,
  TrustImportDTO,
  UserDTO,
} from '../../../electron/shared/ipc-contract';
import { ROLES } from '../../../native/domain/vocabulary';
import type { AppContext } from '../app-context';
import { kiosk, pick, toError, unwrap } from '../api';
import i18next from '../i18n';
import { formatDateTime, formatTime } from '../format';
import { ErrorBanner, InfoBanner } from '../components/ErrorBanner';
import { Form } from '../components/Form';
import { FaceSettings } from '../face/FaceSettings';
import { SyncPanel } from '../components/SyncPanel';

/** What the chair edits: the settings without the read-only parts (settings.update is strict). */
type Draft = Omit<SettingsDTO, 'trustStore' | 'stationKey'>;

export function SettingsScreen({ ctx }: { ctx: AppContext }) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => strip(ctx.settings));
  const [hidText, setHidText] = useState(hidToText(ctx.settings.readers.hidPos));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [trust, setTrust] = useState<TrustImportDTO | null>(null);
  const [available, setAvailable] = useState<ReaderInfoDTO[] | null>(null);

  const save = async () => {
    setError(null);
    setSaved(false);
    const hid = textToHid(hidText);
    if (hid === undefined) {
      setError({ code: 'bad_hid', vi: t('settings.badHid'), en: t('settings.badHid') });
      return;
    }
    try {
      await unwrap(kiosk().settings.update({ ...draft, readers: { ...draft.readers, hidPos: hid } }));
      await ctx.reloadSettings();
      setSaved(true);
    } catch (e) {
      setError(toError(e));
    }
  };

  const importTrust = async () => {
    setError(null);
    try {
      const r = await unwrap(kiosk().settings.importTrustStore());
      if (!r.cancelled) setTrust(r);
      await ctx.reloadSettings();
    } catch (e) {
      setError(toError(e));
    }
  };

  const r = draft.readers;
  const setReaders = (patch: Partial<Draft['readers']>) =>
    setDraft((d) => ({ ...d, readers: { ...d.readers, ...patch } }));

  return (
    <div className="page settings">
      <h1>{t('settings.title')}</h1>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {saved && <InfoBanner>{t('settings.saved')}</InfoBanner>}
      <div className="settings-grid">
        <section className="card">
          <h2>{t('settings.station')}</h2>
          <label>
            {t('settings.stationName')}
            <input
              value={draft.stationName}
              onChange={(e) => setDraft({ ...draft, stationName: e.target.value })}
              data-testid="settings-station"
            />
          </label>
          <label>
            {t('settings.language')}
            <select
              value={draft.language}
              onChange={(e) => setDraft({ ...draft, language: e.target.value as 'vi' | 'en' })}
            >
              <option value="vi">{t('common.languageVi')}</option>
              <option value="en">{t('common.languageEn')}</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.soundEnabled}
              onChange={(e) => setDraft({ ...draft, soundEnabled: e.target.checked })}
            />
            {t('settings.sound')}
          </label>
          <label>
            {t('settings.verdictSeconds')}
            <input
              type="number"
              min={0}
              max={600}
              value={draft.verdictSeconds}
              onChange={(e) =>
                setDraft({
                  ...draft,
                  verdictSeconds: Math.max(0, Math.min(600, Number(e.target.value) || 0)),
                })
              }
            />
            <span className="hint">{t('settings.verdictSecondsHint')}</span>
          </label>
        </section>

        <section className="card">
          <h2>{t('settings.policy')}</h2>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.requireChip}
              onChange={(e) => setDraft({ ...draft, requireChip: e.target.checked })}
              data-testid="settings-require-chip"
            />
            {t('settings.requireChip')}
          </label>
          <p className="hint">{t('settings.requireChipHint')}</p>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.requireTrustedIssuer}
              onChange={(e) => setDraft({ ...draft, requireTrustedIssuer: e.target.checked })}
            />
            {t('settings.requireTrustedIssuer')}
          </label>
          <h3>{t('settings.trustStore')}</h3>
          <p>
            {t('settings.trustFiles', { n: ctx.settings.trustStore.files })}
            {ctx.settings.trustStore.updatedAt && ` · ${formatDateTime(ctx.settings.trustStore.updatedAt)}`}
          </p>
          <button className="btn" onClick={() => void importTrust()}>
            {t('settings.trustImport')}
          </button>
          {trust && (
            <div className="trust-result">
              <p>{t('settings.trustImported', { n: trust.imported, total: trust.total })}</p>
              {trust.skipped.length > 0 && (
                <ul className="reasons-small">
                  {trust.skipped.map((s) => (
                    <li key={s.file} className="reason-warning">
                      {s.file}: {pick(s.reason, i18n.language)}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </section>

        <FaceSettings draft={draft} setDraft={setDraft} />

        <section className="card">
          <h2>{t('settings.readers')}</h2>
          <label className="check">
            <input
              type="checkbox"
              checked={r.qrWedge}
              onChange={(e) => setReaders({ qrWedge: e.target.checked })}
            />
            {t('settings.qrWedge')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={r.pcsc.enabled}
              onChange={(e) => setReaders({ pcsc: { ...r.pcsc, enabled: e.target.checked } })}
            />
            {t('settings.pcsc')}
          </label>
          <label>
            {t('settings.pcscName')}
            <input
              value={r.pcsc.name}
              onChange={(e) => setReaders({ pcsc: { ...r.pcsc, name: e.target.value } })}
              placeholder={t('settings.any')}
            />
          </label>
          <label>
            {t('settings.pn532Port')}
            <input
              value={r.pn532Port}
              onChange={(e) => setReaders({ pn532Port: e.target.value })}
              placeholder="COM3 / /dev/ttyUSB0"
            />
          </label>
          <label>
            {t('settings.serialScannerPort')}
            <input
              value={r.serialScannerPort}
              onChange={(e) => setReaders({ serialScannerPort: e.target.value })}
              placeholder="COM4 / /dev/ttyACM0"
            />
          </label>
          <label>
            {t('settings.hidPos')}
            <input value={hidText} onChange={(e) => setHidText(e.target.value)} placeholder="0c2e:0b61" />
          </label>
          <button
            className="btn"
            onClick={async () => {
              try {
                setAvailable(await unwrap(kiosk().settings.listReaders()));
              } catch (e) {
                setError(toError(e));
              }
            }}
          >
            {t('settings.detect')}
          </button>
          {available && (
            <ul className="reasons-small">
              {available.length === 0 && <li>{t('settings.noneFound')}</li>}
              {available.map((a, i) => (
                <li key={i}>
                  {a.kind.toUpperCase()}: {a.name}
                  {a.detail ? ` (${a.detail})` : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div className="actions actions-left">
        <button className="btn btn-primary btn-large" onClick={() => void save()} data-testid="settings-save">
          {t('common.save')}
        </button>
      </div>
      <StationCheck />
      <SyncPanel />
      <Users me={ctx.user.username} />
    </div>
  );
}

/** The station check (kiosk doctor): every check with its state and, for each problem, what to do. */
function StationCheck() {
  const { t, i18n } = useTranslation();
  const [report, setReport] = useState<DoctorReportDTO | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const vi = i18n.language.startsWith('vi');
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await unwrap(kiosk().settings.doctor()));
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="station-check">
      <h2>{t('settings.doctor')}</h2>
      <p className="hint">{t('settings.doctorHint')}</p>
      <button className="btn" disabled={busy} onClick={() => void run()} data-testid="station-check-run">
        {busy ? t('settings.doctorRunning') : t('settings.doctorRun')}
      </button>
      {error && <ErrorBanner error={error} />}
      {report && (
        <>
          <p data-testid="station-check-verdict">
            <strong>{report.ready ? t('settings.doctorReady') : t('settings.doctorNotReady')}</strong>
          </p>
          <ul className="reasons-small">
            {report.checks.map((c) => (
              <li key={c.id} data-state={c.state}>
                <strong>[{t(`settings.doctorState.${c.state}`)}]</strong> {c.id}: {vi ? c.vi : c.en}
                {c.fix && <div className="hint">→ {vi ? c.fix.vi : c.fix.en}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Users({ me }: { me: string }) {
  const { t } = useTranslation();
  const [users, setUsers] = useState<UserDTO[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [info, setInfo] = useState<(() => string) | null>(null);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('examiner');
  const [pin, setPin] = useState('');
  const [resetFor, setResetFor] = useState<string | null>(null);
  const [resetPin, setResetPin] = useState('');

  const reload = useCallback(async () => {
    try {
      setUsers(await unwrap(kiosk().users.list()));
    } catch (e) {
      setError(toError(e));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (fn: () => Promise<unknown>, message: () => string) => {
    setError(null);
    setInfo(null);
    try {
      await fn();
      setInfo(() => message);
      await reload();
      return true;
    } catch (e) {
      setError(toError(e));
      return false;
    }
  };

  return (
    <section className="card users" data-testid="users">
      <h2>{t('users.title')}</h2>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {info && <InfoBanner>{info()}</InfoBanner>}
      <table className="table table-compact">
        <thead>
          <tr>
            <th>{t('auth.username')}</th>
            <th>{t('auth.displayName')}</th>
            <th>{t('users.role')}</th>
            <th>{t('users.state')}</th>
            <th>{t('sessions.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.username}>
              <td className="mono">{u.username}</td>
              <td>{u.displayName}</td>
              <td>
                <span className={`role role-${u.role}`}>{t(`roles.${u.role}`)}</span>
              </td>
              <td>
                {!u.active
                  ? t('users.inactive')
                  : u.lockedUntil
                    ? t('users.lockedUntil', { time: formatTime(u.lockedUntil) })
                    : t('users.active')}
              </td>
              <td>
                <div className="row-actions">
                  {resetFor === u.username ? (
                    <Form
                      className="inline-form"
                      onSubmit={async () => {
                        if (
                          await act(
                            () => unwrap(kiosk().users.setPin({ username: u.username, pin: resetPin })),
                            () => i18next.t('users.pinReset'),
                          )
                        ) {
                          setResetFor(null);
                          setResetPin('');
                        }
                      }}
                    >
                      <input
                        type="password"
                        inputMode="numeric"
                        value={resetPin}
                        onChange={(e) => setResetPin(e.target.value)}
                        placeholder={t('auth.pinNew')}
                      />
                      <button className="btn btn-small btn-primary" type="submit">
                        {t('common.save')}
                      </button>
                    </Form>
                  ) : (
                    <button className="btn btn-small" onClick={() => setResetFor(u.username)}>
                      {t('users.resetPin')}
                    </button>
                  )}
                  {u.username !== me && (
                    <button
                      className="btn btn-small"
                      onClick={() =>
                        void act(
                          () => unwrap(kiosk().users.setActive({ username: u.username, active: !u.active })),
                          () => i18next.t(u.active ? 'users.deactivated' : 'users.activated'),
                        )
                      }
                    >
                      {u.active ? t('users.deactivate') : t('users.activate')}
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('users.add')}</h3>
      <Form
        className="inline-form wrap"
        onSubmit={async () => {
          if (
            await act(
              () => unwrap(kiosk().users.create({ username, displayName, role, pin })),
              (
                (who) => () =>
                  i18next.t('users.created', { who })
              )(username),
            )
          ) {
            setUsername('');
            setDisplayName('');
            setPin('');
          }
        }}
      >
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          placeholder={t('auth.username')}
          data-testid="user-new-username"
        />
        <input
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          placeholder={t('auth.displayName')}
          data-testid="user-new-name"
        />
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="user-new-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
        <input
          type="password"
          inputMode="numeric"
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          placeholder={t('auth.pinNew')}
          data-testid="user-new-pin"
        />
        <button className="btn btn-primary" type="submit" data-testid="user-new-submit">
          {t('users.addSubmit')}
        </button>
      </Form>
    </section>
  );
}

function strip(s: SettingsDTO): Draft {
  const { trustStore: _t, stationKey: _k, ...rest } = s;
  return rest;
}

function hidToText(h: SettingsDTO['readers']['hidPos']): string {
  return h ? `${h.vendorId.toString(16).padStart(4, '0')}:${h.productId.toString(16).padStart(4, '0')}` : '';
}

/** "vvvv:pppp" (hex) → ids; '' → null; anything else → undefined (invalid). */
function textToHid(text: string): SettingsDTO['readers']['hidPos'] | undefined {
  const s = text.trim();
  if (!s) return null;
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(s);
  return m ? { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) } : undefined;
}
