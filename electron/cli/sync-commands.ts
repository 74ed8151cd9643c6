/**
 * The council server commands: `kiosk server init|add-station`, `kiosk sync`, `kiosk session
 * publish|pull`, and the `--server` forms of `kiosk report` and `kiosk log verify`.
 * Nothing here prints a password or personal data.
 */
import type pg from 'pg';
import type { KioskServices } from '../core/services';
import { defaultActor } from '../core/services';
import { DataCipher } from '../core/data-crypto';
import { CredentialStore, connect, redactUrl, serverKey } from '../core/sync/connection';
import { StationSync, SyncLoop, type SyncStatus } from '../core/sync/station-sync';
import {
  addStation,
  buildServerReport,
  initServer,
  publishSession,
  pullSession,
  verifyServer,
  writeServerReport,
} from '../core/sync/council';
import { EXIT, line, printJson } from './output';

interface G {
  json?: boolean;
}

function store(s: KioskServices): CredentialStore {
  return new CredentialStore(s.db, new DataCipher(s.keys));
}

async function withServer<T>(s: KioskServices, url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url, store(s).get(url));
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function serverInitCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; chairRole?: string },
): Promise<number> {
  const r = await withServer(s, opts.server, (c) => initServer(c, opts.chairRole));
  // The chair's password is stored encrypted in this database (the chair's station), never printed.
  store(s).save(opts.server, r.chair);
  const out = { server: serverKey(opts.server), schemaFrom: r.from, schemaTo: r.to, chairRole: r.chair.role };
  if (g.json) printJson(out);
  else
    line(
      `Máy chủ hội đồng ${out.server}: lược đồ phiên bản ${r.to}; tài khoản chủ tịch ${r.chair.role} đã lưu (mã hóa) vào cơ sở dữ liệu này. ` +
        `Council server ready (schema ${r.from} → ${r.to}); chair role ${r.chair.role} stored encrypted in this database.`,
    );
  return EXIT.ok;
}

export async function serverAddStationCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; name?: string },
): Promise<number> {
  const name = opts.name ?? defaultActor().station;
  const r = await withServer(s, opts.server, (c) => addStation(c, s.stationKey.publicKeyPem(), name));
  store(s).save(opts.server, r.credential);
  const out = { server: serverKey(opts.server), stationId: r.stationId, name, role: r.credential.role };
  if (g.json) printJson(out);
  else
    line(
      `Đã đăng ký trạm ${name} trên ${out.server} (vai trò ${out.role}); mật khẩu lưu mã hóa trên trạm. ` +
        `Station ${name} registered (${r.stationId.slice(0, 16)}…), its password stored encrypted on this station.`,
    );
  return EXIT.ok;
}

export async function syncCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; once?: boolean; interval?: string; batch?: string },
): Promise<number> {
  const sync = new StationSync(s.db, s.log, s.stationKey, store(s), opts.server, {
    ...(opts.batch ? { batchSize: Number(opts.batch) } : {}),
  });
  if (opts.once) {
    const r = await sync.once().finally(() => sync.close());
    if (g.json) printJson(r);
    else
      line(
        `Đồng bộ xong với ${r.server}: gửi ${r.pushed} mục (máy chủ có đến mục ${r.serverHead}/${r.localHead}), nhận ${r.pulled} lượt điểm danh của trạm khác. ` +
          `Synced: pushed ${r.pushed}, server head ${r.serverHead}/${r.localHead}, pulled ${r.pulled}.`,
      );
    return EXIT.ok;
  }
  const report = (st: SyncStatus) => {
    if (g.json) printJson(st);
    else if (st.state === 'idle' && st.lastRound)
      line(
        `sync: pushed ${st.lastRound.pushed}, head ${st.lastRound.serverHead}, pulled ${st.lastRound.pulled}`,
      );
    else if (st.state === 'offline' || st.state === 'error')
      line(`sync: ${st.state}: ${st.lastError?.en ?? ''} (retry in ${st.nextAttemptInMs ?? '?'} ms)`);
  };
  const loop = new SyncLoop(sync, { intervalMs: opts.interval ? Number(opts.interval) : 2000 }, (st) => {
    if (st.state === 'idle' || st.state === 'offline' || st.state === 'error') {
      if (st.nextAttemptInMs === null || st.state !== 'idle' || st.lastRound?.pushed || st.lastRound?.pulled)
        report(st);
    }
  });
  // The loop's timers do not hold the process open (the app's would not want them to): this does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    const end = () => resolve();
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
    loop.start();
  });
  await loop.stop();
  clearInterval(keepAlive);
  return EXIT.ok;
}

export async function sessionPublishCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; code: string },
): Promise<number> {
  const r = await withServer(s, opts.server, (c) => publishSession(c, s.db, s.sessions, opts.code));
  if (g.json) printJson(r);
  else
    line(
      `Đã công bố kỳ ${r.code} (${r.candidates} thí sinh) lên máy chủ. Published ${r.code}, roster hash ${r.rosterHash}.`,
    );
  return EXIT.ok;
}

export async function sessionPullCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; code: string; station?: string; examiner?: string },
): Promise<number> {
  const r = await withServer(s, opts.server, (c) =>
    pullSession(c, s.sessions, s.roster, opts.code, defaultActor(opts.station, opts.examiner)),
  );
  if (g.json) printJson(r);
  else
    line(
      `Đã nhận kỳ ${r.code} (${r.candidates} thí sinh, mã băm danh sách khớp). Pulled ${r.code}, roster hash ${r.rosterHash} verified.`,
    );
  return EXIT.ok;
}

export async function serverReportCommand(
  s: KioskServices,
  g: G,
  opts: { server: string; session: string; format: 'csv' | 'xlsx' | 'pdf'; out: string; lang: 'vi' | 'en' },
): Promise<number> {
  const model = await withServer(s, opts.server, (c) => buildServerReport(c, opts.session, s.timeZone));
  await writeServerReport(model, opts.format, opts.out, opts.lang);
  const out = {
    out: opts.out,
    format: opts.format,
    totals: model.totals,
    duplicates: model.findings.length,
    times: 'station',
  };
  if (g.json) printJson(out);
  else
    line(
      `Đã xuất báo cáo toàn hội đồng ${opts.out}: ${model.totals.present}/${model.totals.candidates} có mặt, ${model.findings.length} trường hợp điểm danh hai lần (giờ theo đồng hồ trạm). ` +
        `Consolidated report written (station times; ${model.findings.length} duplicate check-ins).`,
    );
  return EXIT.ok;
}

export async function serverVerifyCommand(s: KioskServices, g: G, opts: { server: string }): Promise<number> {
  const local = s.stationKey.exists() ? { stationId: s.stationKey.fingerprint(), log: s.log } : undefined;
  const r = await withServer(s, opts.server, (c) => verifyServer(c, local));
  if (g.json) printJson({ server: serverKey(opts.server), ...r });
  else {
    for (const st of r.stations) {
      const bad = !st.ok || st.local?.ok === false;
      line(
        `${bad ? 'HỎNG/BROKEN' : 'OK'}\t${st.name}\t${st.entries} entries` +
          (st.problem ? `\t${st.problem}` : '') +
          (st.local && !st.local.ok ? `\tstation ${st.name}: ${st.local.problem}` : ''),
      );
    }
    if (r.ok)
      line(
        `Mọi chuỗi nhật ký trên máy chủ đều nguyên vẹn. Every station's chain on ${redactUrl(opts.server)} verifies.`,
      );
  }
  if (!r.ok) {
    const names = r.stations.filter((x) => !x.ok || x.local?.ok === false).map((x) => x.name);
    process.stderr.write(
      `Nhật ký của trạm ${names.join(', ')} đã bị sửa sau khi đồng bộ. The log of station ${names.join(', ')} was rewritten after it was synced.\n`,
    );
    return EXIT.failure;
  }
  return EXIT.ok;
}
