// Numbers as people read them.
export { ms, pct } from '../../schema/present.js';

export const duration = (from: string, to: string | null): string => {
  const s = ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;
  return s >= 120 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
};

export const time = (iso: string): string => new Date(iso).toLocaleString();
