/**
 * The field names of a bureau's reply form: the contract between the page the web server renders
 * and whatever posts it (a browser, or cli/linkReplies.ts answering as the bureaus would).
 *
 * Field names (flat; the body is parsed without dot-nesting):
 *   requestId, csrf, action (`submit` | `add:<docKey>`), responder.name, responder.position,
 *   doc.<key>.answer (`noComments` | `comments`), doc.<key>.rows (how many comment rows are shown),
 *   doc.<key>.c.<i>.page | .section | .quote | .text | .change, attachment (file), attachment.keep (SHA-256),
 *   attachment.proof (infra/linkTokens.ts scanProofFor: the kept scan was uploaded through this link).
 */

export type RowField = 'page' | 'section' | 'quote' | 'text' | 'change';
export const ROW_FIELDS: readonly RowField[] = ['page', 'section', 'quote', 'text', 'change'];

export const fieldNames = {
  requestId: 'requestId',
  csrf: 'csrf',
  action: 'action',
  responderName: 'responder.name',
  responderPosition: 'responder.position',
  attachment: 'attachment',
  attachmentKeep: 'attachment.keep',
  attachmentProof: 'attachment.proof',
  answer: (doc: string) => `doc.${doc}.answer`,
  rows: (doc: string) => `doc.${doc}.rows`,
  row: (doc: string, i: number, field: RowField) => `doc.${doc}.c.${i}.${field}`,
  form: 'form',
} as const;
