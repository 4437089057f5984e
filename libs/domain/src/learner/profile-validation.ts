import { BOARD_CATALOGUE, findBoard, isLearnerBoardIdValid } from '../boards/board-catalogue';
import { DomainRuleViolation, type DomainRuleCode } from '../rules';
import { isClinicalRole, type ClinicalRole } from './clinical-role';
import { isIsoCountryCode, normalizeCountryCode } from './countries';
import type { UpdateProfile } from './learner.commands';
import type { PersonalData } from './learner.events';
import { describePersonNameProblem, normalizePersonName, personNameProblem } from './person-name';

/** R7/R10/R16: checks an UpdateProfile command and gives the profile it describes. */

/** US states, DC and territories whose medical licenses a profile can hold. */
// prettier-ignore
export const US_LICENSE_JURISDICTIONS: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA',
  'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ',
  'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT',
  'VA', 'WA', 'WV', 'WI', 'WY', 'DC', 'PR', 'GU', 'VI', 'AS', 'MP',
];

/** Days per month in a leap year: 29 February is a real birthday. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const LICENSE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,29}$/;

export interface ValidatedProfile {
  clinicalRole: ClinicalRole;
  country: string;
  boards: string[];
  licenseStates: string[];
  personal: PersonalData;
}

function refuse(
  rule: 'R7' | 'R10' | 'R16',
  code: DomainRuleCode,
  field: string,
  message: string,
): never {
  throw new DomainRuleViolation({ rule, code, field, message });
}

/** A valid NPI is 10 digits whose last is the Luhn check digit of `80840` + the first 9. */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number.parseInt(digits.charAt(digits.length - 1 - i), 10);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** R7: whether month/day is a date that exists in some year (29 February does). */
export const isPossibleBirthDate = (month: number, day: number): boolean => {
  if (!Number.isInteger(month) || !Number.isInteger(day)) return false;
  const days = DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days;
};

const NAME_PROBLEM_CODE = {
  blank: 'required-field',
  'too-long': 'name-too-long',
  'not-printable': 'unprintable-name',
} as const satisfies Record<string, DomainRuleCode>;

/** R7/R11: the one name rule (person-name.ts); the name as kept is NFC and trimmed. */
function requiredName(value: string, field: string, label: string): string {
  const problem = personNameProblem(value);
  if (problem !== undefined)
    refuse('R7', NAME_PROBLEM_CODE[problem.kind], field, describePersonNameProblem(problem, label));
  return normalizePersonName(value);
}

export function validateProfile(data: UpdateProfile['data']): ValidatedProfile {
  if (!isClinicalRole(data.clinicalRole)) {
    refuse(
      'R7',
      'invalid-clinical-role',
      'clinicalRole',
      'clinicalRole must be one of physician, physician_assistant, nurse_practitioner, nurse, pharmacist, other',
    );
  }
  const firstName = requiredName(data.firstName, 'firstName', 'First name');
  const lastName = requiredName(data.lastName, 'lastName', 'Last name');

  if (!Number.isInteger(data.birthMonth) || data.birthMonth < 1 || data.birthMonth > 12) {
    refuse('R7', 'impossible-birth-date', 'birthMonth', 'birthMonth must be a month from 1 to 12');
  }
  if (!isPossibleBirthDate(data.birthMonth, data.birthDay)) {
    refuse(
      'R7',
      'impossible-birth-date',
      'birthDay',
      `day ${data.birthDay} does not exist in month ${data.birthMonth}; check the day of birth`,
    );
  }

  const country = normalizeCountryCode(data.country);
  if (!isIsoCountryCode(country)) {
    refuse(
      'R7',
      'invalid-country',
      'country',
      'country must be an assigned ISO 3166-1 alpha-2 code, e.g. US',
    );
  }

  const boards: string[] = [];
  const boardIds: { [boardCode: string]: string } = {};
  data.boards.forEach((selection, index) => {
    const board = findBoard(selection.boardId);
    if (board === undefined) {
      refuse(
        'R10',
        'board-not-in-catalogue',
        `boards[${index}].boardId`,
        `"${selection.boardId}" does not take direct credit reporting; choose one of ` +
          `${BOARD_CATALOGUE.map((b) => b.code).join(', ')}, or download the PDF certificate for any other board`,
      );
      return;
    }
    if (board.physiciansOnly && data.clinicalRole !== 'physician') {
      refuse(
        'R10',
        'board-not-for-role',
        `boards[${index}].boardId`,
        `${board.code} takes AMA PRA Category 1 Credit™ for its physicians' MOC, which a ` +
          `${data.clinicalRole.replace(/_/g, ' ')}'s certificate of participation is not: remove ` +
          `${board.code} from the profile, and give the PDF certificate to any board or body that asks for it`,
      );
    }
    if (boards.includes(board.code)) {
      refuse(
        'R7',
        'duplicate-board',
        `boards[${index}].boardId`,
        `${board.code} is selected twice`,
      );
    }
    boards.push(board.code);
    const learnerBoardId = selection.learnerBoardId?.trim() ?? '';
    if (learnerBoardId === '') return; // R16: allowed, its submissions fail with a reason.
    if (!isLearnerBoardIdValid(board, learnerBoardId)) {
      // The value itself is personal data: the message does not repeat it.
      refuse(
        'R16',
        'board-id-format',
        `boards[${index}].learnerBoardId`,
        `the id given for ${board.code} is not a valid ${board.learnerBoardId.description}`,
      );
    }
    boardIds[board.code] = learnerBoardId;
  });

  const licenses: PersonalData['licenses'] = [];
  data.licenses.forEach((license, index) => {
    const state = license.state.trim().toUpperCase();
    if (!US_LICENSE_JURISDICTIONS.includes(state)) {
      refuse(
        'R7',
        'unknown-license-state',
        `licenses[${index}].state`,
        `"${license.state}" is not a US state or territory code (e.g. CA)`,
      );
    }
    if (licenses.some((l) => l.state === state)) {
      refuse(
        'R7',
        'duplicate-license',
        `licenses[${index}].state`,
        `two licenses are given for ${state}`,
      );
    }
    const licenseNumber = license.licenseNumber.trim();
    if (!LICENSE_NUMBER.test(licenseNumber)) {
      refuse(
        'R7',
        'invalid-license-number',
        `licenses[${index}].licenseNumber`,
        `the ${state} license number must be 1 to 30 letters, digits, spaces, dots, slashes or hyphens`,
      );
    }
    licenses.push({ state, licenseNumber });
  });

  const npi = data.npi?.trim() ?? '';
  if (npi !== '' && !isValidNpi(npi)) {
    refuse(
      'R7',
      'invalid-npi',
      'npi',
      'npi must be a 10-digit National Provider Identifier with a valid check digit',
    );
  }

  const personal: PersonalData = {
    firstName,
    lastName,
    birthMonth: data.birthMonth,
    birthDay: data.birthDay,
    boardIds,
    licenses,
    ...(npi === '' ? {} : { npi }),
  };
  return {
    clinicalRole: data.clinicalRole,
    country,
    boards,
    licenseStates: licenses.map((l) => l.state),
    personal,
  };
}
