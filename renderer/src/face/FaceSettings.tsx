import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  FACE_THRESHOLD_MAX,
  FACE_THRESHOLD_MIN,
  type EditableSettingsDTO,
  type FaceStatusDTO,
} from '../../../electron/shared/ipc-contract';
import { kiosk, pick, unwrap } from '../api';
import { cameraErrorCode, listCameras, type CameraDevice, type CameraErrorCode } from './useCamera';

type FaceFields = Pick<
  EditableSettingsDTO,
  'faceEnabled' | 'faceThreshold' | 'cameraDeviceId' | 'faceKeepEvidence'
>;

/** The chair's face-check settings (Settings screen): on/off, the camera, the threshold, evidence. */
export function FaceSettings<D extends FaceFields>({
  draft,
  setDraft,
}: {
  draft: D;
  setDraft: (update: (d: D) => D) => void;
}) {
  const { t, i18n } = useTranslation();
  const [cameras, setCameras] = useState<CameraDevice[]>([]);
  const [cameraError, setCameraError] = useState<CameraErrorCode | null>(null);
  const [status, setStatus] = useState<FaceStatusDTO | null>(null);

  const findCameras = useCallback(async () => {
    setCameraError(null);
    try {
      // Labels appear only once the camera was opened: open it briefly (video only), then list.
      const probe = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      probe.getTracks().forEach((tr) => tr.stop());
      setCameras(await listCameras());
    } catch (e) {
      setCameraError(cameraErrorCode(e));
      setCameras(await listCameras().catch(() => []));
    }
  }, []);

  useEffect(() => {
    void listCameras().then(setCameras, () => setCameras([]));
    void unwrap(kiosk().face.status({})).then(setStatus, () => setStatus(null));
  }, []);

  const set = (patch: Partial<FaceFields>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <section className="card" data-testid="settings-face">
      <h2>{t('face.settings.title')}</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.faceEnabled}
          onChange={(e) => set({ faceEnabled: e.target.checked })}
          data-testid="settings-face-enabled"
        />
        {t('face.settings.enabled')}
      </label>
      <p className="hint">{t('face.settings.enabledHint')}</p>
      <label>
        {t('face.settings.camera')}
        <select
          value={draft.cameraDeviceId}
          onChange={(e) => set({ cameraDeviceId: e.target.value })}
          data-testid="settings-camera"
        >
          <option value="">{t('face.settings.firstCamera')}</option>
          {draft.cameraDeviceId && !cameras.some((c) => c.deviceId === draft.cameraDeviceId) && (
            <option value={draft.cameraDeviceId}>{draft.cameraDeviceId.slice(0, 12)}…</option>
          )}
          {cameras.map((c) => (
            <option key={c.deviceId} value={c.deviceId}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <button className="btn" onClick={() => void findCameras()} data-testid="settings-find-cameras">
        {t('face.settings.refreshCameras')}
      </button>
      {cameraError && <p className="hint">{t(`face.camera.${cameraError}`)}</p>}
      <label>
        {t('face.settings.threshold')}
        <input
          type="number"
          min={FACE_THRESHOLD_MIN}
          max={FACE_THRESHOLD_MAX}
          step={0.01}
          value={draft.faceThreshold}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (Number.isFinite(v))
              set({ faceThreshold: Math.max(FACE_THRESHOLD_MIN, Math.min(FACE_THRESHOLD_MAX, v)) });
          }}
          data-testid="settings-face-threshold"
        />
        <span className="hint">{t('face.settings.thresholdHint')}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.faceKeepEvidence}
          onChange={(e) => set({ faceKeepEvidence: e.target.checked })}
          data-testid="settings-face-evidence"
        />
        {t('face.settings.keepEvidence')}
      </label>
      <p className="hint">{t('face.settings.keepEvidenceChair')}</p>
      {status && (
        <p className="hint" data-testid="settings-face-status">
          {t('face.settings.status')}: {status.ready ? t('face.settings.ready') : t('face.settings.notReady')}
          {status.modelVersion && ` · ${status.modelVersion}`}
          {status.error && ` · ${pick(status.error, i18n.language)}`}
        </p>
      )}
    </section>
  );
}
