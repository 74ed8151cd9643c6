/**
 * Interoperability with an independent chip (issue 9, item 15 and its acceptance "live over pcscd with an
 * independent chip implementation"): Debian's vsmartcard-vpicc (`vicc -t ePass`, Python) plugged into a
 * private pcscd's vpcd reader, read by `kiosk chip read` as a separate process. test/support/vicc-epass.py
 * starts it and lists the Python 3 fixes Debian 12's package needs to run at all; the chip logic (files,
 * BAC, secure messaging) is vicc's.
 *
 * What vicc's ePass does that our software card does not, each of which aborted or misread a read before:
 * - every protected answer leaves DO 99 out (DO 87 + DO 8E, plain status);
 * - SELECT of a file it lacks (EF.CardAccess before BAC, EF.SOD under BAC) is a plain 6A82 after it has
 *   counted the command, so the kiosk's counter is one behind and the channel is opened again;
 * - DG2 has no 0x75 template and its image-type byte says JPEG 2000 for a JPEG;
 * - its EF.SOD sits at FID 010D (ICAO's is 011D) and is empty: to a terminal the chip has no EF.SOD.
 *
 * The verdict is therefore `altered_or_forged` with reason `sod_missing`: nothing on this chip is signed,
 * so nothing can be proven genuine, and a chip without a signed SOD is exactly what a forger would make.
 * Hashes, signature and chain are `not_run` (there is no SOD, no DS certificate, no issuer to export for
 * --csca). What must hold, and is asserted, is that the read completes over BAC with every document field
 * vicc holds, and says so honestly.
 *
 * vicc's data is fictional: the ICAO specimen MRZ in its source (ERIKSSON ANNA MARIX, UTO) and a photo
 * drawn here, which vicc asks for when it builds an ePass.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDigit } from '../../native/icao/mrz';
import { runKiosk } from '../support/kiosk-process';
import { testPcscd, type PcscdInstance } from '../support/pcscd';
import { needsPart, VICC_LAUNCHER } from '../support/system-parts';
import { tempDir } from '../support/tmp';

interface ChipJson {
  access?: string;
  document: Record<string, unknown>;
  authenticity: { verdict: string; checks: Record<string, string>; reasons: { code: string }[] };
  dataGroups: { name: string; status: string; bytes: number; sw?: number }[];
  warnings: { code: string }[];
  dump?: { dir: string; files: string[] };
}

const parts = needsPart(['pcsc', 'vicc'], 'kiosk chip read of a vsmartcard vicc ePass over pcscd');

/** vicc's built-in example MRZ (CardGenerator.__generate_ePass). */
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIX<<<<<<<<<<<<<<<<<<<L898902C<3UTO6908061F9406236ZE184226B<<<<<14';

const root = tempDir('vicc-epass-');
const photo = path.join(root, 'face.jpg');
let pcscd: PcscdInstance;
let env: Record<string, string>;
const viccs: ChildProcess[] = [];

/** Starts vicc on a vpcd port; resolves once pcscd has powered the card up. */
function startVicc(port: number, extraEnv: Record<string, string>): Promise<void> {
  // -vvv: INFO, which logs "Power Up" when pcscd sees the card (kept in memory, never printed).
  const child = spawn('/usr/bin/python3', [VICC_LAUNCHER, '-P', String(port), '-vvv'], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  viccs.push(child);
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => reject(new Error(`vicc on port ${port} was not powered up in 20 s`)),
      20_000,
    );
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Power Up/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vicc exited with ${code}: ${log.split('\n').slice(-3).join(' ')}`));
    });
  });
}

beforeAll(async () => {
  if (parts.skip) return;
  const drawn = spawnSync('/usr/bin/python3', [
    '-c',
    'import sys\nfrom PIL import Image, ImageDraw\nim = Image.new("RGB", (90, 120), (200, 180, 160))\n' +
      'ImageDraw.Draw(im).ellipse((20, 20, 70, 90), fill=(120, 90, 70))\nim.save(sys.argv[1], quality=80)',
    photo,
  ]);
  expect(drawn.status, drawn.stderr?.toString()).toBe(0);
  pcscd = await testPcscd();
  await pcscd.start();
  env = {
    PCSCLITE_CSOCK_NAME: pcscd.socketPath,
    KIOSK_DATA_DIR: path.join(root, 'user-data'),
    KIOSK_DB: path.join(root, 'kiosk.db'),
  };
  fs.mkdirSync(env.KIOSK_DATA_DIR!);
  // Reader 00 00: vicc with a photo; reader 00 01: vicc as its prompt leaves it without one (empty DG2).
  await Promise.all([startVicc(pcscd.ports[0], { VICC_PHOTO: photo }), startVicc(pcscd.ports[1], {})]);
}, 120_000);

afterAll(async () => {
  for (const c of viccs) c.kill('SIGTERM');
  await pcscd?.dispose();
});

function readChip(reader: string, extra: string[] = []) {
  return runKiosk(['chip', 'read', '--reader', reader, '--mrz', MRZ, '--json', ...extra], env);
}

describe.skipIf(parts.skip)('kiosk chip read of vsmartcard vicc ePass over pcscd', () => {
  it('reads the whole chip over BAC: the document from the vicc dataset, DG1 and DG2, and an honest verdict', async () => {
    const dump = path.join(root, 'dump');
    const r = await readChip(pcscd.readerNames[0], ['--dump', dump]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = r.json() as ChipJson;
    expect(j.access).toBe('BAC');
    expect(j.document).toMatchObject({
      source: 'DG1',
      mrzValid: true,
      documentType: 'P',
      documentNumber: 'L898902C',
      issuingState: 'UTO',
      nationality: 'UTO',
      fullName: 'ERIKSSON ANNA MARIX',
      dateOfBirth: '1969-08-06',
      sex: 'F',
      // DG2 without its 0x75 template and with image type "JPEG 2000" for a JPEG: sniffed and shown.
      photo: { mime: 'image/jpeg', width: 90, height: 120 },
    });
    const groups = Object.fromEntries(j.dataGroups.map((g) => [g.name, g]));
    expect(groups['EF.COM']?.status).toBe('read');
    expect(groups.DG1?.status).toBe('read');
    expect(groups.DG2).toMatchObject({ status: 'read' });
    expect(groups.DG2!.bytes).toBeGreaterThan(fs.statSync(photo).size);
    // The plain 6A82 to SELECT EF.SOD (under BAC, counted by vicc) did not end the read.
    expect(groups['EF.SOD']).toMatchObject({ status: 'absent', sw: 0x6a82 });
    expect(j.warnings).toEqual([]);

    // No signed SOD: nothing can be proven genuine (see the header).
    expect(j.authenticity.verdict).toBe('altered_or_forged');
    expect(j.authenticity.reasons.map((x) => x.code)).toContain('sod_missing');
    expect(j.authenticity.checks).toMatchObject({
      hashes: 'not_run',
      signature: 'not_run',
      chain: 'not_run',
    });

    // The stored read gives the same result.
    expect(j.dump?.files.sort()).toEqual(['DG1.bin', 'DG2.bin', 'EF.COM.bin']);
    const inspected = await runKiosk(['chip', 'inspect', dump, '--json'], env);
    expect(inspected.code, inspected.stderr).toBe(0);
    const k = inspected.json() as ChipJson;
    expect(k.authenticity.checks).toEqual(j.authenticity.checks);
    expect(k.authenticity.verdict).toBe(j.authenticity.verdict);
    expect(k.authenticity.reasons.map((x) => x.code)).toEqual(j.authenticity.reasons.map((x) => x.code));
    expect(k.document).toMatchObject({ documentNumber: 'L898902C', fullName: 'ERIKSSON ANNA MARIX' });
  }, 120_000);

  it('without a photo (DG2 is an empty file) the read still completes and says DG2 is unreadable', async () => {
    const r = await readChip(pcscd.readerNames[1]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as ChipJson;
    expect(j.access).toBe('BAC');
    expect(j.document).toMatchObject({ documentNumber: 'L898902C', mrzValid: true });
    expect(j.document.photo).toBeUndefined();
    const dg2 = j.dataGroups.find((g) => g.name === 'DG2');
    expect(dg2).toMatchObject({ status: 'error', bytes: 0 });
    expect(j.authenticity.verdict).toBe('altered_or_forged');
  }, 120_000);

  it('a wrong MRZ is refused by vicc at BAC: wrong_access, no data', async () => {
    // Another date of birth, every check digit right: only the chip can tell the keys are wrong.
    const l2 = MRZ.slice(44);
    const dob = `700101${checkDigit('700101')}`;
    const body = l2.slice(0, 13) + dob + l2.slice(20, 43);
    const wrong =
      MRZ.slice(0, 44) + body + checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
    expect(wrong).toHaveLength(88);
    const r = await runKiosk(
      ['chip', 'read', '--reader', pcscd.readerNames[0], '--mrz', wrong, '--json'],
      env,
    );
    expect(r.code).not.toBe(0);
    expect((r.json() as { error: { code: string } }).error.code).toBe('wrong_access');
    expect(r.stdout).not.toContain('ERIKSSON');
  }, 120_000);
});
