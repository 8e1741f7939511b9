import { Unreadable, stringField } from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export type ReactionAction = 'react' | 'unreact';

export interface ReactionData {
  /** The message reacted to (for a legacy helper reaction, without the `_reaction` suffix). */
  mid: string;
  action: ReactionAction;
  /** smile, angry, sad, wow, love, like, dislike or other; may be absent on an unreact. */
  reaction: string | null;
  emoji: string | null;
}

/** A customer reacted to a message, or took a reaction back (`reaction`). */
export class ReactionReceivedEvent extends MessengerEvent<ReactionData> {
  static readonly eventName = 'messenger.reaction.received';
  override readonly kind = 'reaction';
}

/** The `reaction` of a reaction event (or of a legacy helper reaction). */
export function readReactionData(reaction: JsonObject): ReactionData | Unreadable {
  const mid = stringField(reaction, 'mid');
  const action = stringField(reaction, 'action');
  if (mid === null) return new Unreadable('reaction.mid is missing');
  if (action !== 'react' && action !== 'unreact') {
    return new Unreadable('reaction.action is neither react nor unreact');
  }
  return {
    mid,
    action,
    reaction: stringField(reaction, 'reaction'),
    emoji: stringField(reaction, 'emoji'),
  };
}
