/**
 * LDS files built by the software card and read back by the terminal-side parsers: EF.CardAccess
 * (the real card's bytes), EF.COM, DG1, DG2 (JPEG byte for byte; JPEG 2000 → PNG of the right size
 * and pixels), DG13 (every field, every nesting variant, a hand-built file), DG14 and DG15.
 */
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../native/util/bytes';
import { IcaoError } from '../../native/iso7816/sw';
import { parseCardAccess } from '../../native/icao/card-access';
import { OID as SI_OID } from '../../native/icao/card-access';
import { FID, dataGroupFid, parseDg1, parseDg15, parseEfCom } from '../../native/icao/lds';
import { dg2Photo, facePhoto, parseDg2 } from '../../native/icao/dg2';
import { buildDg13, parseDg13, type Dg13Input } from '../../native/cccd/dg13';
import { parseDg14 } from '../../native/icao/dg14';
import { encode } from '../../native/iso7816/tlv';
import { oidDer } from '../../native/icao/icao-asn1';
import { mrzInformation } from '../../native/icao/mrz';
import {
  buildCardAccess,
  buildDg2,
  buildSoftCard,
  type BuiltSoftCard,
} from '../../native/softcard/lds-builder';
import { DEFAULT_PERSON, facePhotoJpeg, facePixels } from '../../native/softcard/person';

const CARD_ACCESS_HEX =
  '3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d';

let card: BuiltSoftCard;
beforeAll(() => {
  card = buildSoftCard();
});

function file(fid: number): Uint8Array {
  const f = card.files.get(fid);
  if (!f) throw new Error(`no file ${fid.toString(16)}`);
  return f;
}

function expectIcaoError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IcaoError);
    expect((e as IcaoError).code).toBe(code);
    expect((e as IcaoError).vi.length).toBeGreaterThan(5);
    return;
  }
  throw new Error('expected an IcaoError');
}

describe('EF.CardAccess and EF.COM', () => {
  it('builds the EF.CardAccess bytes seen on real CCCDs', () => {
    expect(hex(buildCardAccess())).toBe(CARD_ACCESS_HEX.toUpperCase());
    expect(file(FID.cardAccess)).toEqual(fromHex(CARD_ACCESS_HEX));
    const access = parseCardAccess(file(FID.cardAccess));
    expect(access.pace[0]?.parameterId).toBe(13);
    expect(access.chipAuthentication[0]?.protocol).toBe(SI_OID.CA_ECDH_AES128);
    expect(access.terminalAuthentication).toBe(true);
  });

  it('EF.COM lists DG1, DG2, DG3, DG13, DG14, DG15 like the real card', () => {
    const com = parseEfCom(file(FID.com));
    expect(com.ldsVersion).toBe('1.7');
    expect(com.unicodeVersion).toBe('4.0.0');
    expect(com.dataGroups).toEqual([1, 2, 3, 13, 14, 15]);
  });

  it('parses the EF.COM of ICAO 9303-11 appendix D.4', () => {
    const com = parseEfCom(fromHex('60145F0104303130365F36063034303030305C026175'));
    expect(com).toEqual({
      ldsVersion: '1.6',
      unicodeVersion: '4.0.0',
      tags: [0x61, 0x75],
      dataGroups: [1, 2],
    });
  });

  it('rejects a file with the wrong tag', () => {
    expectIcaoError(() => parseEfCom(file(dataGroupFid(1))), 'lds_malformed');
  });
});

describe('DG1', () => {
  it('holds the 90 MRZ characters in 61 5D 5F1F 5A and parses to the person', () => {
    const dg1 = file(dataGroupFid(1));
    expect(dg1.length).toBe(95);
    expect(hex(dg1.subarray(0, 5))).toBe('615D5F1F5A');
    const parsed = parseDg1(dg1);
    expect(parsed.valid).toBe(true);
    expect(parsed.mrz.cccd?.idNumber).toBe(DEFAULT_PERSON.idNumber);
    expect(parsed.mrz.documentNumber).toBe(DEFAULT_PERSON.idNumber.slice(3));
    expect(parsed.mrz.dateOfBirthIso).toBe(DEFAULT_PERSON.dateOfBirth);
    expect(parsed.mrz.dateOfExpiryIso).toBe(DEFAULT_PERSON.dateOfExpiry);
    expect(parsed.mrz.surname).toBe('NGUYEN');
    expect(parsed.mrz.givenNames).toBe('THI MAI ANH');
    expect(card.mrzInformation).toBe(mrzInformation(parsed.mrz));
    expect(card.can).toBe(DEFAULT_PERSON.idNumber.slice(-6));
  });

  it('returns the MRZ with valid=false when a check digit is wrong', () => {
    const dg1 = file(dataGroupFid(1)).slice();
    dg1[5 + 14] = dg1[5 + 14] === 0x30 ? 0x31 : 0x30; // document number check digit
    const parsed = parseDg1(dg1);
    expect(parsed.valid).toBe(false);
  });
});

describe('DG2', () => {
  it('returns the JPEG face byte for byte, with the record header read', async () => {
    const jpeg = facePhotoJpeg(DEFAULT_PERSON.photoSeed);
    const dg2 = parseDg2(file(dataGroupFid(2)));
    expect(dg2.count).toBe(1);
    const face = dg2.faces[0]!;
    expect(face.format).toBe('jpeg');
    expect(face.imageDataType).toBe(0);
    expect(face.width).toBe(240);
    expect(face.height).toBe(320);
    expect(Buffer.from(face.image).equals(Buffer.from(jpeg))).toBe(true);
    const photo = await dg2Photo(file(dataGroupFid(2)));
    expect(photo.mime).toBe('image/jpeg');
    expect(Buffer.from(photo.data).equals(Buffer.from(jpeg))).toBe(true);
  });

  it('the synthetic JPEG is about 15 KB and deterministic per seed', () => {
    const a = facePhotoJpeg(7);
    expect(a.length).toBeGreaterThan(11_000);
    expect(a.length).toBeLessThan(20_000);
    expect(Buffer.from(facePhotoJpeg(7)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(facePhotoJpeg(8)).equals(Buffer.from(a))).toBe(false);
  });

  describe('JPEG 2000', () => {
    const width = 60;
    const height = 80;
    let rgba: Uint8Array;
    let codestream: Uint8Array;

    beforeAll(async () => {
      // Encode a portrait with the OpenJPEG encoder of the same package (lossless by default).
      rgba = facePixels(3, width, height);
      const require = createRequire(import.meta.url);
      const factory = require('@cornerstonejs/codec-openjpeg') as (o: object) => Promise<{
        J2KEncoder: new () => {
          getDecodedBuffer(info: object): Uint8Array;
          setDecompositions(n: number): void;
          encode(): void;
          getEncodedBuffer(): Uint8Array;
        };
      }>;
      const lib = await factory({ print: () => {}, printErr: () => {} });
      const enc = new lib.J2KEncoder();
      const input = enc.getDecodedBuffer({
        width,
        height,
        bitsPerSample: 8,
        componentCount: 3,
        isSigned: false,
        isUsingColorTransform: false,
      });
      for (let p = 0; p < width * height; p++) {
        input[p * 3] = rgba[p * 4]!;
        input[p * 3 + 1] = rgba[p * 4 + 1]!;
        input[p * 3 + 2] = rgba[p * 4 + 2]!;
      }
      enc.setDecompositions(3);
      enc.encode();
      codestream = enc.getEncodedBuffer().slice();
    });

    /** A minimal JP2 file (ISO/IEC 15444-1 annex I) around the codestream. */
    function jp2(cs: Uint8Array): Uint8Array {
      const box = (type: string, body: number[] | Uint8Array): number[] => {
        const len = 8 + body.length;
        return [
          (len >>> 24) & 255,
          (len >> 16) & 255,
          (len >> 8) & 255,
          len & 255,
          ...Buffer.from(type, 'latin1'),
          ...body,
        ];
      };
      const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
      const ihdr = box('ihdr', [...u32(height), ...u32(width), 0, 3, 7, 7, 0, 0]);
      const colr = box('colr', [1, 0, 0, ...u32(16)]);
      return Uint8Array.from([
        ...box('jP  ', [0x0d, 0x0a, 0x87, 0x0a]),
        ...box('ftyp', [...Buffer.from('jp2 '), 0, 0, 0, 0, ...Buffer.from('jp2 ')]),
        ...box('jp2h', [...ihdr, ...colr]),
        ...box('jp2c', cs),
      ]);
    }

    async function decodeThroughDg2(image: Uint8Array): Promise<PNG> {
      const dg2 = buildDg2(image, 'F');
      const face = parseDg2(dg2).faces[0]!;
      expect(face.imageDataType).toBe(1);
      expect(face.width).toBe(width);
      expect(face.height).toBe(height);
      const photo = await facePhoto(face);
      expect(photo.mime).toBe('image/png');
      return PNG.sync.read(Buffer.from(photo.data));
    }

    it('decodes a JP2 face into a PNG of the right size and pixels', async () => {
      const png = await decodeThroughDg2(jp2(codestream));
      expect(png.width).toBe(width);
      expect(png.height).toBe(height);
      let maxDiff = 0;
      for (let i = 0; i < rgba.length; i++) maxDiff = Math.max(maxDiff, Math.abs(png.data[i]! - rgba[i]!));
      expect(maxDiff).toBeLessThanOrEqual(2);
    });

    it('decodes a bare J2K codestream too', async () => {
      const png = await decodeThroughDg2(codestream);
      expect([png.width, png.height]).toEqual([width, height]);
    });

    it('reports an unreadable JPEG 2000 image with a bilingual error', async () => {
      const broken = codestream.slice(0, 40);
      const face = parseDg2(buildDg2(broken)).faces[0]!;
      await expect(facePhoto(face)).rejects.toMatchObject({ code: 'face_image_unreadable' });
    });
  });
});

function personInput(spouse?: string): Dg13Input {
  const p = DEFAULT_PERSON;
  return {
    idNumber: p.idNumber,
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    nationality: p.nationality,
    ethnicity: p.ethnicity,
    religion: p.religion,
    placeOfOrigin: p.placeOfOrigin,
    residence: p.residence,
    identifyingMarks: p.identifyingMarks,
    dateOfIssue: p.dateOfIssue,
    dateOfExpiry: p.dateOfExpiry,
    fatherName: p.father,
    motherName: p.mother,
    spouseName: spouse,
    oldIdNumber: p.oldIdNumber,
    unknown16: p.unknown16,
  };
}

const EXPECTED = {
  idNumber: DEFAULT_PERSON.idNumber,
  fullName: DEFAULT_PERSON.fullName,
  dateOfBirth: DEFAULT_PERSON.dateOfBirth,
  sex: DEFAULT_PERSON.sex,
  nationality: DEFAULT_PERSON.nationality,
  ethnicity: DEFAULT_PERSON.ethnicity,
  religion: DEFAULT_PERSON.religion,
  placeOfOrigin: DEFAULT_PERSON.placeOfOrigin,
  residence: DEFAULT_PERSON.residence,
  identifyingMarks: DEFAULT_PERSON.identifyingMarks,
  dateOfIssue: DEFAULT_PERSON.dateOfIssue,
  dateOfExpiry: DEFAULT_PERSON.dateOfExpiry,
  fatherName: DEFAULT_PERSON.father,
  motherName: DEFAULT_PERSON.mother,
  oldIdNumber: DEFAULT_PERSON.oldIdNumber,
  unknown16: DEFAULT_PERSON.unknown16,
};

describe('DG13', () => {
  it("the software card's DG13 parses back to the same person", () => {
    const dg13 = parseDg13(file(dataGroupFid(13)));
    expect(dg13).toMatchObject(EXPECTED);
    expect(dg13.spouseName).toBeUndefined();
    expect(dg13.invalid).toEqual([]);
    expect(dg13.fullName).toBe(dg13.fullName?.normalize('NFC'));
  });

  it('starts with 6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET ...', () => {
    const bytes = file(dataGroupFid(13));
    const header = hex(bytes.subarray(0, 20));
    expect(header.startsWith('6D82')).toBe(true);
    expect(header).toContain(`020101${hex(oidDer('1.0.10646.1.0.8'))}31`);
  });

  for (const nesting of ['standard', 'nested', 'flat'] as const) {
    for (const swapOldId of [false, true]) {
      it(`reads the ${nesting} nesting of fields 13/14${swapOldId ? ' with fields 15/16 swapped' : ''}`, () => {
        const withSpouse = parseDg13(buildDg13(personInput('Lê Văn Cường'), { nesting, swapOldId }));
        expect(withSpouse).toMatchObject({ ...EXPECTED, spouseName: 'Lê Văn Cường' });
        const single = parseDg13(buildDg13(personInput(), { nesting, swapOldId }));
        expect(single).toMatchObject(EXPECTED);
        expect(single.spouseName).toBeUndefined();
      });
    }
  }

  it('walks a hand-built DG13: other order, other string and set types, decomposed text, no expiry', () => {
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
    const field = (n: number, ...v: Uint8Array[]): Uint8Array =>
      encode(0x30, [encode(0x02, Uint8Array.of(n)), ...v]);
    const set = encode(0x31, [
      field(2, encode(0x0c, utf8('Phạm Thị Thu'.normalize('NFD')))),
      field(1, encode(0x16, utf8('079305001234'))),
      field(4, encode(0x0c, utf8('Nữ'))),
      field(3, encode(0x0c, utf8('1/2/1950'))),
      field(12, encode(0x0c, utf8('Không thời hạn'))),
      field(
        13,
        encode(0x31, [
          encode(0x30, [encode(0x0c, utf8('Phạm Văn Tư'))]),
          encode(0x30, [encode(0x0c, utf8(''))]),
        ]),
      ),
      field(16, encode(0x13, utf8('345678901'))),
      field(11, encode(0x0c, utf8('30/02/2021'))),
    ]);
    const dg13 = encode(0x6d, [
      encode(0x30, [encode(0x02, Uint8Array.of(1)), oidDer('1.0.10646.1.0.8'), set]),
    ]);
    const parsed = parseDg13(dg13);
    expect(parsed.fullName).toBe('Phạm Thị Thu');
    expect(parsed.idNumber).toBe('079305001234');
    expect(parsed.sex).toBe('F');
    expect(parsed.dateOfBirth).toBe('1950-02-01');
    expect(parsed.dateOfExpiry).toBeNull();
    expect(parsed.fatherName).toBe('Phạm Văn Tư');
    expect(parsed.motherName).toBeUndefined();
    expect(parsed.oldIdNumber).toBe('345678901');
    expect(parsed.dateOfIssue).toBeUndefined();
    expect(parsed.invalid).toEqual([11]);
  });

  it('rejects truncated or foreign bytes', () => {
    const bytes = file(dataGroupFid(13));
    expectIcaoError(() => parseDg13(bytes.subarray(0, bytes.length - 10)), 'lds_malformed');
    expectIcaoError(() => parseDg13(file(dataGroupFid(1))), 'lds_malformed');
  });
});

describe('DG14 and DG15', () => {
  it('DG14 yields the chip-authentication key the card holds', () => {
    const dg14 = parseDg14(file(dataGroupFid(14)));
    expect(dg14.chipAuthKeys).toHaveLength(1);
    const key = dg14.chipAuthKeys[0]!;
    expect(key.curve).toBe('brainpoolP256r1');
    expect(key.oid).toBe(SI_OID.CA_ECDH_AES128);
    expect(hex(key.publicKey)).toBe(hex(card.ca.publicKey));
    expect(dg14.terminalAuthentication).toBe(true);
    expect(dg14.activeAuth).toBeUndefined();
  });

  it('maps explicit domain parameters to the named curve, keeps the key id, reads the AA algorithm', () => {
    const other = buildSoftCard({
      caCurve: 'P-256',
      caExplicitParameters: true,
      caKeyId: 5,
      aaKey: { type: 'ec', curve: 'brainpoolP256r1' },
      aaEcdsaHash: 'sha384',
    });
    const dg14 = parseDg14(other.files.get(dataGroupFid(14))!);
    expect(dg14.chipAuthKeys[0]).toMatchObject({ curve: 'P-256', keyId: 5, oid: SI_OID.CA_ECDH_AES128 });
    expect(hex(dg14.chipAuthKeys[0]!.publicKey)).toBe(hex(other.ca.publicKey));
    expect(dg14.activeAuth).toMatchObject({ version: 1, hash: 'sha384' });
    const dg15 = parseDg15(other.files.get(dataGroupFid(15))!);
    expect(dg15.kind).toBe('ec');
    expect(dg15.curve).toBe('brainpoolP256r1');
    expect(dg15.point?.[0]).toBe(4);
  });

  it('DG15 holds the RSA AA key', () => {
    const dg15 = parseDg15(file(dataGroupFid(15)));
    expect(dg15.kind).toBe('rsa');
    expect(dg15.modulusBits).toBe(1024);
    expect(Buffer.from(dg15.spki).equals(card.aa!.publicKey.export({ type: 'spki', format: 'der' }))).toBe(
      true,
    );
  });
});
