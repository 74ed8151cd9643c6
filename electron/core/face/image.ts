/**
 * Images for the face engine: JPEG, PNG and JPEG 2000 (the chip's DG2 is often JPEG 2000; the project's
 * decoder in native/icao/dg2.ts) into RGBA pixels, and a chip photo centred on a padded square (SSD
 * misses faces that fill the frame). Pixels stay in memory: nothing here writes a file.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeJpeg2000, detectImageFormat } from '../../../native/icao/dg2';
import { KioskError } from '../errors';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Largest image accepted (pixels): a 12 MP photo; a camera frame is 0.3 MP, a chip photo 0.08 MP. */
const MAX_PIXELS = 12_000_000;

export function unreadableImage(): KioskError {
  return new KioskError('face_image_unreadable', {
    vi: 'Không đọc được ảnh (chỉ nhận JPEG, PNG hoặc JPEG 2000).',
    en: 'The image cannot be read (JPEG, PNG or JPEG 2000 only).',
  });
}

/** JPEG, PNG or JPEG 2000 → RGBA. A broken or unknown image is a KioskError 'face_image_unreadable'. */
export async function decodeImage(bytes: Uint8Array): Promise<Rgba> {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: 12,
        tolerantDecoding: true,
      });
      return { width: img.width, height: img.height, data: img.data };
    }
    if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (png.width * png.height > MAX_PIXELS) throw new Error('too large');
      return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
    }
    const format = detectImageFormat(bytes);
    if (format === 'jp2' || format === 'j2k') {
      const img = await decodeJpeg2000(bytes);
      return { width: img.width, height: img.height, data: img.rgba };
    }
  } catch {
    throw unreadableImage();
  }
  throw unreadableImage();
}

/** The image centred on a square of grey, `margin` of its longer side added around it. */
export function padToSquare(img: Rgba, margin = 0.5): Rgba & { offsetX: number; offsetY: number } {
  const side = Math.round(Math.max(img.width, img.height) * (1 + margin));
  const out = new Uint8Array(side * side * 4).fill(128);
  for (let i = 3; i < out.length; i += 4) out[i] = 255;
  const ox = (side - img.width) >> 1;
  const oy = (side - img.height) >> 1;
  for (let y = 0; y < img.height; y++) {
    out.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((oy + y) * side + ox) * 4);
  }
  return { width: side, height: side, data: out, offsetX: ox, offsetY: oy };
}
