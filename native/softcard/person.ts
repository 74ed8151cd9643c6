/**
 * The holder of a software card: a fictional person with every field a CCCD chip carries (DG1 MRZ
 * and DG13), loadable from a JSON file (validated with zod), and a synthetic face photo (JPEG,
 * about 15 KB, deterministic per seed) so the software card's DG2 looks like a real one.
 */
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { z } from 'zod';
import { isIsoDate } from '../util/dates';
import { mulberry32 } from '../util/random';
import { stripDiacritics } from '../cccd/names';
import { bilingualError } from '../icao/bilingual';

const isoDate = z.string().refine(isIsoDate, { message: 'expected an ISO date yyyy-mm-dd' });
const mrzName = z
  .string()
  .regex(/^[A-Z]+( [A-Z]+)*$/, { message: 'upper case A-Z words without diacritics' })
  .optional();

export const SoftPersonSchema = z.object({
  idNumber: z.string().regex(/^\d{12}$/, { message: '12 digits' }),
  fullName: z.string().min(1),
  dateOfBirth: isoDate,
  sex: z.enum(['M', 'F']),
  nationality: z.string().default('Việt Nam'),
  ethnicity: z.string().default('Kinh'),
  religion: z.string().default('Không'),
  placeOfOrigin: z.string(),
  residence: z.string(),
  identifyingMarks: z.string().default(''),
  dateOfIssue: isoDate,
  /** null = "Không thời hạn" (no expiry; 991231 in the MRZ). */
  dateOfExpiry: isoDate.nullable(),
  father: z.string(),
  mother: z.string(),
  spouse: z.string().optional(),
  oldIdNumber: z
    .string()
    .regex(/^\d{9}$/, { message: '9 digits' })
    .optional(),
  /** DG13 field 16 (meaning unknown): 16 characters. */
  unknown16: z.string().length(16).optional(),
  /** MRZ surname / given names (A-Z, no diacritics); derived from fullName when absent. */
  mrzSurname: mrzName,
  mrzGivenNames: mrzName,
  /** Seed of the synthetic face photo. */
  photoSeed: z.number().int().default(1),
});

export type SoftPerson = z.output<typeof SoftPersonSchema>;
export type SoftPersonInput = z.input<typeof SoftPersonSchema>;

/** A fictional holder. Every value is invented. */
export const DEFAULT_PERSON: SoftPerson = Object.freeze({
  idNumber: '001198012345',
  fullName: 'Nguyễn Thị Mai Anh',
  dateOfBirth: '1998-04-12',
  sex: 'F',
  nationality: 'Việt Nam',
  ethnicity: 'Kinh',
  religion: 'Không',
  placeOfOrigin: 'Xã Hòa Bình, Huyện Thường Tín, Hà Nội',
  residence: 'Số 12 Ngõ 34 Phố Hoa Mai, Phường Lê Lợi, Quận Hoàn Kiếm, Hà Nội',
  identifyingMarks: 'Nốt ruồi C:1cm trên trước đầu lông mày trái',
  dateOfIssue: '2021-06-15',
  dateOfExpiry: '2038-04-12',
  father: 'Nguyễn Văn Bình',
  mother: 'Trần Thị Hoa',
  oldIdNumber: '012345678',
  unknown16: 'A1B2C3D4E5F60718',
  mrzSurname: 'NGUYEN',
  mrzGivenNames: 'THI MAI ANH',
  photoSeed: 1,
}) as SoftPerson;

/** Validates a person (JSON value); throws a bilingual IcaoError naming the bad fields. */
export function parseSoftPerson(value: unknown): SoftPerson {
  const r = SoftPersonSchema.safeParse(value);
  if (!r.success) {
    const fields = [...new Set(r.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw bilingualError(
      'soft_person_invalid',
      `Tệp người giữ thẻ mô phỏng không hợp lệ (trường: ${fields}).`,
      `The software-card holder file is invalid (fields: ${fields}).`,
    );
  }
  return r.data;
}

export async function loadSoftPerson(path: string): Promise<SoftPerson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw bilingualError(
      'soft_person_unreadable',
      `Không đọc được tệp người giữ thẻ mô phỏng "${path}".`,
      `The software-card holder file "${path}" cannot be read.`,
      { cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bilingualError(
      'soft_person_invalid',
      `Tệp người giữ thẻ mô phỏng "${path}" không phải JSON hợp lệ.`,
      `The software-card holder file "${path}" is not valid JSON.`,
      { cause: e },
    );
  }
  return parseSoftPerson(json);
}

/** MRZ surname and given names: explicit ones, else from the full name (first word = family name). */
export function mrzNames(p: SoftPerson): { surname: string; givenNames: string } {
  if (p.mrzSurname && p.mrzGivenNames !== undefined)
    return { surname: p.mrzSurname, givenNames: p.mrzGivenNames };
  const words = stripDiacritics(p.fullName.normalize('NFC'))
    .toUpperCase()
    .split(/[^A-Z]+/)
    .filter((w) => w !== '');
  return { surname: p.mrzSurname ?? words[0] ?? '', givenNames: p.mrzGivenNames ?? words.slice(1).join(' ') };
}

// ---------------------------------------------------------------------------------------------
// Synthetic face photo

export interface FacePhotoOptions {
  width?: number;
  height?: number;
  /** JPEG quality 1-100. */
  quality?: number;
}

/** Raw RGBA pixels of the synthetic portrait (exported for tests of other image codecs). */
export function facePixels(seed = 1, width = 240, height = 320): Uint8Array {
  // mulberry32: small, deterministic, good enough for image noise.
  const rand = mulberry32(seed);
  const hue = rand();
  const bg = [190 + Math.floor(hue * 40), 200 + Math.floor(rand() * 30), 215 + Math.floor(rand() * 30)];
  const skin = [200 + Math.floor(rand() * 40), 160 + Math.floor(rand() * 30), 130 + Math.floor(rand() * 30)];
  const hair = [20 + Math.floor(rand() * 40), 15 + Math.floor(rand() * 30), 10 + Math.floor(rand() * 20)];
  const data = new Uint8Array(width * height * 4);
  const cx = width / 2;
  const cy = height * 0.45;
  const rx = width * 0.3;
  const ry = height * 0.3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      const inFace = dx * dx + dy * dy <= 1;
      const inHair = !inFace && dx * dx + ((y - cy + ry * 0.25) / (ry * 1.05)) ** 2 <= 1.05 && y < cy;
      const inShoulders = y > height * 0.8 && Math.abs(x - cx) < width * 0.45 - (height - y) * 0.3;
      let c = bg.map((v, i) => v - (y / height) * 30 + i * 2);
      if (inShoulders) c = [40, 60, 110];
      if (inHair) c = hair;
      if (inFace) {
        const shade = 1 - 0.15 * (dx * dx + dy * dy);
        c = skin.map((v) => v * shade);
        const eyeY = cy - ry * 0.15;
        for (const ex of [cx - rx * 0.38, cx + rx * 0.38]) {
          if ((x - ex) ** 2 / (rx * 0.14) ** 2 + (y - eyeY) ** 2 / (ry * 0.06) ** 2 <= 1) c = [45, 35, 30];
        }
        const mouthY = cy + ry * 0.45;
        if (Math.abs(y - mouthY) < ry * 0.03 && Math.abs(x - cx) < rx * 0.3) c = [160, 70, 70];
        if (Math.abs(x - cx) < rx * 0.04 && y > eyeY && y < mouthY - ry * 0.15) c = c.map((v) => v * 0.9);
      }
      const noise = (rand() - 0.5) * 24;
      const o = (y * width + x) * 4;
      data[o] = Math.max(0, Math.min(255, c[0]! + noise));
      data[o + 1] = Math.max(0, Math.min(255, c[1]! + noise));
      data[o + 2] = Math.max(0, Math.min(255, c[2]! + noise));
      data[o + 3] = 255;
    }
  }
  return data;
}

const photoCache = new Map<string, Uint8Array>();

/** A synthetic portrait as JPEG (JFIF): about 15 KB at the defaults, identical for the same seed. */
export function facePhotoJpeg(seed = 1, options: FacePhotoOptions = {}): Uint8Array {
  const width = options.width ?? 240;
  const height = options.height ?? 320;
  const quality = options.quality ?? 75;
  const key = `${seed}/${width}/${height}/${quality}`;
  let jpg = photoCache.get(key);
  if (!jpg) {
    // Encoding takes a few hundred ms; the result is deterministic, so it is kept per process.
    jpg = new Uint8Array(jpeg.encode({ data: facePixels(seed, width, height), width, height }, quality).data);
    photoCache.set(key, jpg);
  }
  return jpg.slice();
}
