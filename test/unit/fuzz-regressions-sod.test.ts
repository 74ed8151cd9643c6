import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { passiveAuthentication } from '../../native/icao/passive-auth';
import { parseSod } from '../../native/icao/sod';
import { IcaoError } from '../../native/iso7816/sw';

const dir = path.resolve(import.meta.dirname, '../fixtures/fuzz-regressions');

describe('fuzz findings: EF.SOD', () => {
  it('a SOD whose signer issuer name is damaged is handled without a library error', () => {
    // Found by the 1 000 000-input fuzz run (seed 9097, input 23764): the damaged name broke the
    // re-encoding used to match the signer certificate, outside the parser's error handling. Since
    // issue 9 the sid is read from its own bytes in the one structural walk of the SOD: the input
    // is either rejected with a bilingual IcaoError or parsed, and then its signature fails.
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'sod-damaged-signer-issuer.bin')));
    let thrown: unknown;
    try {
      parseSod(bytes);
    } catch (e) {
      thrown = e;
    }
    if (thrown !== undefined) {
      expect(thrown).toBeInstanceOf(IcaoError);
      expect((thrown as IcaoError).vi.length).toBeGreaterThan(5);
    }
    const r = passiveAuthentication({ sod: bytes, dataGroups: new Map() });
    expect(r.signature.outcome).not.toBe('pass');
    for (const reason of r.reasons) expect(reason.vi.length).toBeGreaterThan(5);
  });
});
