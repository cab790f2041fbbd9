// Which identity field an input is, so the recording holds {{user.email}} and not the QA
// person's own address. Read from autocomplete, input type, then name, id and label text.
import type { FieldKind } from '../shared/messages.js';
import { accessibleName } from './accessibility.js';

const AUTOCOMPLETE: Record<string, FieldKind> = {
  email: 'email', 'new-password': 'password', 'current-password': 'password', 'given-name': 'firstName',
  'family-name': 'lastName', name: 'fullName', tel: 'phone', 'tel-national': 'phone', bday: 'dateOfBirth',
};

const BY_TEXT: [RegExp, FieldKind][] = [
  [/e-?mail/i, 'email'],
  [/pass(word|code)?\b|pwd/i, 'password'],
  [/first.?name|given.?name|forename/i, 'firstName'],
  [/last.?name|surname|family.?name/i, 'lastName'],
  [/full.?name|^name$|your name/i, 'fullName'],
  [/phone|mobile|\btel\b/i, 'phone'],
  [/birth|\bdob\b|bday/i, 'dateOfBirth'],
];

const MAX_LABEL_WORDS = 3;

export function fieldKind(el: Element): FieldKind | null {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return null;
  if (el instanceof HTMLInputElement && el.type === 'password') return 'password';
  const auto = el.getAttribute('autocomplete')?.trim().split(/\s+/).at(-1);
  if (auto && AUTOCOMPLETE[auto]) return AUTOCOMPLETE[auto]!;
  if (el instanceof HTMLInputElement && el.type === 'email') return 'email';
  if (el instanceof HTMLInputElement && el.type === 'tel') return 'phone';
  // A long label mentions many things ("Account number (from your email)"): only short labels,
  // names and ids say what the field is.
  const label = [accessibleName(el), el.getAttribute('placeholder') ?? ''].filter((t) => t.split(/\s+/).length <= MAX_LABEL_WORDS);
  const text = [el.name, el.id, ...label].join(' ');
  return BY_TEXT.find(([re]) => re.test(text))?.[1] ?? null;
}
