/** An emmett-style decider: pure `decide` and `evolve` over one stream's state. */
export interface Decider<State, Command, Event, Context> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** Throws DomainRuleViolation when the command breaks a rule; [] when it changes nothing. */
  decide: (command: Command, state: State, context: Context) => Event[];
}
