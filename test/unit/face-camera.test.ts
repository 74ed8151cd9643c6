/**
 * The fake webcam file of the face e2e (test/support/face-camera.ts) and the camera errors the examiner is
 * told (renderer/src/face/useCamera.ts).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAMERA_H, CAMERA_W, writeY4m, yuv420 } from '../support/face-camera';
import { cameraErrorCode } from '../../renderer/src/face/camera-errors';
import vi from '../../renderer/src/i18n/vi.json';
import en from '../../renderer/src/i18n/en.json';

function solid(w: number, h: number, rgb: [number, number, number]) {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return { width: w, height: h, data };
}

describe('y4m fake camera', () => {
  it('writes the YUV4MPEG2 header and 4:2:0 frames of 640x480', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'y4m-')), 'cam.y4m');
    const red = solid(240, 320, [255, 0, 0]);
    writeY4m(file, () => red, 3, 30);
    const bytes = fs.readFileSync(file);
    const header = `YUV4MPEG2 W${CAMERA_W} H${CAMERA_H} F30:1 Ip A1:1 C420jpeg\n`;
    expect(bytes.subarray(0, header.length).toString('latin1')).toBe(header);
    const frame = 6 + CAMERA_W * CAMERA_H * 1.5;
    expect(bytes.length).toBe(header.length + 3 * frame);
    expect(bytes.subarray(header.length, header.length + 6).toString('latin1')).toBe('FRAME\n');
    // The middle of the frame is the red picture: Y ≈ 76, V (Cr) high, U (Cb) low; the border is grey.
    const y0 = header.length + 6;
    expect(bytes[y0 + 240 * CAMERA_W + 320]).toBe(76);
    expect(bytes[y0 + 240 * CAMERA_W + 2]).toBe(128);
    const u = y0 + CAMERA_W * CAMERA_H;
    const v = u + (CAMERA_W * CAMERA_H) / 4;
    const mid = 120 * (CAMERA_W / 2) + 160;
    expect(bytes[u + mid]!).toBeLessThan(100);
    expect(bytes[v + mid]!).toBeGreaterThan(200);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('refuses odd sizes (4:2:0 needs even width and height)', () => {
    expect(() => yuv420(solid(3, 2, [0, 0, 0]))).toThrow(/even/);
  });
});

describe('camera errors for the examiner', () => {
  it('maps getUserMedia failures to no camera / permission denied / device busy, each worded in vi and en', () => {
    expect(cameraErrorCode({ name: 'NotFoundError' })).toBe('no_camera');
    expect(cameraErrorCode({ name: 'OverconstrainedError' })).toBe('no_camera');
    expect(cameraErrorCode({ name: 'NotAllowedError' })).toBe('permission_denied');
    expect(cameraErrorCode({ name: 'NotReadableError' })).toBe('device_busy');
    expect(cameraErrorCode(new Error('x'))).toBe('unavailable');
    expect(cameraErrorCode(null)).toBe('unavailable');
    for (const code of ['no_camera', 'permission_denied', 'device_busy', 'unavailable'] as const) {
      expect(vi.face.camera[code]).toMatch(/máy ảnh/i);
      expect(en.face.camera[code]).toMatch(/camera/i);
    }
  });
});
