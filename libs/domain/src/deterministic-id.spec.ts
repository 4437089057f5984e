import { boardSubmissionId, claimIdFor, uuidV5 } from './deterministic-id';

describe('name-based ids', () => {
  it('computes RFC 9562 version 5 UUIDs (the RFC DNS example)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('R8: derives the same submission id for the same claim and board, and distinct ones otherwise', () => {
    const claimId = '0b6f3b4e-1f1a-4c57-9a76-5c1f0f6b2a11';
    const id = boardSubmissionId(claimId, 'ABIM');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(boardSubmissionId(claimId, 'ABIM')).toBe(id);
    expect(boardSubmissionId(claimId, 'ABP')).not.toBe(id);
    expect(boardSubmissionId('0b6f3b4e-1f1a-4c57-9a76-5c1f0f6b2a12', 'ABIM')).not.toBe(id);
  });

  it('R6: a claim id is unique across the ledger: the same command id for two learners gives two claims', () => {
    const commandId = '5f0c7a52-2b2e-4b8e-9d61-0d3c2f1a9b77';
    expect(claimIdFor('ada', commandId)).not.toBe(claimIdFor('bo', commandId));
    // Learner ids cannot be spliced into one another through the separator.
    expect(claimIdFor('a/b', 'c')).not.toBe(claimIdFor('a', 'b/c'));
    expect(claimIdFor('ada', commandId)).toBe(claimIdFor('ada', commandId));
    expect(boardSubmissionId(claimIdFor('ada', commandId), 'ABIM')).not.toBe(
      boardSubmissionId(claimIdFor('bo', commandId), 'ABIM'),
    );
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(RangeError);
  });
});
