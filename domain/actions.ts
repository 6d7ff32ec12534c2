/**
 * Every human action on a round, by name: its request schema and who may take it. The round's
 * validators and the edges (web pages, CLI) read this one table, so an action is refused for the
 * same reasons everywhere. Imported by workflow code: no Node built-ins, no I/O.
 */
import {
  AddBureauRequest,
  CancelRoundRequest,
  ChangeContactRequest,
  CloseConsultationRequest,
  ExtendDeadlineRequest,
  RecordPaperReplyRequest,
  ResendInvitationRequest,
  SubmitReplyRequest,
  WaiveBureauRequest,
} from './consultation.js';
import {
  AddDocumentVersionRequest,
  AdoptAllCommentsRequest,
  DisposeCommentRequest,
  PublishDispositionsRequest,
  ReanchorDispositionRequest,
  ResolveObjectionRequest,
  RespondToOutcomeRequest,
} from './disposition.js';
import { ApproveCandidateRequest, RejectCandidateRequest } from './approval.js';
import {
  CancelMeetingRequest,
  RecordOpinionsRequest,
  RescheduleMeetingRequest,
  ScheduleMeetingRequest,
  WriteRevisionNoteRequest,
} from './expertReview.js';
import type { Role } from './records.js';

export const ACTIONS = {
  submitReply: { request: SubmitReplyRequest, roles: ['bureau'] },
  recordPaperReply: { request: RecordPaperReplyRequest, roles: ['coordinator'] },
  extendDeadline: { request: ExtendDeadlineRequest, roles: ['coordinator'] },
  waiveBureau: { request: WaiveBureauRequest, roles: ['coordinator'] },
  changeContact: { request: ChangeContactRequest, roles: ['coordinator'] },
  resendInvitation: { request: ResendInvitationRequest, roles: ['coordinator'] },
  addBureau: { request: AddBureauRequest, roles: ['coordinator'] },
  closeConsultation: { request: CloseConsultationRequest, roles: ['coordinator'] },
  cancelRound: { request: CancelRoundRequest, roles: ['coordinator'] },
  disposeComment: { request: DisposeCommentRequest, roles: ['coordinator'] },
  adoptAllComments: { request: AdoptAllCommentsRequest, roles: ['coordinator'] },
  publishDispositions: { request: PublishDispositionsRequest, roles: ['coordinator'] },
  addDocumentVersion: { request: AddDocumentVersionRequest, roles: ['coordinator'] },
  reanchorDisposition: { request: ReanchorDispositionRequest, roles: ['coordinator'] },
  respondToOutcome: { request: RespondToOutcomeRequest, roles: ['bureau'] },
  resolveObjection: { request: ResolveObjectionRequest, roles: ['coordinator'] },
  approveCandidate: { request: ApproveCandidateRequest, roles: ['approver'] },
  rejectCandidate: { request: RejectCandidateRequest, roles: ['approver'] },
  scheduleMeeting: { request: ScheduleMeetingRequest, roles: ['coordinator'] },
  rescheduleMeeting: { request: RescheduleMeetingRequest, roles: ['coordinator'] },
  cancelMeeting: { request: CancelMeetingRequest, roles: ['coordinator'] },
  recordOpinions: { request: RecordOpinionsRequest, roles: ['coordinator'] },
  writeRevisionNote: { request: WriteRevisionNoteRequest, roles: ['coordinator'] },
} as const satisfies Record<string, { request: unknown; roles: readonly Role[] }>;

export type ActionName = keyof typeof ACTIONS;
