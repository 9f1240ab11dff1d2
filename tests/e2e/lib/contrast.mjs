// WCAG contrast measured in the page as rendered: every visible piece of text against the
// colours behind it (4.5:1 for AA), and the focus ring 3:1 against the focused element's card
// and the page. Pass `contrastProblems` to `page.evaluate` with the minimum; it runs in the
// page, so it may use nothing from this module.

// The WCAG contrast of every visible piece of text against the colours behind it, for those
// under `minimum`; and of the focus ring against the element's card and the page.
export function contrastProblems(minimum) {
  const parse = (colour) => {
    const m = colour.match(/rgba?\(([^)]+)\)/);
    if (!m) throw new Error(`unexpected colour ${colour}`);
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    return layers.reverse().reduce((below, top) => over(top, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }) => {
    const channel = (v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    seen.add(el);
    // Inactive controls are exempt (WCAG 1.4.3), as is what lies outside the page (the skip link).
    if (el.closest('button:disabled, [aria-disabled="true"], svg')) continue;
    const box = el.getBoundingClientRect();
    if (box.bottom <= 0 || box.right <= 0 || box.width === 0) continue;
    const behind = background(el);
    const value = ratio(over(parse(getComputedStyle(el).color), behind), behind);
    if (value < minimum) problems.push(`${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 30)}": ${value.toFixed(2)}`);
  }
  const focused = document.activeElement;
  if (focused && focused !== document.body) {
    const ring = parse(getComputedStyle(focused).outlineColor);
    for (const [what, el] of [['its card', focused.parentElement], ['the page', document.body]]) {
      const value = ratio(ring, background(el));
      if (value < 3) problems.push(`focus ring of ${focused.tagName.toLowerCase()}#${focused.id} against ${what}: ${value.toFixed(2)}`);
    }
  }
  return problems;
}
