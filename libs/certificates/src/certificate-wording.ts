import { CALENDAR_DATE, type ClinicalRole } from '@ledger/domain';
import { ACTIVITY_DESCRIPTIONS, type CertificateInput } from './certificate-input';

/** The words of a certificate, separate from its layout so that they can be read and tested. */
export interface CertificateWording {
  title: string;
  provider: string;
  /** The name line, or the notice that it was erased. */
  name: string;
  nameErased: boolean;
  role: string;
  /** "has participated in the …" / "has completed the …" */
  lead: string;
  activityTitle: string;
  /** Format and completion dates. */
  activityLine: string;
  /** The amount line. */
  award: string;
  /** The AMA designation statement (physicians), or what the certificate documents (others). */
  statement: string;
  claimId: string;
  claimedOn: string;
  issuedOn: string;
  accreditation: string;
}

export const ERASED_NAME = 'Name withheld (personal data erased)';

const ROLE_LABELS: Readonly<Record<ClinicalRole, { label: string; noun: string }>> = {
  physician: { label: 'Physician', noun: 'a physician' },
  physician_assistant: { label: 'Physician assistant', noun: 'a physician assistant' },
  nurse_practitioner: { label: 'Nurse practitioner', noun: 'a nurse practitioner' },
  nurse: { label: 'Nurse', noun: 'a nurse' },
  pharmacist: { label: 'Pharmacist', noun: 'a pharmacist' },
  other: { label: 'Healthcare professional', noun: 'a healthcare professional' },
};

const CREDITS = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

/** "0.75 AMA PRA Category 1 Credits™", "1 AMA PRA Category 1 Credit™". */
export function creditPhrase(credits: string): string {
  const one = /^1(\.0{1,2})?$/.test(credits);
  return `${credits} AMA PRA Category 1 Credit${one ? '' : 's'}™`;
}

/** R11: the wording of a physician's or another clinician's certificate. */
export function certificateWording(input: CertificateInput): CertificateWording {
  if (!CREDITS.test(input.credits)) {
    throw new RangeError(`credits must be a decimal string such as "0.75", got "${input.credits}"`);
  }
  const timeZone = input.timeZone ?? 'UTC';
  const activity = ACTIVITY_DESCRIPTIONS[input.activity];
  const provider = required(input.provider.name, 'the provider name');
  const format = nonBlank(input.activityFormat) ?? activity.format;
  const role = ROLE_LABELS[input.clinicalRole];
  const name = nonBlank(input.learnerName);
  const { from, to } = input.completionDates;
  const completed =
    from === to
      ? `completed ${longDate(from, timeZone)}`
      : `completed ${longDate(from, timeZone)} – ${longDate(to, timeZone)}`;
  const designation =
    `${provider} designates this ${activity.designationNoun} for a maximum of ` +
    `${creditPhrase(input.credits)}.`;
  const common = {
    provider,
    name: name ?? ERASED_NAME,
    nameErased: name === undefined,
    role: role.label,
    activityTitle: required(input.provider.activityTitles[input.activity], 'the activity title'),
    activityLine: `${format} · ${completed}`,
    claimId: input.claimId,
    claimedOn: longDate(input.claimedAt, timeZone),
    issuedOn: longDate(input.issuedAt ?? input.claimedAt, timeZone),
    accreditation:
      `${required(input.provider.accreditationStatement, 'the accreditation statement')} ` +
      'AMA PRA Category 1 Credit™ is a trademark of the American Medical Association.',
  };
  switch (input.certificate) {
    case 'ama-pra-category-1':
      return {
        ...common,
        title: 'Certificate of AMA PRA Category 1 Credit™',
        lead: `has participated in the ${activity.designationNoun}`,
        award: `and is awarded ${creditPhrase(input.credits)}`,
        statement:
          `${designation} Physicians should claim only the credit commensurate with the extent ` +
          'of their participation in the activity.',
      };
    case 'participation':
      return {
        ...common,
        title: 'Certificate of Participation',
        lead: `has attended and completed the ${activity.designationNoun}`,
        award: `This activity was designated for ${creditPhrase(input.credits)}.`,
        statement:
          `This certificate documents the participation of ${role.noun} in an activity ` +
          'designated for AMA PRA Category 1 Credit™; it does not award AMA PRA Category 1 ' +
          'Credit™, which physicians claim. Ask your board or licensing body whether it accepts ' +
          'this certificate.',
      };
    default: {
      const unknownKind: never = input.certificate;
      throw new RangeError(`unknown certificate kind ${String(unknownKind)}`);
    }
  }
}

const nonBlank = (text: string | undefined): string | undefined =>
  text === undefined || text.trim() === '' ? undefined : text.trim();

/** Configuration the certificate cannot do without: never a placeholder. */
function required(text: string | undefined, what: string): string {
  const value = nonBlank(text);
  if (value === undefined)
    throw new RangeError(`a certificate needs ${what}; it is not configured`);
  return value;
}

/** "5 March 2026": an ISO date as is, an ISO instant in the given time zone. */
function longDate(iso: string, timeZone: string): string {
  const instant = CALENDAR_DATE.test(iso) ? Date.parse(`${iso}T00:00:00Z`) : Date.parse(iso);
  if (Number.isNaN(instant)) throw new RangeError(`"${iso}" is not an ISO date or instant`);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: CALENDAR_DATE.test(iso) ? 'UTC' : timeZone,
  }).format(instant);
}
