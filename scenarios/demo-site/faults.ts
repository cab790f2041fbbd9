// Fault knobs of the demo site, as percentages of people (`register-refused` re-renders the
// sign-up form at the same address with "Error: this username is already registered"), and the deterministic plan that says
// which person gets which: the ground truth a Turnout run is checked against.

export const FAULT_KINDS = ['email-never-sent', 'broken-link', 'identity-hangs', 'submit-500', 'register-refused'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Fault = FaultKind | 'none';

export type FaultPercentages = Record<FaultKind, number>;

export const NO_FAULTS: FaultPercentages = { 'email-never-sent': 0, 'broken-link': 0, 'identity-hangs': 0, 'submit-500': 0, 'register-refused': 0 };

/**
 * A deck of 100 slots: fault j at `p` percent takes `p` slots spread evenly from offset j, so
 * the k-th account created gets `deck[k % 100]` and any 10 consecutive people at 10 % each meet
 * every fault exactly once. Random draws would make small crowds miss a fault entirely.
 */
export function faultDeck(percentages: FaultPercentages): Fault[] {
  const total = FAULT_KINDS.reduce((sum, k) => sum + percentages[k], 0);
  if (total > 100) throw new Error(`fault percentages add up to ${total} %, more than 100 %`);
  const deck: Fault[] = Array.from({ length: 100 }, () => 'none');
  FAULT_KINDS.forEach((kind, j) => {
    const p = percentages[kind];
    for (let i = 0; i < p; i++) {
      let slot = (Math.floor((i * 100) / p) + j) % 100;
      while (deck[slot] !== 'none') slot = (slot + 1) % 100;
      deck[slot] = kind;
    }
  });
  return deck;
}

/** Parses "email-never-sent=10,submit-500=5" (the --faults flag and DEMO_FAULTS). */
export function parseFaults(text: string): FaultPercentages {
  const out = { ...NO_FAULTS };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=');
    const pct = Number(value);
    if (!(FAULT_KINDS as readonly string[]).includes(name ?? '') || !Number.isInteger(pct) || pct < 0 || pct > 100) {
      throw new Error(`bad fault "${part}": use NAME=PERCENT with NAME one of ${FAULT_KINDS.join(', ')}`);
    }
    out[name as FaultKind] = pct;
  }
  faultDeck(out);
  return out;
}
