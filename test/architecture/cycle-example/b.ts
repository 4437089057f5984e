import { a } from './a';

/** The other half of the deliberate cycle. */
export const b = (): string => `b${a.length}`;
