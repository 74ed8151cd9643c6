import { useCallback, useEffect, useRef, useState } from 'react';
import { cameraErrorCode, type CameraErrorCode } from './camera-errors';

export { cameraErrorCode, type CameraErrorCode };

export interface CameraDevice {
  deviceId: string;
  label: string;
}

/** The cameras of this computer (labels appear once the camera permission was granted). */
export async function listCameras(): Promise<CameraDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const all = await navigator.mediaDevices.enumerateDevices();
  return all
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/**
 * The camera as a <video> source: video only (never audio), the chosen device ('' = the first one),
 * stopped cleanly (every track) when `active` turns false or the component goes away.
 */
export function useCamera(active: boolean, deviceId: string) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<CameraErrorCode | null>(null);
  const streamRef = useRef<MediaStream | null>(null);

  const stop = useCallback(() => {
    streamRef.current?.getTracks().forEach((t) => t.stop());
    streamRef.current = null;
    setStream(null);
  }, []);

  useEffect(() => {
    if (!active) {
      stop();
      return;
    }
    let cancelled = false;
    setError(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setError('no_camera');
      return;
    }
    const video: MediaTrackConstraints = {
      width: { ideal: 640 },
      height: { ideal: 480 },
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    };
    navigator.mediaDevices.getUserMedia({ video, audio: false }).then(
      (s) => {
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        streamRef.current = s;
        setStream(s);
      },
      (e: unknown) => {
        if (!cancelled) setError(cameraErrorCode(e));
      },
    );
    return () => {
      cancelled = true;
      stop();
    };
  }, [active, deviceId, stop]);

  return { stream, error };
}
