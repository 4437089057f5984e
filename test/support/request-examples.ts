/** The design brief's profile (`PUT /v1/learners/:learnerId/profile`): a body every check accepts. */
export const PROFILE_EXAMPLE = {
  clinicalRole: 'physician',
  firstName: 'Ada',
  lastName: 'Quinn',
  birthMonth: 3,
  birthDay: 14,
  country: 'US',
  boards: [{ boardId: 'ABIM', learnerBoardId: '123456' }],
  licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
  npi: '1234567893',
};
