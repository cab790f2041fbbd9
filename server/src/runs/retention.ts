// How much run history Turnout keeps (`--retain-runs`, `--retain-days`), apart from the store so
// that the CLI can show its defaults without opening SQLite.

/** The newest `runs` finished runs are kept, and none older than `days`; null keeps all. */
export interface Retention {
  runs: number | null;
  days: number | null;
}

/** A nightly farm's disk stays bounded without anyone thinking of it: a year of nights, at most 90 days. */
export const DEFAULT_RETENTION = { runs: 365, days: 90 } as const;

/** How often a server applies it (and once at start). */
export const RETENTION_INTERVAL_MS = 10 * 60_000;
