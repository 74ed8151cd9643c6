/**
 * The one card-transport interface. BAC, PACE, secure messaging and file reading sit on top of it
 * and never know whether the bytes went through PC/SC, a PN532 or the software card.
 */

export interface TransportLimits {
  /** Largest command APDU (header + body) the transport carries, in bytes. */
  maxCommandLength: number;
  /** Largest response APDU (data + SW1SW2) the transport returns, in bytes. */
  maxResponseLength: number;
  /** Whether the transport (reader) passes extended-length APDUs. A card may still refuse them. */
  extendedLength: boolean;
}

export interface CardTransport {
  /** Human-readable name for traces (reader name; never personal data). */
  readonly name: string;
  readonly limits: TransportLimits;
  /** Sends one command APDU and returns the response APDU (data followed by SW1 SW2). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
}

/**
 * A transport that wraps another (guards, progress, recording): the same name and limits, its own
 * transmit, which passes the command on to `inner`.
 */
export abstract class ForwardingTransport implements CardTransport {
  constructor(protected readonly inner: CardTransport) {}

  get name(): string {
    return this.inner.name;
  }

  get limits(): TransportLimits {
    return this.inner.limits;
  }

  abstract transmit(command: Uint8Array): Promise<Uint8Array>;
}

/** Thrown by a transport when the card left the field or the reader went away. Retryable. */
export class CardRemovedError extends Error {
  readonly retryable = true;
  constructor(message = 'card removed') {
    super(message);
    this.name = 'CardRemovedError';
  }
}

/** Thrown by a transport when the card or reader did not answer in time. Retryable. */
export class TransportTimeoutError extends Error {
  readonly retryable = true;
  constructor(message = 'card did not answer in time') {
    super(message);
    this.name = 'TransportTimeoutError';
  }
}
