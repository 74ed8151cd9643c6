import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthStatus, Lang, ReaderStatusDTO, SettingsDTO } from '../../electron/shared/ipc-contract';
import { kiosk, unwrap } from './api';
import i18next from './i18n';
import { SignIn } from './screens/SignIn';
import { CheckIn } from './screens/CheckIn';
import { Sessions } from './screens/Sessions';
import { Candidates } from './screens/Candidates';
import { LogScreen } from './screens/Log';
import { SettingsScreen } from './screens/Settings';
import { TrustScreen } from './screens/Trust';
import { TrustBanner } from './components/TrustBanner';
import { ReaderStatusBar } from './components/ReaderStatus';
import { ChangePinDialog } from './components/ChangePin';
import type { AppContext, Screen } from './app-context';

export function App() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [settings, setSettings] = useState<SettingsDTO | null>(null);
  const [readers, setReaders] = useState<ReaderStatusDTO[]>([]);
  const [screen, setScreen] = useState<Screen>('checkin');
  const [sessionCode, setSessionCode] = useState<string | null>(null);
  const [changingPin, setChangingPin] = useState(false);

  const setLang = useCallback((lang: Lang) => {
    void i18next.changeLanguage(lang);
    document.documentElement.lang = lang;
  }, []);

  const refreshStatus = useCallback(async () => {
    const s = await unwrap(kiosk().auth.status());
    setStatus(s);
    return s;
  }, []);

  const reloadSettings = useCallback(async () => {
    setSettings(await unwrap(kiosk().settings.get()));
  }, []);

  // Once at start: the station's default language, the readers' state and their updates.
  useEffect(() => {
    void refreshStatus().then((s) => setLang(s.language));
    void unwrap(kiosk().readers.status()).then(setReaders);
    return kiosk().reader.onStatus(setReaders);
  }, []);

  useEffect(() => {
    if (status?.user) void reloadSettings();
    else setSettings(null);
  }, [status?.user, reloadSettings]);

  if (!status) return <div className="boot">{t('app.loading')}</div>;

  if (!status.user) {
    return (
      <SignIn
        status={status}
        onSignedIn={async () => {
          setScreen('checkin');
          await refreshStatus();
        }}
        lang={i18n.language as Lang}
        setLang={setLang}
      />
    );
  }

  const user = status.user;
  const isChair = user.role === 'chair';
  const nav: { id: Screen; label: string; chairOnly?: boolean }[] = [
    { id: 'checkin', label: t('nav.checkin') },
    { id: 'sessions', label: t('nav.sessions') },
    { id: 'candidates', label: t('nav.candidates') },
    { id: 'log', label: t('nav.log'), chairOnly: true },
    { id: 'trust', label: t('nav.trust'), chairOnly: true },
    { id: 'settings', label: t('nav.settings'), chairOnly: true },
  ];

  const signOut = async () => {
    await unwrap(kiosk().auth.signOut());
    setSessionCode(null);
    await refreshStatus();
  };

  const ctx: AppContext | null = settings
    ? {
        user,
        settings,
        readers,
        demo: !!status.demo,
        sessionCode,
        setSessionCode,
        go: setScreen,
        reloadSettings,
      }
    : null;

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-name">
            {t('app.name')} {status.demo && <span className="badge badge-demo">{t('app.demo')}</span>}
          </span>
          <span className="brand-station">{settings?.stationName ?? status.station}</span>
        </div>
        <nav className="nav" aria-label={t('nav.label')}>
          {nav
            .filter((n) => !n.chairOnly || isChair)
            .map((n) => (
              <button
                key={n.id}
                className={`nav-item${screen === n.id ? ' active' : ''}`}
                onClick={() => setScreen(n.id)}
                aria-current={screen === n.id ? 'page' : undefined}
                data-testid={`nav-${n.id}`}
              >
                {n.label}
              </button>
            ))}
        </nav>
        <div className="topbar-right">
          <button className="user-chip" onClick={() => setChangingPin(true)} title={t('auth.changePin')}>
            <span className="user-name">{user.displayName}</span>
            <span className={`role role-${user.role}`}>{t(`roles.${user.role}`)}</span>
          </button>
          <button
            className="lang-toggle"
            onClick={() => setLang(i18n.language === 'vi' ? 'en' : 'vi')}
            aria-label={t('app.switchLanguage')}
          >
            {i18n.language === 'vi' ? 'EN' : 'VI'}
          </button>
          <button className="btn btn-quiet" onClick={() => void signOut()} data-testid="sign-out">
            {t('auth.signOut')}
          </button>
        </div>
      </header>
      <ReaderStatusBar readers={readers} wedgeEnabled={settings?.readers.qrWedge ?? true} />
      <main className="content">
        {isChair && ctx && screen !== 'trust' && (
          <TrustBanner refreshKey={screen} onOpen={() => setScreen('trust')} />
        )}
        {!ctx ? (
          <div className="boot">{t('app.loading')}</div>
        ) : screen === 'checkin' ? (
          <CheckIn ctx={ctx} />
        ) : screen === 'sessions' ? (
          <Sessions ctx={ctx} />
        ) : screen === 'candidates' ? (
          <Candidates ctx={ctx} />
        ) : screen === 'log' && isChair ? (
          <LogScreen ctx={ctx} />
        ) : screen === 'trust' && isChair ? (
          <TrustScreen ctx={ctx} />
        ) : screen === 'settings' && isChair ? (
          <SettingsScreen ctx={ctx} />
        ) : null}
      </main>
      {changingPin && <ChangePinDialog onClose={() => setChangingPin(false)} />}
    </div>
  );
}
