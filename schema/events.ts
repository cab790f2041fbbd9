// What happens to a person during a run, as data: one event codec for every place a run's
// progress crosses a boundary — a farm worker to its coordinator (Redis), `turnout replay
// --server` to a server (HTTP), the engine's hooks to the live view. `hooksToEvents` turns the
// engine's hooks into events, `applyEvent` turns them back; both are total over the union.
import * as z from 'zod';
import { assertNever } from './never.js';
import { PersonResult, PersonStepResult, type PersonResult as PersonResultType, type PersonStepResult as StepResultType } from './summary.js';


const user = z.number().int().positive();

export const RunEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('personStarted'), user, email: z.string().max(320) }),
  z.strictObject({ kind: z.literal('stepStarted'), user, step: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal('stepFinished'), user, result: PersonStepResult }),
  z.strictObject({ kind: z.literal('personFinished'), person: PersonResult }),
]);
export type RunEvent = z.infer<typeof RunEvent>;

/** The hooks a run reports through; what an event stream is played back into. */
export interface PersonEventHooks {
  onPersonStarted?: (person: number, email: string) => void;
  beforeEachStep?: (person: number, step: number) => void;
  afterEachStep?: (person: number, result: StepResultType) => void;
  onPersonFinished?: (result: PersonResultType) => void;
}

/** Hooks that send each thing that happens as an event. */
export function hooksToEvents(emit: (event: RunEvent) => void): Required<PersonEventHooks> {
  return {
    onPersonStarted: (person, email) => emit({ kind: 'personStarted', user: person, email }),
    beforeEachStep: (person, step) => emit({ kind: 'stepStarted', user: person, step }),
    afterEachStep: (person, result) => emit({ kind: 'stepFinished', user: person, result }),
    onPersonFinished: (person) => emit({ kind: 'personFinished', person }),
  };
}

/** Plays one event back into hooks. */
export function applyEvent(event: RunEvent, hooks: PersonEventHooks): void {
  switch (event.kind) {
    case 'personStarted':
      return hooks.onPersonStarted?.(event.user, event.email);
    case 'stepStarted':
      return hooks.beforeEachStep?.(event.user, event.step);
    case 'stepFinished':
      return hooks.afterEachStep?.(event.user, event.result);
    case 'personFinished':
      return hooks.onPersonFinished?.(event.person);
    default:
      return assertNever(event, 'run event');
  }
}

/** The person an event is about. */
export const eventUser = (event: RunEvent): number => (event.kind === 'personFinished' ? event.person.user : event.user);

/**
 * What `turnout replay --server` streams. Screenshot and trace paths name files on the machine
 * that ran the person: the server cannot show them, so they are dropped on arrival.
 */
export const IngestEvent = RunEvent.transform((event) =>
  event.kind === 'personFinished' ? { ...event, person: { ...event.person, screenshot: null, trace: null } } : event,
);
export type IngestEvent = z.infer<typeof IngestEvent>;
export type IngestEventInput = z.input<typeof IngestEvent>;
export const IngestBatch = z.array(IngestEvent).max(5000);

/** A farm worker's event: `attempt` tells a retried person's events from the first try's. */
export const FarmEvent = z.strictObject({ attempt: z.string().max(100), worker: z.string().max(200), event: RunEvent });
export type FarmEvent = z.infer<typeof FarmEvent>;
