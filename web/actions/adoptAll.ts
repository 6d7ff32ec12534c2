/** Adopt every undecided comment of one bureau at once (the seed adopted all of some bureaus' comments). */
import { z } from 'zod';
import { AdoptAllCommentsRequest } from '../../domain/disposition.js';
import { bureauField, fieldOfForm, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const adoptAll: CoordinatorAction<'adoptAllComments'> = {
  name: 'adopt-all',
  update: 'adoptAllComments',
  title: '采纳一个单位的全部意见 Adopt all of a bureau’s comments',
  flash: (b) =>
    `已采纳${b.zh}全部待处理的意见（发布前可逐条修改）。Every undecided comment of ${b.en} is adopted (each may change until published).`,
  form: ({ round, actor }) =>
    z
      .object({ requestId: requestIdField('adopt-all'), bureauId: bureauField(round) })
      .transform((f) => ({ ...f, actor }))
      .pipe(AdoptAllCommentsRequest),
  fieldOf: fieldOfForm(['bureauId']),
  bureauOf: (r) => r.bureauId,
};
