import { normalizePersonName, personNameProblem } from '@ledger/domain';
import * as fontkit from 'fontkit';
import { certificateFonts } from './certificate-fonts';

/**
 * R11: every name the profile accepts prints. The name rule (libs/domain, person-name.ts)
 * accepts only what the embedded fonts can draw; this walks every code point to prove it.
 */
describe('the certificate fonts (R11)', () => {
  const fonts = Object.entries(certificateFonts()).map(
    ([name, file]) => [name, fontkit.create(file)] as const,
  );

  /** Unassigned code points and surrogates: no name can hold them. */
  const UNASSIGNED = /^[\p{Cn}\p{Cs}]$/u;

  it('R11: every character the name rule accepts has a glyph in every certificate font', () => {
    const accepted = new Set<number>();
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const character = String.fromCodePoint(codePoint);
      if (UNASSIGNED.test(character)) continue;
      // Between two letters, a code point can be a letter, an accent or a separator.
      const name = `a${character}b`;
      if (personNameProblem(name) !== undefined) continue;
      for (const kept of normalizePersonName(name)) accepted.add(kept.codePointAt(0) ?? 0);
    }
    const missing = [...accepted].flatMap((codePoint) =>
      fonts
        .filter(([, font]) => !font.hasGlyphForCodePoint(codePoint))
        .map(([name]) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} in ${name}`),
    );
    expect(accepted.size).toBeGreaterThan(600);
    expect(missing).toEqual([]);
  });
});
