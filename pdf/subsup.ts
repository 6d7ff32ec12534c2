/**
 * Sub- and superscripts as Unicode, the form the document format prefers (SO₂, m³, PM₂.₅): the
 * renderer has no raised or lowered text, so `<sub>`/`<sup>` in a paragraph or a table cell become
 * these characters where every one has a form, and stay plain where one does not.
 */

const SUB: Record<string, string> = {
  '0': '₀',
  '1': '₁',
  '2': '₂',
  '3': '₃',
  '4': '₄',
  '5': '₅',
  '6': '₆',
  '7': '₇',
  '8': '₈',
  '9': '₉',
  '+': '₊',
  '-': '₋',
  '=': '₌',
  '(': '₍',
  ')': '₎',
  '.': '.',
};
const SUP: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '+': '⁺',
  '-': '⁻',
  '=': '⁼',
  '(': '⁽',
  ')': '⁾',
  n: 'ⁿ',
};

/** Sub/superscript as Unicode where every character has a form, else the plain text. */
export function scriptText(text: string, kind: 'sub' | 'sup'): string {
  const map = kind === 'sub' ? SUB : SUP;
  const chars = Array.from(text);
  return chars.every((c) => map[c] !== undefined) ? chars.map((c) => map[c]).join('') : text;
}
