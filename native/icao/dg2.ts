/**
 * DG2: the encoded face (ICAO 9303-10 §4.7.2). Structure:
 *   75 { 7F61 { 02 count, 7F60 { A1 {biometric header template}, 5F2E|7F2E {biometric data block} } ... } }
 * The biometric data block is an ISO/IEC 19794-5 facial record ('FAC\0', version '010\0'). The image
 * is JPEG (returned byte for byte) or JPEG 2000 (JP2 file or J2K codestream), which is decoded with
 * the OpenJPEG WebAssembly build and re-encoded as PNG so any UI can show it.
 */
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import type { CardPhoto } from '../domain/vocabulary';
import { bilingualError, IcaoError } from './bilingual';
import { children, decodeAll, decodeOne, type Tlv } from '../iso7816/tlv';
import { malformed } from './lds';

export type FaceImageFormat = 'jpeg' | 'jp2' | 'j2k' | 'unknown';

export interface FacialRecord {
  /** 19794-5 header fields (0 when the record layout is unknown). */
  width: number;
  height: number;
  /** 0 basic, 1 full frontal, 2 token frontal. */
  faceImageType: number;
  /** Image data type from the record: 0 JPEG, 1 JPEG 2000. */
  imageDataType: number;
  /** Format detected from the image bytes themselves. */
  format: FaceImageFormat;
  /** The image bytes exactly as stored. */
  image: Uint8Array;
}

export interface Dg2 {
  /** Number of biometric templates announced in 7F61 (02). */
  count: number;
  faces: FacialRecord[];
}

/** The JP2 signature box starts 00 00 00 0C 6A 50 ('jP'); the rest (20 20 0D 0A 87 0A) is not checked. */
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50];

function startsWith(b: Uint8Array, prefix: number[], at = 0): boolean {
  if (b.length < at + prefix.length) return false;
  return prefix.every((x, i) => b[at + i] === x);
}

export function detectImageFormat(b: Uint8Array): FaceImageFormat {
  if (startsWith(b, [0xff, 0xd8])) return 'jpeg';
  if (startsWith(b, JP2_SIGNATURE)) return 'jp2';
  if (startsWith(b, [0xff, 0x4f, 0xff, 0x51])) return 'j2k';
  return 'unknown';
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
}

/** Parses an ISO/IEC 19794-5 (2005, version 010) facial record block; returns every image. */
export function parseFacialRecordBlock(block: Uint8Array): FacialRecord[] {
  if (!startsWith(block, [0x46, 0x41, 0x43, 0x00])) {
    // Not a 19794-5 record: accept a bare image (seen on some documents).
    const format = detectImageFormat(block);
    if (format === 'unknown') throw malformed('DG2');
    return [
      {
        width: 0,
        height: 0,
        faceImageType: 0,
        imageDataType: format === 'jpeg' ? 0 : 1,
        format,
        image: block,
      },
    ];
  }
  if (block.length < 14) throw malformed('DG2');
  const version = String.fromCharCode(block[4]!, block[5]!, block[6]!);
  const recordLength = u32(block, 8);
  const count = u16(block, 12);
  if (version !== '010' || recordLength > block.length) return [scanForImage(block)];
  const faces: FacialRecord[] = [];
  let pos = 14;
  for (let i = 0; i < count; i++) {
    if (pos + 20 > block.length) throw malformed('DG2');
    const facialBlockLength = u32(block, pos);
    const featurePoints = u16(block, pos + 4);
    const end = pos + facialBlockLength;
    const imageInfo = pos + 20 + featurePoints * 8;
    if (end > block.length || imageInfo + 12 > end) throw malformed('DG2');
    const faceImageType = block[imageInfo]!;
    const imageDataType = block[imageInfo + 1]!;
    const width = u16(block, imageInfo + 2);
    const height = u16(block, imageInfo + 4);
    const image = block.subarray(imageInfo + 12, end);
    const format = detectImageFormat(image);
    if (format === 'unknown') {
      // The record's offsets do not lead to an image: look for its signature in this facial block.
      const found = scanForImage(block.subarray(pos, end));
      faces.push({ ...found, width, height, faceImageType, imageDataType });
    } else {
      faces.push({ width, height, faceImageType, imageDataType, format, image });
    }
    pos = end;
  }
  return faces;
}

/** Fallback for unknown record versions: the image starts at the first JPEG / JPEG 2000 signature. */
function scanForImage(block: Uint8Array): FacialRecord {
  for (let i = 0; i < block.length - 4; i++) {
    const rest = block.subarray(i);
    const format = detectImageFormat(rest);
    // Stricter while scanning (FF D8 alone may occur inside header fields).
    const strict = format !== 'jpeg' || rest[2] === 0xff;
    if (format !== 'unknown' && strict) {
      return {
        width: 0,
        height: 0,
        faceImageType: 0,
        imageDataType: format === 'jpeg' ? 0 : 1,
        format,
        image: rest,
      };
    }
  }
  throw malformed('DG2');
}

/**
 * Parses DG2. Tolerates what conformant-enough documents do: the outer 0x75 template missing (the
 * file starts with the 7F61 biometric information group template), and an image-type byte that
 * does not match the image (the format is sniffed from the bytes: JPEG FF D8, JPEG 2000 JP2
 * 00 00 00 0C 6A 50 or codestream FF 4F FF 51). The hash is over the file as read either way.
 */
export function parseDg2(bytes: Uint8Array): Dg2 {
  let top: Tlv;
  try {
    top = decodeOne(bytes);
  } catch (e) {
    throw malformed('DG2', e);
  }
  if (top.tag !== 0x75 && top.tag !== 0x7f61) throw malformed('DG2');
  try {
    const group = top.tag === 0x7f61 ? top : children(top).find((t) => t.tag === 0x7f61);
    if (!group) throw malformed('DG2');
    const items = children(group);
    const countTlv = items.find((t) => t.tag === 0x02);
    const faces: FacialRecord[] = [];
    for (const bit of items.filter((t) => t.tag === 0x7f60)) {
      const data = biometricDataBlock(bit);
      if (data) faces.push(...parseFacialRecordBlock(data.value));
    }
    if (faces.length === 0) throw malformed('DG2');
    return { count: countTlv?.value[0] ?? faces.length, faces };
  } catch (e) {
    if (e instanceof IcaoError) throw e;
    throw malformed('DG2', e);
  }
}

function biometricDataBlock(bit: Tlv): Tlv | undefined {
  return decodeAll(bit.value).find((t) => t.tag === 0x5f2e || t.tag === 0x7f2e);
}

// ---------------------------------------------------------------------------------------------
// JPEG 2000 → PNG

interface OpenJpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  };
  delete?(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => OpenJpegDecoder;
}

let openJpeg: Promise<OpenJpegModule> | undefined;

/** The OpenJPEG WebAssembly module (loaded once; its console output is silenced). */
export function loadOpenJpeg(): Promise<OpenJpegModule> {
  if (!openJpeg) {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg') as (opts: object) => Promise<OpenJpegModule>;
    openJpeg = factory({ print: () => {}, printErr: () => {} });
  }
  return openJpeg;
}

/** The contiguous codestream of a JP2 file (the 'jp2c' box), or the input if it is already a codestream. */
export function jp2Codestream(data: Uint8Array): Uint8Array {
  if (detectImageFormat(data) !== 'jp2') return data;
  let pos = 0;
  while (pos + 8 <= data.length) {
    let len = u32(data, pos);
    const type = String.fromCharCode(data[pos + 4]!, data[pos + 5]!, data[pos + 6]!, data[pos + 7]!);
    let header = 8;
    if (len === 1) {
      if (pos + 16 > data.length) break;
      len = u32(data, pos + 8) * 2 ** 32 + u32(data, pos + 12);
      header = 16;
    } else if (len === 0) {
      len = data.length - pos;
    }
    if (len < header || pos + len > data.length) break;
    if (type === 'jp2c') return data.subarray(pos + header, pos + len);
    pos += len;
  }
  throw bilingualError(
    'face_image_unreadable',
    'Không đọc được ảnh chân dung JPEG 2000 trên chip.',
    'The JPEG 2000 face image on the chip cannot be read.',
  );
}

/** Decodes JPEG 2000 (JP2 or J2K) into 8-bit RGBA pixels. */
export async function decodeJpeg2000(
  data: Uint8Array,
): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const lib = await loadOpenJpeg();
  const codestream = jp2Codestream(data);
  const decoder = new lib.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const { width, height, componentCount: comps, bitsPerSample: bits } = info;
    if (!width || !height || (comps !== 1 && comps !== 3 && comps !== 4)) throw new Error('decode failed');
    const decoded = decoder.getDecodedBuffer();
    const bytesPerSample = bits > 8 ? 2 : 1;
    if (decoded.length < width * height * comps * bytesPerSample) throw new Error('short decode');
    const view = new DataView(decoded.buffer, decoded.byteOffset, decoded.byteLength);
    const sample = (i: number): number => {
      if (bytesPerSample === 1) return decoded[i]!;
      const v = info.isSigned ? view.getInt16(i * 2, true) + 32768 : view.getUint16(i * 2, true);
      return info.isSigned ? v >> 8 : v >> (bits - 8);
    };
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const base = p * comps;
      const r = sample(base);
      const g = comps >= 3 ? sample(base + 1) : r;
      const b = comps >= 3 ? sample(base + 2) : r;
      rgba[p * 4] = r;
      rgba[p * 4 + 1] = g;
      rgba[p * 4 + 2] = b;
      rgba[p * 4 + 3] = comps === 4 ? sample(base + 3) : 255;
    }
    return { width, height, rgba };
  } catch (e) {
    throw bilingualError(
      'face_image_unreadable',
      'Không đọc được ảnh chân dung JPEG 2000 trên chip.',
      'The JPEG 2000 face image on the chip cannot be read.',
      { cause: e },
    );
  } finally {
    decoder.delete?.();
  }
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** The face as a displayable photo: JPEG as is, JPEG 2000 converted to PNG. */
export async function facePhoto(face: FacialRecord): Promise<CardPhoto> {
  if (face.format === 'jpeg') return { mime: 'image/jpeg', data: face.image };
  if (face.format === 'jp2' || face.format === 'j2k') {
    const { width, height, rgba } = await decodeJpeg2000(face.image);
    return { mime: 'image/png', data: encodePng(width, height, rgba) };
  }
  throw bilingualError(
    'face_image_format',
    'Ảnh chân dung trên chip có định dạng không được hỗ trợ.',
    'The face image on the chip is in an unsupported format.',
  );
}

/** Parses DG2 and returns the first face as a displayable photo. */
export async function dg2Photo(bytes: Uint8Array): Promise<CardPhoto> {
  const dg2 = parseDg2(bytes);
  return facePhoto(dg2.faces[0]!);
}
