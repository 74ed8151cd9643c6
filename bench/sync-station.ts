/**
 * One station of the sync bench (bench/sync.bench.ts), as its own process: makes `count` QR checks on
 * its database, one every `paceMs`, while a SyncLoop (the app's sync service) pushes to the council
 * server; records the local commit time of each check, waits until the server holds everything, and
 * writes {logId: commitMs} to `out`.
 *
 *   node bin/run-ts.js bench/sync-station.ts DB URL SESSION FIRST N COUNT PACE_MS OUT
 */
import fs from 'node:fs';
import { KioskServices } from '../electron/core/services';
import { DataCipher } from '../electron/core/data-crypto';
import { CredentialStore } from '../electron/core/sync/connection';
import { StationSync, SyncLoop } from '../electron/core/sync/station-sync';
import { fictionalPerson, qrTextOf } from '../electron/core/fictional-people';

const [db, url, session, firstArg, nArg, countArg, paceArg, out, seedArg] = process.argv.slice(2);
const first = Number(firstArg);
const n = Number(nArg);
const count = Number(countArg);
const pace = Number(paceArg);
const seed = Number(seedArg ?? '11');

const s = new KioskServices({ dbPath: db! });
const sync = new StationSync(
  s.db,
  s.log,
  s.stationKey,
  new CredentialStore(s.db, new DataCipher(s.keys)),
  url!,
);
const loop = new SyncLoop(sync, { intervalMs: 250, minBackoffMs: 100, maxBackoffMs: 2000 });
const qrs = Array.from({ length: n }, (_, i) => qrTextOf(fictionalPerson(first + i, seed)));
const commits: Record<number, number> = {};
loop.start();
const station = process.env.KIOSK_STATION ?? 'bench';
let next = Date.now();
for (let i = 0; i < count; i++) {
  const r = s.checks.checkQr(session!, qrs[i % n]!, { station, actor: 'bench' });
  commits[r.logId] = Date.now();
  next += pace;
  const wait = next - Date.now();
  // Always yield: a desk that falls behind its pace must not starve its own sync service.
  if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  else await new Promise((res) => setImmediate(res));
}
const head = s.log.headEntry()!.id;
const until = Date.now() + 120_000;
while ((loop.current().lastRound?.serverHead ?? 0) < head && Date.now() < until) {
  await new Promise((res) => setTimeout(res, 50));
}
await loop.stop();
fs.writeFileSync(
  out!,
  JSON.stringify({ head, serverHead: loop.current().lastRound?.serverHead ?? 0, commits }),
);
s.close();
