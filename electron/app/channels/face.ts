/**
 * face.*: the examiner's face check (issue 12, docs/face.md). Frames from the window's camera are compared
 * in this process with the photos of the check they name (electron/core/face/face-checks.ts); the
 * renderer never sends a reference photo. Verdicts and overrides are logged with the caller's name.
 */
import { FACE_MODEL_VERSION } from '../../core/face/engine';
import type { AppContext, Handlers } from '../context';

export function faceChannels(app: AppContext): Handlers<'face'> {
  return {
    'face.frame': (caller, req) => app.face.frame(req.checkId, req.jpeg, app.actor(caller)),
    'face.retry': (_caller, req) => {
      app.face.retry(req.checkId);
      return {};
    },
    'face.override': (caller, req) => app.face.override(req.checkId, req.reason, app.actor(caller)),
    'face.challengeStart': (_caller, req) => app.face.challengeStart(req.checkId, req.kind),
    'face.status': async () => {
      const s = app.settings.get();
      let ready = false;
      let error = null;
      if (s.faceEnabled) {
        try {
          await app.faceEngine().ready();
          ready = true;
        } catch (e) {
          const k = e as { vi?: string; en?: string };
          error = { vi: k.vi ?? '', en: k.en ?? '' };
        }
      }
      return {
        enabled: s.faceEnabled,
        ready,
        modelVersion: FACE_MODEL_VERSION,
        threshold: s.faceThreshold,
        error,
      };
    },
  };
}
