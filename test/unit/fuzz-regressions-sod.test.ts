import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { parseSod } from '../../native/icao/sod';
import { IcaoError } from '../../native/icao/sw';

const dir = path.resolve(import.meta.dirname, '../fixtures/fuzz-regressions');

describe('fuzz findings: EF.SOD', () => {
  it('a SOD whose signer issuer name is damaged is rejected as malformed, not with a library error', () => {
    // Found by the 1 000 000-input fuzz run (seed 9097, input 23764): the damaged name broke the
    // re-encoding used to match the signer certificate, outside the parser's error handling.
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'sod-damaged-signer-issuer.bin')));
    let thrown: unknown;
    try {
      parseSod(bytes);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IcaoError);
    expect((thrown as IcaoError).vi.length).toBeGreaterThan(5);
  });
});
