import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, AuthStatus, Lang, UserChoice } from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { Form } from '../components/Form';
import { NewPinInputs, PinEntry, PinSubmit, useNewPin, usePinSubmit } from '../components/PinForm';

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
  const pins = useNewPin();
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async () => {
    const mismatch = pins.mismatch();
    setError(mismatch);
    if (mismatch) return;
    try {
      await unwrap(kiosk().auth.setup({ username, displayName, pin: pins.pin }));
      await onDone();
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <Form className="form setup-form" onSubmit={submit}>
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
        <NewPinInputs pins={pins} hint={t('auth.pinHint')} testIds={['setup-pin', 'setup-pin2']} />
      </div>
      <ErrorBanner error={error} />
      <div className="actions">
        <button className="btn btn-primary btn-large" type="submit" data-testid="setup-submit">
          {t('auth.setupSubmit')}
        </button>
      </div>
    </Form>
  );
}

function ChooseUser({ status, onDone }: { status: AuthStatus; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [users, setUsers] = useState<UserChoice[]>([]);
  const [chosen, setChosen] = useState<UserChoice | null>(null);
  // The PIN panel (and so a submit) exists only once an account is chosen.
  const entry = usePinSubmit(async (pin) => {
    await unwrap(kiosk().auth.signIn({ username: chosen!.username, pin }));
    await onDone();
  });
  const { setError } = entry;

  useEffect(() => {
    void unwrap(kiosk().auth.users()).then(setUsers, (e: unknown) => setError(toError(e)));
  }, [setError]);

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
              entry.reset();
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
            <PinEntry entry={entry} testId="signin-pin" />
            <PinSubmit entry={entry} label={t('auth.signIn')} testId="signin-submit" />
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
