// A small, honest subset of WAI-ARIA roles and accessible names: enough to write `aria/Name
// [role="…"]` selectors that Turnout's replay (Playwright's role engine) finds again.

const INPUT_ROLES: Record<string, string> = {
  button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox', radio: 'radio',
  text: 'textbox', email: 'textbox', tel: 'textbox', url: 'textbox', search: 'searchbox', number: 'spinbutton', range: 'slider',
};

const NAME_FROM_CONTENT = new Set(['button', 'link', 'heading', 'option', 'menuitem', 'tab', 'cell', 'checkbox', 'radio', 'switch']);

const norm = (text: string | null | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** The element's role, explicit or implicit; null where we would rather not guess (date inputs, passwords). */
export function roleOf(el: Element): string | null {
  const explicit = el.getAttribute('role')?.split(/\s+/)[0];
  if (explicit) return explicit;
  switch (el.localName) {
    case 'button':
      return 'button';
    case 'a':
      return el.hasAttribute('href') ? 'link' : null;
    case 'input':
      return INPUT_ROLES[(el as HTMLInputElement).type] ?? null;
    case 'textarea':
      return 'textbox';
    case 'select':
      return (el as HTMLSelectElement).multiple || (el as HTMLSelectElement).size > 1 ? 'listbox' : 'combobox';
    case 'option':
      return 'option';
    case 'img':
      return el.getAttribute('alt') ? 'img' : null;
    case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6':
      return 'heading';
    default:
      return null;
  }
}

function textWithoutControls(el: Element): string {
  const clone = el.cloneNode(true) as Element;
  for (const c of clone.querySelectorAll('input, select, textarea')) c.remove();
  return norm(clone.textContent);
}

/** The accessible name, in the order the spec computes it (labelledby, label, labels, content, title). */
export function accessibleName(el: Element): string {
  const doc = el.ownerDocument;
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) return norm(labelledBy.split(/\s+/).map((id) => doc.getElementById(id)?.textContent ?? '').join(' '));
  const label = el.getAttribute('aria-label');
  if (label?.trim()) return norm(label);
  if (el instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(el.type)) return norm(el.value) || (el.type === 'submit' ? 'Submit' : '');
  const labels = (el as HTMLInputElement).labels;
  if (labels && labels.length) return norm([...labels].map(textWithoutControls).join(' '));
  if (el.localName === 'img') return norm(el.getAttribute('alt'));
  const role = roleOf(el);
  if (role && NAME_FROM_CONTENT.has(role)) {
    const text = norm(el.textContent);
    if (text) return text;
  }
  return norm(el.getAttribute('title'));
}
