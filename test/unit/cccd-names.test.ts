import { describe, expect, it } from 'vitest';
import {
  compareMrzName,
  compareNames,
  foldName,
  looksGarbledName,
  mrzNameWords,
  normalizeName,
  stripDiacritics,
  toMrzName,
} from '../../native/cccd/names';

// Every Vietnamese letter, lower and upper case.
const VI_LOWER = 'aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ';
const VI_UPPER = VI_LOWER.toUpperCase();

describe('normalizeName', () => {
  it('composes to NFC', () => {
    const nfd = 'Nguyễn Thị Ánh'.normalize('NFD');
    expect(nfd).not.toBe('Nguyễn Thị Ánh');
    expect(normalizeName(nfd)).toBe('Nguyễn Thị Ánh');
    expect(normalizeName(nfd)).toBe(normalizeName(nfd).normalize('NFC'));
  });
  it('trims and collapses inner whitespace of any kind', () => {
    expect(normalizeName('  Trần\t\tThị \u00A0 Mai\r\n')).toBe('Trần Thị Mai');
    expect(normalizeName('Lê\u3000Văn\u2009Tám')).toBe('Lê Văn Tám');
  });
  it('replaces the look-alike Ð (U+00D0) with Đ (U+0110)', () => {
    expect(normalizeName('\u00D0ặng Văn \u00D0ức')).toBe('Đặng Văn Đức');
  });
});

describe('normalizeName fast path', () => {
  it('gives exactly what NFC + whitespace collapsing + trim would, on random mixtures', () => {
    const reference = (x: string): string =>
      x
        .normalize('NFC')
        .replace(/[\s\u200B]+/g, ' ')
        .trim()
        .replace(/\u00D0/g, '\u0110');
    // Precomposed and decomposed Vietnamese, combining marks alone, odd spaces, Ð, and characters whose
    // NFC differs from themselves (Ångström and Ohm signs, Kelvin sign, a Hangul jamo pair).
    const pool = [
      ...'aăâeêoôơuưyđAĂÂĐ ỆỮẫ',
      'e\u0301',
      '\u0300',
      '\u0323',
      '\u0309',
      ' ',
      '  ',
      '\t',
      '\u00A0',
      '\u200B',
      '\u3000',
      '\u00D0',
      '\u212B',
      '\u2126',
      '\u212A',
      '\u1100\u1161',
      'ǅ',
      'ʼ',
      'ơ\u0301',
      '\u0041\u030A',
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let x = '';
      const len = rnd(12);
      for (let i = 0; i < len; i++) x += pool[rnd(pool.length)]!;
      expect(normalizeName(x), JSON.stringify(x)).toBe(reference(x));
    }
  });
});

describe('foldName and stripDiacritics', () => {
  it('lower-cases every Vietnamese letter to its own lower case', () => {
    expect(foldName(VI_UPPER)).toBe(VI_LOWER);
    expect(foldName('  NGUYỄN   VĂN ĐỨC ')).toBe('nguyễn văn đức');
  });
  it('strips all marks and turns đ/Đ into d/D', () => {
    expect(stripDiacritics('Nguyễn Văn Đức')).toBe('Nguyen Van Duc');
    expect(stripDiacritics('Ưng Hoàng Hiệp')).toBe('Ung Hoang Hiep');
    expect(stripDiacritics(VI_LOWER)).toBe(
      'aaaaaaaaaaaaaaaaaabcddeeeeeeeeeeeeghiiiiiiklmnoooooooooooooooooopqrstuuuuuuuuuuuuvxyyyyyy',
    );
    expect(stripDiacritics(VI_UPPER)).toMatch(/^[A-Z]+$/);
  });
});

describe('compareNames', () => {
  it('equal: same name with different case, spacing or Unicode form', () => {
    expect(compareNames('Lê Văn Lương', 'LÊ VĂN LƯƠNG')).toBe('equal');
    expect(compareNames('Lê  Văn Lương ', 'Lê Văn Lương'.normalize('NFD'))).toBe('equal');
  });
  it('equal: tone mark placed by the old or the new convention', () => {
    expect(compareNames('Nguyễn Thị Hòa', 'Nguyễn Thị Hoà')).toBe('equal');
    expect(compareNames('Phạm Thủy Tiên', 'Phạm Thuỷ Tiên')).toBe('equal');
    expect(compareNames('Lý Thị Khỏe', 'LÝ THỊ KHOẺ')).toBe('equal');
  });
  it('a different tone is a different name, equal only without diacritics', () => {
    expect(compareNames('Nguyễn Thị Hòa', 'Nguyễn Thị Hóa')).toBe('equal_without_diacritics');
    expect(compareNames('Nguyễn Thị Hòa', 'Nguyễn Thị Hoá')).toBe('equal_without_diacritics');
    expect(compareNames('Đỗ Văn Hùng', 'Đỗ Văn Hưng')).toBe('equal_without_diacritics');
  });
  it('equal_without_diacritics: one side typed without accents', () => {
    expect(compareNames('Nguyen Van Duc', 'Nguyễn Văn Đức')).toBe('equal_without_diacritics');
    expect(compareNames('UNG HOANG HIEP', 'Ưng Hoàng Hiệp')).toBe('equal_without_diacritics');
  });
  it('different: other letters or words', () => {
    expect(compareNames('Nguyễn Văn An', 'Nguyễn Văn Anh')).toBe('different');
    expect(compareNames('Nguyễn Văn An', 'Nguyễn An')).toBe('different');
    expect(compareNames('Trần Thị Mai', 'Mai Thị Trần')).toBe('different');
  });
});

describe('MRZ names', () => {
  it('family name, <<, given names joined by <', () => {
    expect(toMrzName('Ưng Hoàng Hiệp')).toBe('UNG<<HOANG<HIEP');
    expect(toMrzName('  Đặng   Thị Ngọc Ánh ')).toBe('DANG<<THI<NGOC<ANH');
    expect(toMrzName("H'Hen Niê")).toBe('HHEN<<NIE');
    expect(toMrzName('Lò-Văn Páo')).toBe('LO<<VAN<PAO');
    expect(toMrzName('Mai')).toBe('MAI<<');
    expect(toMrzName('   ')).toBe('');
  });
  it('the sample line 3 of cccd-card.md is the MRZ form of its holder, padded to 30', () => {
    const line3 = 'UNG<<HOANG<HIEP<<<<<<<<<<<<<<<';
    expect(line3).toHaveLength(30);
    expect(toMrzName('Ưng Hoàng Hiệp').padEnd(30, '<')).toBe(line3);
    expect(mrzNameWords(line3)).toEqual(['UNG', 'HOANG', 'HIEP']);
    expect(compareMrzName(line3, 'Ưng Hoàng Hiệp')).toBe('equal_without_diacritics');
    expect(compareMrzName(line3, 'ưng hoàng  hiệp')).toBe('equal_without_diacritics');
    expect(compareMrzName(line3, 'Ưng Hoàng Hiếu')).toBe('different');
    expect(compareMrzName(line3, 'Ưng Hoàng')).toBe('different');
  });
  it('a full 30-character field is a truncated name: matches a longer roster name that starts with it', () => {
    const name = 'Tôn Nữ Thị Hoàng Khánh Ngọc Phương';
    const full = toMrzName(name);
    expect(full.length).toBeGreaterThan(30);
    const field = full.slice(0, 30);
    expect(compareMrzName(field, name)).toBe('equal_without_diacritics');
    expect(compareMrzName(field, 'Tôn Nữ Thị Hoàng Khánh Ngọc')).toBe('different');
    // A field that ends in filler is complete, so a longer roster name does not match it.
    expect(compareMrzName('TON<<NU<THI<HOANG<<<<<<<<<<<<<', 'Tôn Nữ Thị Hoàng Khánh')).toBe('different');
  });
});

describe('looksGarbledName', () => {
  it('never flags Vietnamese letters, spaces, apostrophes or hyphens', () => {
    expect(looksGarbledName(VI_LOWER)).toBe(false);
    expect(looksGarbledName(VI_UPPER)).toBe(false);
    expect(looksGarbledName("H'Hen Niê Lò-Văn")).toBe(false);
  });
  it('flags replacement characters and Windows-1252 mojibake of UTF-8', () => {
    expect(looksGarbledName('Nguy?n V?n A')).toBe(true);
    expect(looksGarbledName('Nguy\uFFFDn')).toBe(true);
    const mojibake = new TextDecoder('windows-1252').decode(new TextEncoder().encode('Nguyễn Văn Đức'));
    expect(mojibake).not.toBe('Nguyễn Văn Đức');
    expect(looksGarbledName(mojibake)).toBe(true);
    for (const word of ['Thị', 'Ưng', 'Hiệp', 'Lương', 'Đặng', 'Hoàng']) {
      const m = new TextDecoder('windows-1252').decode(new TextEncoder().encode(word));
      expect(looksGarbledName(m), m).toBe(true);
    }
  });
});
