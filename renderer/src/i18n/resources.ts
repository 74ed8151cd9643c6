/**
 * The UI's i18next resources: the screen's own texts (vi.json, en.json) plus the kiosk's words
 * (verdicts, outcomes, roles, session states, log kinds, checks...), which are NOT in the JSON files
 * but taken from the one table in native/domain/labels.ts, so the screen says what the reports and
 * the CLI say. Pure (no i18next): test/unit/vocabulary-labels.test.ts imports it.
 */
import vi from './vi.json';
import en from './en.json';
import { labelsOf, upper, WORD_LISTS } from '../../../native/domain/labels';
import type { Lang } from '../../../native/domain/vocabulary';

/** The English resources must have exactly the Vietnamese keys (a missing one fails the typecheck). */
type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
const enChecked: Shape<typeof vi> = en;

/** The screen's texts of one language with the table's words under the keys the screens use. */
function withWords(texts: typeof vi, lang: Lang) {
  const outcome = labelsOf('outcome', lang);
  return {
    ...texts,
    roles: labelsOf('role', lang),
    verdict: {
      ...texts.verdict,
      /** The big word of the verdict banner: the outcome in capitals. */
      outcome: Object.fromEntries(WORD_LISTS.outcome.map((o) => [o, upper(outcome[o])])) as typeof outcome,
      /** The outcome in a list or table. */
      short: outcome,
      identity: labelsOf('identityVerdict', lang),
      authenticity: labelsOf('authenticityVerdict', lang),
      entry: labelsOf('entryMethod', lang),
      face: labelsOf('faceVerdict', lang),
    },
    sessions: { ...texts.sessions, states: labelsOf('sessionState', lang) },
    log: {
      ...texts.log,
      kinds: labelsOf('logKind', lang),
      sources: labelsOf('readingSource', lang),
      checks: labelsOf('authenticityCheck', lang),
      checkOutcome: labelsOf('checkOutcome', lang),
    },
    trust: { ...texts.trust, statuses: labelsOf('issuerStatus', lang) },
  };
}

export const translations = { vi: withWords(vi, 'vi'), en: withWords(enChecked, 'en') };

export const resources = {
  vi: { translation: translations.vi },
  en: { translation: translations.en },
} as const;
