/** Reads circulated documents from the store and derives what workflows keep of them: the outline. */
import { ApplicationFailure } from '@temporalio/common';
import type { Section } from '../domain/records.js';
import { DocumentFormatError, parseDocument } from '../infra/documents.js';
import { ContentCorruptError, ContentNotFoundError, type ContentStore } from '../infra/store.js';

export interface DescribedDocument {
  sections: Section[];
  standIn: boolean;
  warnings: string[];
}

export function createDocumentActivities({ store }: { store: ContentStore }) {
  async function describeDocument(sha256: string): Promise<DescribedDocument> {
    try {
      const source = (await store.get(sha256)).toString('utf8');
      const { sections, frontMatter, warnings } = parseDocument(source);
      return { sections, standIn: frontMatter.standIn, warnings };
    } catch (err) {
      if (
        err instanceof ContentNotFoundError ||
        err instanceof ContentCorruptError ||
        err instanceof DocumentFormatError
      ) {
        throw ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true });
      }
      throw err;
    }
  }

  return {
    /** All of a round's documents in one activity (one billable action, not one per document). */
    async describeDocuments(sha256s: string[]): Promise<DescribedDocument[]> {
      return Promise.all(sha256s.map(describeDocument));
    },
  };
}
