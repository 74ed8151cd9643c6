/**
 * Every fuzz finding becomes a test here: the input that broke a parser (inline hex, reduced by hand
 * from the saved finding) and the behaviour it must have now. Findings came from the harness in
 * test/support/fuzz.ts (short runs in test/unit/fuzz-outside-bytes.test.ts, long runs in
 * bench/fuzz-long.bench.ts).
 */
import { describe, expect, it } from 'vitest';
import { Pn532Decoder, type Pn532DecoderEvent } from '../../native/pn532/codec';
import { fromHex } from '../../native/util/bytes';

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
