/**
 * Face fixtures for the face check's tests and bench, generated (nothing checked in): the faces of the
 * photos shipped in @vladmandic/face-api's demo folder, each cut out as a portrait (3:4, face about half
 * the width, like a CCCD chip photo) and then degraded the way a chip photo is: downscaled to chip size
 * (240x320), through the project's JPEG 2000 path (OpenJPEG encode at chip-like compression, decoded by
 * native/icao/dg2.ts), rotated a few degrees, relit. Two renders of one face are "the same person";
 * renders of two faces are "different people".
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { decodeImage, type Rgba } from '../../electron/core/face/image';
import type { FaceEngine } from '../../electron/core/face/engine';
import { decodeJpeg2000 } from '../../native/icao/dg2';

const require = createRequire(import.meta.url);
export const DEMO_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
export const CHIP_W = 240;
export const CHIP_H = 320;

export interface Degradation {
  rotateDeg: number;
  /** Brightness gain and gamma (relighting). */
  gain: number;
  gamma: number;
  /** JPEG 2000 compression ratio through the chip path (0 = none). */
  j2kRatio: number;
  /** Extra blur by downscaling to this share and back (older/softer photo); 1 = none. */
  soften: number;
}

export const DEGRADATIONS: Degradation[] = [
  { rotateDeg: 0, gain: 1, gamma: 1, j2kRatio: 12, soften: 1 },
  { rotateDeg: 4, gain: 0.8, gamma: 1.15, j2kRatio: 15, soften: 1 },
  { rotateDeg: -5, gain: 1.15, gamma: 0.9, j2kRatio: 20, soften: 0.7 },
  { rotateDeg: 2, gain: 0.7, gamma: 1.3, j2kRatio: 25, soften: 0.6 },
];

function sample(img: Rgba, x: number, y: number, c: number): number {
  const xi = Math.max(0, Math.min(img.width - 1, x));
  const yi = Math.max(0, Math.min(img.height - 1, y));
  const x0 = Math.floor(xi);
  const y0 = Math.floor(yi);
  const x1 = Math.min(img.width - 1, x0 + 1);
  const y1 = Math.min(img.height - 1, y0 + 1);
  const fx = xi - x0;
  const fy = yi - y0;
  const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 4 + c]!;
  return (
    at(x0, y0) * (1 - fx) * (1 - fy) +
    at(x1, y0) * fx * (1 - fy) +
    at(x0, y1) * (1 - fx) * fy +
    at(x1, y1) * fx * fy
  );
}

/** A rectangle of `img` (may reach outside: edge pixels repeat), rotated by `deg` about its centre, resized. */
export function crop(
  img: Rgba,
  rect: { x: number; y: number; width: number; height: number },
  outW: number,
  outH: number,
  deg = 0,
): Rgba {
  const out = new Uint8Array(outW * outH * 4);
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  const cos = Math.cos((deg * Math.PI) / 180);
  const sin = Math.sin((deg * Math.PI) / 180);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const u = ((x + 0.5) / outW - 0.5) * rect.width;
      const v = ((y + 0.5) / outH - 0.5) * rect.height;
      const sx = cx + u * cos - v * sin;
      const sy = cy + u * sin + v * cos;
      const o = (y * outW + x) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(sample(img, sx, sy, c));
      out[o + 3] = 255;
    }
  }
  return { width: outW, height: outH, data: out };
}

export function resize(img: Rgba, w: number, h: number): Rgba {
  return crop(img, { x: 0, y: 0, width: img.width, height: img.height }, w, h);
}

export function relight(img: Rgba, gain: number, gamma: number): Rgba {
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++)
    lut[i] = Math.max(0, Math.min(255, Math.round(255 * (gain * (i / 255)) ** gamma)));
  const data = img.data.slice();
  for (let i = 0; i < data.length; i++) if (i % 4 !== 3) data[i] = lut[data[i]!]!;
  return { ...img, data };
}

interface J2kLib {
  J2KEncoder: new () => {
    getDecodedBuffer(info: object): Uint8Array;
    setDecompositions(n: number): void;
    setQuality(lossless: boolean, quality: number): void;
    setCompressionRatio(layer: number, ratio: number): void;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
  };
}
let j2kLib: Promise<J2kLib> | undefined;

/** Lossy JPEG 2000 codestream of an image (OpenJPEG, the package the kiosk decodes chip photos with). */
export async function encodeJ2k(img: Rgba, ratio: number): Promise<Uint8Array> {
  j2kLib ??= (require('@cornerstonejs/codec-openjpeg') as (o: object) => Promise<J2kLib>)({
    print: () => {},
    printErr: () => {},
  });
  const lib = await j2kLib;
  const enc = new lib.J2KEncoder();
  const input = enc.getDecodedBuffer({
    width: img.width,
    height: img.height,
    bitsPerSample: 8,
    componentCount: 3,
    isSigned: false,
    isUsingColorTransform: true,
  });
  for (let p = 0; p < img.width * img.height; p++) {
    input[p * 3] = img.data[p * 4]!;
    input[p * 3 + 1] = img.data[p * 4 + 1]!;
    input[p * 3 + 2] = img.data[p * 4 + 2]!;
  }
  enc.setDecompositions(4);
  enc.setQuality(false, 0);
  enc.setCompressionRatio(0, ratio);
  enc.encode();
  return enc.getEncodedBuffer().slice();
}

export function encodeJpeg(img: Rgba, quality = 85): Uint8Array {
  return new Uint8Array(jpeg.encode({ data: img.data, width: img.width, height: img.height }, quality).data);
}

/** A portrait of one source face, degraded like a chip photo; returned as JPEG 2000 bytes and as pixels. */
export async function chipRender(portrait: Rgba, d: Degradation): Promise<{ j2k: Uint8Array; rgba: Rgba }> {
  let img = crop(
    portrait,
    { x: 0, y: 0, width: portrait.width, height: portrait.height },
    CHIP_W,
    CHIP_H,
    d.rotateDeg,
  );
  if (d.soften < 1) {
    img = resize(resize(img, Math.round(CHIP_W * d.soften), Math.round(CHIP_H * d.soften)), CHIP_W, CHIP_H);
  }
  img = relight(img, d.gain, d.gamma);
  if (!d.j2kRatio) return { j2k: new Uint8Array(), rgba: img };
  const j2k = await encodeJ2k(img, d.j2kRatio);
  const back = await decodeJpeg2000(j2k);
  return { j2k, rgba: { width: back.width, height: back.height, data: back.rgba } };
}

/** A source face: its demo photo and its portrait cut-out at 2x chip size. */
export interface SourceFace {
  id: string;
  portrait: Rgba;
}

/**
 * Every clear face (score ≥ 0.9, at least 90 px wide) of the demo photos, as a 3:4 portrait with the face
 * about half its width. The same person is never in two demo photos (checked by the bench's matrix).
 */
export async function sourceFaces(engine: FaceEngine): Promise<SourceFace[]> {
  const out: SourceFace[] = [];
  const files = fs
    .readdirSync(DEMO_DIR)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort();
  for (const f of files) {
    const img = await decodeImage(new Uint8Array(fs.readFileSync(path.join(DEMO_DIR, f))));
    const faces = await engine.detect(img);
    faces
      .filter((x) => x.score >= 0.9 && x.box.width >= 90)
      .forEach((x, i) => {
        const w = x.box.width * 2;
        const h = (w * 4) / 3;
        const cx = x.box.x + x.box.width / 2;
        const cy = x.box.y + x.box.height * 0.45;
        out.push({
          id: `${f.replace('.jpg', '')}-${i}`,
          portrait: crop(img, { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, CHIP_W * 2, CHIP_H * 2),
        });
      });
  }
  return out;
}

/** A picture with no face: smooth gradients and blocks. */
export function noFaceImage(w = 320, h = 240): Rgba {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      data[o] = (x * 255) / w;
      data[o + 1] = (y * 255) / h;
      data[o + 2] = ((x >> 5) + (y >> 5)) % 2 ? 200 : 60;
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/** Two portraits side by side (two people in view). */
export function sideBySide(a: Rgba, b: Rgba): Rgba {
  const w = a.width + b.width;
  const h = Math.max(a.height, b.height);
  const data = new Uint8Array(w * h * 4).fill(255);
  for (let y = 0; y < h; y++) {
    if (y < a.height) data.set(a.data.subarray(y * a.width * 4, (y + 1) * a.width * 4), y * w * 4);
    if (y < b.height)
      data.set(b.data.subarray(y * b.width * 4, (y + 1) * b.width * 4), (y * w + a.width) * 4);
  }
  return { width: w, height: h, data };
}
