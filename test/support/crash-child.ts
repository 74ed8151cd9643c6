/**
 * The child process of the crash-safety tests (./crash.ts). It logs checks through the real services
 * (KioskServices → CheckService → AuditLog, SQLite in WAL with synchronous=FULL) and says what it did
 * on stdout, one line at a time, written synchronously AFTER the commit returned:
 *
 *   loop DB SESSION          "ready", then "ack <logId> <entry hash>" after every committed check,
 *                            forever (the parent kills it with SIGKILL at a random moment)
 *   setup DIR                a database in DIR with a session, a roster and a few checks; one JSON line
 *   disk-full DIR            DIR is a small tmpfs: fill it, check until writes fail, free space, check
 *                            again; one JSON line with what happened
 *   read-only DIR ACKED      the database in DIR cannot be written (read-only mount or file mode): open
 *                            it, try a check, read it; one JSON line
 *   inspect DIR ACKED        integrity check, chain and the acknowledged entries [id, hash]; one JSON line
 *
 * Fictional people only; nothing personal is printed (log ids, hashes, error codes and messages).
 */
import fs from 'node:fs';
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { openDatabase } from '../../electron/core/db';
import { AuditLog } from '../../electron/core/audit-log';
import { fictionalPerson, qrTextOf, rosterCsv } from '../../electron/core/fictional-people';

export const CRASH_SESSION = 'CRASH';
export const ROSTER_SIZE = 40;
export const ROSTER_SEED = 91;

const by = { station: 'crash-test', actor: 'examiner' };
const out = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};

/** The QR of check number i: mostly roster candidates, some strangers, some unreadable scans. */
function qrFor(i: number): string {
  if (i % 11 === 5) return 'not a CCCD QR';
  const k = i % 13 === 7 ? ROSTER_SIZE + (i % 50) : i % ROSTER_SIZE;
  return qrTextOf(fictionalPerson(k, ROSTER_SEED));
}

function errorOf(e: unknown): { code: string; vi: string; en: string; name: string } {
  const x = e as { code?: unknown; vi?: unknown; en?: unknown; name?: unknown };
  return {
    code: typeof x?.code === 'string' ? x.code : 'unknown',
    vi: typeof x?.vi === 'string' ? x.vi : '',
    en: typeof x?.en === 'string' ? x.en : String((e as Error)?.message ?? e),
    name: typeof x?.name === 'string' ? x.name : typeof e,
  };
}

async function setup(
  dir: string,
  checks = 5,
): Promise<{ db: string; acked: Array<[number, string]>; entries: number }> {
  const db = path.join(dir, 'kiosk.db');
  const s = new KioskServices({ dbPath: db });
  try {
    s.sessions.create(
      { code: CRASH_SESSION, council: 'Hội đồng thử', date: today(), licenceClasses: [] },
      by,
    );
    const csv = path.join(dir, 'roster.csv');
    fs.writeFileSync(csv, rosterCsv(ROSTER_SIZE, ROSTER_SEED));
    await s.roster.importFile(CRASH_SESSION, csv, by);
    fs.rmSync(csv);
    const acked: Array<[number, string]> = [];
    for (let i = 0; i < checks; i++) {
      const r = s.checks.checkQr(CRASH_SESSION, qrFor(i), by);
      acked.push([r.logId, s.log.get(r.logId)!.hash]);
    }
    return { db, acked, entries: s.log.verify().entries };
  } finally {
    s.close();
  }
}

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}

/** Opens the database read-only (no migration, no write) and checks what is in it. */
function inspect(db: string, acked: Array<[number, string]>) {
  const conn = openDatabase(db, { readonly: true });
  try {
    const integrity = conn.pragma('integrity_check', { simple: true });
    const verify = new AuditLog(conn).verify();
    const log = new AuditLog(conn);
    const missing = acked.filter(([id, hash]) => log.get(id)?.hash !== hash).map(([id]) => id);
    return { integrity, chainOk: verify.ok, entries: verify.entries, missing };
  } finally {
    conn.close();
  }
}

const [mode, arg1, arg2] = process.argv.slice(2);

if (mode === 'loop') {
  const s = new KioskServices({ dbPath: arg1! });
  out('ready');
  for (let i = Number(process.env.CRASH_START ?? 0); ; i++) {
    const r = s.checks.checkQr(arg2 ?? CRASH_SESSION, qrFor(i), by);
    out(`ack ${r.logId} ${s.log.get(r.logId)!.hash}`);
  }
} else if (mode === 'setup') {
  out(JSON.stringify(await setup(arg1!)));
} else if (mode === 'disk-full') {
  const dir = arg1!;
  const { db, acked } = await setup(dir);
  const s = new KioskServices({ dbPath: db });
  // Fill the disk with a file, 4 KiB at a time, until the file system refuses; then give back a
  // little room so the next checks fill it up themselves, the database growing until a write fails.
  const reserve = path.join(dir, 'reserve.bin');
  fs.writeFileSync(reserve, Buffer.alloc(48 * 1024, 0x5a));
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  let filled = 0;
  try {
    for (;;) {
      fs.writeSync(fd, Buffer.alloc(4096, 0x5a));
      filled += 4096;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  fs.closeSync(fd);
  fs.rmSync(reserve);
  // Check until a write fails.
  const ackedAfterFill: Array<[number, string]> = [];
  let firstError: ReturnType<typeof errorOf> | undefined;
  let i = 100;
  for (; i < 5100 && !firstError; i++) {
    try {
      const r = s.checks.checkQr(CRASH_SESSION, qrFor(i), by);
      ackedAfterFill.push([r.logId, s.log.get(r.logId)!.hash]);
    } catch (e) {
      firstError = errorOf(e);
    }
  }
  // More attempts while full: each fails the same way, nothing is half written.
  const laterErrors: string[] = [];
  for (let k = 0; k < 5; k++) {
    try {
      s.checks.checkQr(CRASH_SESSION, qrFor(i + k), by);
      laterErrors.push('ok');
    } catch (e) {
      laterErrors.push(errorOf(e).code);
    }
  }
  const whileFull = {
    integrity: s.db.pragma('integrity_check', { simple: true }),
    chainOk: s.log.verify().ok,
  };
  // Free the space: checks work again, in the same process, and after a restart.
  fs.rmSync(filler);
  let afterFree: unknown;
  try {
    const r = s.checks.checkQr(CRASH_SESSION, qrFor(7000), by);
    afterFree = { ok: true, logId: r.logId };
    ackedAfterFill.push([r.logId, s.log.get(r.logId)!.hash]);
  } catch (e) {
    afterFree = { ok: false, ...errorOf(e) };
  }
  s.close();
  const reopened = new KioskServices({ dbPath: db });
  const again = reopened.checks.checkQr(CRASH_SESSION, qrFor(7001), by);
  ackedAfterFill.push([again.logId, reopened.log.get(again.logId)!.hash]);
  reopened.close();
  out(
    JSON.stringify({
      filled,
      ackedBefore: acked.length,
      ackedWhileFilling: ackedAfterFill.length - 2,
      firstError,
      laterErrors,
      whileFull,
      afterFree,
      final: inspect(db, [...acked, ...ackedAfterFill]),
    }),
  );
} else if (mode === 'read-only') {
  const db = path.join(arg1!, 'kiosk.db');
  const acked = JSON.parse(arg2 ?? '[]') as Array<[number, string]>;
  const result: Record<string, unknown> = {};
  let s: KioskServices | undefined;
  try {
    s = new KioskServices({ dbPath: db });
    result.open = { ok: true };
  } catch (e) {
    result.open = { ok: false, ...errorOf(e) };
  }
  if (s) {
    try {
      s.checks.checkQr(CRASH_SESSION, qrFor(3), by);
      result.check = { ok: true };
    } catch (e) {
      result.check = { ok: false, ...errorOf(e) };
    }
    s.close();
  }
  // Reading still works: the log, the chain and every earlier check are there.
  try {
    result.read = inspect(db, acked);
  } catch (e) {
    result.read = { error: errorOf(e) };
  }
  out(JSON.stringify(result));
} else if (mode === 'inspect') {
  out(
    JSON.stringify(
      inspect(path.join(arg1!, 'kiosk.db'), JSON.parse(arg2 ?? '[]') as Array<[number, string]>),
    ),
  );
} else {
  process.stderr.write('usage: crash-child.ts loop|setup|disk-full|read-only|inspect ...\n');
  process.exit(2);
}
