/**
 * Forger review (issue 9): "a trusted issuer configured for the card's country: an unknown issuer is
 * red". Which country is "the card's country" when the forger decides every field that names it?
 *
 * The station below trusts the genuine VN CSCA (the country VN is configured). A forged CCCD signed by
 * the forger's own CSCA must be red. Each test asserts the SAFE behaviour; a failing test is a hole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KioskServices } from '../../electron/core/services';
import type { CheckRecord } from '../../electron/core/check-service';
import { createSoftCard, type SoftCard } from '../../native/softcard/soft-card';
import { getTestPki, issueCertificate, makeName, type CertifiedKey } from '../../native/softcard/pki';
import { tempDir } from '../support/tmp';
import { checkCardAtStation } from '../support/trust-station';

const dir = tempDir('forger-country-');
const by = { station: 'forger-test', actor: 'examiner-1' };
const open: KioskServices[] = [];
afterAll(() => open.forEach((s) => s.close()));

const genuine = getTestPki();

/** The forger's own CSCA → DS, with the country the forger likes (or none at all). */
function forgerPki(country: string | undefined): CertifiedKey {
  const csca = issueCertificate({
    subject: makeName({ ...(country ? { C: country } : {}), O: 'Forger', CN: 'Forger CSCA' }),
    spec: { type: 'ec', curve: 'brainpoolP256r1' },
    ca: true,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2040, 0, 1)),
  });
  return issueCertificate({
    subject: makeName({ ...(country ? { C: country } : {}), O: 'Forger', CN: 'Forger DS' }),
    spec: { type: 'ec', curve: 'brainpoolP256r1' },
    issuer: csca,
    ca: false,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2035, 0, 1)),
  });
}

let n = 0;
function vnStation() {
  const k = ++n;
  const trustDir = path.join(dir, `trust${k}`);
  fs.mkdirSync(trustDir, { recursive: true });
  fs.writeFileSync(path.join(trustDir, 'vn-csca.pem'), genuine.csca.pem);
  const services = new KioskServices({ dbPath: path.join(dir, `k${k}.db`), trustStoreDir: trustDir });
  open.push(services);
  return { services, trustDir };
}

/** Reads `card` as the kiosk does (trust folder + registry) and checks it into a fresh session. */
const check = (s: { services: KioskServices; trustDir: string }, card: SoftCard): Promise<CheckRecord> =>
  checkCardAtStation(s, card, by, dir);

describe('forger: the card country comes from forger-controlled fields', () => {
  it('baseline: a forged VNM CCCD under the forger CSCA (C=VN) is red on a VN-configured kiosk', async () => {
    const r = await check(vnStation(), createSoftCard({ build: { faults: { signer: forgerPki('VN') } } }));
    expect(r.outcome).toBe('rejected');
  });

  it('no DG1 in the SOD and a DS whose issuer has no C: still red on a VN-configured kiosk', async () => {
    // DG13 alone carries the identity of a CCCD; without DG1 there is no MRZ issuing state, and the
    // DS's issuer names no country: the kiosk has no country to compare against.
    const card = createSoftCard({
      build: { faults: { signer: forgerPki(undefined), omitFromSod: [1] } },
    });
    const r = await check(vnStation(), card);
    expect(r.identity.verdict).toBe('match');
    expect(r.outcome).toBe('rejected');
  });

  it('no DG1 in the SOD and a DS of an unconfigured country (C=LA): still red on a CCCD kiosk', async () => {
    const card = createSoftCard({
      build: { faults: { signer: forgerPki('LA'), omitFromSod: [1] } },
    });
    const r = await check(vnStation(), card);
    expect(r.identity.verdict).toBe('match');
    expect(r.outcome).toBe('rejected');
  });
});
