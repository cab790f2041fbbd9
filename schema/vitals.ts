// The Web Vitals Turnout measures per step, in the order reports show them. No zod here: the
// dashboard imports this as it is.
export const VITALS = ['ttfb', 'fcp', 'lcp', 'inp', 'cls'] as const;
export type Vital = (typeof VITALS)[number];
