/**
 * Forger: a red face check must stay red until an examiner overrides it with a reason. Before this fix,
 * checkInCondition (rows.ts) looked only at a check's LATEST face_check entry, so `face.retry` (or
 * `face.challengeStart`, which also clears the decision) followed by three frames of a face that
 * matches (a printed photo of the real candidate held up for the second try) logged a 'match' that
 * superseded the 'no_match': the proxy was counted as checked in with no override and no reason.
 * Real SQLite file, the real KioskApi; the face_check entries are appended exactly as FaceChecks logs
 * them (its deps.log), so no face engine is needed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { fictionalPerson, qrTextOf } from '../../electron/core/fictional-people';
import type { CheckResultDTO } from '../../electron/shared/ipc-contract';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-forger-face-');
const SESSION = 'FORGER-F1';
const chair: Caller = { clientId: 'client-forger-chair' };
const people = [0, 1].map((i) => fictionalPerson(i, 21));
let services: KioskServices;
let api: KioskApi;

async function call<T>(channel: string, body: unknown): Promise<T> {
  const r = (await api.handle(channel, chair, body)) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

function faceCheck(checkId: number, face: 'match' | 'no_match', extra: Record<string, unknown> = {}) {
  services.log.append({
    kind: 'face_check',
    station: 'test',
    actor: 'chutich',
    sessionCode: SESSION,
    details: {
      checkId,
      face,
      distance: face === 'match' ? 0.2 : 0.6,
      threshold: 0.4,
      against: 'chip',
      rosterDistance: null,
      faces: 1,
      modelVersion: 'test',
      frames: 3,
      liveness: 'not_run',
      ...extra,
    },
  } as never);
}

const present = () => services.roster.counts(SESSION).present;

beforeAll(async () => {
  services = new KioskServices({ dbPath: path.join(dir, 'kiosk.db') });
  api = new KioskApi({ services, dialogs: new QueuedDialogs(), trustStoreDir: path.join(dir, 'trust') });
  await call('auth.setup', { username: 'chutich', displayName: 'Chủ tịch', pin: '2468' });
  await call('sessions.create', { code: SESSION, council: 'Hội đồng thử', date: '2026-12-06' });
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
    })),
    { station: 'test', actor: 'test' },
    false,
  );
});

afterAll(async () => {
  await api?.close();
  services?.close();
});

describe('a red face check is not superseded by a later match (retry / challenge)', () => {
  it('no_match then (after face.retry) match on the same check: still not checked in until an override', async () => {
    const before = present();
    const r = (
      await call<{ result: CheckResultDTO }>('checks.qr', {
        sessionCode: SESSION,
        text: qrTextOf(people[0]!),
      })
    ).result;
    expect(present()).toBe(before + 1); // identity match, no face decision yet
    faceCheck(r.logId!, 'no_match');
    expect(present()).toBe(before);
    // The retry: three frames of the real candidate's printed photo say 'match'.
    faceCheck(r.logId!, 'match');
    expect(present()).toBe(before);
    // Only the examiner's override with a reason unlocks it.
    services.log.append({
      kind: 'face_override',
      station: 'test',
      actor: 'chutich',
      sessionCode: SESSION,
      details: { checkId: r.logId!, reason: 'Ánh sáng kém, đã thử lại và đối chiếu' },
    } as never);
    expect(present()).toBe(before + 1);
    // A new red after the override makes it red again.
    faceCheck(r.logId!, 'no_match');
    expect(present()).toBe(before);
  });

  it('a match whose liveness challenge failed (a photo held still) is red too, until an override', async () => {
    const before = present();
    const r = (
      await call<{ result: CheckResultDTO }>('checks.qr', {
        sessionCode: SESSION,
        text: qrTextOf(people[1]!),
      })
    ).result;
    expect(present()).toBe(before + 1);
    faceCheck(r.logId!, 'match', { liveness: 'failed' });
    expect(present()).toBe(before);
    faceCheck(r.logId!, 'match', { liveness: 'passed' });
    expect(present()).toBe(before);
    services.log.append({
      kind: 'face_override',
      station: 'test',
      actor: 'chutich',
      sessionCode: SESSION,
      details: { checkId: r.logId!, reason: 'Đã hỏi thêm, đúng người' },
    } as never);
    expect(present()).toBe(before + 1);
  });
});
