/**
 * `kiosk face compare IMAGE_A IMAGE_B [--threshold T] [--json]` (issue 12, exact contract): the distance
 * of the two faces' descriptors and whether it is a match at the threshold;
 * `{"distance":D,"threshold":T,"match":true|false,"faces":[nA,nB]}`. Exit 0 whenever both images were
 * read (no face in one: distance null, match false, and stderr says which), 2 for usage errors and
 * unreadable files, 1 when the engine cannot run. Images and descriptors are never printed.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { EXIT, line, printError, printJson, UsageError } from './output';
import { DEFAULT_FACE_THRESHOLD, compareStill } from '../../native/face/verdict';
import { FACE_THRESHOLD_MAX, FACE_THRESHOLD_MIN } from '../shared/ipc-contract';
import { KioskError } from '../core/errors';

export function parseThreshold(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const t = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || !(t >= FACE_THRESHOLD_MIN && t <= FACE_THRESHOLD_MAX)) {
    throw new UsageError({
      vi: `--threshold phải là số từ ${FACE_THRESHOLD_MIN} đến ${FACE_THRESHOLD_MAX}.`,
      en: `--threshold must be a number from ${FACE_THRESHOLD_MIN} to ${FACE_THRESHOLD_MAX}.`,
    });
  }
  return t;
}

export function readImageFile(file: string, which: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new UsageError({
      vi: `Không đọc được tệp ảnh ${which}.`,
      en: `Cannot read the image file ${which}.`,
    });
  }
}

export function registerFaceCommands(program: Command): void {
  const face = program.command('face').description('face check (offline, on this station)');
  face
    .command('compare')
    .description('compare the faces in two images: distance, threshold, match, faces found')
    .argument('<imageA>', 'JPEG, PNG or JPEG 2000')
    .argument('<imageB>', 'JPEG, PNG or JPEG 2000')
    .option('--threshold <t>', `largest distance called a match (default ${DEFAULT_FACE_THRESHOLD})`)
    .action(async (a: string, b: string, opts: { threshold?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { json?: boolean };
      const { FaceEngine } = await import('../core/face/engine');
      const { decodeImage } = await import('../core/face/image');
      const { referenceOf } = await import('../core/face/face-checks');
      let engine: InstanceType<typeof FaceEngine> | undefined;
      try {
        const threshold = parseThreshold(opts.threshold, DEFAULT_FACE_THRESHOLD);
        const bytes = [readImageFile(a, 'A'), readImageFile(b, 'B')] as const;
        // Both images must decode before any face work: an unreadable image is a usage error.
        for (const [i, x] of bytes.entries()) {
          try {
            await decodeImage(x);
          } catch (e) {
            const which = i === 0 ? 'A' : 'B';
            const k = e as KioskError;
            throw new UsageError({ vi: `Ảnh ${which}: ${k.vi}`, en: `Image ${which}: ${k.en}` });
          }
        }
        engine = new FaceEngine();
        const refA = await referenceOf(engine, { mime: '', data: bytes[0] });
        const refB = await referenceOf(engine, { mime: '', data: bytes[1] });
        const r = compareStill(refA, refB, threshold);
        for (const [i, n] of r.faces.entries()) {
          const which = i === 0 ? 'A' : 'B';
          if (n === 0) {
            process.stderr.write(
              `Không thấy khuôn mặt trong ảnh ${which}. No face found in image ${which}.\n`,
            );
          } else if (n > 1) {
            process.stderr.write(
              `Ảnh ${which} có ${n} khuôn mặt: cần đúng một. Image ${which} has ${n} faces: one is needed.\n`,
            );
          }
        }
        if (g.json) printJson(r);
        else {
          line(
            r.distance === null
              ? `KHÔNG ĐỐI CHIẾU ĐƯỢC — no decision (faces ${r.faces[0]}/${r.faces[1]})`
              : `${r.match ? 'KHỚP — match' : 'KHÔNG KHỚP — no match'}: distance ${r.distance} (threshold ${threshold})`,
          );
        }
        process.exitCode = EXIT.ok;
      } catch (err) {
        printError(err, g.json ?? false);
        process.exitCode = err instanceof UsageError ? EXIT.usage : EXIT.failure;
      } finally {
        await engine?.close();
      }
    });
}
