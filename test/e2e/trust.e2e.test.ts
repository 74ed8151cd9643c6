/**
 * The chair's trust screen in real Chromium (production renderer, test bridge, temp database): the
 * station has read chips signed by two Vietnamese issuers and has no trusted issuer for VN, so the
 * chair sees the banner; on the trust screen the chair approves one issuer and blocks the other. The
 * registry and the hash-chained audit log show both decisions. Screenshots under
 * test-artifacts/screenshots/ (trust-*).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestPki, getTestPki } from '../../native/softcard/pki';
import { describeDocumentSigner } from '../../electron/core/trust-policy';
import {
  bridgeClientBundle,
  buildApp,
  launchBrowser,
  openKioskPage,
  shoot,
  startKiosk,
  type Kiosk,
} from './support/kiosk-e2e';

const CHAIR = { username: 'chutich', name: 'Trần Văn Chủ Tịch', pin: '2468' };

let kiosk: Kiosk;
let browser: Browser;
let page: Page;
const issuers: string[] = [];

beforeAll(async () => {
  const rendererDir = buildApp();
  const client = await bridgeClientBundle();
  kiosk = await startKiosk(rendererDir);
  const setup = await kiosk.api.handle(
    'auth.setup',
    { clientId: 'seed' },
    {
      username: CHAIR.username,
      displayName: CHAIR.name,
      pin: CHAIR.pin,
    },
  );
  expect(setup.ok).toBe(true);
  // Chips read on this station: three signed under the VN test issuer, one under another VN issuer.
  const vn = getTestPki();
  const other = createTestPki({ cscaName: 'Other VN CSCA', dsName: 'Other VN Document Signer' });
  for (const [ds, reads] of [
    [vn.ds.der, 3],
    [other.ds.der, 1],
  ] as const) {
    const o = { ...describeDocumentSigner(ds), documentCountry: 'VN' };
    for (let i = 0; i < reads; i++) kiosk.services.trust.observe(o);
    issuers.push(o.issuerId);
  }
  browser = await launchBrowser();
  page = (await openKioskPage(browser, kiosk, client)).page;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.close();
});

describe('trust screen in Chromium', () => {
  it('shows the chair a banner for VN, then approves one issuer and blocks the other', async () => {
    await page.getByTestId(`user-${CHAIR.username}`).click();
    await page.getByTestId('signin-pin').fill(CHAIR.pin);
    await page.getByTestId('signin-pin').press('Enter');
    await page.getByTestId('sign-out').waitFor();

    const banner = page.getByTestId('trust-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('VN');
    await shoot(page, 'trust-01-banner');

    await page.getByTestId('trust-banner-open').click();
    await page.getByTestId('trust-screen').waitFor();
    const rows = page.locator('[data-testid="trust-table"] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await shoot(page, 'trust-02-issuers-seen');

    page.on('dialog', (d) => void d.accept());
    const first = page.getByTestId(`issuer-${issuers[0]}`);
    await first.getByTestId('issuer-approve').click();
    await expect.poll(() => first.getByTestId('issuer-status').textContent()).toBe('Đã phê duyệt');
    const second = page.getByTestId(`issuer-${issuers[1]}`);
    await second.getByTestId('issuer-block').click();
    await expect.poll(() => second.getByTestId('issuer-status').textContent()).toBe('Đã chặn');
    expect(await page.getByTestId('trust-configured').textContent()).toContain('VN');
    await shoot(page, 'trust-03-approved-and-blocked');

    // The main process recorded both decisions, by the chair, in the hash-chained log.
    expect(kiosk.services.trust.get(issuers[0]!)).toMatchObject({ status: 'approved', statusBy: 'chutich' });
    expect(kiosk.services.trust.get(issuers[1]!)).toMatchObject({ status: 'blocked', statusBy: 'chutich' });
    const log = kiosk.services.log.list({ kind: 'trust_changed', order: 'asc' });
    expect(log.map((e) => [e.details.action, e.details.issuerId])).toEqual([
      ['issuer_approved', issuers[0]],
      ['issuer_blocked', issuers[1]],
    ]);
    expect(kiosk.services.log.verify().ok).toBe(true);

    // VN now has an approved issuer: the banner is gone from the chair's other screens.
    await page.getByTestId('nav-checkin').click();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('trust-banner').count()).toBe(0);

    // English too.
    await page.getByTestId('nav-trust').click();
    await page.locator('.lang-toggle').click();
    await expect.poll(() => second.getByTestId('issuer-status').textContent()).toBe('Blocked');
    await shoot(page, 'trust-04-english');
  });
});
