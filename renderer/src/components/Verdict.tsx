import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckResultDTO, ReasonDTO } from '../../../electron/shared/ipc-contract';
import { pick } from '../api';
import { formatDate, formatTime } from '../format';
import { VerdictIcon } from './VerdictIcon';
import { FaceCheck, type FaceState } from './FaceCheck';

/**
 * The full-screen answer: colour + shape + words, readable from two metres. Reasons in the UI
 * language, the candidate from the roster, the chip photo beside the roster photo, and whether the
 * card itself was proven genuine, in plain words.
 */
export function Verdict({
  result,
  onDismiss,
  footer,
  face,
}: {
  result: CheckResultDTO;
  onDismiss: () => void;
  footer?: React.ReactNode;
  /** The face check of this window (Settings): the camera and what to tell the check-in screen. */
  face?: {
    enabled: boolean;
    deviceId: string;
    onChange?: (state: FaceState) => void;
    onDialog?: (open: boolean) => void;
  };
}) {
  const { t, i18n } = useTranslation();
  const c = result.candidate;
  const lang = i18n.language;
  const faceOn = !!face?.enabled && !!result.faceRequired && result.checkId !== undefined;
  const [faceState, setFaceState] = useState<FaceState>({ result: null, overridden: false });
  const onFaceChange = face?.onChange;
  const faceChanged = useCallback(
    (s: FaceState) => {
      setFaceState(s);
      onFaceChange?.(s);
    },
    [onFaceChange],
  );
  // One clear verdict: a face that does not match, or a failed liveness challenge (not overridden),
  // turns the whole check red, as checkInCondition (rows.ts) keeps the candidate out.
  const faceRed =
    faceOn &&
    (faceState.result?.face === 'no_match' || faceState.result?.liveness === 'failed') &&
    !faceState.overridden;
  const outcome = faceRed ? 'rejected' : result.outcome;
  return (
    <div
      className={`verdict verdict-${outcome}`}
      role="alertdialog"
      aria-live="assertive"
      aria-label={t(`verdict.outcome.${outcome}`)}
      data-testid="verdict"
      data-outcome={outcome}
      data-verdict={result.identityVerdict}
      data-face={faceOn ? (faceState.result?.face ?? 'pending') : 'not_checked'}
    >
      <div className="verdict-head">
        <VerdictIcon outcome={outcome} />
        <div className="verdict-words">
          <div className="verdict-word" data-testid="verdict-word">
            {t(`verdict.outcome.${outcome}`)}
          </div>
          <div className="verdict-identity" data-testid="verdict-subtitle">
            {faceRed && result.outcome !== 'rejected'
              ? t('verdict.face.no_match')
              : result.identityVerdict === 'match' && result.outcome === 'rejected'
                ? t('verdict.cardFailed')
                : t(`verdict.identity.${result.identityVerdict}`)}
            {faceOn && !faceState.result && result.outcome !== 'rejected' && (
              <span className="verdict-face-pending"> · {t('face.pending')}</span>
            )}
          </div>
        </div>
      </div>

      <div className="verdict-body">
        <div className="verdict-person">
          {c ? (
            <>
              <div className="verdict-sbd">
                {t('candidate.no')} <strong>{c.candidateNo}</strong>
              </div>
              <div className="verdict-name" data-testid="verdict-name">
                {c.fullName}
              </div>
              <div className="verdict-facts">
                <span>
                  {t('candidate.dob')}: <strong>{formatDate(c.dateOfBirth)}</strong>
                </span>
                {c.licenceClass && (
                  <span>
                    {t('candidate.class')}: <strong>{c.licenceClass}</strong>
                  </span>
                )}
              </div>
            </>
          ) : result.card ? (
            <>
              <div className="verdict-sbd">{t('verdict.cardSays')}</div>
              <div className="verdict-name" data-testid="verdict-name">
                {result.card.fullName}
              </div>
              <div className="verdict-facts">
                <span>
                  {t('candidate.dob')}: <strong>{formatDate(result.card.dateOfBirth)}</strong>
                </span>
                <span>
                  {t('candidate.idNumber')}: <strong>{result.card.idNumberMasked}</strong>
                </span>
              </div>
            </>
          ) : null}

          {result.reasons.length > 0 && (
            <ul className="verdict-reasons" data-testid="verdict-reasons">
              {result.reasons.map((r: ReasonDTO, i) => (
                <li key={`${r.code}-${i}`} className={`reason reason-${r.severity}`}>
                  <span className="reason-mark" aria-hidden>
                    {r.severity === 'error' ? '✕' : r.severity === 'warning' ? '!' : 'i'}
                  </span>
                  {pick(r, lang)}
                </li>
              ))}
            </ul>
          )}
        </div>

        <div className="verdict-side">
          {faceOn && face ? (
            <FaceCheck
              result={result}
              deviceId={face.deviceId}
              onChange={faceChanged}
              onDialog={face.onDialog}
            />
          ) : (
            <div className="photos">
              <figure className="photo">
                {result.chipPhoto ? (
                  <img src={result.chipPhoto} alt={t('verdict.chipPhoto')} />
                ) : (
                  <div className="photo-none">
                    {result.source === 'chip' ? t('verdict.noPhoto') : t('verdict.chipNotRead')}
                  </div>
                )}
                <figcaption>{t('verdict.chipPhoto')}</figcaption>
              </figure>
              <figure className="photo">
                {result.rosterPhoto ? (
                  <img src={result.rosterPhoto} alt={t('verdict.rosterPhoto')} />
                ) : (
                  <div className="photo-none">{t('verdict.noPhoto')}</div>
                )}
                <figcaption>{t('verdict.rosterPhoto')}</figcaption>
              </figure>
            </div>
          )}
          <div
            className={`authenticity authenticity-${result.authenticityVerdict}`}
            data-testid="verdict-authenticity"
          >
            <span className="authenticity-label">{t('verdict.authenticityLabel')}</span>
            <span className="authenticity-text">
              {t(`verdict.authenticity.${result.authenticityVerdict}`)}
            </span>
          </div>
          <div className="verdict-meta">
            {t(`verdict.entry.${result.entry}`)} · {formatTime(result.at)} · #{result.logId}
          </div>
        </div>
      </div>

      <div className="verdict-foot">
        {footer}
        <button className="btn btn-verdict" onClick={onDismiss} data-testid="verdict-dismiss">
          {t('verdict.continue')}
        </button>
      </div>
    </div>
  );
}
