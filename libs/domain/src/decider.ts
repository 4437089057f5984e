/** An emmett-style decider: pure `decide` and `evolve` over one stream's state. */
export interface Decider<State, Command, Event, Context> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /**
   * Optional: the same as `events.reduce(evolve, from)`, faster (e.g. one copy of the state
   * for the whole fold instead of one per event). Loading a long stream uses it.
   */
  fold?: (events: Iterable<Event>, from: State) => State;
  /** Throws DomainRuleViolation when the command breaks a rule; [] when it changes nothing. */
  decide: (command: Command, state: State, context: Context) => Event[];
}
