/**
 * A test bridge in its own process, for load runs (./load.ts): KioskServices on the database given as
 * argv[2], a KioskApi with a chair (chutich / 2468) and an examiner (giamthi / 1357), and the bridge
 * server on 127.0.0.1. Over IPC it sends `{ type: 'ready', url, token }`, and answers
 * `{ type: 'memory' }` with its memory after a full garbage collection. SIGTERM closes it.
 */
import path from 'node:path';
import { KioskServices } from '../../electron/core/services';
import { KioskApi } from '../../electron/app/kiosk-api';
import { QueuedDialogs, SseEvents, startBridgeServer } from '../../electron/app/bridge-server';
import { fullGc } from './load';

const db = process.argv[2]!;
const services = new KioskServices({ dbPath: db });
const api = new KioskApi({
  services,
  dialogs: new QueuedDialogs(),
  trustStoreDir: path.join(path.dirname(db), 'trust'),
});
const chair = { clientId: 'setup-window' };
for (const [channel, req] of [
  ['auth.setup', { username: 'chutich', displayName: 'Chủ tịch (tải)', pin: '2468' }],
  [
    'users.create',
    { username: 'giamthi', displayName: 'Sát hạch viên (tải)', role: 'examiner', pin: '1357' },
  ],
] as const) {
  const r = await api.handle(channel, chair, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}`);
}
const events = new SseEvents();
const bridge = await startBridgeServer({ api, events });
const gc = fullGc();
process.on('message', (m: { type?: string }) => {
  if (m.type === 'memory') {
    gc();
    const u = process.memoryUsage();
    process.send?.({ type: 'memory', rss: u.rss, heapUsed: u.heapUsed });
  }
});
process.once('SIGTERM', () => {
  void bridge.close().then(() => {
    services.close();
    process.exit(0);
  });
});
process.send?.({ type: 'ready', url: bridge.url, token: bridge.token });
