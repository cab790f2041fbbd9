// Which identity field an input is, so the recording holds {{user.email}} and not the QA
// person's own address. Read from autocomplete, input type, then name, id and label text.
import type { FieldKind } from '../shared/messages.js';
import { accessibleName } from './accessibility.js';

const AUTOCOMPLETE: Record<string, FieldKind> = {
  email: 'email', 'new-password': 'password', 'current-password': 'password', 'given-name': 'firstName',
  'family-name': 'lastName', name: 'fullName', tel: 'phone', 'tel-national': 'phone', bday: 'dateOfBirth',
  username: 'username', 'street-address': 'street', 'address-line1': 'street', 'address-level2': 'city',
  'address-level1': 'state', 'postal-code': 'postalCode', organization: 'company',
};

// First match wins: "Email address" is an email before it is an address, "Username or email" an
// email before a username (the value typed decides when it was typed before: see capture.ts).
const BY_TEXT: [RegExp, FieldKind][] = [
  [/e-?mail/i, 'email'],
  [/pass(word|code)?\b|pwd/i, 'password'],
  [/user.?name|\blogin\b/i, 'username'],
  [/first.?name|given.?name|forename/i, 'firstName'],
  [/last.?name|surname|family.?name/i, 'lastName'],
  [/company|organi[sz]ation|employer/i, 'company'],
  [/full.?name|^name$|your name/i, 'fullName'],
  [/phone|mobile|\btel\b/i, 'phone'],
  [/birth|\bdob\b|bday/i, 'dateOfBirth'],
  [/\bzip\b|zip.?code|post.?code|postal/i, 'postalCode'],
  [/street|address.?line|^address$|home address/i, 'street'],
  [/\bcity\b|\btown\b/i, 'city'],
  [/\bstate\b|province|region/i, 'state'],
];

const MAX_LABEL_WORDS = 3;

export function fieldKind(el: Element): FieldKind | null {
  const auto = el.getAttribute('autocomplete')?.trim().split(/\s+/).at(-1);
  // A <select> of states says what it is only through autocomplete; its options are no identity.
  if (el instanceof HTMLSelectElement) return auto === 'address-level1' ? 'state' : null;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return null;
  if (el instanceof HTMLInputElement && el.type === 'password') return 'password';
  if (auto && AUTOCOMPLETE[auto]) return AUTOCOMPLETE[auto]!;
  if (el instanceof HTMLInputElement && el.type === 'email') return 'email';
  if (el instanceof HTMLInputElement && el.type === 'tel') return 'phone';
  // A long label mentions many things ("Account number (from your email)"): only short labels,
  // names and ids say what the field is.
  const label = [accessibleName(el), el.getAttribute('placeholder') ?? ''].filter((t) => t.split(/\s+/).length <= MAX_LABEL_WORDS);
  const text = [el.name, el.id, ...label].join(' ');
  return BY_TEXT.find(([re]) => re.test(text))?.[1] ?? null;
}
