/**
 * What is attached to this machine, for `kiosk readers --json`, the doctor and the settings screen: PC/SC
 * readers, serial ports and HID POS scanners, with the state of each native module. Never throws and
 * never waits for pcscd when it is not running.
 */
import { ReaderError, toReaderErrorInfo, type ReaderErrorInfo } from '../transport/errors';
import {
  listPcscReaders,
  pcscdListening,
  pcscModuleStatus,
  pcscSocketPath,
  type PcscModuleState,
  type PcscReaderInfo,
} from '../drivers/pcsc/pcsc';
import { listHidScanners, type HidDeviceInfo } from '../drivers/hid/hid-pos';
import { nativeModuleSpec, nativeModuleStatus, type NativeModuleState } from '../util/native-modules';
import type { Bilingual } from '../domain/vocabulary';

export interface SerialPortListing {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

export interface ReadersListing {
  pcsc: {
    /** The PC/SC module (@pokusew/pcsclite): loaded, not_built, abi_mismatch, library_missing, load_failed. */
    module: PcscModuleState;
    /** pcscd accepts connections on its socket (checked even when the module is not built). */
    serviceRunning: boolean;
    readers: PcscReaderInfo[];
    error?: ReaderErrorInfo;
  };
  serial: SerialPortListing[];
  serialError?: ReaderErrorInfo;
  hid: HidDeviceInfo[];
  /** node-hid (optional): loaded, not_built, library_missing (libusb), ... */
  hidModule: NativeModuleState;
  /** What to do about the HID module when it is not loaded. */
  hidError?: Bilingual;
}

/**
 * Everything attached: PC/SC readers (none when pcscd is not running), serial ports (serialport's list;
 * it never lists pseudo-terminals) and HID POS scanners. Never throws: a missing stack shows as an error
 * entry.
 */
export async function readersList(
  options: { pcscSocketPath?: string; allHid?: boolean } = {},
): Promise<ReadersListing> {
  const [pcsc, serial, hid] = await Promise.all([
    listPcscReaders(options.pcscSocketPath ? { socketPath: options.pcscSocketPath } : {}).then(
      (r): ReadersListing['pcsc'] => ({ module: 'loaded', ...r }),
      async (e: unknown): Promise<ReadersListing['pcsc']> => ({
        module: pcscModuleStatus().state,
        serviceRunning: await pcscdListening(options.pcscSocketPath ?? pcscSocketPath()),
        readers: [],
        error: toReaderErrorInfo(e),
      }),
    ),
    (async (): Promise<{ ports: SerialPortListing[]; error?: ReaderErrorInfo }> => {
      try {
        const { SerialPort } = await import('serialport');
        const ports = await SerialPort.list();
        return {
          ports: ports.map((p) => ({
            path: p.path,
            ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
            ...(p.vendorId ? { vendorId: p.vendorId } : {}),
            ...(p.productId ? { productId: p.productId } : {}),
            ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
          })),
        };
      } catch (e) {
        return {
          ports: [],
          error: toReaderErrorInfo(new ReaderError('io', 'serial port listing failed', { cause: e })),
        };
      }
    })(),
    listHidScanners({ all: options.allHid ?? false }).catch(() => [] as HidDeviceInfo[]),
  ]);
  const hidModule = nativeModuleStatus(nativeModuleSpec('node-hid'));
  return {
    pcsc,
    serial: serial.ports,
    ...(serial.error ? { serialError: serial.error } : {}),
    hid,
    hidModule: hidModule.state,
    ...(hidModule.fix ? { hidError: hidModule.fix } : {}),
  };
}
