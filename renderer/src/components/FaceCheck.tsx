import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ApiError,
  CheckResultDTO,
  FaceChallenge,
  FaceResultDTO,
} from '../../../electron/shared/ipc-contract';
import { kiosk, pick, toError, unwrap } from '../api';
import { useCamera } from '../face/useCamera';
import { useFaceLoop } from '../face/useFaceLoop';
import { ErrorBanner } from './ErrorBanner';
import { Modal } from './Modal';

/** What the verdict screen needs from the face check: the decision and whether it was overridden. */
export interface FaceState {
  result: FaceResultDTO | null;
  overridden: boolean;
}

function decimal(n: number, lang: string): string {
  return n.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

/**
 * Question 3 beside the card's photos: the live camera picture (faces boxed), the chip photo and the
 * roster photo, the prompts (no face / several faces), the distance against the threshold, the face
 * verdict, the override with a written reason and the turn-head / blink challenge. The frames go to the
 * main process (face.frame), which compares them with the photos of this check; the renderer never
 * sends or receives a reference photo.
 */
export function FaceCheck({
  result,
  deviceId,
  onChange,
  onDialog,
}: {
  result: CheckResultDTO;
  deviceId: string;
  onChange: (state: FaceState) => void;
  onDialog?: (open: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const checkId = result.checkId ?? null;
  const video = useRef<HTMLVideoElement | null>(null);
  const [retries, setRetries] = useState(0);
  const [overridden, setOverridden] = useState(false);
  const [overrideOpen, setOverrideOpen] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const camera = useCamera(true, deviceId);
  const loop = useFaceLoop(video, camera.stream !== null, checkId, retries);
  const face = loop.result;
  // A red decision of this check (no_match, or a failed challenge) keeps the candidate out until an
  // override, even if a retry then matched (checkInCondition, rows.ts): the screen keeps showing it.
  const [red, setRed] = useState<{ checkId: number | null; result: FaceResultDTO } | null>(null);
  useEffect(() => {
    if (face && (face.face === 'no_match' || face.liveness === 'failed')) setRed({ checkId, result: face });
  }, [face, checkId]);
  const lastRed = red && red.checkId === checkId ? red.result : null;
  const shown = lastRed && !overridden ? lastRed : face;

  useEffect(() => {
    if (video.current && video.current.srcObject !== camera.stream) {
      video.current.srcObject = camera.stream;
      if (camera.stream) void video.current.play().catch(() => {});
    }
  }, [camera.stream]);

  useEffect(() => onChange({ result: shown, overridden }), [shown, overridden, onChange]);
  useEffect(() => onDialog?.(overrideOpen), [overrideOpen, onDialog]);

  const retry = useCallback(async () => {
    if (checkId === null) return;
    setActionError(null);
    try {
      await unwrap(kiosk().face.retry({ checkId }));
      setOverridden(false);
      setRetries((n) => n + 1);
    } catch (e) {
      setActionError(toError(e));
    }
  }, [checkId]);

  const challenge = useCallback(
    async (kind: FaceChallenge) => {
      if (checkId === null) return;
      setActionError(null);
      try {
        await unwrap(kiosk().face.challengeStart({ checkId, kind }));
      } catch (e) {
        setActionError(toError(e));
      }
    },
    [checkId],
  );

  const faces = loop.faces.length;
  const verdict = face?.face ?? null;
  const challengeState = loop.challenge;
  const promptKind =
    camera.error !== null
      ? null
      : loop.frames === 0
        ? 'starting'
        : faces === 0
          ? 'noFace'
          : faces > 1
            ? 'severalFaces'
            : null;
  const prompt = promptKind ? t(`face.${promptKind}`) : null;

  return (
    <div className="facecheck" data-testid="facecheck" data-face={verdict ?? 'pending'}>
      <div className="facecheck-photos">
        <figure className="photo facecheck-live">
          <div className="facecheck-video">
            <video ref={video} muted playsInline autoPlay data-testid="face-video" />
            {loop.width > 0 && (
              <svg
                className="facecheck-overlay"
                viewBox={`0 0 ${loop.width} ${loop.height}`}
                preserveAspectRatio="xMidYMid slice"
                aria-hidden
              >
                {loop.faces.map((b, i) => (
                  <rect
                    key={i}
                    x={b.x}
                    y={b.y}
                    width={b.width}
                    height={b.height}
                    className={faces > 1 ? 'facebox facebox-many' : `facebox facebox-${verdict ?? 'pending'}`}
                    data-testid="face-box"
                  />
                ))}
              </svg>
            )}
            {camera.error && (
              <div className="facecheck-camera-error" data-testid="face-camera-error" role="alert">
                {t(`face.camera.${camera.error}`)}
              </div>
            )}
            {prompt && (
              <div
                className="facecheck-prompt"
                data-testid="face-prompt"
                data-kind={promptKind}
                data-faces={faces}
              >
                {prompt}
              </div>
            )}
          </div>
          <figcaption>{t('face.live')}</figcaption>
        </figure>
        <figure className="photo">
          {result.chipPhoto ? (
            <img src={result.chipPhoto} alt={t('verdict.chipPhoto')} data-testid="face-chip-photo" />
          ) : (
            <div className="photo-none">{t('verdict.noPhoto')}</div>
          )}
          <figcaption>{t('verdict.chipPhoto')}</figcaption>
        </figure>
        {result.rosterPhoto && (
          <figure className="photo">
            <img src={result.rosterPhoto} alt={t('verdict.rosterPhoto')} />
            <figcaption>{t('verdict.rosterPhoto')}</figcaption>
          </figure>
        )}
      </div>

      <div
        className={`face-verdict face-verdict-${verdict ?? 'pending'}${overridden ? ' face-verdict-overridden' : ''}`}
        data-testid="face-verdict"
        data-face={verdict ?? 'pending'}
        data-overridden={overridden ? 'true' : 'false'}
      >
        <span className="authenticity-label">{t('face.label')}</span>
        <span className="face-verdict-text">
          {verdict ? t(`verdict.face.${verdict}`) : t('face.pending')}
          {overridden && ` · ${t('face.overridden')}`}
        </span>
        {face && face.distance !== null && (
          <span className="face-score" data-testid="face-score">
            {t('face.score', {
              distance: decimal(face.distance, lang),
              threshold: decimal(face.threshold, lang),
              against: t(`face.against.${face.against ?? 'chip'}`),
            })}
            {face.rosterDistance !== null &&
              face.against !== 'roster' &&
              ` · ${t('face.rosterScore', { distance: decimal(face.rosterDistance, lang) })}`}
          </span>
        )}
      </div>

      {challengeState && (
        <div
          className={`face-challenge face-challenge-${challengeState.state}`}
          data-testid="face-challenge"
          data-state={challengeState.state}
          data-kind={challengeState.kind}
        >
          <strong>{t(`face.challenge.${challengeState.kind}`)}</strong>
          {' · '}
          {challengeState.state === 'waiting'
            ? `${pick(challengeState.prompt, lang)} (${Math.max(0, Math.ceil(challengeState.secondsLeft))} s)`
            : t(`face.challenge.${challengeState.state}`)}
        </div>
      )}

      {(loop.error || actionError) && <ErrorBanner error={(actionError ?? loop.error)!} />}

      <div className="face-actions">
        {(verdict === 'no_match' || lastRed !== null) && !overridden && (
          <button
            className="btn btn-danger-outline"
            onClick={() => setOverrideOpen(true)}
            data-testid="face-override"
          >
            {t('face.override')}
          </button>
        )}
        <button className="btn" onClick={() => void challenge('turn_head')} data-testid="face-challenge-turn">
          {t('face.challenge.turn_head')}
        </button>
        <button className="btn" onClick={() => void challenge('blink')} data-testid="face-challenge-blink">
          {t('face.challenge.blink')}
        </button>
        {verdict !== null && (
          <button className="btn" onClick={() => void retry()} data-testid="face-retry">
            {t('face.retry')}
          </button>
        )}
      </div>

      {overrideOpen && checkId !== null && (
        <OverrideDialog
          checkId={checkId}
          onClose={() => setOverrideOpen(false)}
          onDone={() => {
            setOverrideOpen(false);
            setOverridden(true);
            setRed(null);
          }}
        />
      )}
    </div>
  );
}

function OverrideDialog({
  checkId,
  onClose,
  onDone,
}: {
  checkId: number;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const valid = reason.trim().length >= 5;
  const submit = async () => {
    if (!valid) return;
    setError(null);
    try {
      await unwrap(kiosk().face.override({ checkId, reason: reason.trim() }));
      onDone();
    } catch (e) {
      setError(toError(e));
    }
  };
  return (
    <Modal title={t('face.overrideTitle')} onClose={onClose}>
      <p className="muted">{t('face.overrideHelp')}</p>
      <textarea
        className="face-reason"
        autoFocus
        rows={3}
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        data-testid="face-override-reason"
      />
      {!valid && reason.length > 0 && <p className="muted">{t('face.reasonTooShort')}</p>}
      {error && <ErrorBanner error={error} />}
      <div className="actions">
        <button className="btn" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button
          className="btn btn-primary"
          disabled={!valid}
          onClick={() => void submit()}
          data-testid="face-override-submit"
        >
          {t('face.overrideConfirm')}
        </button>
      </div>
    </Modal>
  );
}
