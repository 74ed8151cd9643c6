/**
 * The face verdict, pure: descriptor distances against a threshold, the rules for several faces and
 * for missing faces, and the median over a few single-face frames (docs/face.md). No tfjs here: the
 * engine (electron/core/face) turns images into descriptors; this decides what they mean.
 */
import type { FaceReference, FaceResult, FaceVerdict, LivenessState } from '../domain/vocabulary';

/**
 * The default largest distance still called a match. Chosen from bench/results/face.json (the
 * calibration on chip-like degradations of the faces shipped in npm packages; docs/face.md).
 */
export const DEFAULT_FACE_THRESHOLD = 0.4;

/** Single-face frames needed before a decision (their median distance decides). */
export const FRAMES_FOR_DECISION = 3;
/** Frames in a row without a face before the check says `no_face`. */
export const FRAMES_FOR_NO_FACE = 15;

/** Euclidean distance of two descriptors of the same length. */
export function faceDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError('descriptors of different length');
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

export function median(values: readonly number[]): number {
  if (!values.length) throw new RangeError('median of nothing');
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rounded for the log and the screen (4 decimals are plenty for a distance near 0.5). */
export function roundDistance(d: number): number {
  return Math.round(d * 10_000) / 10_000;
}

export function verdictOf(distance: number, threshold: number): Extract<FaceVerdict, 'match' | 'no_match'> {
  return distance <= threshold ? 'match' : 'no_match';
}

/** A reference photo (chip DG2 or roster) as the engine saw it: its descriptor when exactly one face was found. */
export interface FaceReferenceSample {
  faces: number;
  descriptor: ArrayLike<number> | null;
}

/** One live frame as the engine saw it. */
export interface FaceFrameSample {
  faces: number;
  /** The descriptor of the one face, when there is exactly one. */
  descriptor: ArrayLike<number> | null;
}

export interface FaceDecisionInput {
  frames: readonly FaceFrameSample[];
  chip: FaceReferenceSample | null;
  roster: FaceReferenceSample | null;
  threshold: number;
  modelVersion: string;
  liveness?: LivenessState;
  framesForDecision?: number;
  framesForNoFace?: number;
}

/** Why there is no decision yet. */
export type FacePending = 'several_faces' | 'need_more_frames';

export type FaceDecision = { decided: true; result: FaceResult } | { decided: false; pending: FacePending };

function usable(
  ref: FaceReferenceSample | null,
): ref is FaceReferenceSample & { descriptor: ArrayLike<number> } {
  return !!ref && ref.faces === 1 && !!ref.descriptor;
}

/**
 * Decides from the frames seen so far (oldest first):
 * - no usable reference photo (none, or no single face found in it): `not_checked`;
 * - the latest frame shows several faces: no decision (ask for one person in view);
 * - FRAMES_FOR_NO_FACE frames in a row without a face: `no_face`;
 * - FRAMES_FOR_DECISION single-face frames: the median of their distances to the chip photo (the roster
 *   photo when there is no chip photo) against the threshold; the roster distance is reported beside it.
 */
export function decideFace(input: FaceDecisionInput): FaceDecision {
  const need = input.framesForDecision ?? FRAMES_FOR_DECISION;
  const noFace = input.framesForNoFace ?? FRAMES_FOR_NO_FACE;
  const base = {
    threshold: input.threshold,
    modelVersion: input.modelVersion,
    ...(input.liveness ? { liveness: input.liveness } : {}),
  };
  const primary: FaceReference | null = usable(input.chip) ? 'chip' : usable(input.roster) ? 'roster' : null;
  const last = input.frames.at(-1);
  if (!primary) {
    return {
      decided: true,
      result: {
        ...base,
        face: 'not_checked',
        distance: null,
        against: null,
        rosterDistance: null,
        faces: last?.faces ?? 0,
      },
    };
  }
  if (last && last.faces > 1) return { decided: false, pending: 'several_faces' };
  let empty = 0;
  for (let i = input.frames.length - 1; i >= 0 && input.frames[i]!.faces === 0; i--) empty++;
  if (empty >= noFace) {
    return {
      decided: true,
      result: { ...base, face: 'no_face', distance: null, against: null, rosterDistance: null, faces: 0 },
    };
  }
  const singles = input.frames.filter((f) => f.faces === 1 && f.descriptor).slice(-need);
  if (singles.length < need) return { decided: false, pending: 'need_more_frames' };
  const ref = (primary === 'chip' ? input.chip : input.roster) as FaceReferenceSample & {
    descriptor: ArrayLike<number>;
  };
  const distance = median(singles.map((f) => faceDistance(f.descriptor!, ref.descriptor)));
  const rosterDistance =
    primary === 'chip' && usable(input.roster)
      ? roundDistance(median(singles.map((f) => faceDistance(f.descriptor!, input.roster!.descriptor!))))
      : null;
  return {
    decided: true,
    result: {
      ...base,
      face: verdictOf(distance, input.threshold),
      distance: roundDistance(distance),
      against: primary,
      rosterDistance,
      faces: 1,
    },
  };
}

/** Compares two still images (the CLI's `kiosk face compare`): no decision without one face in each. */
export function compareStill(
  a: FaceReferenceSample,
  b: FaceReferenceSample,
  threshold: number,
): { distance: number | null; threshold: number; match: boolean; faces: [number, number] } {
  if (!usable(a) || !usable(b)) return { distance: null, threshold, match: false, faces: [a.faces, b.faces] };
  const distance = roundDistance(faceDistance(a.descriptor, b.descriptor));
  return {
    distance,
    threshold,
    match: verdictOf(distance, threshold) === 'match',
    faces: [a.faces, b.faces],
  };
}
