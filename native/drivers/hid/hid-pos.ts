/**
 * HID POS barcode scanners (USB HID usage page 0x8C, "Bar Code Scanner"): decoded data arrives in fixed
 * 64-byte input reports, split over several reports for long codes such as a CCCD QR.
 *
 * Default layout (USB HID POS usage tables, "Scanned Data Report", as implemented by Honeywell, Zebra and
 * Access-IS scanners), byte offsets counted from the first byte after the report ID:
 *   0       length of the data field in this report (data bytes only, AIM id not counted)
 *   1..3    AIM symbology identifier (']Q1' = QR Code)
 *   4..59   data, up to 56 bytes, zero padded
 *   60      further symbology identifier, 61 reserved
 *   62      bit 0 = "decode data continued": more reports follow
 * Report ID 2. Every offset is configurable for scanners that differ.
 *
 * `HidPosDecoder` is pure; `HidPosReader` opens a device through node-hid (an optional dependency,
 * loaded lazily) and emits one `text` per complete scan.
 */

import {
  classifyLoadError,
  moduleNotFound,
  nativeModuleSpec,
  simulatedAbsent,
} from '../../util/native-modules';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { concat } from '../../util/bytes';
import { ReaderError, toReaderErrorInfo, type ReaderErrorInfo } from '../../transport/errors';

export const HID_POS_USAGE_PAGE = 0x8c;

export interface HidPosLayout {
  /** Report ID of scanned-data reports; null when the device sends unnumbered reports. */
  reportId: number | null;
  /** Whether the report buffers handed to the decoder start with the report ID (node-hid: yes). */
  includesReportId: boolean;
  lengthOffset: number;
  aimOffset: number;
  /** 0 when the scanner sends no AIM identifier. */
  aimLength: number;
  dataOffset: number;
  dataMax: number;
  /** Whether the length byte counts the AIM identifier too. */
  lengthIncludesAim: boolean;
  continuedOffset: number;
  continuedMask: number;
}

export const DEFAULT_HID_POS_LAYOUT: HidPosLayout = {
  reportId: 2,
  includesReportId: true,
  lengthOffset: 0,
  aimOffset: 1,
  aimLength: 3,
  dataOffset: 4,
  dataMax: 56,
  lengthIncludesAim: false,
  continuedOffset: 62,
  continuedMask: 0x01,
};

export interface HidPosScan {
  text: string;
  /** AIM symbology identifier as sent (e.g. ']Q1'), '' when absent. */
  aim: string;
  /** Human name of the symbology ('QR Code', …), 'unknown' when the AIM id is absent or unknown. */
  symbology: string;
  /** Raw data bytes (before UTF-8 decoding). */
  bytes: Uint8Array;
  packets: number;
}

const AIM_SYMBOLOGIES: Record<string, string> = {
  Q: 'QR Code',
  d: 'Data Matrix',
  z: 'Aztec',
  L: 'PDF417',
  C: 'Code 128',
  E: 'EAN/UPC',
  A: 'Code 39',
  G: 'Code 93',
  I: 'Interleaved 2 of 5',
  e: 'GS1 DataBar',
  F: 'Codabar',
};

/** Symbology name for an AIM identifier (']Q1' → 'QR Code'). */
export function aimSymbology(aim: string): string {
  if (aim.length < 2 || aim[0] !== ']') return 'unknown';
  return AIM_SYMBOLOGIES[aim[1]!] ?? 'unknown';
}

/** Reassembles scanned-data reports into scans. Pure and synchronous. */
export class HidPosDecoder {
  readonly layout: HidPosLayout;
  private parts: Uint8Array[] = [];
  private aim = '';
  private packets = 0;
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(layout: Partial<HidPosLayout> = {}) {
    this.layout = { ...DEFAULT_HID_POS_LAYOUT, ...layout };
  }

  /** True while a multi-report scan is incomplete. */
  get pending(): boolean {
    return this.packets > 0;
  }

  reset(): void {
    this.parts = [];
    this.aim = '';
    this.packets = 0;
  }

  /**
   * Feeds one input report. Returns the scan when this report completes it, null otherwise (more
   * reports to come, or a report that is not scanned data).
   */
  push(report: Uint8Array): HidPosScan | null {
    const L = this.layout;
    let body = report;
    if (L.includesReportId) {
      if (report.length === 0) return null;
      if (L.reportId !== null && report[0] !== L.reportId) return null;
      body = report.subarray(1);
    }
    if (body.length <= L.lengthOffset) return null;
    let len = body[L.lengthOffset]!;
    if (L.lengthIncludesAim) len = Math.max(0, len - L.aimLength);
    len = Math.min(len, L.dataMax, Math.max(0, body.length - L.dataOffset));
    if (this.packets === 0 && L.aimLength > 0) {
      const aimBytes = body.subarray(L.aimOffset, L.aimOffset + L.aimLength);
      this.aim = aimBytes.every((b) => b === 0) ? '' : String.fromCharCode(...aimBytes).replace(/\0+$/, '');
    }
    this.parts.push(body.slice(L.dataOffset, L.dataOffset + len));
    this.packets++;
    const more = L.continuedOffset < body.length && (body[L.continuedOffset]! & L.continuedMask) !== 0;
    if (more) return null;
    const bytes = concat(...this.parts);
    const scan: HidPosScan = {
      text: this.utf8.decode(bytes),
      aim: this.aim,
      symbology: aimSymbology(this.aim),
      bytes,
      packets: this.packets,
    };
    this.reset();
    return scan;
  }
}

// ---- devices (node-hid, optional) ----

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  product?: string;
  manufacturer?: string;
  usagePage?: number;
  usage?: number;
  interface: number;
}

/** What HidPosReader needs from an opened device (node-hid's HIDAsync satisfies it). */
export interface HidDeviceHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  close(): unknown;
}

interface NodeHidModule {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<HidDeviceHandle> };
}

let nodeHid: NodeHidModule | undefined;

/** Loads node-hid lazily; throws ReaderError('driver_missing') when it is not installed. */
export function loadNodeHid(moduleId = 'node-hid'): NodeHidModule {
  const isDefault = moduleId === 'node-hid';
  if (isDefault && nodeHid) return nodeHid;
  try {
    if (simulatedAbsent('node-hid')) throw moduleNotFound(moduleId);
    const mod = createRequire(import.meta.url)(moduleId) as NodeHidModule;
    if (isDefault) nodeHid = mod;
    return mod;
  } catch (e) {
    const c = classifyLoadError({ ...nativeModuleSpec('node-hid'), id: moduleId }, e);
    throw new ReaderError('driver_missing', `${moduleId} could not be loaded: ${c.state}`, {
      cause: e,
      ...(c.fix ? { fix: c.fix } : {}),
    });
  }
}

/**
 * HID devices that look like barcode scanners: usage page 0x8C (HID POS), or every device with
 * `all: true`. [] when node-hid is missing or there are no HID devices.
 */
export async function listHidScanners(options: { all?: boolean } = {}): Promise<HidDeviceInfo[]> {
  let hid: NodeHidModule;
  try {
    hid = loadNodeHid();
  } catch {
    return [];
  }
  const devices = await hid.devicesAsync();
  const pick = options.all ? devices : devices.filter((d) => d.usagePage === HID_POS_USAGE_PAGE);
  return pick.map((d) => ({
    vendorId: d.vendorId,
    productId: d.productId,
    interface: d.interface,
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.product !== undefined ? { product: d.product } : {}),
    ...(d.manufacturer !== undefined ? { manufacturer: d.manufacturer } : {}),
    ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
    ...(d.usage !== undefined ? { usage: d.usage } : {}),
  }));
}

export interface HidPosReaderOptions {
  layout?: Partial<HidPosLayout>;
  /** A multi-report scan whose next report does not arrive in time is dropped (default 500 ms). */
  packetTimeoutMs?: number;
}

export interface HidPosReaderEvents {
  text: [scan: HidPosScan];
  error: [info: ReaderErrorInfo];
  close: [];
}

export class HidPosReader extends EventEmitter<HidPosReaderEvents> {
  private readonly decoder: HidPosDecoder;
  private readonly packetTimeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Wraps an opened device (node-hid HIDAsync or anything emitting input reports). */
  constructor(
    private readonly device: HidDeviceHandle,
    options: HidPosReaderOptions = {},
  ) {
    super();
    this.decoder = new HidPosDecoder(options.layout);
    this.packetTimeoutMs = options.packetTimeoutMs ?? 500;
    device.on('data', (data: Buffer) => this.onReport(new Uint8Array(data)));
    device.on('error', (err: Error) => {
      if (this.closed) return;
      this.closed = true;
      this.clearTimer();
      if (this.listenerCount('error') > 0) {
        this.emit('error', toReaderErrorInfo(new ReaderError('reader_gone', `HID device: ${err.message}`)));
      }
      this.emit('close');
    });
  }

  /** Opens the first HID POS scanner matching vid/pid (or a device path) through node-hid. */
  static async open(
    match: { path: string } | { vendorId: number; productId: number },
    options: HidPosReaderOptions = {},
  ): Promise<HidPosReader> {
    const hid = loadNodeHid();
    let path: string | undefined;
    if ('path' in match) path = match.path;
    else {
      const all = await hid.devicesAsync();
      const candidates = all.filter((d) => d.vendorId === match.vendorId && d.productId === match.productId);
      path = (candidates.find((d) => d.usagePage === HID_POS_USAGE_PAGE) ?? candidates[0])?.path;
    }
    if (!path) throw new ReaderError('reader_gone', 'HID POS scanner not connected');
    const dev = await hid.HIDAsync.open(path, { nonExclusive: true });
    return new HidPosReader(dev, options);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onReport(report: Uint8Array): void {
    if (this.closed) return;
    this.clearTimer();
    const scan = this.decoder.push(report);
    if (scan) {
      if (scan.text.length > 0) this.emit('text', scan);
      return;
    }
    if (this.decoder.pending) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.decoder.reset();
        if (this.listenerCount('error') > 0) {
          this.emit(
            'error',
            toReaderErrorInfo(new ReaderError('protocol', 'HID POS scan incomplete (missing report)')),
          );
        }
      }, this.packetTimeoutMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    await this.device.close();
    this.emit('close');
  }
}
