/**
 * A small deterministic pseudo-random generator (mulberry32) for fictional data: demo rosters, test
 * people, the synthetic face photo. The same seed gives the same sequence on every machine.
 * Never for keys, nonces or challenges (those use node:crypto).
 */

/** Returns a generator of numbers in [0, 1) seeded by `seed` (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
