// Keeping a person's name and address out of selectors: page text such as "Welcome, Adaline"
// can end up in text/, aria/ or XPath candidates. The recorder never holds those values; it holds
// short hashes of their words, and drops any candidate containing a word with such a hash.

/** Words shorter than this are too common to say anything about a person. */
const MIN_WORD_LENGTH = 3;

/** FNV-1a, 32 bits: fast and synchronous, so selectors are filtered as they are made. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

export function wordHashes(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= MIN_WORD_LENGTH).map(fnv1a);
}

/** Hash of a whole typed value (case and surrounding space ignored), to know it when typed again. */
export function valueHash(value: string): string {
  return `v${fnv1a(value.trim().toLowerCase())}`;
}

/** Hashes of what identifies a person in a typed value: an address's mailbox part, a name's words. */
/** Fields whose words are common ("Main Street", "Springfield"): dropping selectors that mention them would drop good ones. */
const COMMON_WORDS = new Set(['password', 'street', 'city', 'state', 'postalCode', 'company']);

export function identityHashes(value: string, field: string): string[] {
  if (COMMON_WORDS.has(field)) return [];
  return wordHashes(field === 'email' ? (value.split('@')[0] ?? '') : value);
}

export function mentions(text: string, hashes: ReadonlySet<string>): boolean {
  return hashes.size > 0 && wordHashes(text).some((h) => hashes.has(h));
}
