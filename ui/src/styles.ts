// Shared look: plain, high-contrast, visible focus. Colours pass WCAG AA on white.
import { css } from 'lit';

export const shared = css`
  :host { display: block; }
  h2 { font-size: 1.15rem; margin: 1.2rem 0 0.6rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d8dde3; vertical-align: top; }
  th { font-weight: 600; background: #eef1f4; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  button, select, input { font: inherit; }
  button { background: #0b5cad; color: #fff; border: 0; border-radius: 4px; padding: 6px 14px; cursor: pointer; }
  button.secondary { background: #fff; color: #0b5cad; border: 1px solid #0b5cad; }
  button:disabled { background: #8a96a3; cursor: default; }
  :is(a, button, select, input, tr[tabindex]):focus-visible { outline: 3px solid #e8a317; outline-offset: 2px; }
  a { color: #0b5cad; }
  .passed { color: #1a7f37; } .failed { color: #b3261e; }
  .card { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; padding: 12px 16px; margin-bottom: 12px; }
  .muted { color: #57606a; }
  .error { color: #b3261e; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 8px; border-radius: 4px; }
`;
