// A menu item that only shows while its menu is hovered needs a hover before the click on
// replay. We find that out from the page's own CSS: a `…:hover …` rule that currently applies
// to the clicked element or an ancestor names the element to hover.

/** Visibility-changing declarations that make a `:hover` rule a hover-only reveal. */
const REVEALS = /display|visibility|opacity|max-height|transform/;

function* hoverRules(doc: Document): Generator<CSSStyleRule> {
  for (const sheet of doc.styleSheets) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a cross-origin stylesheet cannot be read
    }
    for (const rule of rules) {
      if (rule instanceof CSSStyleRule && rule.selectorText.includes(':hover') && REVEALS.test(rule.style.cssText)) yield rule;
    }
  }
}

/** The element whose hover reveals `target`, or null when the target shows without hovering. */
export function hoverAncestor(target: Element): Element | null {
  const doc = target.ownerDocument;
  for (const rule of hoverRules(doc)) {
    for (const selector of rule.selectorText.split(',')) {
      const at = selector.indexOf(':hover');
      if (at < 0) continue;
      const revealed = target.closest(selector.trim());
      if (!revealed) continue;
      // "li.menu:hover .submenu" → the hovered element is the nearest "li.menu" around it.
      const hovered = revealed.closest(selector.slice(0, at).trim() || '*');
      if (hovered && hovered !== target && hovered.contains(target)) return hovered;
    }
  }
  return null;
}
