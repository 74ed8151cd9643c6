// Camera failures as the examiner is told them (pure: no DOM, unit-tested in Node).

/** Why the camera could not start; shown in the UI language (i18n face.camera.<code>). */
export type CameraErrorCode = 'no_camera' | 'permission_denied' | 'device_busy' | 'unavailable';

/** Maps a getUserMedia failure (a DOMException name) to what the examiner is told. */
export function cameraErrorCode(e: unknown): CameraErrorCode {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError')
    return 'no_camera';
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError' || name === 'SecurityError')
    return 'permission_denied';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError')
    return 'device_busy';
  return 'unavailable';
}
