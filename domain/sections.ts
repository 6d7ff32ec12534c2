/**
 * Where a comment points in a document: its sections, and a section as a person writes it (on a
 * paper card, in a form, in a YAML file) told back to the section's id.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import type { Section } from './records.js';
import type { RoundStatus } from './round.js';

/** The sections of a document's latest version: a comment written now points into that version. */
export function latestSections(round: RoundStatus, docKey: string): Section[] {
  const doc = round.documents.find((d) => d.key === docKey);
  return doc?.versions.at(-1)?.sections ?? [];
}

/** "3.7 规划目标和指标", or the title alone when the number is empty or is the title (第一章). */
export function sectionLabel(s: Section): string {
  return s.number && s.number !== s.title ? `${s.number} ${s.title}` : s.title;
}

/**
 * A section as typed ("3.7", "3.7 规划目标和指标", its title or its id) → its id.
 * The id wins, then the number, so that a title that happens to look like a number cannot shadow one.
 */
export function resolveSection(sections: Section[], typed: string): string | undefined {
  const t = typed.trim().replace(/\s+/g, ' ');
  return (
    sections.find((s) => s.id === t)?.id ??
    sections.find((s) => s.number !== '' && s.number === t)?.id ??
    sections.find((s) => sectionLabel(s) === t)?.id ??
    sections.find((s) => s.title === t)?.id
  );
}

/** A section of a document's version as a person reads it ("3.7 规划目标和指标"); its id when the version has no such section. */
export function sectionAt(round: RoundStatus, docKey: string, version: number, sectionId: string | undefined) {
  if (!sectionId) return undefined;
  const doc = round.documents.find((d) => d.key === docKey);
  const s = (doc?.versions.find((v) => v.n === version) ?? doc?.versions.at(-1))?.sections.find(
    (x) => x.id === sectionId,
  );
  return s ? sectionLabel(s) : sectionId;
}
