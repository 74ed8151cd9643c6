/**
 * `kiosk doctor` and `kiosk readers` tell the IT person what is wrong: every check with its state on a
 * fresh and on the demo database, and a PC/SC module that was never built told apart from pcscd not
 * running (both simulated: KIOSK_NATIVE_ABSENT, and a pcscd socket path that does not exist).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiosk } from '../support/cli';
import { tempDir } from '../support/tmp';
import type { DoctorReport } from '../../electron/core/doctor';

const root = tempDir('kiosk-doctor-');
const EVERY = [
  'native.better-sqlite3',
  'native.pcsclite',
  'native.node-hid',
  'native.serialport',
  'database.file',
  'database.integrity',
  'database.migrations',
  'pcscd',
  'pcsc.readers',
  'serial',
  'hid',
  'trust.issuers',
  'trust.expiry',
  'station-key',
  'disk',
  'clock',
];
const noPcscd = { PCSCLITE_CSOCK_NAME: path.join(root, 'no-pcscd.comm') };

function doctor(dataDir: string, env: Record<string, string> = {}) {
  const r = kiosk(['doctor', '--json'], { KIOSK_DATA_DIR: dataDir, KIOSK_DB: '', ...noPcscd, ...env });
  return { ...r, report: r.json() as DoctorReport };
}

const byId = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id)!;

describe('kiosk doctor', () => {
  it('on a fresh database: lists every check with its state, creates nothing, and is not ready without pcscd', () => {
    const dir = path.join(root, 'fresh');
    const { code, report } = doctor(dir);
    expect(report.checks.map((c) => c.id)).toEqual(EVERY);
    for (const c of report.checks) {
      expect(['ok', 'warning', 'problem', 'skipped']).toContain(c.state);
      expect(c.vi.length).toBeGreaterThan(5);
      expect(c.en.length).toBeGreaterThan(5);
      if (c.state === 'problem') expect(c.fix?.vi && c.fix.en).toBeTruthy();
    }
    expect(byId(report, 'database.file').state).toBe('warning');
    expect(byId(report, 'database.integrity').state).toBe('skipped');
    expect(fs.existsSync(path.join(dir, 'kiosk.db'))).toBe(false);
    expect(byId(report, 'pcscd').state).toBe('problem');
    expect(report.ready).toBe(false);
    expect(code).toBe(1);
  });

  it('on the demo database: integrity, migrations, the log-based clock check; text output names every check', () => {
    const dir = path.join(root, 'demo');
    expect(kiosk(['demo', 'seed'], { KIOSK_DATA_DIR: dir, KIOSK_DB: '' }).code).toBe(0);
    const { report } = doctor(dir);
    expect(report.checks.map((c) => c.id)).toEqual(EVERY);
    expect(byId(report, 'database.integrity').state).toBe('ok');
    expect(byId(report, 'database.migrations').state).toBe('ok');
    expect(byId(report, 'clock').en).toMatch(/newest log entry/);
    const text = kiosk(['doctor'], { KIOSK_DATA_DIR: dir, KIOSK_DB: '', ...noPcscd });
    for (const id of EVERY) expect(text.stdout).toContain(`] ${id}: `);
    expect(text.stdout).toMatch(/The station is NOT ready/);
  });

  it('tells "PC/SC module never built" from "pcscd not running"', () => {
    const dir = path.join(root, 'fresh2');
    const serviceDown = doctor(dir, { KIOSK_NATIVE_ABSENT: '' }).report;
    expect(byId(serviceDown, 'pcscd').en).toMatch(/not running/);
    // Where the module is really built, "pcscd not running" comes without any module complaint.
    if (byId(serviceDown, 'native.pcsclite').state === 'ok') {
      expect(byId(serviceDown, 'pcsc.readers').en).not.toMatch(/never built|not usable/);
    }

    const notBuilt = doctor(dir, { KIOSK_NATIVE_ABSENT: 'pcsclite' }).report;
    expect(byId(notBuilt, 'native.pcsclite').en).toMatch(/never built/);
    expect(byId(notBuilt, 'native.pcsclite').fix!.en).toMatch(/libpcsclite-dev/);
    expect(byId(notBuilt, 'pcsc.readers').state).toBe('problem');
    expect(byId(notBuilt, 'pcsc.readers').en).toMatch(/module is not usable \(not_built\)/);
  });
});

describe('kiosk readers --json', () => {
  it('module never built: pcsc.module not_built, error module_not_built with the command; not "pcscd not running"', () => {
    const r = kiosk(['readers', '--json'], { ...noPcscd, KIOSK_NATIVE_ABSENT: 'pcsclite' });
    expect(r.code, r.stderr).toBe(0);
    const l = r.json() as {
      pcsc: { module: string; serviceRunning: boolean; error?: { code: string; en: string } };
    };
    expect(l.pcsc.module).toBe('not_built');
    expect(l.pcsc.error?.code).toBe('module_not_built');
    expect(l.pcsc.error?.en).toMatch(/never built.*npm (install|rebuild)/s);
    expect(l.pcsc.error?.en).not.toMatch(/is not running/);
  });

  it('module built, pcscd not running: module loaded, serviceRunning false, no module error', () => {
    const r = kiosk(['readers', '--json'], { ...noPcscd, KIOSK_NATIVE_ABSENT: '' });
    const l = r.json() as { pcsc: { module: string; serviceRunning: boolean; error?: unknown } };
    if (l.pcsc.module !== 'loaded') return; // a machine without the module: the case above covers it
    expect(l.pcsc.serviceRunning).toBe(false);
    expect(l.pcsc.error).toBeUndefined();
  });
});
