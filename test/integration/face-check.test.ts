/**
 * The face check end to end in Node, with the real engine (@vladmandic/face-api on tfjs's WASM backend in
 * a worker_thread), a real SQLite file and the real `kiosk` CLI. Fixtures are generated from the photos
 * shipped in face-api's demo folder, degraded like chip photos (test/support/face-fixtures.ts).
 *
 * Forgeries that must not end green: another person's face, no face, several faces, a photo held still
 * through the head-turn challenge, an override of another check, an edited face_check entry. And no face
 * image or descriptor may be found in the database file or any other file afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../electron/core/face/engine';
import { FaceChecks } from '../../electron/core/face/face-checks';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { fictionalPerson, qrTextOf } from '../../electron/core/fictional-people';
import type { CheckResultDTO, FaceFrameDTO, FaceResultDTO } from '../../electron/shared/ipc-contract';
import type { Rgba } from '../../electron/core/face/image';
import {
  chipRender,
  DEGRADATIONS,
  encodeJpeg,
  noFaceImage,
  sideBySide,
  sourceFaces,
} from '../support/face-fixtures';
import { kiosk } from '../support/cli';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-face-');
const SESSION = 'FACE-1';
const chair: Caller = { clientId: 'client-face-chair' };
let engine: FaceEngine;
let services: KioskServices;
let api: KioskApi;
let clock = Date.parse('2026-11-27T08:00:00Z');

/** Frames of each person as the camera sends them (JPEG). */
const live: { p0: Uint8Array; p0b: Uint8Array; p1: Uint8Array; two: Uint8Array; none: Uint8Array } =
  {} as never;
/** Chip-like renders (the references). */
const ref: { p0jpeg: Uint8Array; p0j2k: Uint8Array; p1jpeg: Uint8Array } = {} as never;
let p0descriptor: number[] = [];
const files: Record<string, string> = {};
const people = [0, 1, 2, 3].map((i) => fictionalPerson(i, 12));

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

const call = <T>(channel: string, body: unknown): Promise<T> => ok<T>(api.handle(channel, chair, body));

function jpegOf(img: Rgba): Uint8Array {
  return encodeJpeg(img, 88);
}

beforeAll(async () => {
  engine = new FaceEngine();
  const src = await sourceFaces(engine);
  expect(src.length).toBeGreaterThanOrEqual(3);
  const [a, b] = [src[0]!, src[4]!];
  const a0 = await chipRender(a.portrait, DEGRADATIONS[0]!);
  const a1 = await chipRender(a.portrait, DEGRADATIONS[1]!);
  const a2 = await chipRender(a.portrait, DEGRADATIONS[2]!);
  const b0 = await chipRender(b.portrait, DEGRADATIONS[0]!);
  const b1 = await chipRender(b.portrait, DEGRADATIONS[1]!);
  ref.p0jpeg = jpegOf(a0.rgba);
  ref.p0j2k = a1.j2k;
  ref.p1jpeg = jpegOf(b0.rgba);
  live.p0 = jpegOf(a2.rgba);
  live.p0b = jpegOf(a1.rgba);
  live.p1 = jpegOf(b1.rgba);
  live.two = jpegOf(sideBySide(a2.rgba, b1.rgba));
  live.none = jpegOf(noFaceImage());
  p0descriptor = (await engine.detect(a2.rgba))[0]!.descriptor;

  for (const [name, bytes] of Object.entries({
    'a.jpg': ref.p0jpeg,
    'a-chip.j2k': ref.p0j2k,
    'b.jpg': ref.p1jpeg,
    'none.jpg': live.none,
    'two.jpg': live.two,
    'broken.jpg': Uint8Array.from([0xff, 0xd8, 1, 2, 3]),
  })) {
    files[name] = path.join(dir, 'fixtures', name);
    fs.mkdirSync(path.dirname(files[name]), { recursive: true });
    fs.writeFileSync(files[name], bytes);
  }

  services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  api = new KioskApi({
    services,
    dialogs: new QueuedDialogs(),
    trustStoreDir: path.join(dir, 'trust'),
    faceEngine: engine,
    now: () => new Date(clock),
  });
  await call('auth.setup', { username: 'chutich', displayName: 'Chủ tịch', pin: '2468' });
  await call('sessions.create', { code: SESSION, council: 'Hội đồng thử', date: '2026-11-27' });
  // Candidates 0 and 2 registered with person A's photo, 1 with person B's, 3 with none.
  const photos = [ref.p0jpeg, ref.p1jpeg, ref.p0jpeg, null];
  services.roster.importRows(
    SESSION,
    people.map((p, i) => ({
      rowNumber: i + 2,
      candidateNo: String(i + 1).padStart(6, '0'),
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      idNumber: p.idNumber,
      sex: p.sex,
      licenceClass: 'B',
      ...(photos[i] ? { photo: { mime: 'image/jpeg', data: photos[i], fileName: `${i}.jpg` } } : {}),
    })),
    { station: 'test', actor: 'test' },
    false,
  );
}, 240_000);

afterAll(async () => {
  await api?.close();
  services?.close();
  await engine?.close();
});

describe('kiosk face compare (CLI contract)', () => {
  it('two degraded renders of one face (one through JPEG 2000) match; two people do not', () => {
    const same = kiosk(['face', 'compare', files['a.jpg']!, files['a-chip.j2k']!, '--json']);
    expect(same.code, same.stderr).toBe(0);
    const s = same.json() as Record<string, unknown>;
    expect(Object.keys(s)).toEqual(['distance', 'threshold', 'match', 'faces']);
    expect(s).toMatchObject({ match: true, faces: [1, 1], threshold: 0.4 });
    expect(s.distance as number).toBeLessThanOrEqual(0.4);

    const diff = kiosk(['face', 'compare', files['a.jpg']!, files['b.jpg']!, '--json']);
    expect(diff.code).toBe(0);
    expect(diff.json()).toMatchObject({ match: false, faces: [1, 1] });
    expect((diff.json() as { distance: number }).distance).toBeGreaterThan(0.4);
    // A threshold wide enough lets them through: the verdict follows --threshold.
    const loose = kiosk([
      'face',
      'compare',
      files['a.jpg']!,
      files['b.jpg']!,
      '--threshold',
      '0.8',
      '--json',
    ]);
    expect((loose.json() as { threshold: number }).threshold).toBe(0.8);
  }, 120_000);

  it('an image without a face: faces 0, distance null, no match, and stderr says which', () => {
    const r = kiosk(['face', 'compare', files['a.jpg']!, files['none.jpg']!, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ distance: null, threshold: 0.4, match: false, faces: [1, 0] });
    expect(r.stderr).toContain('No face found in image B');
    const two = kiosk(['face', 'compare', files['two.jpg']!, files['a.jpg']!, '--json']);
    expect(two.json()).toEqual({ distance: null, threshold: 0.4, match: false, faces: [2, 1] });
    expect(two.stderr).toContain('Image A has 2 faces');
  }, 120_000);

  it('usage errors exit 2: a missing or unreadable file, a bad threshold', () => {
    const missing = kiosk(['face', 'compare', files['a.jpg']!, path.join(dir, 'nope.jpg')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the image file B');
    const broken = kiosk(['face', 'compare', files['broken.jpg']!, files['a.jpg']!]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('Image A');
    expect(kiosk(['face', 'compare', files['a.jpg']!, files['a.jpg']!, '--threshold', '2']).code).toBe(2);
    expect(kiosk(['face', 'compare', files['a.jpg']!]).code).toBe(2);
  }, 60_000);
});

async function checkIn(i: number): Promise<CheckResultDTO> {
  const r = await call<{ result: CheckResultDTO }>('checks.qr', {
    sessionCode: SESSION,
    text: qrTextOf(people[i]!),
  });
  return r.result;
}

async function frames(checkId: number | null, jpeg: Uint8Array, n: number): Promise<FaceFrameDTO[]> {
  const out: FaceFrameDTO[] = [];
  for (let k = 0; k < n; k++) {
    out.push(await call<FaceFrameDTO>('face.frame', { checkId, jpeg }));
    clock += 400;
  }
  return out;
}

const faceEntries = () =>
  services.log.list({ kind: 'face_check', order: 'asc' } as never) as unknown as {
    details: Record<string, unknown>;
    actor: string;
    id: number;
  }[];

describe('the face check in the app (face.* channels, real log)', () => {
  it('is off until the chair turns it on: no faceRequired, face.frame refused', async () => {
    const r = await checkIn(3);
    expect(r.faceRequired).toBe(false);
    const refused = (await api.handle('face.frame', chair, { checkId: null, jpeg: live.p0 })) as {
      ok: boolean;
      error?: { code: string; vi: string };
    };
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('face_disabled');
    await call('settings.update', { faceEnabled: true });
    const st = await call<{ enabled: boolean; ready: boolean; threshold: number; modelVersion: string }>(
      'face.status',
      {},
    );
    expect(st).toMatchObject({ enabled: true, ready: true, threshold: 0.4 });
    expect(st.modelVersion).toContain('face-api-1.7.15');
  }, 60_000);

  it('the registered face: match against the roster photo after three frames, logged once', async () => {
    const before = services.roster.counts(SESSION).present;
    const r = await checkIn(0);
    expect(r.faceRequired).toBe(true);
    expect(r.checkId).toBe(r.logId);
    const out = await frames(r.checkId!, live.p0, 4);
    expect(out[0]!.faces).toHaveLength(1);
    expect(out[0]!.result).toBeNull();
    expect(out[1]!.result).toBeNull();
    const result = out[2]!.result as FaceResultDTO;
    expect(result).toMatchObject({
      face: 'match',
      against: 'roster',
      faces: 1,
      threshold: 0.4,
      liveness: 'not_run',
    });
    expect(result.distance!).toBeLessThanOrEqual(0.4);
    expect(out[3]!.result).toBeNull();
    const logged = faceEntries().filter((e) => e.details.checkId === r.checkId);
    expect(logged).toHaveLength(1);
    expect(Object.keys(logged[0]!.details).sort()).toEqual(
      [
        'against',
        'checkId',
        'distance',
        'face',
        'faces',
        'frames',
        'liveness',
        'modelVersion',
        'rosterDistance',
        'threshold',
      ].sort(),
    );
    expect(services.roster.counts(SESSION).present).toBe(before + 1);
  }, 60_000);

  it("another person's face: no_match, not checked in until the examiner overrides with a reason", async () => {
    const before = services.roster.counts(SESSION).present;
    const r = await checkIn(1);
    const out = await frames(r.checkId!, live.p0, 3);
    expect(out[2]!.result).toMatchObject({ face: 'no_match', against: 'roster' });
    expect(services.roster.counts(SESSION).present).toBe(before);
    // Scanning the same card again does not get round it (no face decision on the new check yet).
    await checkIn(1);
    expect(services.roster.counts(SESSION).present).toBe(before);
    // A too-short reason is refused by the contract; an override of another check changes nothing.
    const short = (await api.handle('face.override', chair, { checkId: r.checkId, reason: 'ok' })) as {
      ok: boolean;
    };
    expect(short.ok).toBe(false);
    const other = await checkIn(0);
    const wrong = (await api.handle('face.override', chair, {
      checkId: other.checkId,
      reason: 'Đã xem CCCD',
    })) as {
      ok: boolean;
    };
    expect(wrong.ok).toBe(false);
    expect(services.roster.counts(SESSION).present).toBe(before);
    await call('face.override', { checkId: r.checkId, reason: 'Đã đối chiếu giấy tờ khác, đúng người' });
    expect(services.roster.counts(SESSION).present).toBe(before + 1);
    const ov = services.log.list({ kind: 'face_override', order: 'asc' } as never) as unknown as {
      actor: string;
      details: Record<string, unknown>;
    }[];
    expect(ov.at(-1)).toMatchObject({
      actor: 'chutich',
      details: { checkId: r.checkId, reason: 'Đã đối chiếu giấy tờ khác, đúng người' },
    });
  }, 60_000);

  it("the chair's evidence setting keeps the red frame encrypted; the retention purge erases it", async () => {
    expect(services.faceEvidence.count()).toBe(0); // off by default: the red check above kept nothing
    await call('settings.update', { faceKeepEvidence: true });
    const r = await checkIn(1);
    const out = await frames(r.checkId!, live.p0b, 3);
    expect(out[2]!.result).toMatchObject({ face: 'no_match' });
    expect(services.faceEvidence.count()).toBe(1);
    expect(Buffer.from(services.faceEvidence.frames(r.checkId!)[0]!.data)).toEqual(Buffer.from(live.p0b));
    const raw = services.db.prepare('SELECT image FROM face_evidence').get() as { image: Buffer };
    const mid = live.p0b.length >> 1;
    expect(raw.image.includes(Buffer.from(live.p0b.subarray(mid, mid + 48)))).toBe(false);
    await call('settings.update', { faceKeepEvidence: false });
  }, 60_000);

  it('several faces in view: no decision; no face: no_face after enough frames', async () => {
    const r = await checkIn(2);
    const out = await frames(r.checkId!, live.two, 5);
    expect(out.every((f) => f.result === null)).toBe(true);
    expect(out[0]!.faces.length).toBe(2);
    const none = await frames(r.checkId!, live.none, 15);
    expect(none.slice(0, 14).every((f) => f.result === null)).toBe(true);
    expect(none[14]!.result).toMatchObject({ face: 'no_face', distance: null, faces: 0 });
  }, 120_000);

  it('a photo held still through the head-turn challenge: the challenge fails and is logged with the verdict', async () => {
    await call('face.retry', { checkId: (await checkIn(2)).checkId });
    const r = await checkIn(2);
    const st = await call<{ state: string; kind: string; prompt: { vi: string } }>('face.challengeStart', {
      checkId: r.checkId,
    });
    expect(st).toMatchObject({ state: 'waiting', kind: 'turn_head' });
    const out = await frames(r.checkId!, live.p0, 4);
    expect(out.every((f) => f.result === null && f.challenge?.state === 'waiting')).toBe(true);
    clock += 9_000;
    const after = await frames(r.checkId!, live.p0, 3);
    expect(after.at(-1)!.challenge?.state).toBe('failed');
    const decided = after.find((f) => f.result)?.result;
    expect(decided).toMatchObject({ face: 'match', liveness: 'failed' });
  }, 120_000);

  it("forger: face.retry after a red, then a matching face (the real candidate's photo held up): still red until an override", async () => {
    const before = services.roster.counts(SESSION).present;
    const r = await checkIn(0); // registered with person A's photo, already checked in above
    const red = await frames(r.checkId!, live.p1, 3);
    expect(red[2]!.result).toMatchObject({ face: 'no_match' });
    expect(services.roster.counts(SESSION).present).toBe(before - 1);
    await call('face.retry', { checkId: r.checkId });
    const green = await frames(r.checkId!, live.p0, 3);
    expect(green[2]!.result).toMatchObject({ face: 'match' });
    expect(services.roster.counts(SESSION).present).toBe(before - 1);
    // The override stays possible after the retry's green and answers with the red verdict it overrides.
    const ov = await call<{ face: string }>('face.override', {
      checkId: r.checkId,
      reason: 'Đã hỏi thêm và đối chiếu giấy tờ',
    });
    expect(ov.face).toBe('no_match');
    expect(services.roster.counts(SESSION).present).toBe(before);
  }, 120_000);

  it('the chip photo (JPEG 2000) is compared first, and said so', async () => {
    const logs: unknown[] = [];
    const checks = new FaceChecks({
      engine: () => engine,
      settings: () => ({ faceEnabled: true, faceThreshold: 0.4 }),
      log: (...a) => logs.push(a),
      rosterPhoto: () => ({ mime: 'image/jpeg', data: ref.p1jpeg }),
    });
    checks.register({
      checkId: 999,
      sessionCode: SESSION,
      candidateId: 1,
      chipPhoto: { mime: 'image/jp2', data: ref.p0j2k },
      hasRosterPhoto: true,
    });
    let res: FaceResultDTO | null = null;
    for (let k = 0; k < 3; k++)
      res = (await checks.frame(999, live.p0, { station: 's', actor: 'a' })).result ?? res;
    expect(res).toMatchObject({ face: 'match', against: 'chip' });
    expect(res!.rosterDistance!).toBeGreaterThan(0.4);
    expect(logs).toHaveLength(1);
  }, 60_000);

  it('kiosk check --face: the verdict in the output and a face_check entry for that check', () => {
    const db = path.join(dir, 'kiosk.db');
    const base = ['--db', db, 'check', '--session', SESSION, '--qr', qrTextOf(people[2]!), '--json'];
    const same = kiosk([...base, '--face', files['a-chip.j2k']!]);
    expect(same.code, same.stderr).toBe(0);
    const j = same.json() as { logId: number; face: FaceResultDTO };
    expect(j.face).toMatchObject({ face: 'match', against: 'roster', faces: 1, threshold: 0.4 });
    const other = kiosk([...base, '--face', files['b.jpg']!]).json() as {
      logId: number;
      face: FaceResultDTO;
    };
    expect(other.face).toMatchObject({ face: 'no_match', against: 'roster' });
    const none = kiosk([...base, '--face', files['none.jpg']!]);
    expect((none.json() as { face: FaceResultDTO }).face).toMatchObject({ face: 'no_face', faces: 0 });
    expect(none.stderr).toContain('No face found in the --face image');
    const logged = faceEntries().filter((e) => e.details.checkId === other.logId);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({ face: 'no_match', frames: 1 });
    expect(kiosk([...base, '--face', path.join(dir, 'missing.jpg')]).code).toBe(2);
  }, 120_000);

  it('an edited face_check entry is refused by the database, and the chain still verifies', () => {
    const db = new Database(path.join(dir, 'kiosk.db'));
    try {
      expect(() =>
        db
          .prepare(
            "UPDATE audit_log SET entry = replace(entry, 'no_match', 'match') WHERE kind = 'face_check'",
          )
          .run(),
      ).toThrow(/append-only/);
    } finally {
      db.close();
    }
    expect(services.log.verify().ok).toBe(true);
  });

  it('no face image or descriptor in the database or any other file; the purge erases the evidence', () => {
    const by = { station: 'test', actor: 'chutich' };
    services.sessions.close(SESSION, by);
    services.sessions.sign(SESSION, by);
    services.privacy.purge({ olderThanDays: 0, by, now: new Date(Date.now() + 1000) });
    expect(services.faceEvidence.count()).toBe(0);
    services.db.pragma('wal_checkpoint(TRUNCATE)');
    const all: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (!p.includes(`${path.sep}fixtures${path.sep}`)) all.push(p);
      }
    };
    walk(dir);
    expect(all.some((f) => f.endsWith('kiosk.db'))).toBe(true);
    const piece = (b: Uint8Array) => Buffer.from(b.subarray(b.length >> 1, (b.length >> 1) + 48));
    const needles: [string, Buffer][] = [
      ['live frame', piece(live.p0)],
      ['evidence frame', piece(live.p0b)],
      ['two-face frame', piece(live.two)],
      ['descriptor as float32', Buffer.from(Float32Array.from(p0descriptor.slice(0, 4)).buffer)],
      ['descriptor as text', Buffer.from(String(p0descriptor[0]).slice(0, 9))],
      ['descriptor as float64', Buffer.from(Float64Array.from(p0descriptor.slice(0, 2)).buffer)],
    ];
    for (const f of all) {
      const bytes = fs.readFileSync(f);
      for (const [what, n] of needles)
        expect(bytes.includes(n), `${what} in ${path.basename(f)}`).toBe(false);
    }
  });
});
