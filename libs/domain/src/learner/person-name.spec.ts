import { ISO_3166_ALPHA_2, isIsoCountryCode } from './countries';
import {
  characterCount,
  normalizePersonName,
  PERSON_NAME_MAX_CHARACTERS,
  personNameProblem,
} from './person-name';
import { DeciderSpecification } from '../testing/decider-specification';
import { testDecisionContext } from '../testing/fixed-clock';
import { updateProfile } from '../testing/learner.builders';
import { learnerDecider } from './learner.decider';

const given = DeciderSpecification.for(learnerDecider, testDecisionContext());

describe('the person-name rule (R7, R11)', () => {
  it.each([
    ['zero-width spaces only', '\u200b\u200b'],
    ['a soft hyphen only', '\u00ad'],
    ['combining marks only', '\u0301\u0308'],
    ['a bidi override only', '\u202e'],
    ['spaces and punctuation only', " - . ' "],
  ])('R7: a name of %s is blank: refused as a required field', (_what, name) => {
    expect(personNameProblem(name)).toEqual({ kind: 'blank' });
    given([])
      .when(updateProfile({ firstName: name }))
      .thenThrows({ rule: 'R7', code: 'required-field', field: 'firstName' });
  });

  it.each([
    ['a bidi override around letters', '\u202eAda'],
    ['a zero-width joiner inside', 'A\u200dda'],
    ['an emoji', 'Ada 😀'],
    ['CJK', '李小龍'],
    ['Arabic', 'محمد'],
    ['mathematical letters', '𝐀𝐝𝐚'],
    ['a letter under many accents', 'Z\u0301\u0302\u0303\u0304\u0306a'],
  ])('R7/R11: a name with %s is refused: the certificate could not print it', (_what, name) => {
    expect(personNameProblem(name)).toMatchObject({ kind: 'not-printable' });
    const error = given([])
      .when(updateProfile({ lastName: name }))
      .thenThrows({ rule: 'R7', code: 'unprintable-name', field: 'lastName' });
    expect(error.message).toMatch(/Latin, Greek or Cyrillic/);
  });

  it.each([
    ['Łukasz', 'Łukasz'],
    ['Nguyễn', 'Nguyễn'],
    ["O'Brien-Smith", "O'Brien-Smith"],
    ['Αλέξανδρος', 'Αλέξανδρος'],
    ['Достоевский', 'Достоевский'],
    ['Kealiʻi', 'Kealiʻi'],
    ['decomposed e\u0301 is composed', 'Andre\u0301'],
  ])('R7: %s is a name the ledger keeps and prints', (name, _) => {
    expect(personNameProblem(name)).toBeUndefined();
  });

  it('R7: a name is kept in NFC without surrounding white space', () => {
    expect(normalizePersonName('  Andre\u0301 ')).toBe('André');
  });

  it('R7: length counts what a reader sees (grapheme clusters), not UTF-16 units', () => {
    expect(characterCount('Andre\u0301')).toBe(5);
    expect(characterCount('👨‍👩‍👧')).toBe(1);
    const longest = 'é'.repeat(PERSON_NAME_MAX_CHARACTERS);
    expect(personNameProblem(longest)).toBeUndefined();
    expect(personNameProblem(`${longest}e`)).toEqual({
      kind: 'too-long',
      characters: PERSON_NAME_MAX_CHARACTERS + 1,
    });
    given([])
      .when(updateProfile({ firstName: `${longest}e` }))
      .thenThrows({ rule: 'R7', code: 'name-too-long', field: 'firstName' });
  });
});

describe('the country rule (R7)', () => {
  it('R7: the list holds the 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(ISO_3166_ALPHA_2).toHaveLength(249);
    expect(new Set(ISO_3166_ALPHA_2).size).toBe(249);
  });

  it.each(['XX', 'XK', 'EU', 'UK', 'ZZ', 'AA'])(
    'R7: %s is not an assigned country code and is refused',
    (code) => {
      expect(isIsoCountryCode(code)).toBe(false);
      given([])
        .when(updateProfile({ country: code }))
        .thenThrows({ rule: 'R7', code: 'invalid-country', field: 'country' });
    },
  );

  it.each(['US', 'CA', 'GB', 'DE', 'JP', 'BR'])('R7: %s is a country', (code) => {
    expect(isIsoCountryCode(code)).toBe(true);
  });
});
