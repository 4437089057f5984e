import { certificateFor, CLINICAL_ROLES, type ClinicalRole } from '@ledger/domain';
import pdfParse from 'pdf-parse';
import type { CertificateInput } from './certificate-input';
import { renderCertificate } from './render-certificate';

const provider = {
  name: 'Example Health CME',
  accreditationStatement:
    'Example Health CME is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide continuing medical education for physicians.',
  activityTitles: {
    ipoc: 'Internet Searching and Learning (Internet Point of Care)',
    'nejm-board-review': 'NEJM Knowledge+ Board Review Question Bank',
  },
};

const physicianClaim: CertificateInput = {
  provider,
  learnerName: 'Ada Quinn',
  clinicalRole: 'physician',
  certificate: 'ama-pra-category-1',
  activity: 'nejm-board-review',
  claimId: '7d4f2c1e-8a3b-4c5d-9e6f-0a1b2c3d4e5f',
  claimedAt: '2026-03-05T14:30:00.000Z',
  completionDates: { from: '2026-01-05', to: '2026-03-02' },
  credits: '0.75',
  boards: [
    { board: 'ABIM', boardName: 'American Board of Internal Medicine', status: 'Submitted' },
    { board: 'CA-MBC', boardName: 'Medical Board of California', status: 'Pending' },
  ],
};

const nurseClaim: CertificateInput = {
  ...physicianClaim,
  learnerName: 'Łukasz Nguyễn-Żółkiewski',
  clinicalRole: 'nurse_practitioner',
  certificate: 'participation',
  activity: 'ipoc',
  credits: '1.50',
  boards: [],
};

/** The certificate's text as a PDF reader extracts it, on one line. */
async function readCertificate(
  input: CertificateInput,
): Promise<{ text: string; pages: number; info: Record<string, unknown> }> {
  const pdf = await renderCertificate(input);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const parsed = await pdfParse(pdf);
  const info: unknown = parsed.info;
  return {
    text: parsed.text.replace(/\s+/g, ' ').trim(),
    pages: parsed.numpages,
    info: typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {},
  };
}

describe('renderCertificate (R11)', () => {
  it('gives a physician a certificate of AMA PRA Category 1 Credit with the designation statement', async () => {
    const { text, pages } = await readCertificate(physicianClaim);

    expect(pages).toBe(1);
    expect(text).toContain('Certificate of AMA PRA Category 1 Credit™');
    expect(text).toContain('This certifies that Ada Quinn Physician');
    expect(text).toContain('has participated in the enduring material');
    expect(text).toContain('NEJM Knowledge+ Board Review Question Bank');
    expect(text).toContain('and is awarded 0.75 AMA PRA Category 1 Credits™');
    expect(text).toContain(
      'Example Health CME designates this enduring material for a ' +
        'maximum of 0.75 AMA PRA Category 1 Credits™. Physicians should claim only the credit ' +
        'commensurate with the extent of their participation in the activity.',
    );
    expect(text).not.toContain('Participation');
  });

  it('gives another clinician a certificate of participation in an activity designated for the credit', async () => {
    const { text, pages } = await readCertificate(nurseClaim);

    expect(pages).toBe(1);
    expect(text).toContain('Certificate of Participation');
    expect(text).toContain('This certifies that Łukasz Nguyễn-Żółkiewski Nurse practitioner');
    expect(text).toContain('has attended and completed the internet point-of-care activity');
    expect(text).toContain('Internet Searching and Learning (Internet Point of Care)');
    expect(text).toContain('This activity was designated for 1.50 AMA PRA Category 1 Credits™.');
    expect(text).toContain('the participation of a nurse practitioner');
    expect(text).not.toContain('is awarded');
    expect(text).not.toContain('Certificate of AMA PRA');
    expect(text).not.toContain('Physicians should claim');
  });

  it.each(CLINICAL_ROLES.map((role) => [role, certificateFor(role)] as const))(
    'R11: the role %s gets the %s certificate',
    async (role: ClinicalRole, certificate) => {
      const { text } = await readCertificate({ ...nurseClaim, clinicalRole: role, certificate });

      const title =
        role === 'physician'
          ? 'Certificate of AMA PRA Category 1 Credit™'
          : 'Certificate of Participation';
      expect(text.startsWith(`EXAMPLE HEALTH CME ${title} `)).toBe(true);
    },
  );

  it('withholds the name of a learner whose personal data was erased', async () => {
    const { text } = await readCertificate({ ...physicianClaim, learnerName: undefined });

    expect(text).toContain('This certifies that Name withheld (personal data erased) Physician');
    expect(text).not.toContain('Ada Quinn');
    expect(text).toContain('and is awarded 0.75 AMA PRA Category 1 Credits™');
  });

  it('shows the claim id, the claim and issue dates, the dates of the learning and each board status', async () => {
    const { text } = await readCertificate({
      ...physicianClaim,
      issuedAt: '2026-04-01T09:00:00.000Z',
      boards: [
        ...physicianClaim.boards,
        { board: 'ABP', boardName: 'American Board of Pediatrics', status: 'Rejected' },
      ],
    });

    expect(text).toContain('CLAIM ID 7d4f2c1e-8a3b-4c5d-9e6f-0a1b2c3d4e5f');
    expect(text).toContain('CREDIT CLAIMED 5 March 2026');
    expect(text).toContain('CERTIFICATE ISSUED 1 April 2026');
    expect(text).toContain('completed 5 January 2026 – 2 March 2026');
    expect(text).toContain('American Board of Internal Medicine (ABIM)Submitted');
    expect(text).toContain('Medical Board of California (CA-MBC)Pending');
    expect(text).toContain('American Board of Pediatrics (ABP)Rejected');
  });

  it('dates the document at issue time, so that a copy of the same claim reads the same', async () => {
    const { info } = await readCertificate(physicianClaim);

    expect(info['CreationDate']).toBe('D:20260305143000Z');
    expect(info['Title']).toBe(
      'Certificate of AMA PRA Category 1 Credit™ (claim 7d4f2c1e-8a3b-4c5d-9e6f-0a1b2c3d4e5f)',
    );
  });

  it('says so when no board was selected at claim time', async () => {
    const { text } = await readCertificate({ ...physicianClaim, boards: [] });

    expect(text).toContain('REPORTED TO BOARDS No board was selected when the credit was claimed');
  });

  it('R11: prints the configured provider, its accreditation statement word for word, and its activity titles', async () => {
    const { text } = await readCertificate({
      ...physicianClaim,
      provider: {
        name: 'Northwind Medical Education',
        accreditationStatement:
          'Northwind Medical Education is accredited by the ACCME to provide continuing medical education for physicians.',
        activityTitles: { ...provider.activityTitles, 'nejm-board-review': 'Northwind Board Prep' },
      },
    });

    expect(text).toContain('Northwind Medical Education designates this enduring material');
    expect(text).toContain(
      'Northwind Medical Education is accredited by the ACCME to provide continuing medical education for physicians.',
    );
    expect(text).toContain('Northwind Board Prep');
    expect(text).not.toContain('CME Credit Ledger');
  });

  it('uses the singular for exactly one credit', async () => {
    const { text } = await readCertificate({ ...physicianClaim, credits: '1.00' });

    expect(text).toContain('and is awarded 1.00 AMA PRA Category 1 Credit™');
  });

  it('keeps a long name whole and every board of the catalogue on one page', async () => {
    const name = 'Maximiliana Alexandrina Featherstonehaugh-Montgomery-Wolfeschlegelsteinhausen';
    const codes = ['ABA', 'ABIM', 'ABOS', 'ABOHNS', 'ABPath', 'ABP', 'ABS', 'ABTS', 'ABPMR'];
    const states = ['CA-MBC', 'MD-MBP', 'NC-NCMB', 'OR-OMB', 'WA-WMC'];
    const { text, pages } = await readCertificate({
      ...physicianClaim,
      learnerName: name,
      boards: [...codes, ...states].map((board) => ({
        board,
        boardName: board,
        status: 'Submitted',
      })),
    });

    expect(pages).toBe(1);
    expect(text).toContain(name);
    for (const board of [...codes, ...states]) expect(text).toContain(`${board}Submitted`);
  });

  it('refuses credits that are not a decimal amount', async () => {
    await expect(renderCertificate({ ...physicianClaim, credits: '3/4' })).rejects.toThrow(
      RangeError,
    );
  });
});
