/**
 * A fake camera for Chromium (issue 12 e2e): a YUV4MPEG2 file (.y4m, 4:2:0) showing a picture, played by
 * `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE` as the webcam. Written here in
 * plain JS: the header line, then per frame "FRAME\n" + the Y plane + the U and V planes at half size
 * (BT.601, full range as C420jpeg says).
 */
import fs from 'node:fs';
import type { Rgba } from '../../electron/core/face/image';
import { crop } from './face-fixtures';

export const CAMERA_W = 640;
export const CAMERA_H = 480;

/** The picture centred on a grey 640x480 frame, scaled to fill its height (a portrait fills the middle). */
export function cameraFrame(img: Rgba, width = CAMERA_W, height = CAMERA_H): Rgba {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.round(img.width * scale);
  const h = Math.round(img.height * scale);
  const scaled = crop(img, { x: 0, y: 0, width: img.width, height: img.height }, w, h, 0);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = data[i + 1] = data[i + 2] = 128;
    data[i + 3] = 255;
  }
  const ox = Math.floor((width - w) / 2);
  const oy = Math.floor((height - h) / 2);
  for (let y = 0; y < h; y++) {
    data.set(scaled.data.subarray(y * w * 4, (y + 1) * w * 4), ((oy + y) * width + ox) * 4);
  }
  return { width, height, data };
}

/** One 4:2:0 frame of an RGBA picture (width and height even). */
export function yuv420(img: Rgba): Uint8Array {
  const { width: w, height: h, data } = img;
  if (w % 2 || h % 2) throw new Error('y4m: width and height must be even');
  const out = new Uint8Array(w * h * 1.5);
  const cw = w / 2;
  const uOff = w * h;
  const vOff = uOff + (w * h) / 4;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const r = data[o]!;
      const g = data[o + 1]!;
      const b = data[o + 2]!;
      out[y * w + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const o = ((y + dy) * w + x + dx) * 4;
        r += data[o]!;
        g += data[o + 1]!;
        b += data[o + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const i = (y / 2) * cw + x / 2;
      out[uOff + i] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      out[vOff + i] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
    }
  }
  return out;
}

/**
 * Writes a .y4m of `frames` frames at `fps` (Chromium loops the file). `frameAt(i)` gives frame i
 * (e.g. the same picture, or a head turning); every frame is converted to 640x480.
 */
export function writeY4m(file: string, frameAt: (i: number) => Rgba, frames = 30, fps = 30): string {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `YUV4MPEG2 W${CAMERA_W} H${CAMERA_H} F${fps}:1 Ip A1:1 C420jpeg\n`);
    let last: { src: Rgba; yuv: Uint8Array } | null = null;
    for (let i = 0; i < frames; i++) {
      const src = frameAt(i);
      const yuv: Uint8Array = last && last.src === src ? last.yuv : yuv420(cameraFrame(src));
      last = { src, yuv };
      fs.writeSync(fd, 'FRAME\n');
      fs.writeSync(fd, yuv);
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Chromium's arguments for a fake webcam playing `y4mFile` (and no permission prompt). */
export function fakeCameraArgs(y4mFile: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4mFile}`,
    '--use-fake-ui-for-media-stream',
  ];
}
