import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, AuthStatus, Lang, UserChoice } from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { PinField } from '../components/PinField';

export function SignIn({
  status,
  onSignedIn,
  lang,
  setLang,
}: {
  status: AuthStatus;
  onSignedIn: () => Promise<void>;
  lang: Lang;
  setLang: (l: Lang) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="signin">
      <div className="signin-card">
        <div className="signin-head">
          <div>
            <h1 className="signin-title">{t('app.name')}</h1>
            <div className="signin-station">
              {t('auth.station')}: <strong>{status.station}</strong>
            </div>
          </div>
          <button className="lang-toggle" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
            {lang === 'vi' ? 'EN' : 'VI'}
          </button>
        </div>
        {status.setupRequired ? (
          <Setup onDone={onSignedIn} />
        ) : (
          <ChooseUser status={status} onDone={onSignedIn} />
        )}
      </div>
    </div>
  );
}

function Setup({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async () => {
    setError(null);
    if (pin !== pin2) {
      setError({ code: 'pin_mismatch', vi: t('auth.pinMismatch'), en: t('auth.pinMismatch') });
      return;
    }
    try {
      await unwrap(kiosk().auth.setup({ username, displayName, pin }));
      await onDone();
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <form
      className="form setup-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{t('auth.setupTitle')}</h2>
      <p className="muted">{t('auth.setupHelp')}</p>
      <label>
        {t('auth.username')}
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
          data-testid="setup-username"
        />
        <span className="hint">{t('auth.usernameHint')}</span>
      </label>
      <label>
        {t('auth.displayName')}
        <input
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          data-testid="setup-name"
        />
      </label>
      <div className="form-row">
        <label>
          {t('auth.pinNew')}
          <input
            type="password"
            inputMode="numeric"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            data-testid="setup-pin"
          />
          <span className="hint">{t('auth.pinHint')}</span>
        </label>
        <label>
          {t('auth.repeatPin')}
          <input
            type="password"
            inputMode="numeric"
            value={pin2}
            onChange={(e) => setPin2(e.target.value)}
            data-testid="setup-pin2"
          />
        </label>
      </div>
      <ErrorBanner error={error} />
      <div className="actions">
        <button className="btn btn-primary btn-large" type="submit" data-testid="setup-submit">
          {t('auth.setupSubmit')}
        </button>
      </div>
    </form>
  );
}

function ChooseUser({ status, onDone }: { status: AuthStatus; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [users, setUsers] = useState<UserChoice[]>([]);
  const [chosen, setChosen] = useState<UserChoice | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void unwrap(kiosk().auth.users()).then(setUsers, (e: unknown) => setError(toError(e)));
  }, []);

  const submit = async () => {
    if (!chosen || busy) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(kiosk().auth.signIn({ username: chosen.username, pin }));
      await onDone();
    } catch (e) {
      setError(toError(e));
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin-body">
      <div className="user-list" role="list">
        <h2>{t('auth.whoAreYou')}</h2>
        {users.map((u) => (
          <button
            key={u.username}
            role="listitem"
            className={`user-choice${chosen?.username === u.username ? ' chosen' : ''}`}
            onClick={() => {
              setChosen(u);
              setPin('');
              setError(null);
            }}
            data-testid={`user-${u.username}`}
          >
            <span className="user-choice-name">{u.displayName}</span>
            <span className={`role role-${u.role}`}>{t(`roles.${u.role}`)}</span>
          </button>
        ))}
      </div>
      <div className="pin-panel">
        {chosen ? (
          <>
            <h2>
              {t('auth.pinFor')} <span className="nowrap">{chosen.displayName}</span>
            </h2>
            <PinField
              value={pin}
              onChange={setPin}
              onSubmit={() => void submit()}
              autoFocus
              testId="signin-pin"
            />
            <ErrorBanner error={error} />
            <button
              className="btn btn-primary btn-large"
              onClick={() => void submit()}
              disabled={busy || pin.length < 4}
              data-testid="signin-submit"
            >
              {t('auth.signIn')}
            </button>
          </>
        ) : (
          <p className="muted big">{t('auth.chooseUser')}</p>
        )}
        {status.demo && (
          <div className="demo-hint" data-testid="demo-pins">
            <strong>{t('app.demo')}:</strong>{' '}
            {status.demo.pins.map((p) => `${p.username} — PIN ${p.pin}`).join(' · ')}
          </div>
        )}
      </div>
    </div>
  );
}
