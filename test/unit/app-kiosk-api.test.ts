import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KioskServices } from '../../electron/core/services';
import { KioskApi, type Caller } from '../../electron/app/kiosk-api';
import { QueuedDialogs } from '../../electron/app/bridge-server';
import { LOCK_BASE_MS, MAX_FAILED_PINS } from '../../electron/core/users';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';
import type { ChannelName, RequestOf, ResponseOf, Result } from '../../electron/shared/ipc-contract';
import { tempDir } from '../support/tmp';
import { createSoftCard } from '../../native/softcard/soft-card';

const dir = tempDir('kiosk-api-');
let n = 0;

interface Harness {
  api: KioskApi;
  services: KioskServices;
  dialogs: QueuedDialogs;
  dbPath: string;
  clock: { now: Date };
  call<C extends ChannelName>(who: Caller, channel: C, req?: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  ok<C extends ChannelName>(who: Caller, channel: C, req?: RequestOf<C>): Promise<ResponseOf<C>>;
}

const chair: Caller = { clientId: 'window-chair' };
const examiner: Caller = { clientId: 'window-examiner' };
const stranger: Caller = { clientId: 'window-nobody' };
const TODAY = new Date().toISOString().slice(0, 10);

function harness(): Harness {
  const dbPath = path.join(dir, `api-${n++}.db`);
  const services = new KioskServices({ dbPath });
  const dialogs = new QueuedDialogs();
  const clock = { now: new Date() };
  const api = new KioskApi({
    services,
    dialogs,
    trustStoreDir: path.join(dir, `trust-${n}`),
    now: () => clock.now,
  });
  const call = (async (who: Caller, channel: ChannelName, req?: unknown) =>
    api.handle(channel, who, req ?? {})) as Harness['call'];
  const ok = (async (who: Caller, channel: ChannelName, req?: unknown) => {
    const r = await api.handle(channel, who, req ?? {});
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.en}`);
    return r.value;
  }) as Harness['ok'];
  return { api, services, dialogs, dbPath, clock, call, ok };
}

/** A harness with a chair (PIN 2468) and an examiner (PIN 1357) signed in, and an open session with a roster. */
async function ready(rosterSize = 6): Promise<Harness & { code: string; csv: string }> {
  const h = harness();
  await h.ok(chair, 'auth.setup', { username: 'chair1', displayName: 'Chủ tịch Thử', pin: '2468' });
  await h.ok(chair, 'users.create', {
    username: 'exam1',
    displayName: 'Sát hạch viên Một',
    role: 'examiner',
    pin: '1357',
  });
  await h.ok(examiner, 'auth.signIn', { username: 'exam1', pin: '1357' });
  const code = 'SH-TEST-1';
  await h.ok(chair, 'sessions.create', { code, council: 'Hội đồng thử', date: TODAY });
  const csv = path.join(dir, `roster-${n}.csv`);
  fs.writeFileSync(csv, rosterCsv(rosterSize, 77));
  h.dialogs.queueOpen(csv);
  const pick = await h.ok(examiner, 'roster.pickFile');
  await h.ok(examiner, 'roster.preview', { sessionCode: code, token: pick!.token });
  await h.ok(examiner, 'roster.import', { sessionCode: code, token: pick!.token });
  return { ...h, code, csv };
}

/** A QR check made at once (no chip reader in these tests): the result. */
async function checked(h: Harness, who: Caller, req: RequestOf<'checks.qr'>) {
  const r = await h.ok(who, 'checks.qr', req);
  expect(r.status).toBe('checked');
  return r.result!;
}

function logKinds(h: Harness): string[] {
  return h.services.log.list({ limit: 1000 }).map((e) => e.kind);
}

describe('KioskApi: accounts, PINs and roles', () => {
  it('creates the first chair account once, signs it in, and logs both', async () => {
    const h = harness();
    expect((await h.ok(stranger, 'auth.status')).setupRequired).toBe(true);
    const me = await h.ok(chair, 'auth.setup', { username: 'Chair1', displayName: 'Chủ tịch', pin: '2468' });
    expect(me).toMatchObject({ username: 'chair1', role: 'chair' });
    const status = await h.ok(chair, 'auth.status');
    expect(status.setupRequired).toBe(false);
    expect(status.user?.username).toBe('chair1');
    // Another window is not signed in: the user belongs to the window that signed in.
    expect((await h.ok(stranger, 'auth.status')).user).toBeNull();
    const again = await h.call(stranger, 'auth.setup', { username: 'evil', displayName: 'X', pin: '0000' });
    expect(again.ok).toBe(false);
    expect(!again.ok && again.error.code).toBe('setup_done');
    expect(logKinds(h)).toEqual(['settings_changed', 'sign_in']);
  });

  it('stores PINs as salted scrypt hashes, never the PIN', async () => {
    const h = harness();
    await h.ok(chair, 'auth.setup', { username: 'chair1', displayName: 'A', pin: '246810' });
    await h.ok(chair, 'users.create', {
      username: 'exam1',
      displayName: 'B',
      role: 'examiner',
      pin: '246810',
    });
    const db = new Database(h.dbPath, { readonly: true });
    const rows = db.prepare('SELECT pin_hash FROM users').all() as { pin_hash: string }[];
    db.close();
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.pin_hash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(r.pin_hash).not.toContain('246810');
    }
    // Same PIN, different salts → different hashes.
    expect(rows[0]!.pin_hash).not.toBe(rows[1]!.pin_hash);
  });

  it('refuses chair-only channels to an examiner and everything but sign-in to nobody', async () => {
    const h = await ready();
    const chairOnly: [ChannelName, unknown][] = [
      ['sessions.close', { sessionCode: h.code }],
      ['sessions.signOff', { sessionCode: h.code, pin: '1357' }],
      ['log.list', {}],
      ['log.get', { id: 1 }],
      ['log.verify', {}],
      ['reports.export', { sessionCode: h.code, format: 'csv' }],
      ['users.create', { username: 'x1', displayName: 'X', role: 'chair', pin: '1111' }],
      ['users.setPin', { username: 'chair1', pin: '1111' }],
      ['settings.update', { requireChip: true }],
      ['settings.importTrustStore', {}],
    ];
    for (const [channel, req] of chairOnly) {
      const r = await h.api.handle(channel, examiner, req);
      expect(r.ok, channel).toBe(false);
      expect(!r.ok && r.error.code, channel).toBe('forbidden');
      expect(!r.ok && r.error.vi, channel).toContain('chủ tịch hội đồng');
    }
    // Nothing happened: the session is still open and no user was created.
    expect(h.services.sessions.get(h.code).state).toBe('open');
    expect(h.api.users.find('x1')).toBeUndefined();
    for (const channel of ['sessions.list', 'settings.get', 'candidates.search'] as const) {
      const r = await h.api.handle(channel, stranger, { sessionCode: h.code });
      expect(!r.ok && r.error.code, channel).toBe('not_signed_in');
    }
  });

  it('validates every payload with the contract schema before doing anything', async () => {
    const h = await ready();
    const bad: [ChannelName, unknown][] = [
      ['checks.qr', { sessionCode: h.code }],
      ['checks.qr', { sessionCode: h.code, text: 'x', extra: 1 }],
      ['checks.manual', { sessionCode: h.code, number: '12345' }],
      ['sessions.create', { code: 'X', council: 'Y', date: '27/11/2026' }],
      ['auth.signIn', { username: 'a b c', pin: '1' }],
      ['candidates.photo', { candidateId: -1 }],
    ];
    for (const [channel, req] of bad) {
      const r = await h.api.handle(channel, examiner, req);
      expect(!r.ok && r.error.code, JSON.stringify(req)).toBe('invalid_request');
    }
    const unknown = await h.api.handle('db.exec', examiner, {});
    expect(!unknown.ok && unknown.error.code).toBe('unknown_channel');
  });

  it('locks an account after repeated wrong PINs, logs every failure, and unlocks after the lock time', async () => {
    const h = await ready();
    for (let i = 1; i < MAX_FAILED_PINS; i++) {
      const r = await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '0000' });
      expect(!r.ok && r.error.code).toBe('wrong_pin');
      expect(!r.ok && r.error.vi).toContain(`Còn ${MAX_FAILED_PINS - i} lần thử`);
    }
    const last = await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '0000' });
    expect(!last.ok && last.error.code).toBe('account_locked');
    // The right PIN is refused while locked.
    const locked = await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '1357' });
    expect(!locked.ok && locked.error.code).toBe('account_locked');
    expect((await h.ok(chair, 'users.list')).find((u) => u.username === 'exam1')?.lockedUntil).not.toBeNull();

    const failures = h.services.log.list({ kind: 'sign_in_failed' });
    expect(failures).toHaveLength(MAX_FAILED_PINS + 1);
    expect(failures.map((f) => f.details.reason)).toEqual([
      ...Array(MAX_FAILED_PINS - 1).fill('wrong_pin'),
      'locked',
      'locked',
    ]);
    // The PIN is in no logged field (the hex hashes and timestamps are left out: they can hold '0000' by chance).
    expect(JSON.stringify(failures.map(({ hash: _h, prevHash: _p, at: _a, ...rest }) => rest))).not.toContain(
      '0000',
    );

    // After the lock time, a second series of failures (no success in between) locks for twice as long.
    h.clock.now = new Date(h.clock.now.getTime() + LOCK_BASE_MS + 1000);
    for (let i = 0; i < MAX_FAILED_PINS; i++)
      await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '9999' });
    h.clock.now = new Date(h.clock.now.getTime() + LOCK_BASE_MS + 1000);
    const still = await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '1357' });
    expect(!still.ok && still.error.code).toBe('account_locked');
    h.clock.now = new Date(h.clock.now.getTime() + LOCK_BASE_MS);
    expect((await h.ok(stranger, 'auth.signIn', { username: 'exam1', pin: '1357' })).username).toBe('exam1');
    // Success resets the counter: one wrong PIN now leaves MAX - 1 attempts.
    const after = await h.call(stranger, 'auth.signIn', { username: 'exam1', pin: '0000' });
    expect(!after.ok && after.error.code).toBe('wrong_pin');
    expect(!after.ok && after.error.details).toEqual({ attemptsLeft: MAX_FAILED_PINS - 1 });
  });

  it('does not tell an unknown user from a wrong PIN by its message', async () => {
    const h = await ready();
    const r = await h.call(stranger, 'auth.signIn', { username: 'ghost', pin: '1357' });
    expect(!r.ok && r.error.code).toBe('sign_in_failed');
    const entry = h.services.log.list({ kind: 'sign_in_failed' }).at(-1)!;
    expect(entry.actor).toBe('(unknown)');
    expect(entry.details.reason).toBe('unknown_user');
  });

  it('a deactivated account loses its window session and cannot sign in', async () => {
    const h = await ready();
    await h.ok(chair, 'users.setActive', { username: 'exam1', active: false });
    const r = await h.call(examiner, 'sessions.list');
    expect(!r.ok && r.error.code).toBe('not_signed_in');
    const again = await h.call(examiner, 'auth.signIn', { username: 'exam1', pin: '1357' });
    expect(again.ok).toBe(false);
    const self = await h.call(chair, 'users.setActive', { username: 'chair1', active: false });
    expect(!self.ok && self.error.code).toBe('self_deactivate');
  });
});

describe('KioskApi: roster, checks, log, sign-off, reports, settings', () => {
  it('previews a roster with its row errors and imports nothing until it is clean', async () => {
    const h = await ready();
    const bad = path.join(dir, 'bad-roster.csv');
    const good = fictionalPerson(0, 5);
    fs.writeFileSync(
      bad,
      [
        'Số báo danh,Họ và tên,Ngày sinh,Số CCCD',
        `000001,${good.fullName},${good.dateOfBirth},${good.idNumber}`,
        `000002,Trần Thị Lỗi,31/02/1990,001190900001`,
        `000003,Lê Văn Sai,15/08/1990,12345`,
      ].join('\n'),
    );
    await h.ok(chair, 'sessions.create', { code: 'SH-TEST-2', council: 'Hội đồng thử', date: TODAY });
    h.dialogs.queueOpen(bad);
    const pick = (await h.ok(examiner, 'roster.pickFile'))!;
    expect(pick.fileName).toBe('bad-roster.csv');
    const preview = await h.ok(examiner, 'roster.preview', { sessionCode: 'SH-TEST-2', token: pick.token });
    expect(preview.canImport).toBe(false);
    expect([...new Set(preview.errors.map((e) => e.rowNumber))]).toEqual([3, 4]);
    expect(preview.errors.every((e) => e.reason.vi && e.reason.en)).toBe(true);
    const imp = await h.call(examiner, 'roster.import', { sessionCode: 'SH-TEST-2', token: pick.token });
    expect(!imp.ok && imp.error.code).toBe('preview_required');
    expect(h.services.roster.counts('SH-TEST-2').total).toBe(0);

    // The clean roster of the ready() session: rows shown, existing candidates counted.
    h.dialogs.queueOpen(h.csv);
    const p2 = (await h.ok(examiner, 'roster.pickFile'))!;
    const preview2 = await h.ok(examiner, 'roster.preview', { sessionCode: h.code, token: p2.token });
    expect(preview2).toMatchObject({ canImport: true, totalRows: 6, existingCandidates: 6, format: 'csv' });
    expect(preview2.rows[0]).toMatchObject({ rowNumber: 2, candidateNo: '000001' });
    const refused = await h.call(examiner, 'roster.import', { sessionCode: h.code, token: p2.token });
    expect(!refused.ok && refused.error.code).toBe('roster_exists');
    const replaced = await h.ok(examiner, 'roster.import', {
      sessionCode: h.code,
      token: p2.token,
      replace: true,
    });
    expect(replaced).toEqual({ sessionCode: h.code, imported: 6, replaced: 6 });
    // A cancelled dialog is not an error.
    expect(await h.ok(examiner, 'roster.pickFile')).toBeNull();
    // Another window cannot use this window's file token.
    h.dialogs.queueOpen(h.csv);
    const p3 = (await h.ok(examiner, 'roster.pickFile'))!;
    const other = await h.call(chair, 'roster.preview', { sessionCode: h.code, token: p3.token });
    expect(!other.ok && other.error.code).toBe('file_not_chosen');
  });

  it('checks a QR scan: on the roster → accepted (with the QR-only warning), then already checked in; a stranger → rejected', async () => {
    const h = await ready();
    const p = fictionalPerson(2, 77);
    const r1 = await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(p) + '\r\n' });
    expect(r1.outcome).toBe('accepted_with_warnings');
    expect(r1.identityVerdict).toBe('match');
    expect(r1.authenticityVerdict).toBe('not_checked');
    expect(r1.reasons.map((x) => x.code)).toEqual(['chip_not_checked']);
    expect(r1.candidate).toMatchObject({
      candidateNo: p.candidateNo,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
    });
    expect(r1.card?.idNumberMasked).toBe('•••••••' + p.idNumber.slice(-5));
    expect(r1.counts).toEqual({ present: 1, total: 6 });

    const r2 = await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(p) });
    expect(r2).toMatchObject({ outcome: 'rejected', identityVerdict: 'already_checked_in' });
    expect(r2.reasons[0]!.vi).toContain('đã điểm danh');

    const r3 = await checked(h, examiner, {
      sessionCode: h.code,
      text: qrTextOf(fictionalPerson(40, 77)),
    });
    expect(r3).toMatchObject({ outcome: 'rejected', identityVerdict: 'not_on_roster', candidate: null });
    expect(r3.card?.fullName).toBe(fictionalPerson(40, 77).fullName);

    const garbage = await checked(h, examiner, { sessionCode: h.code, text: 'not|a|card' });
    expect(garbage).toMatchObject({ outcome: 'rejected', identityVerdict: 'invalid_card_data' });

    const recent = await h.ok(examiner, 'checks.recent', { sessionCode: h.code, limit: 3 });
    expect(recent.map((x) => x.identityVerdict)).toEqual([
      'invalid_card_data',
      'not_on_roster',
      'already_checked_in',
    ]);
    expect(recent[2]!.actor).toBe('exam1');
    // The log entry carries the examiner of this window.
    expect(h.services.log.get(r1.logId)).toMatchObject({
      actor: 'exam1',
      kind: 'check',
      outcome: 'accepted_with_warnings',
    });
  });

  it('the require-chip switch (stored in the DB, chair only, logged) turns a QR-only check into a rejection', async () => {
    const h = await ready();
    const s = await h.ok(chair, 'settings.update', { requireChip: true, stationName: 'Bàn 2' });
    expect(s).toMatchObject({ requireChip: true, stationName: 'Bàn 2' });
    const r = await checked(h, examiner, {
      sessionCode: h.code,
      text: qrTextOf(fictionalPerson(1, 77)),
    });
    expect(r.outcome).toBe('rejected');
    expect(r.reasons.map((x) => x.code)).toContain('chip_required');
    expect(h.services.log.get(r.logId)?.station).toBe('Bàn 2');
    const changed = h.services.log.list({ kind: 'settings_changed' }).at(-1)!;
    expect(changed.details).toMatchObject({
      action: 'settings_updated',
      changed: ['stationName', 'requireChip'],
    });
    // Survives a restart: a new api on the same file reads it back.
    const again = new KioskApi({ services: h.services, dialogs: h.dialogs, trustStoreDir: dir });
    expect(again.settings.get().requireChip).toBe(true);
  });

  it('manual fallback: the typed ID or the CAN checks the roster, always with a warning to compare by eye', async () => {
    const h = await ready();
    const p = fictionalPerson(3, 77);
    const byId = await h.ok(examiner, 'checks.manual', { sessionCode: h.code, number: p.idNumber });
    expect(byId.status).toBe('checked');
    expect(byId.result).toMatchObject({
      outcome: 'accepted_with_warnings',
      identityVerdict: 'match',
      entry: 'manual',
    });
    expect(byId.result!.reasons.map((x) => x.code)).toContain('manual_entry');
    expect(h.services.log.get(byId.result!.logId)?.details.entry).toBe('manual');

    const q = fictionalPerson(4, 77);
    const byCan = await h.ok(examiner, 'checks.manual', {
      sessionCode: h.code,
      number: q.idNumber.slice(-6),
    });
    expect(byCan.result?.candidate?.candidateNo).toBe(q.candidateNo);

    const unknownCan = await h.call(examiner, 'checks.manual', { sessionCode: h.code, number: '000000' });
    expect(!unknownCan.ok && unknownCan.error.code).toBe('can_not_found');
    const stranger12 = await h.ok(examiner, 'checks.manual', {
      sessionCode: h.code,
      number: fictionalPerson(50, 77).idNumber,
    });
    expect(stranger12.result).toMatchObject({ outcome: 'rejected', identityVerdict: 'not_on_roster' });
  });

  it('the chair signs off a closed session with their PIN; a wrong PIN is refused and logged; then it is read-only', async () => {
    const h = await ready();
    await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(fictionalPerson(0, 77)) });
    const early = await h.call(chair, 'sessions.signOff', { sessionCode: h.code, pin: '2468' });
    expect(!early.ok && early.error.code).toBe('session_open');
    expect((await h.ok(chair, 'sessions.close', { sessionCode: h.code })).state).toBe('closed');

    const wrong = await h.call(chair, 'sessions.signOff', { sessionCode: h.code, pin: '1111' });
    expect(!wrong.ok && wrong.error.code).toBe('wrong_pin');
    const failed = h.services.log.list({ kind: 'sign_in_failed' }).at(-1)!;
    expect(failed).toMatchObject({ actor: 'chair1', sessionCode: h.code });
    expect(failed.details.purpose).toBe('sign_off');
    expect(h.services.sessions.get(h.code).state).toBe('closed');

    const signed = await h.ok(chair, 'sessions.signOff', { sessionCode: h.code, pin: '2468' });
    expect(signed).toMatchObject({ state: 'signed', signedBy: 'chair1', present: 1, total: 6 });
    const entry = h.services.log.list({ kind: 'session_signed' })[0]!;
    expect(entry.details).toMatchObject({ chair: 'chair1' });
    expect(entry.details.logHeadHash).toMatch(/^[0-9a-f]{64}$/);

    const after = await h.call(examiner, 'checks.qr', {
      sessionCode: h.code,
      text: qrTextOf(fictionalPerson(1, 77)),
    });
    expect(!after.ok && after.error.code).toBe('session_signed');
    expect((await h.ok(chair, 'log.verify')).ok).toBe(true);
  });

  it('exports a report to the path chosen in the save dialog; cancel writes nothing', async () => {
    const h = await ready();
    await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(fictionalPerson(0, 77)) });
    for (const format of ['csv', 'xlsx', 'pdf'] as const) {
      const out = path.join(dir, `report-${n}-${format}`);
      h.dialogs.queueSave(out);
      const r = await h.ok(chair, 'reports.export', { sessionCode: h.code, format });
      expect(r.cancelled).toBe(false);
      if (r.cancelled) continue;
      expect(r.path).toBe(`${out}.${format}`);
      expect(fs.statSync(r.path).size).toBe(r.bytes);
      expect(r.bytes).toBeGreaterThan(200);
    }
    expect(h.dialogs.calls.at(-1)).toEqual({ kind: 'save', defaultName: `bao-cao-${h.code}.pdf` });
    expect(await h.ok(chair, 'reports.export', { sessionCode: h.code, format: 'csv' })).toEqual({
      cancelled: true,
    });
  });

  it('lists the log with filters, names the candidate, and shows details', async () => {
    const h = await ready();
    const p = fictionalPerson(1, 77);
    await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(p) });
    await checked(h, examiner, { sessionCode: h.code, text: qrTextOf(fictionalPerson(44, 77)) });
    const rejected = await h.ok(chair, 'log.list', { sessionCode: h.code, outcome: 'rejected' });
    expect(rejected.entries.map((e) => e.identityVerdict)).toEqual(['not_on_roster']);
    const byVerdict = await h.ok(chair, 'log.list', { identityVerdict: 'match' });
    expect(byVerdict.entries[0]).toMatchObject({
      candidateNo: p.candidateNo,
      candidateName: p.fullName,
      actor: 'exam1',
    });
    const byActor = await h.ok(chair, 'log.list', { actor: 'chair1' });
    expect(new Set(byActor.entries.map((e) => e.actor))).toEqual(new Set(['chair1']));
    const future = await h.ok(chair, 'log.list', { from: '2999-01-01T00:00:00Z' });
    expect(future.entries).toEqual([]);
    const page = await h.ok(chair, 'log.list', { limit: 2 });
    expect(page.entries).toHaveLength(2);
    expect(page.more).toBe(true);
    const d = await h.ok(chair, 'log.get', { id: byVerdict.entries[0]!.id });
    expect(d.details).toHaveProperty('authenticityChecks');
    expect(d.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await h.ok(chair, 'log.actors')).toEqual(['exam1']);
  });

  it('imports trust-store files through the folder dialog, skipping unreadable ones and keeping real CSCAs', async () => {
    const h = await ready();
    const src = path.join(dir, 'csca-src');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'broken.cer'), 'not a certificate');
    fs.writeFileSync(path.join(src, 'readme.txt'), 'ignored');
    h.dialogs.queueFolder(src);
    const r = await h.ok(chair, 'settings.importTrustStore');
    expect(r).toMatchObject({ cancelled: false, imported: 0, total: 0 });
    expect(r.skipped.map((s) => s.file)).toEqual(['broken.cer']);
    expect(r.skipped[0]!.reason.vi).toBeTruthy();
    expect((await h.ok(chair, 'settings.importTrustStore')).cancelled).toBe(true);
    // A real CSCA certificate (the software card's test PKI) is copied in, once.
    fs.writeFileSync(path.join(src, 'csca-test.pem'), createSoftCard().csca.pem);
    h.dialogs.queueFolder(src);
    const ok = await h.ok(chair, 'settings.importTrustStore');
    expect(ok).toMatchObject({ cancelled: false, imported: 1, total: 1 });
    h.dialogs.queueFolder(src);
    expect(await h.ok(chair, 'settings.importTrustStore')).toMatchObject({ imported: 0, total: 1 });
    expect((await h.ok(examiner, 'settings.get')).trustStore.files).toBe(1);
    expect(h.services.log.list({ kind: 'settings_changed' }).at(-1)?.details).toMatchObject({
      action: 'trust_store_imported',
      imported: 1,
    });
  });
});

describe('KioskApi: demo mode', () => {
  let h: Harness;
  beforeAll(async () => {
    const dbPath = path.join(dir, 'demo.db');
    const services = new KioskServices({ dbPath });
    const dialogs = new QueuedDialogs();
    const api = new KioskApi({ services, dialogs, trustStoreDir: dir, demo: true });
    await api.seedDemo();
    h = {
      api,
      services,
      dialogs,
      dbPath,
      clock: { now: new Date() },
      call: ((who: Caller, c: ChannelName, r?: unknown) => api.handle(c, who, r ?? {})) as Harness['call'],
      ok: (async (who: Caller, c: ChannelName, r?: unknown) => {
        const x = await api.handle(c, who, r ?? {});
        if (!x.ok) throw new Error(x.error.en);
        return x.value;
      }) as Harness['ok'],
    };
  });

  it('seeds the demo roster and accounts, shows the demo PINs, and hands out fresh sample QRs', async () => {
    const status = await h.ok(stranger, 'auth.status');
    expect(status.demo?.pins.map((p) => p.username)).toEqual(['chutich', 'giamthi']);
    const pin = status.demo!.pins.find((p) => p.username === 'giamthi')!.pin;
    await h.ok(examiner, 'auth.signIn', { username: 'giamthi', pin });
    const s1 = await h.ok(examiner, 'demo.sampleQr', { kind: 'on_roster' });
    const r1 = await checked(h, examiner, { sessionCode: 'DEMO', text: s1.text });
    expect(r1.identityVerdict).toBe('match');
    const s2 = await h.ok(examiner, 'demo.sampleQr', { kind: 'on_roster' });
    expect(s2.text).not.toBe(s1.text);
    const s3 = await h.ok(examiner, 'demo.sampleQr', { kind: 'not_on_roster' });
    const r3 = await checked(h, examiner, { sessionCode: 'DEMO', text: s3.text });
    expect(r3.identityVerdict).toBe('not_on_roster');
  });
});
