/** The two CME activities of the FAQ, and what one unit of each earns (R1, R2, R4). */
export const ACTIVITIES = ['ipoc', 'nejm-board-review'] as const;
export type Activity = (typeof ACTIVITIES)[number];

export const isActivity = (value: string): value is Activity =>
  (ACTIVITIES as readonly string[]).includes(value);

/** R1/R4: one clinical question researched earns 0.5 credit = 6/12. */
export const IPOC_TWELFTHS_PER_RESEARCH = 6n;
/** R2/R4: one first correct board-review answer earns 1/6 credit = 2/12. */
export const BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER = 2n;
