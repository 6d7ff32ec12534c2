/** The typed messages of the reviewRound workflow: its query and one Update per human action (domain/actions.ts). */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  ActionAck,
  AddBureauRequest,
  CancelRoundRequest,
  ChangeContactRequest,
  CloseConsultationRequest,
  ExtendDeadlineRequest,
  RecordPaperReplyRequest,
  ReplyReceipt,
  ResendInvitationRequest,
  SubmitReplyRequest,
  WaiveBureauRequest,
} from '../domain/consultation.js';
import type {
  AddDocumentVersionRequest,
  AdoptAllCommentsRequest,
  DisposeCommentRequest,
  PublishDispositionsRequest,
  ReanchorDispositionRequest,
  ResolveObjectionRequest,
  RespondToOutcomeRequest,
} from '../domain/disposition.js';
import type { ApproveCandidateRequest, RejectCandidateRequest } from '../domain/approval.js';
import type {
  CancelMeetingRequest,
  RecordOpinionsRequest,
  RescheduleMeetingRequest,
  ScheduleMeetingRequest,
  WriteRevisionNoteRequest,
} from '../domain/expertReview.js';
import type { RoundStatus } from '../domain/round.js';

export const statusQuery = defineQuery<RoundStatus>('status');
/** What one bureau's link may show (domain/linkView.ts), by bureau ID: the other bureaus' parts never leave the worker. */
export const linkViewQuery = defineQuery<RoundStatus, [string]>('linkView');

export const submitReplyUpdate = defineUpdate<ReplyReceipt, [SubmitReplyRequest]>('submitReply');
export const recordPaperReplyUpdate = defineUpdate<ReplyReceipt, [RecordPaperReplyRequest]>('recordPaperReply');
export const extendDeadlineUpdate = defineUpdate<ActionAck, [ExtendDeadlineRequest]>('extendDeadline');
export const waiveBureauUpdate = defineUpdate<ActionAck, [WaiveBureauRequest]>('waiveBureau');
export const changeContactUpdate = defineUpdate<ActionAck, [ChangeContactRequest]>('changeContact');
export const resendInvitationUpdate = defineUpdate<ActionAck, [ResendInvitationRequest]>('resendInvitation');
export const addBureauUpdate = defineUpdate<ActionAck, [AddBureauRequest]>('addBureau');
export const closeConsultationUpdate = defineUpdate<ActionAck, [CloseConsultationRequest]>('closeConsultation');
export const cancelRoundUpdate = defineUpdate<ActionAck, [CancelRoundRequest]>('cancelRound');
export const disposeCommentUpdate = defineUpdate<ActionAck, [DisposeCommentRequest]>('disposeComment');
export const adoptAllCommentsUpdate = defineUpdate<ActionAck, [AdoptAllCommentsRequest]>('adoptAllComments');
export const publishDispositionsUpdate = defineUpdate<ActionAck, [PublishDispositionsRequest]>('publishDispositions');
export const addDocumentVersionUpdate = defineUpdate<ActionAck, [AddDocumentVersionRequest]>('addDocumentVersion');
export const respondToOutcomeUpdate = defineUpdate<ActionAck, [RespondToOutcomeRequest]>('respondToOutcome');
export const resolveObjectionUpdate = defineUpdate<ActionAck, [ResolveObjectionRequest]>('resolveObjection');
export const approveCandidateUpdate = defineUpdate<ActionAck, [ApproveCandidateRequest]>('approveCandidate');
export const rejectCandidateUpdate = defineUpdate<ActionAck, [RejectCandidateRequest]>('rejectCandidate');
export const reanchorDispositionUpdate = defineUpdate<ActionAck, [ReanchorDispositionRequest]>('reanchorDisposition');
export const scheduleMeetingUpdate = defineUpdate<ActionAck, [ScheduleMeetingRequest]>('scheduleMeeting');
export const rescheduleMeetingUpdate = defineUpdate<ActionAck, [RescheduleMeetingRequest]>('rescheduleMeeting');
export const cancelMeetingUpdate = defineUpdate<ActionAck, [CancelMeetingRequest]>('cancelMeeting');
export const recordOpinionsUpdate = defineUpdate<ActionAck, [RecordOpinionsRequest]>('recordOpinions');
export const writeRevisionNoteUpdate = defineUpdate<ActionAck, [WriteRevisionNoteRequest]>('writeRevisionNote');

/** The Update of each action, by the action's name. */
export const UPDATES = {
  submitReply: submitReplyUpdate,
  recordPaperReply: recordPaperReplyUpdate,
  extendDeadline: extendDeadlineUpdate,
  waiveBureau: waiveBureauUpdate,
  changeContact: changeContactUpdate,
  resendInvitation: resendInvitationUpdate,
  addBureau: addBureauUpdate,
  closeConsultation: closeConsultationUpdate,
  cancelRound: cancelRoundUpdate,
  disposeComment: disposeCommentUpdate,
  adoptAllComments: adoptAllCommentsUpdate,
  publishDispositions: publishDispositionsUpdate,
  addDocumentVersion: addDocumentVersionUpdate,
  reanchorDisposition: reanchorDispositionUpdate,
  respondToOutcome: respondToOutcomeUpdate,
  resolveObjection: resolveObjectionUpdate,
  approveCandidate: approveCandidateUpdate,
  rejectCandidate: rejectCandidateUpdate,
  scheduleMeeting: scheduleMeetingUpdate,
  rescheduleMeeting: rescheduleMeetingUpdate,
  cancelMeeting: cancelMeetingUpdate,
  recordOpinions: recordOpinionsUpdate,
  writeRevisionNote: writeRevisionNoteUpdate,
} as const;
export type Updates = typeof UPDATES;
