/**
 * Fixed chip files for the parser fuzzers: EF.CardAccess, EF.COM, DG1 (CCCD TD1 and a passport TD3),
 * DG2 (JPEG faces), DG13 (three nestings), DG14, DG15 (RSA and EC) and EF.SOD (ECDSA and RSA-PSS),
 * all of fictional people, stored in test/fixtures/chip-samples.json so a fuzz seed reproduces the
 * same inputs on every run (the software card itself draws fresh keys each time).
 *
 * Regenerate with `node bin/run-ts.js test/support/chip-samples.ts --write`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromHex, hex } from '../../native/util/bytes';

export const SAMPLES_FILE = path.resolve(import.meta.dirname, '../fixtures/chip-samples.json');

export interface ChipSamples {
  cardAccess: Uint8Array[];
  com: Uint8Array[];
  dg1: Uint8Array[];
  dg2: Uint8Array[];
  dg13: Uint8Array[];
  dg14: Uint8Array[];
  dg15: Uint8Array[];
  sod: Uint8Array[];
  /** MRZ texts (TD1 and TD3, with line breaks). */
  mrz: string[];
}

type Stored = Record<Exclude<keyof ChipSamples, 'mrz'>, string[]> & { mrz: string[] };

export function loadChipSamples(file = SAMPLES_FILE): ChipSamples {
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored;
  const bytes = (list: string[]): Uint8Array[] => list.map((h) => fromHex(h));
  return {
    cardAccess: bytes(stored.cardAccess),
    com: bytes(stored.com),
    dg1: bytes(stored.dg1),
    dg2: bytes(stored.dg2),
    dg13: bytes(stored.dg13),
    dg14: bytes(stored.dg14),
    dg15: bytes(stored.dg15),
    sod: bytes(stored.sod),
    mrz: stored.mrz,
  };
}

/** Builds the samples from the software card (fresh keys: run once, then keep the file). */
export async function generateChipSamples(): Promise<ChipSamples> {
  const { buildSoftCard, buildDg1, buildDg2, buildSod } = await import('../../native/softcard/lds-builder');
  const { getTestPki } = await import('../../native/softcard/pki');
  const { facePhotoJpeg } = await import('../../native/softcard/person');
  const { createSoftPassport } = await import('../../native/softcard/soft-card');
  const standard = buildSoftCard();
  const nested = buildSoftCard({
    dg13Nesting: 'nested',
    aaKey: { type: 'ec', curve: 'brainpoolP256r1' },
    pkiOptions: { csca: { type: 'rsa', bits: 2048, pss: true } },
    ldsV1: true,
  });
  const flat = buildSoftCard({ dg13Nesting: 'flat', caExplicitParameters: true, caKeyId: 1 });
  const passport = createSoftPassport();
  const f = (card: { files: Map<number, Uint8Array> }, fid: number): Uint8Array => card.files.get(fid)!;
  const smallFace = facePhotoJpeg(3, { width: 48, height: 64, quality: 50 });
  return {
    cardAccess: [
      f(standard, 0x011c),
      fromHex(
        '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d',
      ),
    ],
    com: [f(standard, 0x011e), f(passport, 0x011e)],
    dg1: [f(standard, 0x0101), f(passport, 0x0101), buildDg1(standard.mrzLines)],
    dg2: [buildDg2(smallFace, 'F'), buildDg2(facePhotoJpeg(5, { width: 96, height: 128, quality: 40 }), 'M')],
    dg13: [f(standard, 0x010d), f(nested, 0x010d), f(flat, 0x010d)],
    dg14: [f(standard, 0x010e), f(nested, 0x010e), f(flat, 0x010e)],
    dg15: [f(standard, 0x010f), f(nested, 0x010f)],
    sod: [
      f(standard, 0x011d),
      f(nested, 0x011d),
      // Small SODs (one or two groups, P-256, without the DS certificate): the ASN.1 library's cost
      // grows with the size, and the small ones let the fuzzer reach every layer more often.
      buildSod({
        groups: new Map([[1, f(standard, 0x0101)]]),
        signer: getTestPki({ csca: { type: 'ec', curve: 'P-256' } }).ds,
        includeCertificate: false,
      }),
      buildSod({
        groups: new Map([
          [1, f(standard, 0x0101)],
          [13, f(standard, 0x010d)],
        ]),
        signer: getTestPki({ csca: { type: 'ec', curve: 'P-256' } }).ds,
        includeCertificate: false,
        ldsV1: true,
      }),
    ],
    mrz: [
      standard.mrzLines.join('\n'),
      passport.mrzText,
      'IDVNM0930470641001093047064<<2\n9301054M3301052VNM<<<<<<<<<<<8\nUNG<<HOANG<HIEP<<<<<<<<<<<<<<<',
    ],
  };
}

export function writeChipSamples(samples: ChipSamples, file = SAMPLES_FILE): void {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(samples)) {
    out[k] = (v as (Uint8Array | string)[]).map((x) => (typeof x === 'string' ? x : hex(x)));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
}

if (process.argv.includes('--write') && process.argv[1]?.endsWith('chip-samples.ts')) {
  writeChipSamples(await generateChipSamples());
  process.stdout.write(`wrote ${SAMPLES_FILE}\n`);
}
