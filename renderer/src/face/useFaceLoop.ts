import { useEffect, useRef, useState } from 'react';
import type {
  ApiError,
  ChallengeStateDTO,
  FaceBoxDTO,
  FaceResultDTO,
} from '../../../electron/shared/ipc-contract';
import { kiosk, toError, unwrap } from '../api';

/** Frames sent per second for matching (the issue asks >= 2/s; the preview itself is not throttled). */
export const FACE_FRAMES_PER_SECOND = 3;
/** Largest side of a frame sent to main: enough for the detector, small JPEGs (~30-60 KB). */
const MAX_FRAME_SIDE = 640;
const JPEG_QUALITY = 0.8;

export interface FaceLoopState {
  /** Size of the frame the boxes refer to. */
  width: number;
  height: number;
  faces: FaceBoxDTO[];
  /** The decision for the check, once a frame completed it (kept until retry). */
  result: FaceResultDTO | null;
  challenge: ChallengeStateDTO | null;
  error: ApiError | null;
  /** Frames answered so far. */
  frames: number;
}

const initial: FaceLoopState = {
  width: 0,
  height: 0,
  faces: [],
  result: null,
  challenge: null,
  error: null,
  frames: 0,
};

/** One JPEG of the video's current picture (downscaled); null while the video has no picture yet. */
async function grab(
  video: HTMLVideoElement,
  canvas: HTMLCanvasElement,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h || video.readyState < 2) return null;
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(w, h));
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(h * scale);
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.drawImage(video, 0, 0, canvas.width, canvas.height);
  // toBlob encodes off the main thread: the preview keeps playing.
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY),
  );
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

/**
 * Sends the camera's picture to the main process (`face.frame`) about FACE_FRAMES_PER_SECOND times a
 * second, one request in flight at a time (a slow engine lowers the rate instead of queueing frames).
 * checkId null = boxes only (no decision). `resetKey` changing forgets the state (a retry).
 */
export function useFaceLoop(
  video: React.RefObject<HTMLVideoElement | null>,
  running: boolean,
  checkId: number | null,
  resetKey = 0,
): FaceLoopState {
  const [state, setState] = useState<FaceLoopState>(initial);
  const canvas = useRef<HTMLCanvasElement | null>(null);

  useEffect(() => {
    setState(initial);
    if (!running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const period = 1000 / FACE_FRAMES_PER_SECOND;
    canvas.current ??= document.createElement('canvas');

    const tick = async () => {
      const started = performance.now();
      const v = video.current;
      try {
        const jpeg = v ? await grab(v, canvas.current!) : null;
        if (jpeg && !stopped) {
          const r = await unwrap(kiosk().face.frame({ checkId, jpeg }));
          if (stopped) return;
          setState((s) => ({
            width: r.width,
            height: r.height,
            faces: r.faces,
            result: r.result ?? s.result,
            challenge: r.challenge ?? s.challenge,
            error: null,
            frames: s.frames + 1,
          }));
        }
      } catch (e) {
        if (!stopped) setState((s) => ({ ...s, error: toError(e) }));
      }
      if (stopped) return;
      // The next frame leaves a period after this one left, or at once when the answer was slower.
      timer = setTimeout(() => void tick(), Math.max(0, period - (performance.now() - started)));
    };
    timer = setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [video, running, checkId, resetKey]);

  return state;
}
