/**
 * Vietnamese personal names: normalising, folding and comparing.
 *
 * - normalizeName: Unicode NFC (a name typed with combining marks, or pasted from a Windows-1258
 *   decomposed source, equals its precomposed form), trimmed, inner whitespace (incl. NBSP) collapsed,
 *   the look-alike Ð (U+00D0) replaced by Đ (U+0110).
 * - foldName: normalizeName + lower case (Vietnamese letters lower-case without a locale: Đ→đ, Ư→ư,
 *   Ấ→ấ; the locale-free mapping is used so a Turkish-locale machine cannot turn I into ı).
 * - compareNames: 'equal' when the folded names are the same, also when they differ only in where the
 *   tone mark sits (old and new spelling conventions: "Hòa"/"Hoà", "Thủy"/"Thuỷ", "Khỏe"/"Khoẻ" are
 *   the same syllable with the same tone); 'equal_without_diacritics' when only diacritics differ
 *   ("Nguyễn" vs "Nguyen"); otherwise 'different'.
 * - MRZ forms: upper case, no diacritics (Đ→D), words separated by `<`, the family name (the first
 *   word of a Vietnamese name) followed by `<<` (e.g. "Ưng Hoàng Hiệp" → `UNG<<HOANG<HIEP`).
 *
 * Pure: no Node APIs.
 */

export type NameComparison = 'equal' | 'equal_without_diacritics' | 'different';

const WS_RE = /[\s\u200B]+/g;
// Whitespace that normalizeName would change: anything but a single inner ASCII space.
const WS_NEEDS_FIX_RE = /[^\S ]|\u200B| {2}|^ | $/;
// Strings made only of these characters are already NFC: no combining marks (U+0300-U+036F) and
// no composition exclusions in Basic Latin to Spacing Modifiers or in Latin Extended Additional
// (where the precomposed Vietnamese letters live). Skipping normalize() there keeps a 100 000-row
// roster fast.
const NFC_STABLE_RE = /^[\u0020-\u007E\u00A0-\u02FF\u1E00-\u1EFF]*$/;

export function normalizeName(name: string): string {
  let s = NFC_STABLE_RE.test(name) ? name : name.normalize('NFC');
  if (WS_NEEDS_FIX_RE.test(s)) s = s.replace(WS_RE, ' ').trim();
  // Ð (U+00D0, Icelandic eth) looks exactly like Đ (U+0110) and is typed in its place by some
  // keyboards and legacy-font converters: it is always meant as Đ in a Vietnamese name.
  if (s.includes('\u00D0')) s = s.replace(/\u00D0/g, '\u0110');
  return s;
}

export function foldName(name: string): string {
  return normalizeName(name).toLowerCase();
}

const COMBINING_RE = /\p{M}/gu;

/** NFD minus every combining mark, and đ/Đ → d/D (đ is a letter of its own, not d + mark). */
export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_RE, '')
    .replace(/đ/g, 'd')
    .replace(/[Đ\u00D0]/g, 'D');
}

// The five Vietnamese tone marks as combining characters: grave, acute, tilde, hook above, dot below.
const TONE_RE = /[\u0300\u0301\u0303\u0309\u0323]/g;

/**
 * A key where each word's single tone mark is moved to the end of the word, so the placement
 * convention no longer matters. Words with no tone or with several marks (not Vietnamese) stay as they are.
 */
function toneKey(folded: string): string {
  return folded
    .split(' ')
    .map((word) => {
      const nfd = word.normalize('NFD');
      const tones = nfd.match(TONE_RE);
      if (!tones || tones.length !== 1) return word;
      return nfd.replace(TONE_RE, '').normalize('NFC') + tones[0];
    })
    .join(' ');
}

export function compareNames(a: string, b: string): NameComparison {
  const fa = foldName(a);
  const fb = foldName(b);
  if (fa === fb || toneKey(fa) === toneKey(fb)) return 'equal';
  if (stripDiacritics(fa) === stripDiacritics(fb)) return 'equal_without_diacritics';
  return 'different';
}

/** Upper-case, diacritic-free words of a name, as the MRZ spells them (hyphens split words, apostrophes vanish). */
function mrzWords(name: string): string[] {
  return stripDiacritics(normalizeName(name))
    .toUpperCase()
    .replace(/['’`]/g, '')
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * The MRZ name field for a Vietnamese full name: `FAMILY<<GIVEN<NAMES`, not truncated and not padded
 * (a TD1 line 3 holds 30 characters; pad with `<` or cut as the caller needs).
 */
export function toMrzName(fullName: string): string {
  const words = mrzWords(fullName);
  if (words.length === 0) return '';
  const [family, ...given] = words;
  return given.length === 0 ? `${family}<<` : `${family}<<${given.join('<')}`;
}

/** Words of an MRZ name field (`UNG<<HOANG<HIEP<<<` → UNG, HOANG, HIEP). */
export function mrzNameWords(mrzName: string): string[] {
  return mrzName
    .toUpperCase()
    .split(/<+/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

// Never part of a real name: U+FFFD and '?' (an undecodable character), C0/C1 controls (tab and
// line breaks aside: they are whitespace that normalizeName collapses), the
// Latin-1/Windows-1252 symbols and letters that UTF-8 Vietnamese turns into when read as Windows-1252
// ("Nguyá»…n", "VÄƒn", "Æ°"), and Â/Ã followed by a U+00A0-U+00BF character ("Ã " is "à" misread).
// Check the text as it came in (before normalizeName turns a misread NBSP into a space).
const GARBLED_RE =
  // eslint-disable-next-line no-control-regex
  /[\uFFFD?\u0000-\u0008\u000E-\u001F\u007F-\u009F¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÄÅÆÇËÎÏÑ×ØÞßäåæçëîïð÷øþƒ€‚„…†‡ˆ‰Š‹ŒŽ•–—˜™š›œžŸ]|[ÂÃ][\u00A0-\u00BF]/;

/** True when a name shows signs of a wrong text decoding (scanner keyboard layout, ANSI/UTF-8 mix-up). */
export function looksGarbledName(name: string): boolean {
  return GARBLED_RE.test(name);
}

const TD1_NAME_LENGTH = 30;

/**
 * Compares an MRZ name field (e.g. DG1 / TD1 line 3) with a name from the roster. The MRZ has no
 * diacritics, so a match is at best 'equal_without_diacritics'. The split between family and given
 * names is not compared (only the words in order). A full 30-character field with no filler at the
 * end is a truncated name: it matches when the roster name's MRZ form starts with it.
 */
export function compareMrzName(
  mrzName: string,
  rosterName: string,
): 'equal_without_diacritics' | 'different' {
  const mrz = mrzNameWords(mrzName);
  const roster = mrzWords(rosterName);
  if (mrz.length > 0 && mrz.join(' ') === roster.join(' ')) return 'equal_without_diacritics';
  const field = mrzName.trim().toUpperCase();
  if (field.length >= TD1_NAME_LENGTH && !field.endsWith('<') && mrz.length > 0) {
    const full = toMrzName(rosterName);
    if (full.length > field.length && full.startsWith(field)) return 'equal_without_diacritics';
  }
  return 'different';
}
