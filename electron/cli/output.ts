import type { AuthenticityVerdict, Bilingual, IssuerStatus, Outcome } from '../../native/domain/vocabulary';
import { LABELS, upper } from '../../native/domain/labels';
import { KioskError } from '../core/errors';

/** Exit codes of the `kiosk` command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Raised for wrong command-line use; exits with 2. */
export class UsageError extends KioskError {
  constructor(text: Bilingual) {
    super('usage', text);
  }
}

const USAGE_CODES = new Set(['usage', 'session_not_found', 'invalid_session', 'bad_format']);

export function exitCodeFor(err: unknown): number {
  if (err instanceof KioskError && USAGE_CODES.has(err.code)) return EXIT.usage;
  return EXIT.failure;
}

/** Prints an error in both languages (stderr); as JSON on stdout with --json. */
export function printError(err: unknown, json: boolean): void {
  const e =
    err instanceof KioskError
      ? err
      : new KioskError('internal', {
          vi: 'Lỗi không mong đợi. Xem nhật ký kỹ thuật.',
          en: err instanceof Error ? err.message : String(err),
        });
  if (json) {
    process.stdout.write(
      JSON.stringify({ error: { code: e.code, vi: e.vi, en: e.en, details: e.details } }) + '\n',
    );
  } else {
    process.stderr.write(`Lỗi: ${e.vi}\nError: ${e.en}\n`);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function line(text = ''): void {
  process.stdout.write(text + '\n');
}

// The kiosk's words as the CLI prints them: the same wording as the screen and the reports
// (native/domain/labels.ts), never a copy.

/** The headline of a check: the outcome in Vietnamese capitals, as on the screen's verdict banner. */
export function outcomeHeadline(outcome: Outcome): string {
  return upper(LABELS.outcome[outcome].vi);
}

/** "Is the card genuine?" in both languages, as one line's words: Vietnamese, then English. */
export function authenticityText(verdict: AuthenticityVerdict): Bilingual {
  return LABELS.authenticityVerdict[verdict];
}

/** An issuer's status in Vietnamese, for the trust commands. */
export function issuerStatusText(status: IssuerStatus): string {
  return LABELS.issuerStatus[status].vi;
}
