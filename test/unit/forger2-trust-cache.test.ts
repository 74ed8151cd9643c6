/**
 * Forger review, round 2 (issue 9): the cached station trust store (StationTrustStore) must be
 * rebuilt whenever what it trusts changes, even when a trust file is replaced by one of the same
 * size with its modification time put back (`cp -p`, `rsync -t`, `touch -r`, an unzip, a copy on a
 * FAT/exFAT stick with 2-second times): the trusted CSCA removed must not stay trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StationTrustStore } from '../../electron/core/trust-folder';
import { getTestPki, issueCertificate, makeName } from '../../native/softcard/pki';
import { tempDir } from '../support/tmp';

const dir = tempDir('forger2-cache-');

describe('StationTrustStore cache', () => {
  it('a trust file replaced by another of the same size and modification time is seen', async () => {
    const genuine = getTestPki();
    // Another CSCA of exactly the same PEM size (same names, key type and validity, fresh key).
    let other = issueCertificate({
      subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' }),
      spec: genuine.csca.spec,
      ca: true,
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2040, 0, 1)),
    });
    for (let i = 0; i < 50 && other.pem.length !== genuine.csca.pem.length; i++)
      other = issueCertificate({
        subject: makeName({ C: 'VN', O: 'CCCD Kiosk Test PKI', CN: 'CCCD Kiosk Test CSCA' }),
        spec: genuine.csca.spec,
        ca: true,
        notBefore: new Date(Date.UTC(2020, 0, 1)),
        notAfter: new Date(Date.UTC(2040, 0, 1)),
      });
    expect(other.pem.length).toBe(genuine.csca.pem.length);
    const trustDir = path.join(dir, 't1');
    fs.mkdirSync(trustDir, { recursive: true });
    const file = path.join(trustDir, 'vn-csca.pem');
    fs.writeFileSync(file, genuine.csca.pem);
    const t = new Date(Date.UTC(2026, 0, 2, 3, 4, 6));
    fs.utimesSync(file, t, t);
    const st = fs.statSync(file);
    const cache = new StationTrustStore(trustDir);
    const before = await cache.get();
    const fp = (s: typeof before) => s.anchors.map((a) => Buffer.from(a.der).toString('hex'));
    expect(fp(before)).toHaveLength(1);
    // The genuine CSCA is replaced; the file keeps its size and its modification time.
    fs.writeFileSync(file, other.pem);
    fs.utimesSync(file, t, t);
    expect(fs.statSync(file).size).toBe(st.size);
    expect(fs.statSync(file).mtimeMs).toBe(st.mtimeMs);
    const after = await cache.get();
    expect(fp(after)).not.toEqual(fp(before));
  });
});
