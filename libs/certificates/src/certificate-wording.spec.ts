import type { CertificateInput } from './certificate-input';
import { certificateWording, creditPhrase } from './certificate-wording';

const provider = {
  name: 'Example Health CME',
  accreditationStatement:
    'Example Health CME is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide continuing medical education for physicians.',
  activityTitles: {
    ipoc: 'Point-of-care research, spring 2026',
    'nejm-board-review': 'NEJM Knowledge+ Internal Medicine Board Review',
  },
};

const input: CertificateInput = {
  provider,
  learnerName: '  Ada Quinn ',
  clinicalRole: 'other',
  certificate: 'participation',
  activity: 'ipoc',
  claimId: 'claim-1',
  claimedAt: '2026-03-05T23:30:00.000Z',
  completionDates: { from: '2026-03-02', to: '2026-03-02' },
  credits: '0.50',
  boards: [],
};

describe('certificateWording', () => {
  it('reads the claim date in the configured time zone, and a learning date as the day it names', () => {
    const inAuckland = certificateWording({ ...input, timeZone: 'Pacific/Auckland' });

    expect(inAuckland.claimedOn).toBe('6 March 2026');
    expect(inAuckland.activityLine).toBe(
      'Internet point-of-care activity · completed 2 March 2026',
    );
    expect(certificateWording(input).claimedOn).toBe('5 March 2026');
  });

  it('trims the name and describes the role "other" as a healthcare professional', () => {
    const words = certificateWording(input);

    expect(words.name).toBe('Ada Quinn');
    expect(words.role).toBe('Healthcare professional');
    expect(words.statement).toContain('the participation of a healthcare professional');
  });

  it('treats a blank name like an erased one', () => {
    expect(certificateWording({ ...input, learnerName: ' ' })).toMatchObject({
      name: 'Name withheld (personal data erased)',
      nameErased: true,
    });
  });

  it('R11: takes the activity title from the configured provider, and a given format over the default', () => {
    const words = certificateWording({
      ...input,
      activityFormat: 'Internet point-of-care learning',
    });

    expect(words.activityTitle).toBe('Point-of-care research, spring 2026');
    expect(words.activityLine).toMatch(/^Internet point-of-care learning · /);
  });
});

describe('creditPhrase', () => {
  it.each([
    ['1', '1 AMA PRA Category 1 Credit™'],
    ['1.00', '1.00 AMA PRA Category 1 Credit™'],
    ['0.25', '0.25 AMA PRA Category 1 Credits™'],
    ['10.50', '10.50 AMA PRA Category 1 Credits™'],
  ])('%s → %s', (credits, phrase) => {
    expect(creditPhrase(credits)).toBe(phrase);
  });

  it('R11: refuses to word a certificate without the provider name or accreditation statement (no placeholder prints)', () => {
    expect(() => certificateWording({ ...input, provider: { ...provider, name: ' ' } })).toThrow(
      /provider name/,
    );
    expect(() =>
      certificateWording({ ...input, provider: { ...provider, accreditationStatement: '' } }),
    ).toThrow(/accreditation statement/);
  });
});
