/**
 * PDF rendering in the worker: fonts are loaded once per process (the renderer caches them), the
 * PDF goes into the document store, and the workflow keeps its hash and the fonts' hashes.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import type { Anchor, ReviewRecord } from '../domain/records.js';
import { canonicalJson } from '../domain/replyHash.js';
import type { RoundStatus } from '../domain/round.js';
import { assembleReviewRecord, type RecordExtras } from '../infra/reviewRecord.js';
import type { ContentStore } from '../infra/store.js';
import {
  anchorLocator,
  AnchorError,
  FontMissingError,
  renderPlan,
  UnsupportedCharacterError,
  type FontPaths,
} from '../pdf/render.js';

export interface RenderedPdf {
  pdfSha256: string;
  pages: number;
  fontSha256: Record<string, string>;
  warnings: string[];
}

/** A draft for circulation has no review tables yet: a record that holds only the round. */
export function draftRecord(round: { id: string; title: string }, planId: string): ReviewRecord {
  return {
    round: { id: round.id, planId, n: 1, title: round.title },
    documents: [],
    bureaus: [],
    replies: [],
    outcomes: {},
    dispositions: [],
  };
}

/** How often a render heartbeats: its heartbeat timeout (workflows/stages/approval/run.ts) is a few times this. */
const HEARTBEAT_EVERY_MS = 10_000;

/**
 * Runs `work` while heartbeating, when called as an activity: a render whose worker died is then
 * tried again on another worker once its heartbeats stop, not after its whole start-to-close timeout.
 * Outside an activity (the CLI's render) it just runs.
 */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createPdfActivities({ store, fonts }: { store: ContentStore; fonts?: FontPaths }) {
  async function render(source: string, record: ReviewRecord, mode: 'draft' | 'approved', docKey?: string) {
    try {
      return await heartbeating(() => renderPlan({ source, record, mode, fonts, docKey }));
    } catch (err) {
      if (
        err instanceof FontMissingError ||
        err instanceof UnsupportedCharacterError ||
        err instanceof AnchorError ||
        err instanceof ZodError
      ) {
        throw ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true });
      }
      throw err;
    }
  }

  return {
    /**
     * Renders a round's plan from the round itself: the record is assembled from its status and the
     * reply texts in the store (infra/reviewRecord.ts) and stored beside the PDF, so the PDF's inputs
     * are both kept by hash. The status is the only input that travels through Temporal (it is small).
     */
    async renderRoundPdf(req: {
      status: RoundStatus;
      docKey: string;
      mode: 'draft' | 'approved';
      extras?: RecordExtras;
    }): Promise<RenderedPdf & { recordSha256: string }> {
      const record = await assembleReviewRecord(req.status, store, req.extras);
      const doc = req.status.documents.find((d) => d.key === req.docKey);
      if (!doc)
        throw ApplicationFailure.create({
          type: 'UnknownDocument',
          message: `no document ${req.docKey} in ${req.status.id}`,
          nonRetryable: true,
        });
      const { sha256: recordSha256 } = await store.put(Buffer.from(canonicalJson(record)));
      const source = (await store.get(doc.versions[doc.versions.length - 1]!.sha256)).toString('utf8');
      const result = await render(source, record, req.mode, req.docKey);
      const { sha256 } = await store.put(result.pdf);
      return {
        pdfSha256: sha256,
        recordSha256,
        pages: result.pages,
        fontSha256: result.fontSha256,
        warnings: result.warnings,
      };
    },

    /** Renders a document (by hash) with a record, stores the PDF, returns its hash. Deterministic. */
    async renderPlanPdf(req: {
      sourceSha256: string;
      record: ReviewRecord;
      mode: 'draft' | 'approved';
      docKey?: string;
    }): Promise<RenderedPdf> {
      const source = (await store.get(req.sourceSha256)).toString('utf8');
      const result = await render(source, req.record, req.mode, req.docKey);
      const { sha256 } = await store.put(result.pdf);
      return { pdfSha256: sha256, pages: result.pages, fontSha256: result.fontSha256, warnings: result.warnings };
    },
  };
}

/**
 * Invitations attach each draft as a PDF marked 征求意见稿. Rendered once per document version per
 * worker process (seven invitations share one render), kept in the store by hash.
 */
export function draftPdfAttachments({ store, fonts }: { store: ContentStore; fonts?: FontPaths }) {
  const rendered = new Map<string, Promise<Buffer>>();
  return async (doc: { title: string; source: string; sourceSha256: string; round: { id: string; title: string } }) => {
    // The draft's metadata names its round, so a render is shared only within one round.
    const key = `${doc.sourceSha256}\n${doc.round.id}\n${doc.round.title}`;
    let pdf = rendered.get(key);
    if (!pdf) {
      const planId = /^round:([^:]+):/.exec(doc.round.id)?.[1] ?? 'plan';
      pdf = renderPlan({ source: doc.source, record: draftRecord(doc.round, planId), mode: 'draft', fonts }).then(
        async (r) => {
          await store.put(r.pdf);
          return r.pdf;
        },
      );
      pdf.catch(() => rendered.delete(key));
      rendered.set(key, pdf);
    }
    return { filename: `${doc.title}.pdf`, content: await pdf, contentType: 'application/pdf' };
  };
}

/**
 * Where a change lands in a version, for the outcome notices: each version is laid out once per
 * worker process (as circulated, without review tables), then any number of anchors are located in it.
 */
export function changePages({ fonts }: { fonts?: FontPaths } = {}) {
  const locators = new Map<string, Promise<(anchor: Anchor) => string>>();
  return async (
    doc: { source: string; sourceSha256: string; docKey: string },
    at: { section: string; quote?: string },
  ) => {
    const key = `${doc.sourceSha256}\n${doc.docKey}`;
    let locate = locators.get(key);
    if (!locate) {
      locate = anchorLocator({
        source: doc.source,
        record: draftRecord({ id: 'round:-:1', title: doc.docKey }, doc.docKey),
        fonts,
        docKey: doc.docKey,
      });
      locate.catch(() => locators.delete(key));
      locators.set(key, locate);
    }
    return (await locate)({ doc: doc.docKey, version: 1, ...at });
  };
}
