// The links a person could click in an email: anchors of the HTML part, bare URLs of the text.

export interface EmailLink {
  text: string;
  url: string;
}

const ANCHOR = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
const BARE_URL = /https?:\/\/[^\s<>"')]+/g;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ENTITIES[e] ?? _);
}

function visibleText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

export function extractLinks(html: string | null, text: string): EmailLink[] {
  const links: EmailLink[] = [];
  const seen = new Set<string>();
  if (html) {
    for (const m of html.matchAll(ANCHOR)) {
      const url = decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim());
      if (!/^https?:/i.test(url)) continue;
      links.push({ text: visibleText(m[4] ?? ''), url });
      seen.add(url);
    }
  }
  for (const m of text.matchAll(BARE_URL)) {
    if (!seen.has(m[0])) {
      links.push({ text: m[0], url: m[0] });
      seen.add(m[0]);
    }
  }
  return links;
}

/** A /regex/flags pattern as written in a scenario, or null when the text is a plain string. */
export function asRegExp(pattern: string): RegExp | null {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!m) return null;
  try {
    return new RegExp(m[1] ?? '', m[2]);
  } catch {
    return null;
  }
}

/** Finds a link by text (exact, then contained), URL substring, or /regex/; first link by default. */
export function pickLink(links: readonly EmailLink[], wanted?: string): EmailLink | null {
  if (!wanted) return links[0] ?? null;
  const regex = asRegExp(wanted);
  if (regex) return links.find((l) => regex.test(l.url) || regex.test(l.text)) ?? null;
  const lower = wanted.toLowerCase();
  return (
    links.find((l) => l.text.toLowerCase() === lower) ??
    links.find((l) => l.text.toLowerCase().includes(lower)) ??
    links.find((l) => l.url.includes(wanted)) ??
    null
  );
}

/** The text a pattern is matched against: the plain part, or the HTML's visible text. */
export function emailBodyText(mail: { text: string; html: string | null }): string {
  return mail.text.trim() ? mail.text : visibleText(mail.html ?? '');
}
