import type { Handler } from './scope.ts';
import { findIssue, nonEmpty, optionalText, requirePerson } from './scope.ts';

/** What the team writes down along the way: the issue log, observations, documentation updates, lessons. */

export const logIssue: Handler<'LogIssue'> = (command, { state, ctx, h, emit, same }) => {
  requirePerson(command.by, ctx, h);
  const text = nonEmpty(command.text, 'a description');
  const duplicate = state.issues.some((i) => i.text === text && same(i.loggedBy, command.by) && !i.resolved);
  if (duplicate) return [];
  return emit({ type: 'IssueLogged', issueId: state.issues.length + 1, text });
};

export const resolveIssue: Handler<'ResolveIssue'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  const issue = findIssue(state, command.issueId);
  if (issue.resolved) return [];
  const note = optionalText(command.note);
  return emit({ type: 'IssueResolved', issueId: issue.id, ...(note === undefined ? {} : { note }) });
};

export const setWorkaround: Handler<'SetWorkaround'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  const issue = findIssue(state, command.issueId);
  const text = nonEmpty(command.text, 'the workaround');
  if (issue.workaround?.text === text) return [];
  return emit({ type: 'WorkaroundSet', issueId: issue.id, text });
};

/** A resolved issue turned out not to be: open again, its resolution kept for the record. */
export const reopenIssue: Handler<'ReopenIssue'> = (command, { state, ctx, h, emit }) => {
  requirePerson(command.by, ctx, h);
  const issue = findIssue(state, command.issueId);
  if (!issue.resolved) return [];
  const reason = optionalText(command.reason);
  return emit({ type: 'IssueReopened', issueId: issue.id, ...(reason === undefined ? {} : { reason }) });
};

export const noteObservation: Handler<'NoteObservation'> = (command, { state, ctx, h, emit, same }) => {
  requirePerson(command.by, ctx, h);
  const text = nonEmpty(command.text, 'the observation');
  if (state.observations.some((o) => o.text === text && same(o.by, command.by))) return [];
  return emit({ type: 'ObservationNoted', text });
};

export const tickDocumentationUpdate: Handler<'TickDocumentationUpdate'> = (
  command,
  { state, ctx, h, emit },
) => {
  requirePerson(command.by, ctx, h);
  if ((state.docs[command.item] !== null) === command.done) return [];
  return emit({ type: 'DocumentationUpdateTicked', item: command.item, done: command.done });
};

export const noteLessonsLearned: Handler<'NoteLessonsLearned'> = (command, { state, ctx, h, emit, same }) => {
  requirePerson(command.by, ctx, h);
  const text = nonEmpty(command.text, 'the lesson');
  if (state.lessons.some((l) => l.text === text && same(l.by, command.by))) return [];
  return emit({ type: 'LessonsLearnedNoted', text });
};
