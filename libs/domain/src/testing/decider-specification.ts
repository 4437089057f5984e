import { AssertionError, deepStrictEqual } from 'node:assert/strict';
import type { Decider } from '../decider';
import { DomainRuleViolation, type DomainRuleCode, type RuleId } from '../rules';

/**
 * Given/when/then for deciders (after emmett's DeciderSpecification), with no test-runner
 * dependency: failures are node:assert errors, which every runner reports with a diff.
 *
 *   const given = DeciderSpecification.for(learnerDecider, testDecisionContext());
 *   given([questionResearched()]).when(claimCredits()).then([creditClaimed()]);
 */

export interface ExpectedViolation {
  rule: RuleId;
  code: DomainRuleCode;
  /** Compared only when given. */
  field?: string;
}

export interface DecisionExpectation<Event> {
  then(expected: readonly Event[]): void;
  /** Accepted, and nothing new recorded (an idempotent repeat). */
  thenNothing(): void;
  /** Refused with this rule and code; returns the error for further checks (its message). */
  thenThrows(expected: ExpectedViolation): DomainRuleViolation;
}

export const DeciderSpecification = {
  for<State, Command, Event, Context>(
    decider: Decider<State, Command, Event, Context>,
    context: Context,
  ) {
    return (givenEvents: readonly Event[]) => ({
      when(command: Command, contextOverrides: Partial<Context> = {}): DecisionExpectation<Event> {
        const handle = (): Event[] => {
          const state = givenEvents.reduce(decider.evolve, decider.initialState());
          return decider.decide(command, state, { ...context, ...contextOverrides });
        };
        return {
          then(expected) {
            deepStrictEqual(handle(), expected);
          },
          thenNothing() {
            deepStrictEqual(handle(), []);
          },
          thenThrows(expected) {
            let events: Event[];
            try {
              events = handle();
            } catch (error) {
              if (!(error instanceof DomainRuleViolation)) throw error;
              const actual = { rule: error.rule, code: error.code, field: error.field };
              deepStrictEqual(
                expected.field === undefined ? { ...actual, field: undefined } : actual,
                { rule: expected.rule, code: expected.code, field: expected.field },
              );
              return error;
            }
            throw new AssertionError({
              message: `expected ${expected.rule} ${expected.code}, but the command was accepted with ${JSON.stringify(events)}`,
            });
          },
        };
      },
    });
  },
};
