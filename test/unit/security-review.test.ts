/**
 * Findings of the security review (SECURITY.md), each with the behaviour it must keep:
 * - a roster's photo column is a path chosen by whoever wrote the file: a device (/dev/zero), a FIFO,
 *   a folder or a file over 10 MB is refused as that row's error at once, without reading it (the
 *   import used to read /dev/zero without end).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRosterFile } from '../../electron/core/roster/read';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-security-review-');

async function photoErrors(ref: string): Promise<{ codes: string[]; ms: number }> {
  const csv = path.join(dir, `roster-${Math.random().toString(36).slice(2)}.csv`);
  fs.writeFileSync(
    csv,
    `Số báo danh,Họ và tên,Ngày sinh,Số CCCD,Ảnh\r\n000001,Nguyễn Văn An,01/02/1990,001090123456,${ref}\r\n`,
  );
  const t0 = performance.now();
  const r = await readRosterFile(csv, { now: new Date('2026-11-27T03:00:00Z') });
  const ms = performance.now() - t0;
  expect(r.ok).toBe(false);
  return { codes: r.ok ? [] : r.errors.map((e) => e.reason.code), ms };
}

describe('security review: roster photo paths', () => {
  it.skipIf(!fs.existsSync('/dev/zero'))(
    'a device such as /dev/zero is refused without being read',
    async () => {
      const r = await photoErrors('/dev/zero');
      expect(r.codes).toEqual(['roster_photo_unreadable']);
      expect(r.ms).toBeLessThan(2000);
    },
  );

  it.skipIf(process.platform === 'win32')('a FIFO nobody writes to does not hang the import', async () => {
    const fifo = path.join(dir, 'photo.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await photoErrors('photo.fifo');
    expect(r.codes).toEqual(['roster_photo_unreadable']);
  });

  it('a folder is refused', async () => {
    fs.mkdirSync(path.join(dir, 'anh'), { recursive: true });
    expect((await photoErrors('anh')).codes).toEqual(['roster_photo_unreadable']);
  });

  it('a file over 10 MB is refused by its size, not after reading it', async () => {
    const big = path.join(dir, 'big.jpg');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, Buffer.from([0xff, 0xd8, 0xff]));
    fs.ftruncateSync(fd, 2 * 1024 ** 3); // 2 GiB, sparse: reading it all would take seconds and memory
    fs.closeSync(fd);
    const r = await photoErrors('big.jpg');
    expect(r.codes).toEqual(['roster_photo_too_large']);
    expect(r.ms).toBeLessThan(2000);
  });
});
