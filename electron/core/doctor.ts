/**
 * The IT person's check of a station (`kiosk doctor`, and the Settings screen's "Station check"):
 * native modules (loaded? built for which ABI?), the database (path, permissions, integrity,
 * migrations), pcscd (running? readers? cards?), serial ports and HID scanners, the trust store
 * (issuers per country, certificates expiring soon), the station key, free disk space and the clock.
 *
 * Every check has a state (ok, warning, problem, skipped), a Vietnamese and an English sentence, and,
 * unless ok, what to do in both languages. The station is ready when no check is a problem.
 * Nothing here writes: a missing database is reported, not created; pending migrations are reported,
 * not applied. No personal data: only paths, counts, module names, reader names and certificate
 * subjects (issuing authorities).
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Bilingual } from '../../native/domain/vocabulary';

export type DoctorState = 'ok' | 'warning' | 'problem' | 'skipped';

export interface DoctorCheck {
  id: string;
  state: DoctorState;
  vi: string;
  en: string;
  fix?: Bilingual;
}

export interface DoctorReport {
  ready: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** The database file (default: the app's, as the CLI resolves it). */
  dbPath?: string;
  /** The trust-store folder (default: `trust-store` in the user-data folder). */
  trustDir?: string;
  /** pcscd's socket (default: PCSCLITE_CSOCK_NAME or /run/pcscd/pcscd.comm). */
  pcscSocketPath?: string;
  now?: Date;
  /** Certificates expiring within this many days are a warning (default 90). */
  expiryDays?: number;
  /** Key provider for the station key (the app passes its safeStorage one). */
  keyProvider?: import('./key-provider').KeyProvider;
  /** Skip the reader probes (pcscd, serial, HID): the app asks its reader hub instead. */
  skipReaders?: boolean;
}

const MB = 1024 * 1024;
const LOW_DISK_PROBLEM = 200 * MB;
const LOW_DISK_WARNING = 2048 * MB;
/** The earliest plausible date for this program's clock (a clock before it is certainly wrong). */
const CLOCK_FLOOR = Date.UTC(2025, 0, 1);
/** A log entry this far in the future of the clock means the clock was put back. */
const CLOCK_SLACK_MS = 5 * 60_000;

const c = (id: string, state: DoctorState, vi: string, en: string, fix?: Bilingual): DoctorCheck => ({
  id,
  state,
  vi,
  en,
  ...(fix && state !== 'ok' ? { fix } : {}),
});

function errText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

// ---- native modules ----

async function nativeChecks(): Promise<DoctorCheck[]> {
  const { NATIVE_MODULES, nativeModuleStatus } = await import('../../native/util/native-modules');
  const rt = process.versions.electron
    ? `Electron ${process.versions.electron}`
    : `Node ${process.versions.node}`;
  return NATIVE_MODULES.map((spec) => {
    const s = nativeModuleStatus(spec);
    const abi = s.builtFor === 'napi' ? 'Node-API' : `ABI ${s.builtFor ?? '?'}`;
    const id = `native.${spec.alias}`;
    if (s.state === 'loaded') {
      return c(
        id,
        'ok',
        `${spec.id}: nạp được (${abi}; ${rt}, ABI ${s.runtimeAbi}).`,
        `${spec.id}: loads (${abi}; ${rt}, ABI ${s.runtimeAbi}).`,
      );
    }
    const what: Record<string, Bilingual> = {
      not_built: { vi: 'chưa được biên dịch', en: 'never built' },
      abi_mismatch: {
        vi: `biên dịch cho ABI ${s.builtFor}, môi trường này cần ABI ${s.runtimeAbi}`,
        en: `built for ABI ${s.builtFor}, this runtime needs ABI ${s.runtimeAbi}`,
      },
      library_missing: { vi: 'thiếu thư viện hệ thống', en: 'a system library is missing' },
      load_failed: { vi: 'không nạp được', en: 'does not load' },
    };
    const w = what[s.state]!;
    const optional = spec.optional
      ? { vi: ' (tùy chọn: chỉ cần cho đầu đọc tương ứng)', en: ' (optional: needed only for its readers)' }
      : { vi: '', en: '' };
    return c(
      id,
      spec.optional ? 'warning' : 'problem',
      `${spec.id}: ${w.vi}${optional.vi} [${rt}].`,
      `${spec.id}: ${w.en}${optional.en} [${rt}].${s.detail ? ` (${s.detail})` : ''}`,
      s.fix,
    );
  });
}

// ---- database ----

interface DbFacts {
  exists: boolean;
  newestLogAt?: Date;
  upToDate?: boolean;
}

async function databaseChecks(dbPath: string): Promise<{ checks: DoctorCheck[]; facts: DbFacts }> {
  const checks: DoctorCheck[] = [];
  const dir = path.dirname(dbPath);
  if (!fs.existsSync(dbPath)) {
    const dirOk = canWrite(fs.existsSync(dir) ? dir : nearestExisting(dir));
    checks.push(
      c(
        'database.file',
        dirOk ? 'warning' : 'problem',
        `Chưa có cơ sở dữ liệu tại ${dbPath} (sẽ được tạo khi dùng lần đầu).`,
        `No database at ${dbPath} yet (it is created on first use).`,
        dirOk
          ? {
              vi: 'Bình thường với máy mới: mở ứng dụng hoặc chạy `kiosk session list` để tạo.',
              en: 'Normal on a new station: start the app or run `kiosk session list` to create it.',
            }
          : {
              vi: `Không ghi được vào thư mục ${dir}: cấp quyền ghi cho tài khoản chạy kiosk.`,
              en: `The folder ${dir} is not writable: give the kiosk's user write access.`,
            },
      ),
      c('database.integrity', 'skipped', 'Chưa có cơ sở dữ liệu để kiểm tra.', 'No database to check yet.'),
      c('database.migrations', 'skipped', 'Chưa có cơ sở dữ liệu.', 'No database yet.'),
    );
    return { checks, facts: { exists: false } };
  }

  // Permissions: writable by us, not readable by other users (it holds personal data).
  const st = fs.statSync(dbPath);
  const writable = canWrite(dbPath) && canWrite(dir);
  const worldReadable = process.platform !== 'win32' && (st.mode & 0o004) !== 0;
  const mode = process.platform === 'win32' ? '' : ` mode ${(st.mode & 0o777).toString(8)}`;
  checks.push(
    c(
      'database.file',
      !writable ? 'problem' : worldReadable ? 'warning' : 'ok',
      `Cơ sở dữ liệu: ${dbPath} (${(st.size / MB).toFixed(1)} MB${mode})${!writable ? ': không ghi được' : worldReadable ? ': người dùng khác đọc được' : ''}.`,
      `Database: ${dbPath} (${(st.size / MB).toFixed(1)} MB${mode})${!writable ? ': not writable' : worldReadable ? ': readable by other users' : ''}.`,
      !writable
        ? {
            vi: `Cấp quyền ghi tệp và thư mục ${dir} cho tài khoản chạy kiosk.`,
            en: `Give the kiosk's user write access to the file and to ${dir}.`,
          }
        : { vi: `Chạy: chmod 600 "${dbPath}"`, en: `Run: chmod 600 "${dbPath}"` },
    ),
  );

  const Database = (await import('better-sqlite3')).default;
  let db: import('better-sqlite3').Database | undefined;
  const facts: DbFacts = { exists: true };
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 3000');
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const okIntegrity = rows.length === 1 && rows[0]!.integrity_check === 'ok';
    checks.push(
      okIntegrity
        ? c('database.integrity', 'ok', 'PRAGMA integrity_check: ok.', 'PRAGMA integrity_check: ok.')
        : c(
            'database.integrity',
            'problem',
            `Cơ sở dữ liệu bị hỏng (${rows.length} lỗi).`,
            `The database is damaged (integrity_check: ${rows
              .slice(0, 3)
              .map((r) => r.integrity_check)
              .join('; ')}).`,
            {
              vi: 'Dừng kiosk, sao lưu tệp, khôi phục từ bản sao lưu gần nhất và chạy `kiosk log verify`.',
              en: 'Stop the kiosk, copy the file aside, restore the latest backup and run `kiosk log verify`.',
            },
          ),
    );
    const [{ schemaVersion }, { migrations }] = await Promise.all([import('./db'), import('./migrations')]);
    const current = schemaVersion(db);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    facts.upToDate = current === known;
    checks.push(
      current === known
        ? c(
            'database.migrations',
            'ok',
            `Phiên bản lược đồ ${current} (mới nhất).`,
            `Schema version ${current} (latest).`,
          )
        : current < known
          ? c(
              'database.migrations',
              'warning',
              `Lược đồ ở phiên bản ${current}, chương trình có đến ${known}: sẽ được cập nhật khi mở.`,
              `Schema version ${current}, this program has ${known}: it is migrated when opened.`,
              {
                vi: 'Sao lưu tệp cơ sở dữ liệu, rồi mở ứng dụng (hoặc chạy `kiosk session list`).',
                en: 'Back up the database file, then start the app (or run `kiosk session list`).',
              },
            )
          : c(
              'database.migrations',
              'problem',
              `Lược đồ ở phiên bản ${current}, mới hơn chương trình này (${known}).`,
              `Schema version ${current} is newer than this program knows (${known}).`,
              {
                vi: 'Cập nhật CCCD Kiosk lên phiên bản mới nhất.',
                en: 'Update CCCD Kiosk to the latest version.',
              },
            ),
    );
    const hasLog = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'")
      .get();
    if (hasLog) {
      const row = db.prepare('SELECT at FROM audit_log ORDER BY id DESC LIMIT 1').get() as
        { at: string } | undefined;
      if (row) facts.newestLogAt = new Date(row.at);
    }
  } catch (e) {
    checks.push(
      c(
        'database.integrity',
        'problem',
        `Không mở được cơ sở dữ liệu: ${errText(e)}`,
        `The database cannot be opened: ${errText(e)}`,
        {
          vi: 'Kiểm tra tệp (quyền, ổ đĩa); nếu hỏng, khôi phục từ bản sao lưu.',
          en: 'Check the file (permissions, disk); if it is damaged, restore a backup.',
        },
      ),
    );
  } finally {
    db?.close();
  }
  return { checks, facts };
}

function canWrite(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function nearestExisting(p: string): string {
  let cur = p;
  while (!fs.existsSync(cur) && path.dirname(cur) !== cur) cur = path.dirname(cur);
  return cur;
}

// ---- station key ----

async function stationKeyCheck(dbPath: string, facts: DbFacts, options: DoctorOptions): Promise<DoctorCheck> {
  if (!facts.exists || facts.upToDate === false) {
    return c(
      'station-key',
      'skipped',
      'Chưa kiểm tra khóa trạm (chưa có cơ sở dữ liệu ở phiên bản mới nhất).',
      'Station key not checked (no up-to-date database yet).',
    );
  }
  const [{ default: Database }, { FileKeyProvider, defaultKeyFilePath }, { KeyStore }, { StationKey }] =
    await Promise.all([
      import('better-sqlite3'),
      import('./key-provider'),
      import('./key-store'),
      import('./station-key'),
    ]);
  const keyFile = defaultKeyFilePath(dbPath);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const provider = options.keyProvider ?? new FileKeyProvider(keyFile);
    const key = new StationKey(new KeyStore(db, provider));
    if (!key.exists()) {
      return c(
        'station-key',
        'warning',
        'Trạm chưa có khóa ký (được tạo khi ký báo cáo hoặc khóa kỳ sát hạch lần đầu).',
        'This station has no signing key yet (it is created when a report or session is first sealed).',
        {
          vi: 'Bình thường với máy mới. Sau khi tạo, sao lưu tệp khóa ' + keyFile + '.',
          en: `Normal on a new station. Once created, back up the key file ${keyFile}.`,
        },
      );
    }
    const { publicKeyFingerprint } = await import('./station-key');
    const fp = publicKeyFingerprint(key.existingPublicKeyPem());
    return c(
      'station-key',
      'ok',
      `Khóa trạm dùng được, dấu vân tay ${fp.slice(0, 16)}….`,
      `Station key usable, fingerprint ${fp.slice(0, 16)}….`,
    );
  } catch (e) {
    return c(
      'station-key',
      'problem',
      `Không mở được khóa trạm: ${errText(e)}`,
      `The station key cannot be unwrapped: ${errText(e)}`,
      {
        vi: `Khôi phục tệp khóa ${keyFile} từ bản sao lưu (không có nó, không ký được báo cáo).`,
        en: `Restore the key file ${keyFile} from its backup (without it, reports cannot be signed).`,
      },
    );
  } finally {
    db.close();
  }
}

// ---- readers ----

async function readerChecks(options: DoctorOptions): Promise<DoctorCheck[]> {
  const { readersList } = await import('../../native/readers/listing');
  const l = await readersList(options.pcscSocketPath ? { pcscSocketPath: options.pcscSocketPath } : {});
  const out: DoctorCheck[] = [];
  const linux = process.platform === 'linux';
  const startFix: Bilingual = linux
    ? {
        vi: 'Cài và bật dịch vụ: `sudo apt-get install pcscd` rồi `sudo systemctl enable --now pcscd.socket`.',
        en: 'Install and enable it: `sudo apt-get install pcscd`, then `sudo systemctl enable --now pcscd.socket`.',
      }
    : {
        vi: 'Bật dịch vụ Windows "Smart Card" (SCardSvr): services.msc → Smart Card → Automatic, Start.',
        en: 'Start the Windows "Smart Card" service (SCardSvr): services.msc → Smart Card → Automatic, Start.',
      };
  // pcscd: the service itself, told apart from the module (native.pcsclite says that one).
  out.push(
    l.pcsc.serviceRunning
      ? c(
          'pcscd',
          'ok',
          'Dịch vụ thẻ thông minh (pcscd) đang chạy.',
          'The smart-card service (pcscd) is running.',
        )
      : c(
          'pcscd',
          'problem',
          'Dịch vụ thẻ thông minh (pcscd) chưa chạy: không đọc được chip.',
          'The smart-card service (pcscd) is not running: chips cannot be read.',
          startFix,
        ),
  );
  if (l.pcsc.module !== 'loaded') {
    out.push(
      c(
        'pcsc.readers',
        'problem',
        `Mô-đun PC/SC chưa dùng được (${l.pcsc.module}), không liệt kê được đầu đọc${l.pcsc.serviceRunning ? ' dù pcscd đang chạy' : ''}.`,
        `The PC/SC module is not usable (${l.pcsc.module}), so readers cannot be listed${l.pcsc.serviceRunning ? ' although pcscd is running' : ''}.`,
        l.pcsc.error ? { vi: l.pcsc.error.vi, en: l.pcsc.error.en } : undefined,
      ),
    );
  } else if (!l.pcsc.serviceRunning) {
    out.push(c('pcsc.readers', 'skipped', 'pcscd chưa chạy.', 'pcscd is not running.'));
  } else if (l.pcsc.readers.length === 0) {
    out.push(
      c('pcsc.readers', 'warning', 'Không có đầu đọc thẻ nào được kết nối.', 'No card reader is connected.', {
        vi: 'Cắm đầu đọc (USB); nếu vẫn không thấy, cài driver của đầu đọc (Linux: gói libccid) rồi khởi động lại pcscd.',
        en: 'Plug in the reader (USB); if it still does not show, install its driver (Linux: libccid) and restart pcscd.',
      }),
    );
  } else {
    const names = l.pcsc.readers.map((r) => `${r.name}${r.cardPresent ? ' [card]' : ''}`).join(', ');
    const cards = l.pcsc.readers.filter((r) => r.cardPresent).length;
    out.push(
      c(
        'pcsc.readers',
        'ok',
        `${l.pcsc.readers.length} đầu đọc, ${cards} thẻ: ${names}.`,
        `${l.pcsc.readers.length} reader(s), ${cards} card(s): ${names}.`,
      ),
    );
  }
  out.push(
    l.serialError
      ? c(
          'serial',
          'warning',
          `Không liệt kê được cổng nối tiếp: ${l.serialError.vi}`,
          `Serial ports cannot be listed: ${l.serialError.en}`,
          linux
            ? {
                vi: 'Cài udev: `sudo apt-get install udev`.',
                en: 'Install udev: `sudo apt-get install udev`.',
              }
            : undefined,
        )
      : c(
          'serial',
          'ok',
          `${l.serial.length} cổng nối tiếp${l.serial.length ? `: ${l.serial.map((p) => p.path).join(', ')}` : ''}.`,
          `${l.serial.length} serial port(s)${l.serial.length ? `: ${l.serial.map((p) => p.path).join(', ')}` : ''}.`,
        ),
  );
  out.push(
    l.hidModule !== 'loaded'
      ? c(
          'hid',
          'warning',
          `Không dùng được máy quét HID (node-hid: ${l.hidModule}).`,
          `HID scanners unavailable (node-hid: ${l.hidModule}).`,
          l.hidError,
        )
      : c(
          'hid',
          'ok',
          `${l.hid.length} máy quét HID POS.`,
          `${l.hid.length} HID POS scanner(s)${l.hid.length ? `: ${l.hid.map((h) => h.product ?? `${h.vendorId}:${h.productId}`).join(', ')}` : ''}.`,
        ),
  );
  return out;
}

// ---- trust store ----

async function trustChecks(trustDir: string, now: Date, expiryDays: number): Promise<DoctorCheck[]> {
  const importFix: Bilingual = {
    vi: `Nhập chứng chỉ CSCA / danh sách master list của cơ quan cấp (Cài đặt → Kho tin cậy, hoặc chép vào ${trustDir}).`,
    en: `Import the issuers' CSCA certificates / master list (Settings → Trust store, or copy them into ${trustDir}).`,
  };
  if (!fs.existsSync(trustDir)) {
    return [
      c(
        'trust.issuers',
        'warning',
        `Chưa có kho tin cậy (${trustDir}): thẻ thật sẽ hiện "không xác định được cơ quan cấp" (vàng).`,
        `No trust store (${trustDir}): genuine cards show "unknown issuer" (amber).`,
        importFix,
      ),
      c('trust.expiry', 'skipped', 'Không có chứng chỉ.', 'No certificates.'),
    ];
  }
  const { loadTrustStore } = await import('../../native/icao/trust-store');
  const store = await loadTrustStore(trustDir);
  const byCountry = new Map<string, number>();
  for (const a of store.anchors) {
    const country = /(?:^|, )C=([A-Za-z]{2})(?:,|$)/.exec(a.subject)?.[1]?.toUpperCase() ?? '??';
    byCountry.set(country, (byCountry.get(country) ?? 0) + 1);
  }
  const list = [...byCountry]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const skipped = store.problems.length ? ` (${store.problems.length} files skipped)` : '';
  const skippedVi = store.problems.length ? ` (bỏ qua ${store.problems.length} tệp)` : '';
  const out: DoctorCheck[] = [
    store.anchors.length === 0
      ? c(
          'trust.issuers',
          'warning',
          `Kho tin cậy ${trustDir} chưa có CSCA nào${skippedVi}: thẻ thật sẽ hiện vàng.`,
          `The trust store ${trustDir} has no CSCA${skipped}: genuine cards show amber.`,
          importFix,
        )
      : c(
          'trust.issuers',
          byCountry.has('VN') ? (store.problems.length ? 'warning' : 'ok') : 'warning',
          `Cơ quan cấp tin cậy theo quốc gia: ${list}${skippedVi}.${byCountry.has('VN') ? '' : ' Chưa có CSCA của Việt Nam.'}`,
          `Trusted issuers per country: ${list}${skipped}.${byCountry.has('VN') ? '' : ' No Vietnamese CSCA.'}`,
          importFix,
        ),
  ];
  const soon = now.getTime() + expiryDays * 86_400_000;
  const expiring: string[] = [];
  const expired: string[] = [];
  for (const a of store.anchors) {
    const notAfter = a.cert.tbsCertificate.validity.notAfter.getTime();
    const cn = /CN=([^,]+)/.exec(a.subject)?.[1] ?? a.subject;
    const label = `${cn} (${notAfter.toISOString().slice(0, 10)})`;
    if (notAfter.getTime() < now.getTime()) expired.push(label);
    else if (notAfter.getTime() < soon) expiring.push(label);
  }
  out.push(
    expiring.length || expired.length
      ? c(
          'trust.expiry',
          'warning',
          `${expired.length} chứng chỉ đã hết hạn, ${expiring.length} hết hạn trong ${expiryDays} ngày: ${[...expired, ...expiring].join('; ')}.`,
          `${expired.length} certificate(s) expired, ${expiring.length} expiring within ${expiryDays} days: ${[...expired, ...expiring].join('; ')}.`,
          {
            vi: 'Nhập chứng chỉ CSCA mới của cơ quan cấp (thẻ cũ vẫn kiểm tra được với chứng chỉ đã hết hạn).',
            en: "Import the issuer's new CSCA certificate (older cards still verify against the expired one).",
          },
        )
      : c(
          'trust.expiry',
          store.anchors.length ? 'ok' : 'skipped',
          `Không có chứng chỉ nào hết hạn trong ${expiryDays} ngày.`,
          `No certificate expires within ${expiryDays} days.`,
        ),
  );
  return out;
}

// ---- disk and clock ----

function diskCheck(dbPath: string): DoctorCheck {
  const dir = nearestExisting(path.dirname(dbPath));
  try {
    const s = fs.statfsSync(dir);
    const free = s.bavail * s.bsize;
    const text = `${(free / MB / 1024).toFixed(1)} GB`;
    const state: DoctorState =
      free < LOW_DISK_PROBLEM ? 'problem' : free < LOW_DISK_WARNING ? 'warning' : 'ok';
    return c('disk', state, `Dung lượng trống tại ${dir}: ${text}.`, `Free space at ${dir}: ${text}.`, {
      vi: 'Giải phóng ổ đĩa (xóa tệp tạm, báo cáo đã xuất cũ) hoặc chuyển dữ liệu sang ổ lớn hơn.',
      en: 'Free some space (temporary files, old exported reports) or move the data to a larger disk.',
    });
  } catch (e) {
    return c(
      'disk',
      'skipped',
      `Không đo được dung lượng: ${errText(e)}`,
      `Free space unknown: ${errText(e)}`,
    );
  }
}

function clockCheck(now: Date, newestLogAt: Date | undefined): DoctorCheck {
  const fix: Bilingual = {
    vi: 'Chỉnh đồng hồ hệ thống và bật đồng bộ giờ (Linux: `sudo timedatectl set-ntp true`; Windows: Cài đặt → Thời gian → Đồng bộ ngay).',
    en: 'Set the system clock and turn on time sync (Linux: `sudo timedatectl set-ntp true`; Windows: Settings → Time → Sync now).',
  };
  const iso = now.toISOString();
  if (now.getTime() < CLOCK_FLOOR) {
    return c(
      'clock',
      'problem',
      `Đồng hồ máy sai (${iso}): nhật ký sẽ ghi sai thời điểm.`,
      `The clock is wrong (${iso}): the log would record wrong times.`,
      fix,
    );
  }
  if (newestLogAt && !Number.isNaN(newestLogAt.getTime())) {
    if (newestLogAt.getTime() - now.getTime() > CLOCK_SLACK_MS) {
      return c(
        'clock',
        'problem',
        `Đồng hồ máy (${iso}) chậm hơn mục nhật ký mới nhất (${newestLogAt.toISOString()}): đồng hồ đã bị lùi.`,
        `The clock (${iso}) is behind the newest log entry (${newestLogAt.toISOString()}): it was put back.`,
        fix,
      );
    }
    return c(
      'clock',
      'ok',
      `Đồng hồ: ${iso}; mục nhật ký mới nhất: ${newestLogAt.toISOString()}.`,
      `Clock: ${iso}; newest log entry: ${newestLogAt.toISOString()}.`,
    );
  }
  return c(
    'clock',
    'ok',
    `Đồng hồ: ${iso} (chưa có nhật ký để so sánh).`,
    `Clock: ${iso} (no log entry to compare).`,
  );
}

// ---- all ----

/** Runs every check. Never throws: a check that fails to run is reported as a problem. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const { resolveDbPath, defaultUserDataDir } = await import('./paths');
  const dbPath = resolveDbPath(options.dbPath);
  const trustDir = options.trustDir ?? path.join(defaultUserDataDir(), 'trust-store');
  const now = options.now ?? new Date();
  const guard = async (id: string, fn: () => Promise<DoctorCheck[]>): Promise<DoctorCheck[]> => {
    try {
      return await fn();
    } catch (e) {
      return [c(id, 'problem', `Không kiểm tra được: ${errText(e)}`, `Check failed: ${errText(e)}`)];
    }
  };
  const native = await guard('native', nativeChecks);
  let facts: DbFacts = { exists: false };
  const database = await guard('database', async () => {
    const r = await databaseChecks(dbPath);
    facts = r.facts;
    return r.checks;
  });
  const [readers, trust, key] = await Promise.all([
    options.skipReaders ? Promise.resolve([]) : guard('readers', () => readerChecks(options)),
    guard('trust', () => trustChecks(trustDir, now, options.expiryDays ?? 90)),
    guard('station-key', async () => [await stationKeyCheck(dbPath, facts, options)]),
  ]);
  const checks = [
    ...native,
    ...database,
    ...readers,
    ...trust,
    ...key,
    diskCheck(dbPath),
    clockCheck(now, facts.newestLogAt),
  ];
  return { ready: !checks.some((x) => x.state === 'problem'), checks };
}
