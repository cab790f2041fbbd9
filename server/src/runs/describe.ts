// Human titles for steps, as they appear in the CLI table, reports and the dashboard.
import type { Selector, Step } from '../../../schema/index.js';

function shortSelector(selectors: readonly Selector[] | undefined): string {
  const all = (selectors ?? []).map((s) => (typeof s === 'string' ? s : s.at(-1) ?? ''));
  // A name a person would read beats a CSS path.
  const readable = all.find((s) => s.startsWith('aria/') || s.startsWith('text/'));
  const chosen = (readable ?? all[0] ?? '?').replace(/^(aria|text|pierce|xpath)\//, '').replace(/\[role="[^"]+"\]$/, '');
  return chosen.length > 40 ? `${chosen.slice(0, 39)}…` : chosen;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export function describeStep(step: Step): string {
  if (step.title) return step.title;
  switch (step.type) {
    case 'navigate':
      return `open ${pathOf(step.url)}`;
    case 'click':
    case 'doubleClick':
    case 'hover':
      return `${step.type === 'doubleClick' ? 'double-click' : step.type} "${shortSelector(step.selectors)}"`;
    case 'change':
      return `fill "${shortSelector(step.selectors)}" with ${step.value.includes('{{') ? step.value : `"${step.value}"`}`;
    case 'keyDown':
    case 'keyUp':
      return `${step.type === 'keyDown' ? 'press' : 'release'} ${step.key}`;
    case 'waitForElement':
      return `wait for "${shortSelector(step.selectors)}"`;
    case 'waitForEmail':
      return `wait for email${step.subject ? ` "${step.subject}"` : ''}`;
    case 'openEmailLink':
      return `open email link${step.link ? ` "${step.link}"` : ''}`;
    case 'extractFromEmail':
      return `take {{${step.as}}} from email`;
    case 'customStep':
      return `custom ${step.name}`;
    default:
      return step.type;
  }
}
