/**
 * The face verdict and the liveness challenge, pure (native/face): a different face, no face, several
 * faces, too few frames, a photo turned in front of the camera, and a blink that never reopens must not
 * end green.
 */
import { describe, expect, it } from 'vitest';
import {
  compareStill,
  decideFace,
  faceDistance,
  median,
  type FaceFrameSample,
} from '../../native/face/verdict';
import {
  evaluateChallenge,
  eyeAspectRatio,
  yawOf,
  type LivenessSample,
  type Point,
} from '../../native/face/liveness';

const vec = (x: number, n = 128): number[] => Array.from({ length: n }, (_, i) => (i === 0 ? x : 0));
const one = (x: number): FaceFrameSample => ({ faces: 1, descriptor: vec(x) });
const chip = { faces: 1, descriptor: vec(0) };
const base = { chip, roster: null, threshold: 0.4, modelVersion: 'm' };

describe('face verdict', () => {
  it('distance and median', () => {
    expect(faceDistance([0, 3], [4, 0])).toBe(5);
    expect(() => faceDistance([1], [1, 2])).toThrow();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('three single-face frames decide by their median distance to the chip photo', () => {
    const d = decideFace({ ...base, frames: [one(0.3), one(0.9), one(0.35)] });
    expect(d).toMatchObject({
      decided: true,
      result: { face: 'match', distance: 0.35, against: 'chip', faces: 1 },
    });
    const far = decideFace({ ...base, frames: [one(0.3), one(0.5), one(0.6)] });
    expect(far).toMatchObject({ decided: true, result: { face: 'no_match', distance: 0.5 } });
  });

  it('the threshold itself is a match; just above is not', () => {
    expect(decideFace({ ...base, frames: [one(0.4), one(0.4), one(0.4)] })).toMatchObject({
      result: { face: 'match' },
    });
    expect(decideFace({ ...base, frames: [one(0.4001), one(0.4001), one(0.4001)] })).toMatchObject({
      result: { face: 'no_match' },
    });
  });

  it('too few frames, or several faces in the last frame: no decision', () => {
    expect(decideFace({ ...base, frames: [one(0.1), one(0.1)] })).toEqual({
      decided: false,
      pending: 'need_more_frames',
    });
    expect(
      decideFace({ ...base, frames: [one(0.1), one(0.1), one(0.1), { faces: 2, descriptor: null }] }),
    ).toEqual({ decided: false, pending: 'several_faces' });
  });

  it('frames without a face never count as a match; enough of them say no_face', () => {
    const empty: FaceFrameSample = { faces: 0, descriptor: null };
    expect(decideFace({ ...base, frames: Array(14).fill(empty) })).toEqual({
      decided: false,
      pending: 'need_more_frames',
    });
    expect(decideFace({ ...base, frames: Array(15).fill(empty) })).toMatchObject({
      decided: true,
      result: { face: 'no_face', distance: null, faces: 0 },
    });
  });

  it('no usable reference photo: not_checked; roster photo used (and said) when there is no chip photo', () => {
    expect(decideFace({ ...base, chip: null, frames: [one(0)] })).toMatchObject({
      result: { face: 'not_checked', against: null },
    });
    expect(decideFace({ ...base, chip: { faces: 0, descriptor: null }, frames: [one(0)] })).toMatchObject({
      result: { face: 'not_checked' },
    });
    const r = decideFace({
      ...base,
      chip: null,
      roster: { faces: 1, descriptor: vec(0.9) },
      frames: [one(1), one(1), one(1)],
    });
    expect(r).toMatchObject({ result: { face: 'match', against: 'roster', rosterDistance: null } });
    const both = decideFace({
      ...base,
      roster: { faces: 1, descriptor: vec(0.9) },
      frames: [one(0.1), one(0.1), one(0.1)],
    });
    expect(both).toMatchObject({
      result: { face: 'match', against: 'chip', distance: 0.1, rosterDistance: 0.8 },
    });
  });

  it('compareStill: one face each or no decision', () => {
    expect(compareStill({ faces: 1, descriptor: vec(0) }, { faces: 1, descriptor: vec(0.3) }, 0.4)).toEqual({
      distance: 0.3,
      threshold: 0.4,
      match: true,
      faces: [1, 1],
    });
    expect(compareStill({ faces: 1, descriptor: vec(0) }, { faces: 0, descriptor: null }, 0.4)).toEqual({
      distance: null,
      threshold: 0.4,
      match: false,
      faces: [1, 0],
    });
  });
});

/** 68 landmarks of a schematic face: eyes at y=40, nose tip at x=noseX, eye opening `open`. */
function face(noseX = 50, open = 6): Point[] {
  const p: Point[] = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
  const eye = (start: number, x0: number) => {
    p[start] = { x: x0, y: 40 };
    p[start + 1] = { x: x0 + 6, y: 40 - open / 2 };
    p[start + 2] = { x: x0 + 14, y: 40 - open / 2 };
    p[start + 3] = { x: x0 + 20, y: 40 };
    p[start + 4] = { x: x0 + 14, y: 40 + open / 2 };
    p[start + 5] = { x: x0 + 6, y: 40 + open / 2 };
  };
  eye(36, 20);
  eye(42, 60);
  p[30] = { x: noseX, y: 60 };
  return p;
}

describe('liveness cues', () => {
  it('yaw from the nose between the eye corners; eye aspect ratio', () => {
    expect(yawOf(face(50))).toBeCloseTo(0, 5);
    expect(yawOf(face(70))).toBeCloseTo(0.667, 2);
    expect(eyeAspectRatio(face(50, 6))).toBeCloseTo(0.3, 5);
    expect(eyeAspectRatio(face(50, 1))).toBeCloseTo(0.05, 5);
  });

  const s = (at: number, yaw: number, ear = 0.3, faces = 1): LivenessSample => ({ at, faces, yaw, ear });

  it('turn_head passes frontal → turned → frontal within the time; a still (photo) face does not', () => {
    const turned = [s(0, 0), s(500, 0.2), s(1000, 0.5), s(1500, 0.05)];
    expect(evaluateChallenge('turn_head', 0, turned, 1600).state).toBe('passed');
    const photo = [0, 500, 1000, 1500, 2000].map((t) => s(t, 0.03));
    expect(evaluateChallenge('turn_head', 0, photo, 2100).state).toBe('waiting');
    expect(evaluateChallenge('turn_head', 0, photo, 9000).state).toBe('failed');
    // Turned away and never back: not passed.
    expect(evaluateChallenge('turn_head', 0, [s(0, 0), s(500, 0.6), s(1000, 0.6)], 9000).state).toBe(
      'failed',
    );
  });

  it('blink passes open → closed → open; eyes that stay open or stay closed do not', () => {
    const blink = [s(0, 0, 0.3), s(100, 0, 0.31), s(200, 0, 0.12), s(300, 0, 0.3), s(400, 0, 0.3)];
    expect(evaluateChallenge('blink', 0, blink, 500).state).toBe('passed');
    const open = [0, 100, 200, 300, 400].map((t) => s(t, 0, 0.3));
    expect(evaluateChallenge('blink', 0, open, 9000).state).toBe('failed');
    const shut = [s(0, 0, 0.3), s(100, 0, 0.3), s(200, 0, 0.1), s(300, 0, 0.1), s(400, 0, 0.1)];
    expect(evaluateChallenge('blink', 0, shut, 9000).state).toBe('failed');
  });

  it('a second face during the challenge fails it; frames before the start do not count', () => {
    const two = [s(0, 0), s(500, 0.5, 0.3, 2), s(1000, 0)];
    expect(evaluateChallenge('turn_head', 0, two, 1100).state).toBe('failed');
    const early = [s(-2000, 0), s(-1500, 0.5), s(-1000, 0)];
    expect(evaluateChallenge('turn_head', 0, early, 100).state).toBe('waiting');
  });
});
