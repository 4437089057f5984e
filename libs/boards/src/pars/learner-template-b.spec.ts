import { completionRecord } from './pars-messages';
import {
  parseTemplateB,
  templateBFile,
  TemplateBError,
  TEMPLATE_B_HEADER,
} from './learner-template-b';
import type { BoardSubmissionRequest } from '../board-gateway.port';

const request = (overrides: Partial<BoardSubmissionRequest>): BoardSubmissionRequest => ({
  submissionId: 's-1',
  board: 'ABIM',
  attempt: 1,
  learner: {
    learnerBoardId: '123456',
    firstName: 'Ada',
    lastName: "O'Quinn & Sons",
    birthMonth: 3,
    birthDay: 14,
    licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
    npi: '1234567893',
  },
  activity: 'ipoc',
  twelfths: '18',
  credits: '1.50',
  completedAt: '2026-03-02T10:00:00.000Z',
  ...overrides,
});

describe('PARS Learner Template B (R8: the batch path)', () => {
  it('R8: a certifying board, a state board and ABP round-trip field by field', () => {
    const records = [
      completionRecord(request({})),
      completionRecord(
        request({ submissionId: 's-2', board: 'CA-MBC', activity: 'nejm-board-review' }),
      ),
      completionRecord(
        request({ submissionId: 's-3', board: 'ABP', twelfths: '9', credits: '0.75' }),
      ),
    ];

    const file = templateBFile(records);

    expect(file.split('\r\n')[0]).toBe(TEMPLATE_B_HEADER.join('\t'));
    expect(file.split('\r\n')[1]).toBe(
      "202600001\tAda\tO'Quinn & Sons\t3\t14\tABIM\t123456\t\t\t\t03/02/2026\tAMA PRA Category 1 Credit\t1.50\t1.50\tMK\ts-1",
    );
    expect(parseTemplateB(file)).toEqual(records);
  });

  it('refuses a field that would break the file, naming the record and the field', () => {
    const record = completionRecord(
      request({ learner: { ...request({}).learner, lastName: 'Quinn\tX' } }),
    );

    expect(() => templateBFile([record])).toThrow(
      new TemplateBError(
        'record s-1: lastName holds a tab or a line break, which the file cannot carry',
      ),
    );
  });

  it('refuses a file without the header or with a short row', () => {
    expect(() => parseTemplateB('a\tb\r\n')).toThrow(
      'the first line is not the Learner Template B header',
    );
    expect(() => parseTemplateB(`${TEMPLATE_B_HEADER.join('\t')}\r\nx\ty\r\n`)).toThrow(
      'line 2 has 2 fields, not 16',
    );
  });
});
