// Numbers as people read them.
export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Math.round(v * 1000) / 10} %`);

export const duration = (from: string, to: string | null): string => {
  const s = ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;
  return s >= 120 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
};

export const time = (iso: string): string => new Date(iso).toLocaleString();
