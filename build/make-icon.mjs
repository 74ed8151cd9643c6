// Generates build/icon.png (512×512): a blue tile with a white ID card, its gold chip and a green
// check mark. Drawn with 4×4 supersampling so edges are smooth. Run: node build/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

const SIZE = 512;
const SS = 4;

function roundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function distToSegment(px, py, ax, ay, bx, by) {
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/** The colour at a point (RGBA), painter's order. */
function colour(x, y) {
  let c = [0, 0, 0, 0];
  if (roundedRect(x, y, 16, 16, 496, 496, 96)) c = [11, 79, 138, 255];
  if (roundedRect(x, y, 72, 132, 440, 372, 28)) c = [255, 255, 255, 255];
  if (roundedRect(x, y, 112, 196, 196, 262, 10)) c = [217, 164, 32, 255];
  // Text lines on the card.
  for (const [y0, x1] of [[204, 392], [236, 360], [300, 300]]) {
    if (roundedRect(x, y, 224, y0, x1, y0 + 16, 8)) c = [148, 163, 184, 255];
  }
  // The check badge.
  if ((x - 380) ** 2 + (y - 380) ** 2 <= 92 ** 2) c = [255, 255, 255, 255];
  if ((x - 380) ** 2 + (y - 380) ** 2 <= 80 ** 2) c = [22, 128, 61, 255];
  if (distToSegment(x, y, 338, 382, 368, 412) <= 13 || distToSegment(x, y, 368, 412, 424, 352) <= 13) {
    if ((x - 380) ** 2 + (y - 380) ** 2 <= 80 ** 2) c = [255, 255, 255, 255];
  }
  return c;
}

const png = new PNG({ width: SIZE, height: SIZE });
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = colour(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        // Premultiplied average.
        acc[0] += c[0] * c[3];
        acc[1] += c[1] * c[3];
        acc[2] += c[2] * c[3];
        acc[3] += c[3];
      }
    }
    const i = (y * SIZE + x) * 4;
    const a = acc[3] / (SS * SS);
    png.data[i] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
    png.data[i + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
    png.data[i + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
    png.data[i + 3] = Math.round(a);
  }
}
const out = path.join(import.meta.dirname, 'icon.png');
fs.writeFileSync(out, PNG.sync.write(png));
console.log(`wrote ${out}`);
