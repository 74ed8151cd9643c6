/**
 * One vocabulary, one wording (issue 10): every word of every list in native/domain/vocabulary.ts has
 * one Vietnamese and one English label in native/domain/labels.ts, and the screen (the renderer's
 * i18n resources), the reports and the CLI print exactly those strings. The modules themselves are
 * imported, and the sources are searched for a copied verdict or outcome wording, so a second copy
 * anywhere fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LABELS,
  WORD_LISTS,
  label,
  labelOf,
  labelsOf,
  upper,
  type WordKind,
} from '../../native/domain/labels';
import { LANGS } from '../../native/domain/vocabulary';
import { translations } from '../../renderer/src/i18n/resources';
import {
  authenticityVerdictLabel,
  identityVerdictLabel,
  reportLabels,
} from '../../electron/core/reports/labels';
import { authenticityText, issuerStatusText, outcomeHeadline } from '../../electron/cli/output';

const KINDS = Object.keys(WORD_LISTS) as WordKind[];
const root = path.resolve(__dirname, '../..');

describe('the label table', () => {
  it('labels exactly the words of each list', () => {
    expect([...KINDS].sort()).toEqual(Object.keys(LABELS).sort());
    for (const kind of KINDS) {
      expect(Object.keys(LABELS[kind]).sort(), kind).toEqual([...WORD_LISTS[kind]].sort());
    }
  });

  it('gives every word a non-empty Vietnamese and English label', () => {
    for (const kind of KINDS) {
      for (const word of WORD_LISTS[kind]) {
        for (const lang of LANGS) {
          const text = label(kind, word as never, lang);
          expect(text.trim(), `${kind}.${word}.${lang}`).not.toBe('');
          expect(text, `${kind}.${word}.${lang}`).toBe(text.trim());
        }
      }
    }
  });

  it('never gives two words of one list the same wording', () => {
    for (const kind of KINDS) {
      for (const lang of LANGS) {
        const texts = WORD_LISTS[kind].map((w) => label(kind, w as never, lang));
        expect(new Set(texts).size, `${kind} (${lang}): ${texts.join(' | ')}`).toBe(texts.length);
      }
    }
  });

  it('shows an unknown word (a newer log) as its code, and nothing for none', () => {
    expect(labelOf('identityVerdict', 'match', 'en')).toBe(LABELS.identityVerdict.match.en);
    expect(labelOf('identityVerdict', 'some_new_verdict')).toBe('some_new_verdict');
    expect(labelOf('identityVerdict', 'toString')).toBe('toString');
    expect(labelOf('authenticityVerdict', null)).toBe('');
  });
});

describe('the screen, the reports and the CLI print the table', () => {
  it('renderer i18n: every word key resolves to the table, the banner to its capitals', () => {
    for (const lang of LANGS) {
      const t = translations[lang];
      const keys: Array<[Record<string, string>, WordKind]> = [
        [t.roles, 'role'],
        [t.verdict.short, 'outcome'],
        [t.verdict.identity, 'identityVerdict'],
        [t.verdict.authenticity, 'authenticityVerdict'],
        [t.verdict.entry, 'entryMethod'],
        [t.sessions.states, 'sessionState'],
        [t.log.kinds, 'logKind'],
        [t.log.sources, 'readingSource'],
        [t.log.checks, 'authenticityCheck'],
        [t.log.checkOutcome, 'checkOutcome'],
        [t.trust.statuses, 'issuerStatus'],
      ];
      for (const [resource, kind] of keys) expect(resource, `${lang} ${kind}`).toEqual(labelsOf(kind, lang));
      for (const o of WORD_LISTS.outcome) {
        expect(t.verdict.outcome[o]).toBe(upper(LABELS.outcome[o][lang]));
      }
    }
    // The Vietnamese capitals keep their diacritics.
    expect(translations.vi.verdict.outcome.accepted_with_warnings).toBe('HỢP LỆ – CÓ LƯU Ý');
  });

  it('reports: verdicts, states, sources, severities and roles are the table', () => {
    for (const lang of LANGS) {
      const L = reportLabels(lang);
      expect(L.identity).toEqual(labelsOf('identityVerdict', lang));
      expect(L.authenticity).toEqual(labelsOf('authenticityVerdict', lang));
      expect(L.state).toEqual(labelsOf('sessionState', lang));
      expect(L.source).toEqual(labelsOf('readingSource', lang));
      expect(L.severity).toEqual(labelsOf('severity', lang));
      expect(L.chairman).toBe(LABELS.role.chair[lang]);
      expect(L.examinerRole).toBe(LABELS.role.examiner[lang]);
      for (const v of WORD_LISTS.identityVerdict) {
        expect(identityVerdictLabel(v, lang)).toBe(LABELS.identityVerdict[v][lang]);
      }
      for (const v of WORD_LISTS.authenticityVerdict) {
        expect(authenticityVerdictLabel(v, lang)).toBe(LABELS.authenticityVerdict[v][lang]);
      }
    }
  });

  it('CLI: the check headline, the chip verdict and the issuer status are the table', () => {
    for (const o of WORD_LISTS.outcome) expect(outcomeHeadline(o)).toBe(upper(LABELS.outcome[o].vi));
    for (const v of WORD_LISTS.authenticityVerdict) {
      expect(authenticityText(v)).toEqual(LABELS.authenticityVerdict[v]);
    }
    for (const s of WORD_LISTS.issuerStatus) expect(issuerStatusText(s)).toBe(LABELS.issuerStatus[s].vi);
  });
});

/** Every source and resource file of the app (not the tests), relative to the root. */
function appFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) appFiles(rel, out);
    else if (/\.(ts|tsx|json|mjs|cjs|js)$/.test(e.name)) out.push(rel);
  }
  return out;
}

describe('no copies', () => {
  it('no source file but the table spells a verdict or an outcome', () => {
    const wordings = new Set<string>();
    for (const kind of ['identityVerdict', 'authenticityVerdict', 'outcome'] as const) {
      for (const w of WORD_LISTS[kind]) {
        for (const lang of LANGS) {
          const text = label(kind, w as never, lang);
          wordings.add(text);
          wordings.add(upper(text));
        }
      }
    }
    const files = ['electron', 'native', 'renderer/src'].flatMap((d) => appFiles(d));
    expect(files).toContain(path.join('native', 'domain', 'labels.ts'));
    const copies: string[] = [];
    for (const file of files) {
      if (file === path.join('native', 'domain', 'labels.ts')) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const w of wordings) {
        for (const q of [`'${w}'`, `"${w}"`, `\`${w}\``]) if (text.includes(q)) copies.push(`${file}: ${q}`);
      }
    }
    expect(copies).toEqual([]);
  });
});
