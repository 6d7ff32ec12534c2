/** Exported trails altered as a forger would: one line edited, then every hash after it computed again. */
import { entrySha256, type Trail } from '../../infra/trail.js';

/** The approval's entry edited to say the candidate was rejected (one line of the JSON). */
export function approvalEdited(json: string): string {
  return json.replace('"en": "Approved the candidate PDF: ', '"en": "Rejected the candidate PDF: ');
}

/** The file's chain made whole again after an edit: each entry's prev and sha256, and the head. */
export function rechained(json: string): string {
  const file = JSON.parse(json) as Trail;
  let prev = file.entries[0]!.prev;
  for (const e of file.entries) {
    e.prev = prev;
    e.sha256 = entrySha256(e);
    prev = e.sha256;
  }
  file.head = prev;
  return JSON.stringify(file, null, 2);
}
