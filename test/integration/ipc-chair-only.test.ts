/**
 * Every chair-only channel of the IPC contract, called through the test bridge over HTTP by a signed-in
 * examiner, is refused (`forbidden`, Vietnamese and English) before any work is done; by a window
 * nobody signed in to, `not_signed_in`. The same requests from the chair are not refused, so the
 * refusal is the role check and not a bad payload. The examiner's refused calls change nothing.
 * SECURITY.md ("IPC surface") lists the channels and where each rule is enforced.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import { KioskApi } from '../../electron/app/kiosk-api';
import {
  QueuedDialogs,
  SseEvents,
  startBridgeServer,
  type BridgeServer,
} from '../../electron/app/bridge-server';
import { CHANNEL_NAMES, channels, type ChannelName } from '../../electron/shared/ipc-contract';
import { IPC_TEMPLATES } from '../support/fuzz-targets';
import { tempDir } from '../support/tmp';

const dir = tempDir('kiosk-chair-only-');
let services: KioskServices;
let bridge: BridgeServer;

const CHAIR = 'client-chair-0001';
const EXAMINER = 'client-examiner-0001';
const NOBODY = 'client-nobody-0001';

const CHAIR_ONLY = CHANNEL_NAMES.filter((c) => channels[c].access === 'chair');

interface Answer {
  ok: boolean;
  value?: unknown;
  error?: { code: string; vi: string; en: string };
}

function call(client: string, channel: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${bridge.url}/api/${channel}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-kiosk-token': bridge.token,
          'x-kiosk-client': client,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          expect(res.statusCode).toBe(200);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function ok(client: string, channel: ChannelName, body: unknown): Promise<unknown> {
  const r = await call(client, channel, body);
  if (!r.ok) throw new Error(`${channel}: ${r.error?.code} ${r.error?.en}`);
  return r.value;
}

beforeAll(async () => {
  services = new KioskServices({ dbPath: path.join(dir, 'k.db') });
  const events = new SseEvents();
  const api = new KioskApi({
    services,
    dialogs: new QueuedDialogs(),
    trustStoreDir: path.join(dir, 'trust'),
    events,
  });
  bridge = await startBridgeServer({ api, events });
  await ok(CHAIR, 'auth.setup', { username: 'chutich', displayName: 'Chủ tịch Thử', pin: '2468' });
  await ok(CHAIR, 'users.create', {
    username: 'exam1',
    displayName: 'Sát hạch viên',
    role: 'examiner',
    pin: '1357',
  });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
  for (const code of ['FUZZ-1', 'FUZZ-3']) {
    await ok(CHAIR, 'sessions.create', { code, council: 'Hội đồng thử', date: today });
  }
  await ok(EXAMINER, 'auth.signIn', { username: 'exam1', pin: '1357' });
  fs.mkdirSync(path.join(dir, 'trust'), { recursive: true });
});

afterAll(async () => {
  await bridge?.close();
  services?.close();
});

describe('chair-only channels through the bridge', () => {
  it('the chair-only channels are the accounts, closing and signing sessions, the log, reports, settings changes and the issuers trusted', () => {
    expect([...CHAIR_ONLY].sort()).toEqual(
      [
        'users.list',
        'users.create',
        'users.setPin',
        'users.setActive',
        'sessions.close',
        'sessions.signOff',
        'log.list',
        'log.get',
        'log.verify',
        'log.actors',
        'reports.export',
        'settings.update',
        'settings.importTrustStore',
        'settings.listReaders',
        'trust.issuers',
        'trust.approve',
        'trust.block',
        'trust.unblock',
        'settings.doctor',
        'sync.status',
        'sync.configure',
        'sync.now',
        'sync.sessionCheckins',
      ].sort(),
    );
    // Every request below is valid for its schema: a refusal cannot come from the payload.
    for (const c of CHAIR_ONLY) expect(channels[c].request.safeParse(IPC_TEMPLATES[c]).success, c).toBe(true);
  });

  it('an examiner calling each chair-only channel is refused with forbidden, in Vietnamese and English', async () => {
    for (const c of CHAIR_ONLY) {
      const r = await call(EXAMINER, c, IPC_TEMPLATES[c]);
      expect(r.ok, c).toBe(false);
      expect(r.error?.code, c).toBe('forbidden');
      expect(r.error?.vi).toBe('Chỉ chủ tịch hội đồng được thực hiện thao tác này.');
      expect(r.error?.en).toBe('Only the council chair may do this.');
    }
    // The examiner is still signed in and may use the examiner's channels.
    expect(((await ok(EXAMINER, 'auth.status', {})) as { user: { role: string } }).user.role).toBe(
      'examiner',
    );
    expect(await ok(EXAMINER, 'sessions.list', {})).toHaveLength(2);
  });

  it('a window nobody signed in to is refused with not_signed_in', async () => {
    for (const c of CHAIR_ONLY) {
      const r = await call(NOBODY, c, IPC_TEMPLATES[c]);
      expect(r.error?.code, c).toBe('not_signed_in');
      expect(r.error?.vi).toBe('Vui lòng đăng nhập.');
    }
  });

  it("the examiner's refused calls changed nothing: accounts, sessions and settings as before", async () => {
    const users = (await ok(CHAIR, 'users.list', {})) as { username: string; active: boolean }[];
    expect(users.map((u) => [u.username, u.active]).sort()).toEqual([
      ['chutich', true],
      ['exam1', true],
    ]);
    const sessions = (await ok(CHAIR, 'sessions.list', {})) as { code: string; state: string }[];
    expect(sessions.every((s) => s.state === 'open')).toBe(true);
    const settings = (await ok(CHAIR, 'settings.get', {})) as { stationName: string };
    expect(settings.stationName).not.toBe(
      (IPC_TEMPLATES['settings.update'] as { stationName: string }).stationName,
    );
  });

  it('the chair sending the same requests is not refused', async () => {
    for (const c of CHAIR_ONLY) {
      const r = await call(CHAIR, c, IPC_TEMPLATES[c]);
      if (!r.ok)
        expect(['forbidden', 'not_signed_in', 'invalid_request'], `${c}: ${r.error?.code}`).not.toContain(
          r.error?.code,
        );
    }
  });
});
