/**
 * The attack lab's faults do what they say, on the card itself (whatever the kiosk makes of them):
 * the spliced SOD has its trailing element and a genuine signature over the genuine attributes, a
 * withheld file answers 6A82 while the SOD lists it, AA gets a bare 6D00, the CA clone a bare status
 * word, PACE a bad chip token, the trust faults carry the certificates they claim, and `--csca-out` /
 * trustFolderFor hold what a real kiosk of the scenario would trust.
 */
import { verify as nodeVerify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import {
  BasicConstraints,
  Certificate,
  KeyUsage,
  KeyUsageFlags,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  AuthorityKeyIdentifier,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { encodeCommand, parseResponse } from '../../native/iso7816/apdu';
import { parseCardAccess, preferredPaceInfo } from '../../native/icao/card-access';
import { chipAuthenticate } from '../../native/icao/chip-auth';
import { parseDg13 } from '../../native/cccd/dg13';
import { parseDg14 } from '../../native/icao/dg14';
import { FileReader, readFile, selectApplication } from '../../native/icao/file-reader';
import { LdsSecurityObject } from '../../native/icao/icao-asn1';
import { FID, dataGroupFid, parseDg1, parseEfCom } from '../../native/icao/lds';
import { pace } from '../../native/icao/pace';
import { SecureTransport, protectCommand, unprotectResponse } from '../../native/icao/sm';
import { CardStatusError } from '../../native/iso7816/sw';
import { decodeAll, decodeOne } from '../../native/iso7816/tlv';
import { attackPki, trustFolderFor, writeTrustFolder } from '../../native/softcard/attack-pki';
import { getTestPki } from '../../native/softcard/pki';
import {
  FAULT_NAMES,
  createSoftCard,
  faultName,
  parseFault,
  type SoftCard,
} from '../../native/softcard/soft-card';
import type { CardTransport } from '../../native/transport/types';
import { digest } from '../../native/icao/signature';

const sha256 = (b: Uint8Array): Uint8Array => digest('sha256', b);
import { tempDir } from '../support/tmp';

const root = tempDir('attack-lab-faults-');

function sodParts(card: SoftCard) {
  const ciDer = decodeOne(card.files.get(FID.sod)!).value;
  const ci = AsnParser.parse(ciDer, ContentInfo);
  const sd = AsnParser.parse(ci.content, SignedData);
  const lds = AsnParser.parse(sd.encapContentInfo.eContent!.single!.buffer, LdsSecurityObject);
  const hashes = new Map(
    lds.dataGroupHashValues.map((h) => [h.dataGroupNumber, new Uint8Array(h.dataGroupHashValue.buffer)]),
  );
  const explicit = decodeAll(decodeOne(ciDer).value)[1]!;
  const elements = decodeAll(decodeOne(explicit.value).value);
  const sdValue = decodeOne(explicit.value).value;
  return { ci, sd, lds, hashes, elements, sdValue };
}

function dsCert(card: SoftCard): Certificate {
  return sodParts(card).sd.certificates![0]!.certificate!;
}

function ext<T>(cert: Certificate, oid: string, type: new () => T): T | undefined {
  const e = cert.tbsCertificate.extensions?.find((x) => x.extnID === oid);
  return e ? AsnParser.parse(e.extnValue.buffer, type) : undefined;
}

async function openSecure(card: SoftCard, raw: CardTransport = card.transport): Promise<SecureTransport> {
  const access = parseCardAccess((await readFile(raw, FID.cardAccess)).data);
  const secure = new SecureTransport(
    raw,
    await pace(raw, { kind: 'can', can: card.can }, preferredPaceInfo(access)!),
  );
  await selectApplication(secure);
  return secure;
}

/** The raw responses the card gave, for looking past the terminal stack. */
function recording(t: CardTransport): CardTransport & { responses: Uint8Array[] } {
  const responses: Uint8Array[] = [];
  return {
    name: t.name,
    limits: t.limits,
    responses,
    async transmit(c) {
      const r = await t.transmit(c);
      responses.push(r);
      return r;
    },
  };
}

const select = (fid: number): Uint8Array =>
  encodeCommand({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(fid >> 8, fid & 0xff) });

function hashOk(card: SoftCard, n: number): boolean {
  const want = sodParts(card).hashes.get(n);
  const file = card.files.get(dataGroupFid(n));
  return !!want && !!file && Buffer.from(sha256(file)).equals(Buffer.from(want));
}

describe('fault names', () => {
  it('every contract name parses, round-trips and is listed', () => {
    const names = [
      'splice-signer-info',
      'withhold-dg14',
      'withhold-dg15',
      'withhold-dg2',
      'aa-not-supported',
      'ca-bare-sw',
      'pace-bad-token',
      'own-csca',
      'foreign-csca',
      'ds-no-keyusage',
      'csca-not-ca',
      'dg1-dg13-mismatch',
      'plain-errors',
      'dg2-no-template',
    ];
    for (const n of names) {
      expect(faultName(parseFault(n))).toBe(n);
      expect(FAULT_NAMES).toContain(n);
    }
    expect(parseFault('ca-bare-sw:6a82')).toEqual({ kind: 'ca-bare-sw', sw: 0x6a82 });
    expect(faultName(parseFault('ca-bare-sw:6a82'))).toBe('ca-bare-sw:6A82');
    expect(() => parseFault('ca-bare-sw:zz')).toThrow();
  });
});

describe('splice-signer-info', () => {
  const card = createSoftCard({ faults: ['splice-signer-info'] });
  const { sd, elements, sdValue, hashes } = sodParts(card);

  it('SignedData has the genuine signerInfos SET as an extra trailing element', () => {
    // version, digestAlgorithms, encapContentInfo, [0] certificates, signerInfos, + the genuine SET
    expect(elements.map((e) => e.tag)).toEqual([0x02, 0x31, 0x30, 0xa0, 0x31, 0x31]);
    const forgedSet = sdValue.subarray(elements[4]!.offset, elements[4]!.offset + elements[4]!.length);
    const genuineSet = sdValue.subarray(elements[5]!.offset, elements[5]!.offset + elements[5]!.length);
    expect(Buffer.from(forgedSet).equals(Buffer.from(genuineSet))).toBe(false);
  });

  it("the forged LDSSecurityObject hashes the card's own (altered) groups; the SignerInfo names the genuine DS", () => {
    for (const n of [1, 2, 13, 14, 15]) expect(hashOk(card, n), `DG${n}`).toBe(true);
    const ds = sd.certificates![0]!.certificate!;
    const genuineDs = getTestPki().ds.cert;
    expect(
      Buffer.from(ds.tbsCertificate.serialNumber).equals(Buffer.from(genuineDs.tbsCertificate.serialNumber)),
    ).toBe(true);
    const sid = sd.signerInfos[0]!.sid.issuerAndSerialNumber!;
    expect(Buffer.from(sid.serialNumber).equals(Buffer.from(genuineDs.tbsCertificate.serialNumber))).toBe(
      true,
    );
    // The forged attributes' messageDigest is the forged content's hash.
    const md = sd.signerInfos[0]!.signedAttrs!.find((a) => a.attrType === '1.2.840.113549.1.9.4')!;
    const eContent = new Uint8Array(sd.encapContentInfo.eContent!.single!.buffer);
    expect(
      Buffer.from(decodeOne(new Uint8Array(md.attrValues[0]!)).value).equals(Buffer.from(sha256(eContent))),
    ).toBe(true);
    expect(hashes.size).toBeGreaterThan(0);
  });

  it('the signature value verifies with the genuine DS key over the trailing (genuine) attributes only', () => {
    const genuineSet = decodeOne(sdValue.subarray(elements[5]!.offset));
    const genuineInfo = decodeAll(genuineSet.value)[0]!;
    const attrs = decodeAll(genuineInfo.value).find((t) => t.tag === 0xa0)!;
    const attrsDer = genuineInfo.value.slice(attrs.offset, attrs.offset + attrs.length);
    attrsDer[0] = 0x31;
    const signature = new Uint8Array(sd.signerInfos[0]!.signature.buffer);
    const dsKey = getTestPki().ds.publicKey;
    expect(nodeVerify('sha256', attrsDer, { key: dsKey, dsaEncoding: 'der' }, signature)).toBe(true);
    const forgedAttrs = decodeAll(
      decodeAll(decodeOne(sdValue.subarray(elements[4]!.offset)).value)[0]!.value,
    ).find((t) => t.tag === 0xa0)!;
    const forgedDer = decodeAll(decodeOne(sdValue.subarray(elements[4]!.offset)).value)[0]!.value.slice(
      forgedAttrs.offset,
      forgedAttrs.offset + forgedAttrs.length,
    );
    forgedDer[0] = 0x31;
    expect(nodeVerify('sha256', forgedDer, { key: dsKey, dsaEncoding: 'der' }, signature)).toBe(false);
  });
});

describe.each([14, 15, 2])('withhold-dg%i', (n) => {
  const card = createSoftCard({ faults: [`withhold-dg${n}`] });

  it('the SOD lists the group, EF.COM omits it, the chip answers 6A82', async () => {
    expect(sodParts(card).hashes.has(n)).toBe(true);
    expect(parseEfCom(card.files.get(FID.com)!).dataGroups).not.toContain(n);
    const secure = await openSecure(card);
    const err = await new FileReader(secure).readFile(dataGroupFid(n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CardStatusError);
    expect((err as CardStatusError).sw).toBe(0x6a82);
    // The other groups still read (the channel stays up).
    const { data } = await new FileReader(secure).readFile(dataGroupFid(1));
    expect(data.length).toBeGreaterThan(90);
  });
});

describe('aa-not-supported', () => {
  it('DG15 is present and signed; INTERNAL AUTHENTICATE gets a bare 6D00 that was not counted', async () => {
    const card = createSoftCard({ faults: ['aa-not-supported'] });
    expect(hashOk(card, 15)).toBe(true);
    expect(parseEfCom(card.files.get(FID.com)!).dataGroups).toContain(15);
    const raw = recording(card.transport);
    const secure = await openSecure(card, raw);
    const r = await secure.transmit(
      encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: new Uint8Array(8), le: 256 }),
    );
    expect(parseResponse(r).sw).toBe(0x6d00);
    expect([...raw.responses.at(-1)!]).toEqual([0x6d, 0x00]);
    // SecureTransport rolled its counter back for a bare error: the chip did not count it either.
    const { data } = await new FileReader(secure).readFile(dataGroupFid(1));
    expect(data.length).toBeGreaterThan(90);
  });
});

describe.each([
  ['ca-bare-sw', [0x90, 0x00]],
  ['ca-bare-sw:6A82', [0x6a, 0x82]],
])('%s', (fault, bare) => {
  it('MSE and GENERAL AUTHENTICATE are answered; the confirmation gets a bare status word', async () => {
    const card = createSoftCard({ faults: [fault] });
    const raw = recording(card.transport);
    const secure = await openSecure(card, raw);
    const dg14 = parseDg14((await new FileReader(secure).readFile(dataGroupFid(14))).data);
    const before = raw.responses.length;
    await chipAuthenticate(secure, dg14.chipAuthKeys[0]!).catch(() => undefined);
    const answers = raw.responses.slice(before);
    expect(answers.length).toBe(3); // MSE:Set AT, GENERAL AUTHENTICATE, the confirming SELECT
    expect(answers[0]!.length).toBeGreaterThan(2); // under the old keys
    expect(answers[1]!.length).toBeGreaterThan(2);
    expect([...answers[2]!]).toEqual(bare);
  });
});

describe('pace-bad-token', () => {
  it('PACE fails on the chip token; the same card without the fault opens', async () => {
    const bad = createSoftCard({ faults: ['pace-bad-token'] });
    await expect(openSecure(bad)).rejects.toThrow();
    const good = createSoftCard();
    await expect(openSecure(good)).resolves.toBeInstanceOf(SecureTransport);
  });
});

describe('trust faults', () => {
  const genuine = getTestPki();
  const ski = (c: Certificate) =>
    Buffer.from(ext(c, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier)!.buffer).toString('hex');
  const aki = (c: Certificate) =>
    Buffer.from(ext(c, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier)!.keyIdentifier!.buffer).toString(
      'hex',
    );

  it("own-csca: the DS's issuer has the genuine CSCA's DN but another key, and is not in the trust folder", () => {
    const card = createSoftCard({ faults: ['own-csca'] });
    const ds = dsCert(card);
    const g = genuine.csca.cert.tbsCertificate.subject;
    expect(Buffer.from(nameDer(ds.tbsCertificate.issuer)).equals(Buffer.from(nameDer(g)))).toBe(true);
    expect(aki(ds)).not.toBe(ski(genuine.csca.cert));
    expect(aki(ds)).toBe(ski(attackPki('own-csca').issuer.cert));
    expect(card.trustFolder.map((f) => f.role)).toEqual(['genuine-csca']);
    expect(Buffer.from(card.trustFolder[0]!.der).equals(Buffer.from(genuine.csca.der))).toBe(true);
  });

  it('foreign-csca: a trusted C=DE CSCA issued the DS of this VNM card', () => {
    const card = createSoftCard({ faults: ['foreign-csca'] });
    const ds = dsCert(card);
    expect(countryOf(ds.tbsCertificate.issuer)).toBe('DE');
    expect(parseDg1(card.files.get(dataGroupFid(1))!).mrz.issuingState).toBe('VNM');
    expect(card.trustFolder.map((f) => f.role)).toEqual(['genuine-csca', 'foreign-csca']);
    expect(aki(ds)).toBe(ski(AsnParser.parse(card.trustFolder[1]!.der, Certificate)));
  });

  it('ds-no-keyusage: the DS keyUsage is keyEncipherment only, issued by the genuine CSCA', () => {
    const ds = dsCert(createSoftCard({ faults: ['ds-no-keyusage'] }));
    const ku = ext(ds, id_ce_keyUsage, KeyUsage)!;
    expect(ku.toNumber() & KeyUsageFlags.digitalSignature).toBe(0);
    expect(ku.toNumber() & KeyUsageFlags.keyEncipherment).toBe(KeyUsageFlags.keyEncipherment);
    expect(aki(ds)).toBe(ski(genuine.csca.cert));
  });

  it('csca-not-ca: the issuer has no basicConstraints cA and sits in the trust folder', () => {
    const card = createSoftCard({ faults: ['csca-not-ca'] });
    const issuerFile = card.trustFolder.find((f) => f.role === 'non-ca-issuer')!;
    const issuer = AsnParser.parse(issuerFile.der, Certificate);
    const bc = ext(issuer, id_ce_basicConstraints, BasicConstraints);
    expect(bc?.cA ?? false).toBe(false);
    expect(aki(dsCert(card))).toBe(ski(issuer));
  });

  it('--csca-out / writeTrustFolder writes those files, never a forger CSCA', async () => {
    const dir = path.join(root, 'trust');
    const files = await writeTrustFolder(dir, ['foreign-csca', 'csca-not-ca', 'own-csca']);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(
      ['csca-de-test.pem', 'csca-vn-test.pem', 'issuer-vn-not-ca.pem'].sort(),
    );
    const forger = attackPki('own-csca').issuer.pem;
    for (const f of files) expect(fs.readFileSync(f, 'utf8')).not.toBe(forger);
    expect(trustFolderFor([]).length).toBe(1);
  });
});

describe('dg1-dg13-mismatch', () => {
  it('DG1 and DG13 carry different ID numbers; both hashes are in the SOD and match', () => {
    const card = createSoftCard({ faults: ['dg1-dg13-mismatch'] });
    const dg1 = parseDg1(card.files.get(dataGroupFid(1))!);
    const dg13 = parseDg13(card.files.get(dataGroupFid(13))!);
    expect(dg1.mrz.cccd?.idNumber).toBeDefined();
    expect(dg1.mrz.cccd!.idNumber).not.toBe(dg13.idNumber);
    expect(dg13.idNumber).toBe(card.person.idNumber);
    expect(hashOk(card, 1) && hashOk(card, 13)).toBe(true);
  });
});

describe('plain-errors (honest)', () => {
  it('a missing file gets a plain 6A82 after the chip counted the command', async () => {
    const card = createSoftCard({ faults: ['plain-errors'] });
    expect(parseEfCom(card.files.get(FID.com)!).dataGroups).toContain(15);
    expect(card.files.has(dataGroupFid(15))).toBe(false);
    expect(sodParts(card).hashes.has(15)).toBe(false);
    const secure = await openSecure(card);
    const session = secure.session;
    const raw = await card.transport.transmit(protectCommand(session, select(dataGroupFid(15))));
    expect([...raw]).toEqual([0x6a, 0x82]);
    // The chip counted the command (not a response): protecting the next one from there works.
    const ok = await card.transport.transmit(protectCommand(session, select(dataGroupFid(1))));
    expect(unprotectResponse(session, ok).sw).toBe(0x9000);
  });

  it('a terminal that rolls its counter back loses the channel (the bug of issue 9 item 15)', async () => {
    const card = createSoftCard({ faults: ['plain-errors'] });
    const secure = await openSecure(card);
    const session = secure.session;
    const before = session.ssc.slice();
    await card.transport.transmit(protectCommand(session, select(dataGroupFid(15))));
    session.ssc = before;
    const r = await card.transport.transmit(protectCommand(session, select(dataGroupFid(1))));
    expect(r.length).toBe(2);
    expect(parseResponse(r).sw).toBe(0x6988);
  });
});

describe('dg2-no-template (honest)', () => {
  it('DG2 starts with 7F61 (no 0x75), says JPEG 2000 for a JPEG, and is hashed as it is', () => {
    const card = createSoftCard({ faults: ['dg2-no-template'] });
    const dg2 = card.files.get(dataGroupFid(2))!;
    expect([dg2[0], dg2[1]]).toEqual([0x7f, 0x61]);
    expect(hashOk(card, 2)).toBe(true);
    // The facial record's image information: face type, then the image data type (1 = JPEG 2000).
    const jpeg = Buffer.from(dg2).indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    expect(jpeg).toBeGreaterThan(0);
    expect(dg2[jpeg - 11]).toBe(1);
    expect(parseEfCom(card.files.get(FID.com)!).dataGroups).toContain(2);
  });
});

function nameDer(name: Certificate['tbsCertificate']['issuer']): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(name));
}

function countryOf(name: Certificate['tbsCertificate']['issuer']): string | undefined {
  for (const rdn of name) for (const atv of rdn) if (atv.type === '2.5.4.6') return atv.value.toString();
  return undefined;
}
