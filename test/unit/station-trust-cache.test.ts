/**
 * Issue 14: the station trust store is parsed and verified once and built again only when a trust
 * file or a chair's decision changes (what used to happen at every card).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { StationTrustStore } from '../../electron/core/trust-folder';
import type { TrustStore } from '../../native/icao/trust-store';
import { createSoftCard } from '../../native/softcard/soft-card';
import { tempDir } from '../support/tmp';

describe('the cached station trust store', () => {
  it('is loaded once, and again after a trust file or a decision changes', async () => {
    const dir = tempDir();
    const card = createSoftCard();
    fs.writeFileSync(path.join(dir, 'vn.pem'), card.csca.pem);
    let generation = 'g1';
    let applied = 0;
    const registry = {
      applyTo(store: TrustStore): TrustStore {
        applied++;
        return store;
      },
      generation: () => generation,
    };
    const cache = new StationTrustStore(dir, registry);
    const first = await cache.get();
    expect(first.anchors).toHaveLength(1);
    expect(await cache.get()).toBe(first);
    expect(await cache.get()).toBe(first);
    expect(applied).toBe(1);

    // A new file: built again, with it.
    fs.writeFileSync(
      path.join(dir, 'other.pem'),
      createSoftCard({ build: { pkiOptions: { cscaName: 'CSCA Test 2' } } }).csca.pem,
    );
    const second = await cache.get();
    expect(second).not.toBe(first);
    expect(applied).toBe(2);

    // A chair's decision: built again (pins and blocks applied to a fresh store).
    generation = 'g2';
    const third = await cache.get();
    expect(third).not.toBe(second);
    expect(applied).toBe(3);
    expect(await cache.get()).toBe(third);

    // A removed file too.
    fs.rmSync(path.join(dir, 'other.pem'));
    const fourth = await cache.get();
    expect(fourth).not.toBe(third);
    expect(fourth.anchors).toHaveLength(1);
  });
});
