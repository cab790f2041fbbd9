// What the last people learnt about each step's first selector candidate, kept for the run (the
// scenario's step objects are the keys): whether it stopped matching, and how long acting on it
// took. Steps that can go straight to their element use it to skip asking the page which
// candidate matches — the answer would be the first, which Chrome's order picks whenever it does.
import type { Step } from '../../../schema/index.js';

/**
 * Steps whose first selector candidate did not match for the last person who looked. A step
 * whose first candidate stops matching is searched in order (as Chrome's replayer does) by the
 * next people, until one finds it again.
 */
export const firstStale = new WeakSet<Step>();

/**
 * The role of each step's first candidate's element, where that candidate is `aria/Name` without
 * one (locate.ts `isRolelessAria`): learnt by the first person to act on it, then asked for alone
 * by the people after. Null while that person is asking. A role that stops matching is forgotten
 * and learnt again.
 */
export const firstRole = new WeakMap<Step, string | null>();

/** How long the direct wait on the first candidate lasts, at least, before the others are tried. */
const FIRST_CANDIDATE_WAIT_MS = 2000;

/**
 * How long each step's direct action took the last person it went through for. On a crowded
 * machine an action takes seconds even where its element is there; cut short at 2 s it is then
 * asked about and started again, paying its round trips twice (at 50 at once on 2 cores, a
 * third of the fills and two thirds of the clicks were). The wait grows with what the step
 * took — three times the last person's time, at most half the step's — so a stale first
 * candidate still leaves time to search the others.
 */
export const tookLast = new WeakMap<Step, number>();

/**
 * How long the direct wait on the step's first candidate lasts: three times the longer of what
 * the step took the last person and what this person's own last input or page load took (their
 * `paceMs`), at least 2 s, at most half the step. A crowd moves in step: at 50 at once most
 * people reach a step before anyone has finished it, so the step has no time of its own yet,
 * but each person's page has just shown how slowly it answers.
 */
export const firstCandidateWait = (step: Step, remainingMs: number, paceMs = 0): number =>
  Math.min(remainingMs, Math.max(FIRST_CANDIDATE_WAIT_MS, Math.min(3 * Math.max(tookLast.get(step) ?? 0, paceMs), remainingMs / 2)));

/** Records which candidate a full search found: the first one makes the step go straight again. */
export function foundAt(step: Step, index: number): void {
  if (index === 0) firstStale.delete(step);
  else firstStale.add(step);
}
