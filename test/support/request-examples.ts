import { profileFields } from '@ledger/domain/testing';

/** The design brief's profile (`PUT /v1/learners/:learnerId/profile`): a body every check accepts. */
export const PROFILE_EXAMPLE = profileFields();
