/**
 * The face checks of the station (docs/face.md): for each card check the main process keeps the chip's
 * DG2 photo (and the candidate's roster photo) in memory, compares the camera frames the window sends
 * with it (FaceEngine), decides with native/face/verdict.ts, runs the liveness challenge
 * (native/face/liveness.ts), and logs the verdict once per decision ('face_check'), and an examiner's
 * override with its reason ('face_override'). Never an image or a descriptor in the log: numbers only.
 * Photos and descriptors live in this process's memory for the last few checks only.
 */
import type { Actor } from '../actor';
import { KioskError } from '../errors';
import type {
  Bilingual,
  CardPhoto,
  FaceChallenge,
  FaceResult,
  LivenessState,
  LogKind,
} from '../../../native/domain/vocabulary';
import { decideFace, type FaceFrameSample, type FaceReferenceSample } from '../../../native/face/verdict';
import {
  CHALLENGE_PROMPTS,
  evaluateChallenge,
  eyeAspectRatio,
  yawOf,
  type LivenessSample,
} from '../../../native/face/liveness';
import { FACE_MODEL_VERSION, type DetectedFace, type FaceEngine } from './engine';
import { decodeImage, padToSquare } from './image';

export interface FaceSettings {
  faceEnabled: boolean;
  faceThreshold: number;
  /** Keep the frame of a red check as evidence (encrypted; chair setting). */
  faceKeepEvidence?: boolean;
}

export interface FaceChecksDeps {
  engine: () => FaceEngine;
  settings: () => FaceSettings;
  log: (kind: LogKind, actor: Actor, details: Record<string, unknown>, sessionCode: string) => void;
  rosterPhoto: (candidateId: number) => CardPhoto | null;
  /** Stores the frame that decided a red check (only called when faceKeepEvidence is on). */
  keepEvidence?: (sessionCode: string, checkId: number, jpeg: Uint8Array) => void;
  now?: () => number;
}

export interface ChallengeState {
  kind: FaceChallenge;
  state: 'waiting' | 'passed' | 'failed';
  prompt: Bilingual;
  secondsLeft: number;
}

export interface FrameAnswer {
  width: number;
  height: number;
  faces: { x: number; y: number; width: number; height: number; score: number }[];
  result: FaceResult | null;
  challenge: ChallengeState | null;
}

interface Entry {
  checkId: number;
  sessionCode: string;
  chipPhoto: CardPhoto | null;
  candidateId: number | null;
  refs?: Promise<{ chip: FaceReferenceSample | null; roster: FaceReferenceSample | null }>;
  frames: FaceFrameSample[];
  result: FaceResult | null;
  overridden: boolean;
  /**
   * A red decision (no_match, or a failed liveness challenge) was logged for this check and not yet
   * overridden. face.retry / face.challengeStart do not clear it: checkInCondition keeps the candidate
   * out until an override, so the override must stay possible after a later 'match' (forger).
   */
  lastRed: FaceResult | null;
  challenge: {
    kind: FaceChallenge;
    startedAt: number;
    samples: LivenessSample[];
    final?: LivenessState;
  } | null;
}

/** Checks kept in memory (the examiner works on the latest; a few back for a retry). */
const KEEP_CHECKS = 8;
const KEEP_FRAMES = 30;

export function notRegistered(): KioskError {
  return new KioskError('face_check_unknown', {
    vi: 'Không có lượt kiểm tra thẻ này để đối chiếu khuôn mặt. Quét lại thẻ.',
    en: 'No card check to compare the face with. Scan the card again.',
  });
}

export function faceDisabled(): KioskError {
  return new KioskError('face_disabled', {
    vi: 'Đối chiếu khuôn mặt đang tắt trong Cài đặt.',
    en: 'Face check is turned off in Settings.',
  });
}

/** The one face of a reference photo: padded onto a square first (SSD misses a face filling the frame). */
export async function referenceOf(engine: FaceEngine, photo: CardPhoto): Promise<FaceReferenceSample> {
  const img = padToSquare(await decodeImage(photo.data));
  const faces = await engine.detect(img);
  return { faces: faces.length, descriptor: faces.length === 1 ? faces[0]!.descriptor : null };
}

export class FaceChecks {
  private readonly entries = new Map<number, Entry>();
  private readonly now: () => number;

  constructor(private readonly deps: FaceChecksDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * A card check was made: keep its photos for the face check. Returns whether a face check is expected
   * (face check on, and a chip or roster photo).
   */
  register(check: {
    checkId: number;
    sessionCode: string;
    candidateId: number | null;
    chipPhoto: CardPhoto | null;
    hasRosterPhoto: boolean;
  }): boolean {
    if (!this.deps.settings().faceEnabled) return false;
    if (!check.chipPhoto && !check.hasRosterPhoto) return false;
    this.entries.set(check.checkId, {
      checkId: check.checkId,
      sessionCode: check.sessionCode,
      chipPhoto: check.chipPhoto,
      candidateId: check.hasRosterPhoto ? check.candidateId : null,
      frames: [],
      result: null,
      overridden: false,
      lastRed: null,
      challenge: null,
    });
    while (this.entries.size > KEEP_CHECKS) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }

  private entry(checkId: number): Entry {
    const e = this.entries.get(checkId);
    if (!e) throw notRegistered();
    return e;
  }

  private refs(e: Entry): NonNullable<Entry['refs']> {
    e.refs ??= (async () => {
      const engine = this.deps.engine();
      const chip = e.chipPhoto ? await referenceOf(engine, e.chipPhoto) : null;
      const rp = e.candidateId !== null ? this.deps.rosterPhoto(e.candidateId) : null;
      const roster = rp ? await referenceOf(engine, rp) : null;
      return { chip, roster };
    })();
    e.refs.catch(() => {
      e.refs = undefined;
    });
    return e.refs;
  }

  private challengeState(e: Entry): ChallengeState | null {
    const c = e.challenge;
    if (!c) return null;
    const r = evaluateChallenge(c.kind, c.startedAt, c.samples, this.now());
    if (r.state !== 'waiting') c.final = r.state;
    return { kind: c.kind, state: r.state, prompt: CHALLENGE_PROMPTS[c.kind], secondsLeft: r.secondsLeft };
  }

  /** One camera frame: the faces in it, and for a check its decision when this frame completes one. */
  async frame(checkId: number | null, jpeg: Uint8Array, actor: Actor): Promise<FrameAnswer> {
    if (!this.deps.settings().faceEnabled) throw faceDisabled();
    const e = checkId !== null ? this.entry(checkId) : null;
    const img = await decodeImage(jpeg);
    const engine = this.deps.engine();
    const detected: DetectedFace[] = await engine.detect(img);
    const answer: FrameAnswer = {
      width: img.width,
      height: img.height,
      faces: detected.map((f) => ({ ...roundBox(f.box), score: Math.round(f.score * 1000) / 1000 })),
      result: null,
      challenge: null,
    };
    if (!e) return answer;
    const one = detected.length === 1 ? detected[0]! : null;
    e.frames.push({ faces: detected.length, descriptor: one ? one.descriptor : null });
    if (e.frames.length > KEEP_FRAMES) e.frames.splice(0, e.frames.length - KEEP_FRAMES);
    if (e.challenge && !e.challenge.final) {
      e.challenge.samples.push({
        at: this.now(),
        faces: detected.length,
        yaw: one ? yawOf(one.landmarks) : null,
        ear: one ? eyeAspectRatio(one.landmarks) : null,
      });
    }
    answer.challenge = this.challengeState(e);
    // While a challenge runs, the decision waits for its outcome (it is logged with the decision).
    if (e.result || (e.challenge && !e.challenge.final)) return answer;
    const refs = await this.refs(e);
    const d = decideFace({
      frames: e.frames,
      chip: refs.chip,
      roster: refs.roster,
      threshold: this.deps.settings().faceThreshold,
      modelVersion: FACE_MODEL_VERSION,
      liveness: e.challenge?.final ?? 'not_run',
    });
    // Several faces or too few frames yet: no decision (the window asks for one person in view).
    if (!d.decided) return answer;
    e.result = d.result;
    if (isRed(d.result)) e.lastRed = d.result;
    if (d.result.face === 'no_match' && this.deps.settings().faceKeepEvidence) {
      this.deps.keepEvidence?.(e.sessionCode, e.checkId, jpeg);
    }
    this.deps.log(
      'face_check',
      actor,
      { checkId: e.checkId, ...d.result, frames: e.frames.length, liveness: d.result.liveness ?? 'not_run' },
      e.sessionCode,
    );
    answer.result = d.result;
    return answer;
  }

  /** Forget the decision: the next frames decide again (and are logged again). */
  retry(checkId: number): void {
    const e = this.entry(checkId);
    e.result = null;
    e.overridden = false;
    e.frames = [];
  }

  /**
   * The examiner overrides a red (no_match / no_face / failed liveness) decision with a written reason;
   * also after a retry whose new decision was green, since the earlier red still keeps the candidate out.
   */
  override(checkId: number, reason: string, actor: Actor): FaceResult {
    const e = this.entry(checkId);
    const red = e.result && (isRed(e.result) || e.result.face === 'no_face') ? e.result : e.lastRed;
    if (!red) {
      throw new KioskError('face_nothing_to_override', {
        vi: 'Chỉ bỏ qua được kết quả đối chiếu khuôn mặt "không khớp".',
        en: 'Only a face check that did not match can be overridden.',
      });
    }
    e.overridden = true;
    e.lastRed = null;
    this.deps.log('face_override', actor, { checkId, reason }, e.sessionCode);
    return red;
  }

  /** Starts a challenge (turn the head by default); the decision waits for it. */
  challengeStart(checkId: number, kind: FaceChallenge = 'turn_head'): ChallengeState {
    const e = this.entry(checkId);
    e.challenge = { kind, startedAt: this.now(), samples: [] };
    e.result = null;
    e.frames = [];
    return this.challengeState(e)!;
  }

  isRegistered(checkId: number): boolean {
    return this.entries.has(checkId);
  }
}

/** A decision that keeps the candidate out until an override (checkInCondition in rows.ts). */
function isRed(r: FaceResult): boolean {
  return r.face === 'no_match' || r.liveness === 'failed';
}

function roundBox(b: { x: number; y: number; width: number; height: number }) {
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
}

/**
 * A face check from one still image (`kiosk check ... --face IMAGE`): the image against the chip photo,
 * else the roster photo, decided from that one frame.
 */
export async function stillFaceResult(
  engine: FaceEngine,
  input: { live: Uint8Array; chipPhoto: CardPhoto | null; rosterPhoto: CardPhoto | null; threshold: number },
): Promise<FaceResult & { frames: number }> {
  const img = await decodeImage(input.live);
  const faces = await engine.detect(img.width === img.height ? img : padToSquare(img, 0.2));
  const chip = input.chipPhoto ? await referenceOf(engine, input.chipPhoto) : null;
  const roster = input.rosterPhoto ? await referenceOf(engine, input.rosterPhoto) : null;
  const d = decideFace({
    frames: [{ faces: faces.length, descriptor: faces.length === 1 ? faces[0]!.descriptor : null }],
    chip,
    roster,
    threshold: input.threshold,
    modelVersion: FACE_MODEL_VERSION,
    liveness: 'not_run',
    framesForDecision: 1,
    framesForNoFace: 1,
  });
  const result: FaceResult = d.decided
    ? d.result
    : {
        // Several faces in the image: no decision, as at the desk.
        face: 'not_checked',
        distance: null,
        threshold: input.threshold,
        against: null,
        rosterDistance: null,
        faces: faces.length,
        modelVersion: FACE_MODEL_VERSION,
        liveness: 'not_run',
      };
  return { ...result, frames: 1 };
}
