/**
 * The software-card holder: the default fictional person is consistent (ID digits, MRZ, expiry),
 * a JSON file is validated with field names in both languages, and MRZ names are derived from the
 * full name when the file omits them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardExpiry } from '../../native/cccd/expiry';
import { checkIdNumber } from '../../native/cccd/id-number';
import { IcaoError } from '../../native/iso7816/sw';
import { parseDg13 } from '../../native/cccd/dg13';
import { parseDg1, dataGroupFid } from '../../native/icao/lds';
import { buildSoftCard } from '../../native/softcard/lds-builder';
import { DEFAULT_PERSON, loadSoftPerson, mrzNames, parseSoftPerson } from '../../native/softcard/person';
import { tempDir } from '../support/tmp';

describe('DEFAULT_PERSON', () => {
  it('is self-consistent under the CCCD rules', () => {
    expect(
      checkIdNumber(DEFAULT_PERSON.idNumber, {
        dateOfBirth: DEFAULT_PERSON.dateOfBirth,
        sex: DEFAULT_PERSON.sex,
      }).ok,
    ).toBe(true);
    expect(cardExpiry(DEFAULT_PERSON.dateOfBirth, DEFAULT_PERSON.dateOfIssue)).toBe(
      DEFAULT_PERSON.dateOfExpiry,
    );
    expect(mrzNames(DEFAULT_PERSON)).toEqual({ surname: 'NGUYEN', givenNames: 'THI MAI ANH' });
  });
});

describe('loadSoftPerson', () => {
  const dir = tempDir('person-');

  it('loads a JSON file, fills defaults and derives the MRZ names', async () => {
    const file = path.join(dir, 'holder.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        idNumber: '079305001234',
        fullName: 'Đặng Thị Ngọc Ánh',
        dateOfBirth: '2005-03-09',
        sex: 'F',
        placeOfOrigin: 'Phường 1, Quận 3, TP. Hồ Chí Minh',
        residence: 'Số 5 Đường Số 7, Phường 2, Quận 3, TP. Hồ Chí Minh',
        dateOfIssue: '2023-05-01',
        dateOfExpiry: '2030-03-09',
        father: 'Đặng Văn Hùng',
        mother: 'Lý Thị Lan',
        spouse: 'Võ Minh Khoa',
      }),
    );
    const person = await loadSoftPerson(file);
    expect(person.nationality).toBe('Việt Nam');
    expect(person.photoSeed).toBe(1);
    expect(mrzNames(person)).toEqual({ surname: 'DANG', givenNames: 'THI NGOC ANH' });
    const card = buildSoftCard({ person });
    const dg1 = parseDg1(card.files.get(dataGroupFid(1))!);
    expect(dg1.mrz.surname).toBe('DANG');
    expect(dg1.mrz.cccd?.idNumber).toBe('079305001234');
    const dg13 = parseDg13(card.files.get(dataGroupFid(13))!);
    expect(dg13.spouseName).toBe('Võ Minh Khoa');
    expect(dg13.oldIdNumber).toBeUndefined();
  });

  it('names the invalid fields and never echoes their values', () => {
    try {
      parseSoftPerson({ ...DEFAULT_PERSON, idNumber: '12345', dateOfBirth: '1998-02-30', sex: 'X' });
      throw new Error('expected a validation error');
    } catch (e) {
      expect(e).toBeInstanceOf(IcaoError);
      const err = e as IcaoError;
      expect(err.code).toBe('soft_person_invalid');
      for (const text of [err.vi, err.en]) {
        expect(text).toContain('idNumber');
        expect(text).toContain('dateOfBirth');
        expect(text).toContain('sex');
        expect(text).not.toContain('12345');
      }
    }
  });

  it('reports unreadable and non-JSON files', async () => {
    await expect(loadSoftPerson(path.join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'soft_person_unreadable',
    });
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    await expect(loadSoftPerson(bad)).rejects.toMatchObject({ code: 'soft_person_invalid' });
  });
});
