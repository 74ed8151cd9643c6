import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  HidPosDecoder,
  HidPosReader,
  aimSymbology,
  listHidScanners,
  type HidPosScan,
} from '../../native/drivers/hid/hid-pos';
import type { ReaderErrorInfo } from '../../native/transport/errors';

// A fictional CCCD QR payload (no real person).
const QR = '079099001234|271234567|Lê Thị Bích|01011999|Nữ|Tổ 1, Phường 2, TP Huế|15082021';

/**
 * 64-byte input reports as a HID POS scanner sends them (Access-IS / Honeywell layout): report ID 2,
 * data length, AIM id, up to 56 data bytes zero padded, further symbology id (byte 61), reserved,
 * byte 63 bit 0 = more reports follow.
 */
function recordReports(data: Uint8Array, aim = ']Q1', perReport = 56): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let off = 0; off < data.length || reports.length === 0; off += perReport) {
    const part = data.subarray(off, off + perReport);
    const r = new Uint8Array(64);
    r[0] = 0x02;
    r[1] = part.length;
    r.set(new TextEncoder().encode(aim), 2);
    r.set(part, 5);
    r[61] = 0x73; // 's': further symbology identifier, ignored
    r[63] = off + perReport < data.length ? 0x01 : 0x00;
    reports.push(r);
  }
  return reports;
}

describe('HID POS report decoding', () => {
  const dec = new HidPosDecoder();

  it('decodes a single-report scan with its AIM id', () => {
    const [r] = recordReports(new TextEncoder().encode('079099001234'));
    const scan = dec.push(r!);
    expect(scan).toMatchObject({ text: '079099001234', aim: ']Q1', symbology: 'QR Code', packets: 1 });
  });

  it('reassembles a multi-report CCCD QR, including UTF-8 characters split across reports', () => {
    const bytes = new TextEncoder().encode(QR);
    const reports = recordReports(bytes);
    expect(reports.length).toBe(2);
    // The split at byte 56 really falls inside a multi-byte character of this payload.
    expect(new TextDecoder().decode(bytes.subarray(0, 56))).toMatch(/\uFFFD$/);
    expect(dec.push(reports[0]!)).toBeNull();
    expect(dec.pending).toBe(true);
    const scan = dec.push(reports[1]!);
    expect(scan?.text).toBe(QR);
    expect(scan?.packets).toBe(2);
    expect(dec.pending).toBe(false);
  });

  it('handles a long code over many reports and a different symbology', () => {
    const long = '0123456789'.repeat(20);
    const reports = recordReports(new TextEncoder().encode(long), ']d2');
    expect(reports.length).toBe(4);
    let scan: HidPosScan | null = null;
    for (const r of reports) scan = dec.push(r);
    expect(scan?.text).toBe(long);
    expect(scan?.symbology).toBe('Data Matrix');
  });

  it('ignores reports with another report ID', () => {
    const other = new Uint8Array(64);
    other[0] = 0x04;
    other[1] = 5;
    expect(dec.push(other)).toBeNull();
    expect(dec.pending).toBe(false);
  });

  it('supports a configured layout: no report ID byte, length counting the AIM id, flag elsewhere', () => {
    const d = new HidPosDecoder({ includesReportId: false, lengthIncludesAim: true, continuedOffset: 63 });
    const mk = (text: string, more: boolean): Uint8Array => {
      const r = new Uint8Array(64);
      const b = new TextEncoder().encode(text);
      r[0] = b.length + 3;
      r.set(new TextEncoder().encode(']Q1'), 1);
      r.set(b, 4);
      r[63] = more ? 1 : 0;
      return r;
    };
    expect(d.push(mk('07909900', true))).toBeNull();
    expect(d.push(mk('1234', false))?.text).toBe('079099001234');
  });

  it('reports no AIM id when the scanner sends none', () => {
    const d = new HidPosDecoder();
    const r = recordReports(new TextEncoder().encode('ABC'))[0]!;
    r.fill(0, 2, 5);
    expect(d.push(r)).toMatchObject({ text: 'ABC', aim: '', symbology: 'unknown' });
    expect(aimSymbology(']E0')).toBe('EAN/UPC');
  });
});

class RecordedDevice extends EventEmitter {
  closed = false;
  close(): void {
    this.closed = true;
  }
  play(reports: Uint8Array[]): void {
    for (const r of reports) this.emit('data', Buffer.from(r));
  }
}

describe('HidPosReader on recorded report sequences', () => {
  it('emits one text per scan and drops a scan whose next report never comes', async () => {
    const dev = new RecordedDevice();
    const reader = new HidPosReader(dev, { packetTimeoutMs: 50 });
    const texts: string[] = [];
    const errors: ReaderErrorInfo[] = [];
    reader.on('text', (s) => texts.push(s.text));
    reader.on('error', (e) => errors.push(e));
    const reports = recordReports(new TextEncoder().encode(QR));
    dev.play(reports);
    expect(texts).toEqual([QR]);
    dev.play([reports[0]!]); // first half only
    await new Promise((r) => setTimeout(r, 120));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.vi.length).toBeGreaterThan(0);
    dev.play(reports); // the next full scan is not polluted by the dropped half
    expect(texts).toEqual([QR, QR]);
    await reader.close();
    expect(dev.closed).toBe(true);
  });

  it('turns a device error into reader_gone and close', () => {
    const dev = new RecordedDevice();
    const reader = new HidPosReader(dev);
    const seen: string[] = [];
    reader.on('error', (e) => seen.push(e.code));
    reader.on('close', () => seen.push('close'));
    dev.emit('error', new Error('could not read from HID device'));
    expect(seen).toEqual(['reader_gone', 'close']);
  });
});

describe('HID device discovery', () => {
  it('lists HID POS scanners through node-hid (none on this machine, no throw)', async () => {
    const list = await listHidScanners();
    expect(Array.isArray(list)).toBe(true);
    expect(list.every((d) => d.usagePage === 0x8c)).toBe(true);
  });
});
