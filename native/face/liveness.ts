/**
 * The presentation-attack challenge, pure: cues computed from the 68 face landmarks of each frame
 * (iBUG 300-W numbering, as face-api returns them) and judged across frames.
 *
 * - turn_head: the nose tip moves from the middle of the eyes to one side and back (yaw). A flat photo
 *   turned or tilted in front of the camera keeps the nose where it is relative to the eyes (a plane seen
 *   at an angle shrinks evenly), so it does not pass.
 * - blink: the eye aspect ratio (Soukupová & Čech 2016) drops well below the person's own open-eye value
 *   and comes back. A printed photo cannot blink; a video on a phone can (SECURITY.md says so).
 */
import type { Bilingual, FaceChallenge } from '../domain/vocabulary';

export interface Point {
  x: number;
  y: number;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * Yaw cue in -1..1: where the nose tip (30) sits between the outer eye corners (36, 45), 0 = frontal.
 * About ±0.4 and more when the head is clearly turned.
 */
export function yawOf(landmarks: readonly Point[]): number {
  if (landmarks.length < 68) throw new RangeError('68 landmarks expected');
  const l = landmarks[36]!;
  const r = landmarks[45]!;
  const n = landmarks[30]!;
  const span = r.x - l.x;
  if (Math.abs(span) < 1e-6) return 0;
  const t = (n.x - l.x) / span;
  return Math.max(-1, Math.min(1, (t - 0.5) * 2));
}

function eyeAspect(p: readonly Point[]): number {
  const [p1, p2, p3, p4, p5, p6] = p as [Point, Point, Point, Point, Point, Point];
  const w = dist(p1, p4);
  return w < 1e-6 ? 0 : (dist(p2, p6) + dist(p3, p5)) / (2 * w);
}

/** Eye aspect ratio, both eyes averaged (points 36-41 and 42-47): ≈ 0.3 open, ≈ 0.1-0.2 closed. */
export function eyeAspectRatio(landmarks: readonly Point[]): number {
  if (landmarks.length < 68) throw new RangeError('68 landmarks expected');
  return (eyeAspect(landmarks.slice(36, 42)) + eyeAspect(landmarks.slice(42, 48))) / 2;
}

/** One frame's cues; `faces` other than 1 breaks the challenge (someone else stepped in, or no face). */
export interface LivenessSample {
  at: number;
  faces: number;
  yaw: number | null;
  ear: number | null;
}

export const CHALLENGE_SECONDS = 8;
/** |yaw| at most this counts as looking at the camera. */
export const YAW_FRONTAL = 0.15;
/** |yaw| at least this counts as a turned head. */
export const YAW_TURNED = 0.4;
/** A blink: the eye aspect ratio falls below this share of the open-eye value, then comes back above REOPEN. */
export const BLINK_CLOSED_RATIO = 0.65;
export const BLINK_REOPEN_RATIO = 0.85;

export const CHALLENGE_PROMPTS: Record<FaceChallenge, Bilingual> = {
  turn_head: {
    vi: 'Mời thí sinh quay đầu sang một bên rồi nhìn lại vào máy ảnh',
    en: 'Ask the candidate to turn their head to one side, then look back at the camera',
  },
  blink: { vi: 'Mời thí sinh chớp mắt', en: 'Ask the candidate to blink' },
};

export type ChallengeState = 'waiting' | 'passed' | 'failed';

function turnedHead(samples: readonly LivenessSample[]): boolean {
  // frontal → turned → frontal, in that order.
  let stage = 0;
  for (const s of samples) {
    if (s.yaw === null) continue;
    const a = Math.abs(s.yaw);
    if (stage === 0 && a <= YAW_FRONTAL) stage = 1;
    else if (stage === 1 && a >= YAW_TURNED) stage = 2;
    else if (stage === 2 && a <= YAW_FRONTAL) return true;
  }
  return false;
}

function blinked(samples: readonly LivenessSample[]): boolean {
  const ears = samples.map((s) => s.ear).filter((e): e is number => e !== null && e > 0);
  if (ears.length < 3) return false;
  const open = [...ears].sort((a, b) => a - b)[Math.floor(ears.length * 0.75)]!;
  let closed = false;
  let sawOpen = false;
  for (const e of ears) {
    if (!closed) {
      if (e >= open * BLINK_REOPEN_RATIO) sawOpen = true;
      else if (sawOpen && e <= open * BLINK_CLOSED_RATIO) closed = true;
    } else if (e >= open * BLINK_REOPEN_RATIO) {
      return true;
    }
  }
  return false;
}

/**
 * The state of a challenge from the frames seen since it started (oldest first), at time `now` (ms).
 * Any frame with a face count other than one fails it: the challenge is for one person, in view.
 */
export function evaluateChallenge(
  kind: FaceChallenge,
  startedAt: number,
  samples: readonly LivenessSample[],
  now: number,
  seconds = CHALLENGE_SECONDS,
): { state: ChallengeState; secondsLeft: number } {
  const left = Math.max(0, Math.ceil((startedAt + seconds * 1000 - now) / 1000));
  const inWindow = samples.filter((s) => s.at >= startedAt && s.at <= startedAt + seconds * 1000);
  if (inWindow.some((s) => s.faces > 1)) return { state: 'failed', secondsLeft: 0 };
  const ok = kind === 'turn_head' ? turnedHead(inWindow) : blinked(inWindow);
  if (ok) return { state: 'passed', secondsLeft: left };
  return { state: left > 0 ? 'waiting' : 'failed', secondsLeft: left };
}
