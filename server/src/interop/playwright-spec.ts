// `turnout export --playwright`: a readable Playwright Test spec of a scenario. Locators come from
// the best selector candidate; identities from a small helper; email steps through that helper,
// which asks a running Turnout server's sink (TURNOUT_URL) for the person's mail.
import type { Scenario, Selector, Step } from '../../../schema/index.js';
import { assertNever, VARIABLE_PATTERN } from '../../../schema/index.js';
import { UrlPolicy } from '../engine/urls.js';
import { describeStep } from '../runs/describe.js';

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A scenario value as a TypeScript expression: literals quoted, {{variables}} from the helper. */
function value(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE_PATTERN)) {
    if (m.index! > last) parts.push(text.slice(last, m.index).replace(/[`\\$]/g, '\\$&'));
    const [prefix, field] = m[1]!.split('.');
    const expr = prefix === 'user' ? `user.${field}` : prefix === 'run' ? 'runId' : prefix === 'secret' ? `process.env.${field}!` : `vars[${q(m[1]!)}]!`;
    parts.push(`\${${expr}}`);
    last = m.index! + m[0].length;
  }
  if (parts.length === 0) return q(text);
  if (last < text.length) parts.push(text.slice(last).replace(/[`\\$]/g, '\\$&'));
  return parts.length === 1 && parts[0]!.startsWith('${') && parts[0]!.endsWith('}') ? parts[0]!.slice(2, -1) : `\`${parts.join('')}\``;
}

/** One selector part as a Playwright locator call on `scope`. */
function part(scope: string, selector: string, kind: Step['type']): string {
  const aria = /^aria\/(.*?)(?:\[role="([^"]+)"\])?$/s.exec(selector);
  if (aria) {
    const [, name = '', role] = aria;
    if (role) return `${scope}.getByRole(${q(role)}${name ? `, { name: ${q(name)}, exact: true }` : ''})`;
    return kind === 'change' ? `${scope}.getByLabel(${q(name)}, { exact: true })` : `${scope}.getByText(${q(name)}, { exact: true })`;
  }
  if (selector.startsWith('text/')) return `${scope}.getByText(${q(selector.slice(5))})`;
  if (selector.startsWith('xpath/')) return `${scope}.locator(${q(`xpath=${selector.slice(6)}`)})`;
  if (selector.startsWith('pierce/')) return `${scope}.locator(${q(selector.slice(7))})`;
  return `${scope}.locator(${q(selector)})`;
}

function locator(step: Step & { selectors?: Selector[]; frame?: number[] }): string {
  let scope = 'page';
  for (const index of step.frame ?? []) scope = `${scope}.locator('iframe').nth(${index}).contentFrame()`;
  const best = step.selectors?.[0] ?? '*';
  const parts = typeof best === 'string' ? [best] : best;
  return parts.reduce((s, p) => part(s, p, step.type), scope) + (parts.length === 1 && /^(text|aria)\//.test(parts[0]!) ? '' : '.first()');
}

function statement(step: Step): string {
  switch (step.type) {
    case 'setViewport':
      return `await page.setViewportSize({ width: ${step.width}, height: ${step.height} });`;
    case 'navigate':
      return `await page.goto(${value(step.url)});`;
    case 'click':
      return `await ${locator(step)}.click();`;
    case 'doubleClick':
      return `await ${locator(step)}.dblclick();`;
    case 'hover':
      return `await ${locator(step)}.hover();`;
    case 'change':
      return `await fillField(${locator(step)}, ${value(step.value)});`;
    case 'keyDown':
      return `await page.keyboard.down(${q(step.key)});`;
    case 'keyUp':
      return `await page.keyboard.up(${q(step.key)});`;
    case 'scroll':
      return step.selectors?.length ? `await ${locator(step)}.evaluate((el) => el.scrollTo(${step.x ?? 0}, ${step.y ?? 0}));` : `await page.mouse.wheel(${step.x ?? 0}, ${step.y ?? 0});`;
    case 'waitForElement':
      return step.operator === '==' && step.count !== undefined ? `await expect(${locator(step)}).toHaveCount(${step.count});` : `await expect(${locator(step)}).toBeVisible();`;
    case 'waitForExpression':
      return `await page.waitForFunction(${q(step.expression)});`;
    case 'close':
      return `await page.close();`;
    case 'emulateNetworkConditions':
      return `// network conditions (${step.download} B/s down, ${step.latency} ms latency) are not emulated here`;
    case 'customStep':
      return `// customStep ${q(step.name)} skipped`;
    case 'waitForEmail':
      return `mail = await inbox.waitFor(${value(step.to)}, { ${step.subject ? `subject: ${q(step.subject)}, ` : ''}timeoutMs: ${step.timeout ?? 60_000} });`;
    case 'openEmailLink':
      return `await page.goto(mail.link(${step.link ? q(step.link) : ''}));`;
    case 'extractFromEmail':
      return `vars[${q(step.as)}] = mail.extract(${q(step.pattern)});`;
    default:
      return assertNever(step, 'step');
  }
}

export function toPlaywrightSpec(scenario: Scenario, options: { baseUrl?: string | null; helperImport?: string } = {}): string {
  const urls = new UrlPolicy(scenario, options.baseUrl ?? null);
  const usesMail = scenario.steps.some((s) => s.type === 'waitForEmail');
  const lines = scenario.steps.map((s, i) => {
    const step = s.type === 'navigate' ? { ...s, url: urls.rewrite(s.url) } : s;
    return `  // ${i}: ${describeStep(s)}${s.name ? ` (${s.name})` : ''}\n  ${statement(step)}`;
  });
  const helperImport = options.helperImport ?? './turnout-helpers';
  return `// ${scenario.title} — exported from a Turnout scenario by \`turnout export --playwright\`.
import { expect, test } from '@playwright/test';
import { fillField, identity${usesMail ? ', Inbox, type Mail' : ''} } from '${helperImport}';

test(${q(scenario.title)}, async ({ page }) => {
  const user = identity();
  const runId = Date.now().toString(36);
  const vars: Record<string, string> = {};
${usesMail ? '  const inbox = new Inbox();\n  let mail: Mail;\n' : ''}
${lines.join('\n')}
  void [vars, runId];
});
`;
}
