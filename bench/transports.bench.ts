/**
 * Transport benchmarks (issue 4): what a reader stack costs per command, on the same full chip read
 * (readChip of the software CCCD: PACE with the CAN, CA, AA, every file incl. the 15 KB photo, passive
 * authentication), against the software card called directly in memory.
 *
 *   direct (extended)  the in-memory transport, extended length allowed (as a PC/SC reader does)
 *   direct (short)     the in-memory transport, short APDUs only (as a PN532 does)
 *   PC/SC              pcsc-lite → pcscd → vsmartcard vpcd → TCP → the software card (a private pcscd
 *                      when running as root, the system one otherwise)
 *   PN532              the PN532 driver → socat pty pair → the PN532 emulator → the software card
 *
 * For each: the wall time of a full read (median of RUNS), commands per second while reading (APDUs ÷
 * the time spent in transmit, as the read's own trace records it), and the added latency per command:
 * (time in transmit − the direct read's time in transmit for the same APDU shapes) ÷ APDUs. The card's
 * own work (crypto, file slicing) is in the direct figure, so the difference is the stack's cost.
 */
import { readChip, type ChipReadResult } from '../native/chip/read-chip';
import { TrustStore } from '../native/icao/trust-store';
import { createSoftCard, type SoftCard } from '../native/softcard/soft-card';
import { hostOnPn532, hostOnVpcd, waitInserted } from '../native/softcard/sim-hosts';
import type { CardTransport, TransportLimits } from '../native/transport/types';
import { createPtyPair } from '../test/support/socat';
import { testPcscd, useSocket } from '../test/support/pcscd';
import { commandBytes } from './chip.bench';
import { percentile, round, type Figure } from './lib';

const RUNS = 7;
const SHORT_LIMITS: Partial<TransportLimits> = {
  extendedLength: false,
  maxCommandLength: 261,
  maxResponseLength: 258,
};

interface Sample {
  wallMs: number;
  transmitMs: number;
  apdus: number;
  /** Bytes a PN532 UART would carry for this read: both frames and the ACK of every APDU. */
  uartBytes: number;
  verdict: string;
}

/** PN532 framing per APDU: command frame (APDU + 10), ACK (6), response frame (R-APDU + 10). */
const PN532_FRAME_OVERHEAD = 26;
const UART_BAUD = 115_200;

interface Series {
  name: string;
  samples: Sample[];
}

function sample(r: ChipReadResult, wallMs: number): Sample {
  return {
    wallMs,
    transmitMs: r.trace.reduce((s, t) => s + t.ms, 0),
    apdus: r.apdus,
    uartBytes: r.trace.reduce((sum, t) => sum + commandBytes(t) + t.responseLength + PN532_FRAME_OVERHEAD, 0),
    verdict: r.authenticity.verdict,
  };
}

async function timedRead(t: CardTransport, card: SoftCard, trust: TrustStore): Promise<Sample> {
  const start = performance.now();
  const r = await readChip(t, { qr: card.qrText }, { trustStore: trust });
  return sample(r, performance.now() - start);
}

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

function summary(s: Series): {
  wallMs: number;
  perCmdMs: number;
  cmdsPerSec: number;
  apdus: number;
  uartBytes: number;
  genuine: boolean;
} {
  const apdus = median(s.samples.map((x) => x.apdus));
  const transmit = median(s.samples.map((x) => x.transmitMs / x.apdus));
  return {
    wallMs: median(s.samples.map((x) => x.wallMs)),
    perCmdMs: transmit,
    cmdsPerSec: 1000 / transmit,
    apdus,
    uartBytes: median(s.samples.map((x) => x.uartBytes)),
    genuine: s.samples.every((x) => x.verdict === 'genuine'),
  };
}

async function directSeries(name: string, limits?: Partial<TransportLimits>): Promise<Series> {
  const card = createSoftCard(limits ? { limits } : {});
  const trust = new TrustStore();
  trust.addCertificate(card.csca.der, 'bench-csca');
  await timedRead(card.transport, card, trust); // warm-up (JIT, curve tables)
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timedRead(card.transport, card, trust));
  return { name, samples };
}

async function pcscSeries(): Promise<Series> {
  const pcscd = await testPcscd();
  useSocket(pcscd);
  await pcscd.start();
  const { PcscContext } = await import('../native/drivers/pcsc/pcsc');
  const card = createSoftCard();
  const trust = new TrustStore();
  trust.addCertificate(card.csca.der, 'bench-csca');
  const host = hostOnVpcd(card, { port: pcscd.ports[0] });
  const ctx = new PcscContext({ socketPath: pcscd.socketPath, pollIntervalMs: 100 });
  ctx.start();
  try {
    await waitInserted(host);
    await ctx.waitForCard(pcscd.readerNames[0], 15_000);
    const samples: Sample[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t = await ctx.connect(pcscd.readerNames[0]);
      try {
        const s = await timedRead(t, card, trust);
        if (i > 0) samples.push(s); // the first read is the warm-up
      } finally {
        await t.close();
      }
    }
    return { name: 'PC/SC (pcsc-lite + pcscd + vpcd)', samples };
  } finally {
    await ctx.stop();
    await host.stop();
    await pcscd.dispose();
  }
}

async function pn532Series(): Promise<Series> {
  const { openPn532, Pn532Transport } = await import('../native/drivers/pn532/pn532');
  const pty = await createPtyPair();
  const card = createSoftCard();
  const trust = new TrustStore();
  trust.addCertificate(card.csca.der, 'bench-csca');
  const host = await hostOnPn532(card, { path: pty.b });
  const dev = await openPn532(pty.a);
  try {
    const samples: Sample[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const target = await dev.inListPassiveTarget();
      if (!target) throw new Error('the PN532 emulator lists no card');
      const s = await timedRead(new Pn532Transport(dev, target), card, trust);
      if (i > 0) samples.push(s);
    }
    return { name: 'PN532 (driver + pty + emulator)', samples };
  } finally {
    await dev.close();
    await host.stop();
    await pty.close();
  }
}

export async function benchTransports(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const directExt = summary(await directSeries('direct, extended length'));
  const directShort = summary(await directSeries('direct, short APDUs', SHORT_LIMITS));
  for (const [label, d] of [
    ['direct call of the software card, extended length', directExt],
    ['direct call of the software card, short APDUs', directShort],
  ] as const) {
    figures.push(
      {
        name: `${label}: full read`,
        value: round(d.wallMs, 1),
        unit: 'ms',
        goal: 'baseline',
        note: `${d.apdus} APDUs, ${d.genuine ? 'genuine' : 'NOT genuine'}`,
      },
      {
        name: `${label}: commands per second`,
        value: round(d.cmdsPerSec, 0),
        unit: 'APDU/s',
        goal: 'baseline',
      },
    );
  }

  const transports: [string, () => Promise<Series>, ReturnType<typeof summary>, number][] = [
    ['PC/SC (pcsc-lite + pcscd + vpcd)', pcscSeries, directExt, 5000],
    ['PN532 (driver + socat pty + emulator)', pn532Series, directShort, 5000],
  ];
  for (const [label, run, base, goalMs] of transports) {
    let s: ReturnType<typeof summary>;
    try {
      s = summary(await run());
    } catch (e) {
      figures.push({
        name: `${label}: full read`,
        value: NaN,
        unit: 'ms',
        goal: `< ${goalMs} ms`,
        pass: false,
        note: `not measured: ${e instanceof Error ? e.message : String(e)}`,
      });
      continue;
    }
    figures.push(
      {
        name: `${label}: full read`,
        value: round(s.wallMs, 1),
        unit: 'ms',
        goal: `< ${goalMs} ms`,
        pass: s.wallMs < goalMs && s.genuine,
        note: `${s.apdus} APDUs, ${s.genuine ? 'genuine' : 'NOT genuine'}, median of ${RUNS}`,
      },
      {
        name: `${label}: commands per second`,
        value: round(s.cmdsPerSec, 1),
        unit: 'APDU/s',
        goal: 'informational',
      },
      {
        name: `${label}: added latency per command`,
        value: round(s.perCmdMs - base.perCmdMs, 2),
        unit: 'ms',
        goal: 'informational',
        note: `${round(s.perCmdMs, 2)} ms per APDU vs ${round(base.perCmdMs, 3)} ms calling the card directly`,
      },
    );
    if (label.startsWith('PN532')) {
      // A pty has no baud rate: a real PN532 on a 115200-baud UART (8N1, 10 bits a byte) adds the line time.
      const lineMs = (s.uartBytes * 10 * 1000) / UART_BAUD;
      figures.push({
        name: `${label}: full read at ${UART_BAUD} baud (modelled)`,
        value: round(s.wallMs + lineMs, 0),
        unit: 'ms',
        goal: `< ${goalMs} ms`,
        pass: s.wallMs + lineMs < goalMs,
        note: `measured + ${s.uartBytes} B on the line (${round(lineMs, 0)} ms); RF time not included`,
      });
    }
  }
  return figures;
}
