import { b } from './b';

/** Half of a deliberate import cycle, for the cycle check's own test. */
export const a = (): string => `a${b.length}`;
