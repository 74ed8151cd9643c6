/**
 * Packaging: the afterPack hook sets the Electron fuses (checked on a synthetic binary carrying the
 * fuse sentinel, since no Electron binary can be downloaded here), the builder config names the app
 * like electron/core/paths.ts, and the icon is a real 512×512 PNG.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { PRODUCT_NAME } from '../../electron/core/paths';
import { tempDir } from '../support/tmp';

const ROOT = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const afterPack = require(path.join(ROOT, 'build/after-pack.cjs')) as ((ctx: unknown) => Promise<void>) & {
  electronBinary(ctx: unknown): string;
};
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const dir = tempDir('kiosk-fuses-');

/** A file laid out like an Electron binary around its fuse wire: version 1, 9 fuses, all enabled. */
function fakeElectron(file: string): void {
  const wire = Buffer.from([1, 9, ...Array(9).fill(49)]);
  fs.writeFileSync(
    file,
    Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), wire, Buffer.alloc(4096, 9)]),
  );
}

function fuses(file: string): number[] {
  const buf = fs.readFileSync(file);
  const at = buf.indexOf(SENTINEL) + SENTINEL.length;
  return [...buf.subarray(at + 2, at + 2 + buf[at + 1]!)];
}

describe('packaging', () => {
  it('the afterPack hook turns RunAsNode, NODE_OPTIONS, --inspect and file:// extra privileges off and asar integrity, asar-only and cookie encryption on', async () => {
    const linux = path.join(dir, 'cccd-kiosk');
    fakeElectron(linux);
    const ctx = {
      electronPlatformName: 'linux',
      appOutDir: dir,
      arch: 1,
      packager: { executableName: 'cccd-kiosk', appInfo: { productFilename: PRODUCT_NAME } },
    };
    await afterPack(ctx);
    // RunAsNode, Cookies, NODE_OPTIONS, --inspect, asar integrity, asar only, file:// privileges; the
    // rest untouched.
    expect(
      fuses(linux)
        .map((b) => String.fromCharCode(b))
        .join(''),
    ).toBe('010011101');
    const win = { ...ctx, electronPlatformName: 'win32' };
    expect(afterPack.electronBinary(win)).toBe(path.join(dir, 'CCCD Kiosk.exe'));
    fakeElectron(path.join(dir, 'CCCD Kiosk.exe'));
    await afterPack(win);
    expect(fuses(path.join(dir, 'CCCD Kiosk.exe'))[0]).toBe(48);
  });

  it('fails the build when the binary has no fuse wire', async () => {
    fs.writeFileSync(path.join(dir, 'broken'), Buffer.alloc(1000));
    await expect(
      afterPack({
        electronPlatformName: 'linux',
        appOutDir: dir,
        packager: { executableName: 'broken', appInfo: { productFilename: PRODUCT_NAME } },
      }),
    ).rejects.toThrow(/sentinel/);
  });

  it('electron-builder.yml: app id, product name = PRODUCT_NAME, NSIS + AppImage + deb, asar, npmRebuild, the hook', () => {
    const yml = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^appId: vn\.cccdkiosk\.app$/m);
    expect(yml).toMatch(new RegExp(`^productName: ${PRODUCT_NAME}$`, 'm'));
    expect(yml).toMatch(/target: nsis/);
    expect(yml).toMatch(/target: AppImage/);
    expect(yml).toMatch(/target: deb/);
    expect(yml).toMatch(/^asar: true$/m);
    expect(yml).toMatch(/^npmRebuild: true$/m);
    expect(yml).toMatch(/^afterPack: build\/after-pack\.cjs$/m);
  });

  it('the icon is a 512×512 PNG with transparency around the tile', () => {
    const png = PNG.sync.read(fs.readFileSync(path.join(ROOT, 'build/icon.png')));
    expect([png.width, png.height]).toEqual([512, 512]);
    expect(png.data[3]).toBe(0); // the corner is transparent
    const centre = (256 * 512 + 256) * 4;
    expect(png.data[centre + 3]).toBe(255);
  });
});
