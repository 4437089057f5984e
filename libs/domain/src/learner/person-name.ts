/**
 * R7/R11: the one rule for a person's name, called by the profile decider and by the HTTP
 * validation alike. A name is read as the reader sees it: Unicode NFC, trimmed, and counted
 * in grapheme clusters (`Intl.Segmenter`), not UTF-16 units, so "é" written as e + U+0301 is
 * one character and an emoji family is one too.
 *
 * Every name accepted must print on the certificate (R11), whose embedded fonts cover the
 * Latin, Greek and Cyrillic alphabets (see libs/certificates: a test there checks that every
 * character this rule accepts has a glyph). So a name is refused, with a clear reason, when
 * it holds anything else: another script, an emoji, a mathematical letter, or an invisible
 * character (zero-width space, soft hyphen, bidi override). A name must hold at least one
 * letter: one made only of marks, spaces or punctuation is blank.
 */

export const PERSON_NAME_MAX_CHARACTERS = 100;
/** Accents stacked on one letter beyond this are refused (no "Zalgo" names). */
const MAX_MARKS_PER_LETTER = 3;

/**
 * Letters of the Latin, Greek and Cyrillic alphabets that the certificate's fonts print
 * (upper, lower and title case and other letters; no modifier letters, ordinals or ligatures).
 */
const LETTER =
  /^[A-Za-z\u{00c0}-\u{00d6}\u{00d8}-\u{00f6}\u{00f8}-\u{012b}\u{012e}-\u{0131}\u{0134}-\u{0165}\u{0168}-\u{017f}\u{018f}\u{0192}\u{01a0}-\u{01a1}\u{01af}-\u{01b0}\u{01cd}-\u{01dc}\u{01e6}-\u{01e7}\u{01f8}-\u{01f9}\u{0218}-\u{021b}\u{0237}\u{0251}\u{0259}\u{0261}\u{0386}\u{0388}-\u{038a}\u{038c}\u{038e}-\u{03a1}\u{03a3}-\u{03ce}\u{03d7}\u{03d9}\u{03db}\u{03dd}\u{03e1}\u{0400}-\u{045f}\u{0462}-\u{0463}\u{0472}-\u{0475}\u{0490}-\u{0493}\u{0496}-\u{049b}\u{04a0}-\u{04a3}\u{04aa}-\u{04ab}\u{04ae}-\u{04b3}\u{04b6}-\u{04b7}\u{04ba}-\u{04bb}\u{04c0}-\u{04c2}\u{04cf}-\u{04d1}\u{04d4}-\u{04d9}\u{04e2}-\u{04e3}\u{04e6}-\u{04e9}\u{04ee}-\u{04ef}\u{04f2}-\u{04f3}\u{1e0c}-\u{1e0f}\u{1e20}-\u{1e21}\u{1e24}-\u{1e25}\u{1e2a}-\u{1e2b}\u{1e36}-\u{1e3b}\u{1e3e}-\u{1e3f}\u{1e42}-\u{1e49}\u{1e5a}-\u{1e63}\u{1e6c}-\u{1e6f}\u{1e80}-\u{1e85}\u{1e8e}-\u{1e8f}\u{1e92}-\u{1e93}\u{1e97}\u{1e9e}\u{1ea0}-\u{1ef9}]$/u;

/** Accents that can sit on a letter when no precomposed letter exists (after NFC). */
const MARK =
  /^[\u{0300}-\u{0304}\u{0306}-\u{030c}\u{031b}\u{0323}\u{0324}\u{0326}-\u{0329}\u{032e}\u{0331}]$/u;

/** Between the parts of a name: space, hyphen, apostrophes (’ ʻ ʼ), period. */
const SEPARATOR = /^[ \-'.\u{2019}\u{02bb}\u{02bc}]$/u;

const ALLOWED = new RegExp(
  `^(?:${[LETTER, MARK, SEPARATOR].map((r) => r.source.slice(1, -1)).join('|')})$`,
  'u',
);

/** The characters a name may hold, said the way the learner reads it. */
export const PERSON_NAME_CHARACTERS =
  'letters of the Latin, Greek or Cyrillic alphabets (with their accents), spaces, hyphens, apostrophes and periods';

export type PersonNameProblem =
  | { kind: 'blank' }
  | { kind: 'too-long'; characters: number }
  | { kind: 'not-printable'; position: number };

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The name as the ledger keeps it: NFC, without surrounding white space. */
export const normalizePersonName = (value: string): string => value.normalize('NFC').trim();

/** How many characters (grapheme clusters) a reader sees in a text. */
export const characterCount = (value: string): number => {
  let count = 0;
  for (const _segment of segmenter.segment(value)) count += 1;
  return count;
};

/** Whether one grapheme cluster is a letter (with at most a few accents) or a separator. */
function printableCluster(cluster: string): 'letter' | 'separator' | undefined {
  const [base, ...marks] = Array.from(cluster);
  if (base === undefined) return undefined;
  if (SEPARATOR.test(base)) return marks.length === 0 ? 'separator' : undefined;
  if (!LETTER.test(base)) return undefined;
  if (marks.length > MAX_MARKS_PER_LETTER || !marks.every((mark) => MARK.test(mark)))
    return undefined;
  return 'letter';
}

/** What is wrong with a name, or undefined when it is a name the ledger accepts and prints. */
export function personNameProblem(value: string): PersonNameProblem | undefined {
  const name = normalizePersonName(value);
  let offset = 0;
  for (const c of name) {
    if (!ALLOWED.test(c)) {
      // Invisible characters (zero-width, soft hyphen, bidi controls) alone make a blank name.
      if (/^[\p{Cf}\p{Mn}\p{Me}\s]+$/u.test(name)) return { kind: 'blank' };
      return { kind: 'not-printable', position: characterCount(name.slice(0, offset)) + 1 };
    }
    offset += c.length;
  }
  const clusters = Array.from(segmenter.segment(name), (s) => s.segment);
  let letters = 0;
  for (const [index, cluster] of clusters.entries()) {
    const kind = printableCluster(cluster);
    if (kind === undefined) {
      if (letters === 0 && /^[\p{Mn}\s]+$/u.test(name)) return { kind: 'blank' };
      return { kind: 'not-printable', position: index + 1 };
    }
    if (kind === 'letter') letters += 1;
  }
  if (letters === 0) return { kind: 'blank' };
  if (clusters.length > PERSON_NAME_MAX_CHARACTERS)
    return { kind: 'too-long', characters: clusters.length };
  return undefined;
}

/** The learner-facing sentence for a problem with the name called `label` ("First name"). */
export function describePersonNameProblem(problem: PersonNameProblem, label: string): string {
  switch (problem.kind) {
    case 'blank':
      return `${label} is required in the CME profile and must contain letters`;
    case 'too-long':
      return `${label} must be at most ${PERSON_NAME_MAX_CHARACTERS} characters (it has ${problem.characters})`;
    case 'not-printable':
      return (
        `${label} may hold only ${PERSON_NAME_CHARACTERS}; character ${problem.position} is not ` +
        'one of them, and the certificate could not print it'
      );
    default: {
      const _never: never = problem;
      return label;
    }
  }
}
