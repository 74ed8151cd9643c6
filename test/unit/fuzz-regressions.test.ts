/**
 * Every fuzz finding becomes a test here: the input that broke a parser (inline hex, reduced by hand
 * from the saved finding) and the behaviour it must have now. Findings came from the harness in
 * test/support/fuzz.ts (short runs in test/unit/fuzz-outside-bytes.test.ts, long runs in
 * bench/fuzz-long.bench.ts).
 */
import { describe, expect, it } from 'vitest';
import { Pn532Decoder, type Pn532DecoderEvent } from '../../native/drivers/pn532/codec';
import { fromHex } from '../../native/util/bytes';
import { CHANNEL_NAMES, channels } from '../../electron/shared/ipc-contract';
import { fuzzTargets, mulberry32 } from '../support/fuzz';
import { IPC_TEMPLATES } from '../support/fuzz-targets';

function frames(events: Pn532DecoderEvent[]): string[] {
  return events
    .filter((e) => e.type !== 'garbage' && e.type !== 'checksum-error')
    .map((e) => (e.type === 'data' ? `data ${e.command.toString(16)}` : e.type));
}

function decodeWhole(hexText: string): string[] {
  return frames(new Pn532Decoder().push(fromHex(hexText)));
}

function decodeByteByByte(hexText: string): string[] {
  const d = new Pn532Decoder();
  const out: Pn532DecoderEvent[] = [];
  for (const b of fromHex(hexText)) out.push(...d.push(Uint8Array.of(b)));
  return frames(out);
}

describe('PN532 decoder (fuzz finding pn532 seed 1 #2389)', () => {
  // A NACK without postamble, then an error frame without preamble: the 00 after the NACK is the
  // first byte of the next start code, not a postamble. It used to be eaten as one, losing the frame
  // when the bytes came in one chunk but not when they came one by one.
  it('a frame right after a postamble-less frame is not lost', () => {
    const stream = '00FFFF00' + '00FF01FF7F81';
    expect(decodeWhole(stream)).toEqual(['nack', 'error']);
    expect(decodeByteByByte(stream)).toEqual(['nack', 'error']);
  });

  it('an ACK then a response, both without preamble and postamble, gives both frames', () => {
    // ACK, then the InListPassiveTarget response D5 4B 00 (no target).
    const stream = '00FF00FF' + '00FF03FDD54B00E0';
    expect(decodeWhole(stream)).toEqual(['ack', 'data 4b']);
    expect(decodeByteByByte(stream)).toEqual(['ack', 'data 4b']);
  });

  it('the original finding decodes the same whole and in its chunks', () => {
    const parts = [
      '0000FF1AE6D50B1E15E1B4D8B0637C8556044DEF941E5256DE0903B3FE1D83410000FF00FFFFFF00FF000000',
      'FF',
      'FF',
      '00',
      '00FF01FF7F81',
    ];
    const d = new Pn532Decoder();
    const chunked = frames(parts.flatMap((p) => d.push(fromHex(p))));
    expect(chunked).toEqual(decodeWhole(parts.join('')));
    expect(chunked.slice(-2)).toEqual(['nack', 'error']);
  });

  it('a real postamble is still skipped: frames with preamble and postamble decode as before', () => {
    expect(decodeWhole('0000FF00FF00' + '0000FF03FDD54B00E000')).toEqual(['ack', 'data 4b']);
    expect(decodeByteByByte('0000FF00FF00' + '0000FF03FDD54B00E000')).toEqual(['ack', 'data 4b']);
  });
});

describe('IPC payloads with a "__proto__" key (the first long run of ipc-schema, seed 20272127)', () => {
  // The run stopped on objects whose PROTOTYPE was a Uint8Array (zod then throws reading `length`).
  // Neither JSON.parse (the bridge) nor structured clone (Electron IPC) can deliver such an object: both
  // make "__proto__" an ordinary own key. The generator now does the same; these pin both facts.
  it('every channel refuses or accepts a JSON payload with a "__proto__" key without throwing', () => {
    for (const c of CHANNEL_NAMES) {
      const body = JSON.stringify({ ...(IPC_TEMPLATES[c] as object) }).replace(
        /^\{/,
        '{"__proto__":{"length":3},',
      );
      const payload = JSON.parse(body.replace(/,}$/, '}')) as object;
      expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
      expect(() => channels[c].request.safeParse(payload), c).not.toThrow();
      // Strict objects: the unknown key is refused.
      expect(channels[c].request.safeParse(payload).success, c).toBe(false);
    }
  });

  it('the IPC fuzzers only make objects JSON or structured clone could deliver', () => {
    const t = fuzzTargets()['ipc-schema'];
    const rng = mulberry32(20272127);
    const allowed = new Set<unknown>([
      Object.prototype,
      Array.prototype,
      Date.prototype,
      Map.prototype,
      Uint8Array.prototype,
    ]);
    const walk = (v: unknown, depth: number): void => {
      if (v === null || typeof v !== 'object' || depth > 8) return;
      expect(allowed.has(Object.getPrototypeOf(v))).toBe(true);
      if (v instanceof Map || v instanceof Uint8Array || v instanceof Date) return;
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], depth + 1);
    };
    for (let i = 0; i < 20_000; i++) walk((t.next(rng) as { payload: unknown }).payload, 0);
  });
});
